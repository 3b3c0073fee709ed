// invex: no arguments opens the GUI; subcommands run the same work headless.
#include <cstdio>
#include <cstring>
#include <string>

#include "app/commands.h"

#ifndef INVEX_HAVE_GUI
// A headless build (-DINVEX_BUILD_GUI=OFF, e.g. for a cluster) still has every subcommand.
int invex::cli::run_gui(int, char**) {
  std::fprintf(
      stderr,
      "invex: this build has no GUI (configured with INVEX_BUILD_GUI=OFF); see invex --help\n");
  return 2;
}
#endif

namespace {

void print_usage() {
  std::puts(
      "usage: invex [command] [options]\n"
      "\n"
      "  (no command)  open the GUI on the default preset (circle/complex)\n"
      "  gui           open the GUI: [--preset NAME | --run DIR]\n"
      "  presets       list the presets\n"
      "  train         train a manifold: (--preset NAME | --config FILE) [--out DIR] ...\n"
      "  render        export a trained run: --run DIR --out OUTDIR [--gif] [--png] ...\n"
      "  eval          a neuron's response to images: --config FILE --images IN.npy\n"
      "  bench         time training steps: --preset NAME | --all [--json]\n"
      "\n"
      "`invex COMMAND --help` describes each command's options.");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace invex::cli;
  if (argc < 2) {
    char gui[] = "gui";
    char* args[] = {gui, nullptr};
    return run_gui(1, args);
  }
  const std::string cmd = argv[1];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    print_usage();
    return 0;
  }
  if (cmd == "gui") return run_gui(argc - 1, argv + 1);
  if (cmd == "presets") return run_presets(argc - 1, argv + 1);
  if (cmd == "train") return run_train(argc - 1, argv + 1);
  if (cmd == "render") return run_render(argc - 1, argv + 1);
  if (cmd == "eval") return run_eval(argc - 1, argv + 1);
  if (cmd == "bench") return run_bench(argc - 1, argv + 1);
  std::fprintf(stderr, "invex: unknown command '%s' (try invex --help)\n", cmd.c_str());
  return 2;
}

// invex: no arguments opens the GUI; subcommands run the same work headless.
#include <cstdio>
#include <string>

#include "app/cli_parser.h"
#include "app/commands.h"

#ifndef INVEX_HAVE_GUI
// A headless build (-DINVEX_BUILD_GUI=OFF, e.g. for a cluster) still has every subcommand.
int invex::cli::run_gui(int, char**) {
  std::fprintf(
      stderr,
      "invex: this build has no GUI (configured with INVEX_BUILD_GUI=OFF); see invex --help\n");
  return 2;
}
int invex::cli::run_tour(int argc, char** argv) { return run_gui(argc, argv); }
#endif

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);  // argv[0] is the command's name
};

const Command kCommands[] = {
    {"gui", "open the GUI: [--preset NAME | --run DIR | --config FILE] ...", invex::cli::run_gui},
    {"tour", "the guided tour of invariance: [--step N] [--file FILE] [--present] ...",
     invex::cli::run_tour},
    {"presets", "list the presets", invex::cli::run_presets},
    {"train", "train a manifold: (--preset NAME | --config FILE | --resume DIR) [--out DIR] ...",
     invex::cli::run_train},
    {"render", "export a trained run: --run DIR --out OUTDIR [--gif] [--png] ...",
     invex::cli::run_render},
    {"pack", "a compact copy of a trained run for shipping: --run DIR --out DIR",
     invex::cli::run_pack},
    {"eval", "a neuron's response to images: (--preset NAME | --config FILE) --images IN.npy",
     invex::cli::run_eval},
    {"bench", "time training steps: (--preset NAME | --all) [--json] ...", invex::cli::run_bench},
    {"reproduce",
     "train presets and check their expected outcomes: [--presets P...] [--out DIR] ...",
     invex::cli::run_reproduce},
};

// `invex` with something that is not a command: help, or a mistake.
int run_top_level(int argc, char** argv) {
  CLI::App app(
      "Finds what a visual neuron is invariant to: trains a CPPN to draw the neuron's "
      "invariance manifold and shows it.",
      "invex");
  invex::cli::set_up_command(app, "[command] [options]",
                             "With no command, invex opens the GUI on circle/complex.\n"
                             "`invex COMMAND --help` describes each command's options.");
  for (const Command& c : kCommands) app.add_subcommand(c.name, c.summary);
  const std::string first = argv[1];
  if (first == "help") {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  }
  if (first.empty() || first[0] != '-') {
    std::fprintf(stderr, "invex: unknown command '%s' (try invex --help)\n", first.c_str());
    return 2;
  }
  const int code = invex::cli::parse_command(app, argc, argv);
  if (code >= 0) return code;
  std::fprintf(stderr, "invex: expected a command (try invex --help)\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    char gui[] = "gui";
    char* args[] = {gui, nullptr};
    return invex::cli::run_gui(1, args);
  }
  for (const Command& c : kCommands)
    if (argv[1] == std::string(c.name)) return c.run(argc - 1, argv + 1);
  return run_top_level(argc, argv);
}

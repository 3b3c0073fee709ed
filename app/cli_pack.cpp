// invex pack: a trained run cut down to what showing it needs, as the runs in assets/runs/ ship.
#include <cstdio>
#include <memory>
#include <string>

#include "app/cli_parser.h"
#include "app/commands.h"
#include "core/io/saved_run.h"
#include "core/io/shipped_run.h"
#include "core/method/trainer.h"

namespace invex::cli {

int run_pack(int argc, char** argv) {
  std::string run_dir, out;
  CLI::App app(
      "Writes a compact copy of a trained run for shipping or for a tour: config.json, run.invex "
      "without optimiser state, history or timings (the same training gives the same bytes), "
      "activations.npy (the canonical sweep's normalised activations, which a loaded copy must "
      "reproduce) and mei.npy (the neuron's MEI). The copy opens with invex gui --run OUT and "
      "invex render --run OUT; it cannot be resumed where the training left off.",
      "invex pack");
  set_up_command(app, "--run DIR --out DIR",
                 "assets/runs/make_runs.sh makes the runs that ship in assets/runs/ this way.");
  add_text(app, "--run DIR", run_dir, "the trained run (DIR/run.invex)")->required();
  add_text(app, "--out DIR", out, "where to write the copy (created if missing)")->required();
  if (const int code = parse_command(app, argc, argv); code >= 0) return code;

  std::unique_ptr<Trainer> trainer;
  try {
    trainer = load_trainer(run_dir + "/run.invex");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invex pack: %s\n", e.what());
    return 2;
  }
  try {
    std::fprintf(stderr, "invex pack: %s at step %d -> %s (finding the MEI image)...\n",
                 trainer->config().name.c_str(), trainer->step_index(), out.c_str());
    write_shipped_run(*trainer, out);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invex pack: %s\n", e.what());
    return 2;
  }
  return 0;
}

}  // namespace invex::cli

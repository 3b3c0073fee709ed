// invex train: trains a manifold without a window and writes the run directory.
#include <cstdio>
#include <memory>
#include <string>

#include "app/cli_parser.h"
#include "app/commands.h"
#include "app/config_options.h"
#include "app/train_loop.h"
#include "core/io/atomic_file.h"
#include "core/io/saved_run.h"
#include "core/run/config.h"
#include "core/support/thread_pool.h"

namespace invex::cli {
namespace {

// What the command line asked for.
struct TrainRequest {
  ConfigOptions config;
  std::string resume, out;
  int threads = 0;
  bool quiet = false, stop_when_expected = false;
};

void define_options(CLI::App& app, TrainRequest& r) {
  set_up_command(app, "(--preset NAME | --config FILE | --resume DIR) [options]",
                 "Prints report.json's content on stdout when done, and on stderr whether the "
                 "manifold shows the config's expected outcome (its \"expect\" section).\n"
                 "Exit codes: 0 done, 2 bad input, 3 stopped on a non-finite loss (the last good "
                 "state is written), 130 interrupted by Ctrl-C or SIGTERM (the run is saved; "
                 "continue it with --resume).");
  add_config_source(app, r.config);
  add_text(app, "--resume DIR", r.resume,
           "continue the run saved in DIR (DIR/run.invex) from its last checkpoint, with its "
           "own config");
  add_text(app, "--out DIR", r.out,
           "write the run here (default: runs/<config name>; with --resume: the resumed DIR)");
  add_training_overrides(app, r.config);
  add_mei_option(app, r.config);
  r.config.models_option = add_models_option(app, r.config.models);
  add_threads(app, r.threads, "all cores");
  app.add_flag("--stop-when-expected", r.stop_when_expected,
               "stop at the end of the first epoch whose canonical sweep meets the config's "
               "\"expect\" section (checked once per epoch)");
  app.add_flag("--quiet", r.quiet, "no progress line");
}

std::unique_ptr<Trainer> resume_trainer(const TrainRequest& r) {
  if (r.config.names_a_config())
    throw ConfigError("--resume continues a saved run: do not give --preset or --config");
  if (const std::string o = r.config.given_override(); !o.empty())
    throw ConfigError("--resume continues a saved run with its own config: do not give " + o);
  std::unique_ptr<Trainer> trainer = load_trainer(r.resume + "/run.invex");
  if (!r.quiet)
    std::fprintf(stderr, "invex train: resuming %s at step %d of %d\n", r.resume.c_str(),
                 trainer->step_index(), trainer->config().total_steps());
  return trainer;
}

// The trainer of --resume DIR or of a fresh run of the config, and where its run goes. Throws
// on bad input.
std::unique_ptr<Trainer> prepare(const TrainRequest& r, std::string& out) {
  if (!r.resume.empty()) {
    out = r.out.empty() ? r.resume : r.out;
    std::unique_ptr<Trainer> trainer = resume_trainer(r);
    // As for a fresh run: an unwritable output fails now, not after the training.
    ensure_directory(out);
    write_file_atomic(out + "/config.json", config_to_json(trainer->config()) + "\n");
    return trainer;
  }
  const RunConfig cfg = config_from_options(r.config);
  out = r.out.empty() ? "runs/" + cfg.name : r.out;
  return fresh_trainer(cfg, out, "invex train", r.quiet);
}

// One line on stderr: pass or fail against the config's expectation, and what failed.
void print_expectation(const RunSummary& s) {
  if (!s.expectation) return;
  if (s.expectation->pass())
    std::fprintf(stderr, "invex train: expected outcome: pass\n");
  else
    std::fprintf(stderr, "invex train: expected outcome: FAIL: %s\n",
                 s.expectation->failures().c_str());
}

}  // namespace

int run_train(int argc, char** argv) {
  TrainRequest request;
  CLI::App app(
      "Trains a CPPN to draw the neuron's invariance manifold and writes the run "
      "directory (config.json, run.invex, manifold.npy, latents.npy, activations.npy, "
      "report.json, log.csv; see README).",
      "invex train");
  define_options(app, request);
  if (const int code = parse_command(app, argc, argv); code >= 0) return code;

  std::unique_ptr<Trainer> trainer;
  LoopOptions loop;
  loop.quiet = request.quiet;
  loop.stop_when_expected = request.stop_when_expected;
  const int threads = set_compute_threads(request.threads);
  try {
    trainer = prepare(request, loop.out);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invex train: %s\n", e.what());
    return 2;
  }
  const RunConfig& cfg = trainer->config();
  if (!request.quiet)
    std::fprintf(stderr, "invex train: %s, %d steps, MEI activation %.4f, %d threads -> %s\n",
                 cfg.name.c_str(), cfg.total_steps(), trainer->mei_activation(), threads,
                 loop.out.c_str());
  catch_interrupts();
  try {
    LoopOutcome outcome = train_loop(*trainer, loop);
    if (!request.quiet) std::fprintf(stderr, "\n");
    const RunSummary s = finish_run(*trainer, loop.out, outcome, threads);
    std::printf("%s\n", summary_to_json(s, cfg, threads).c_str());
    if (!request.quiet) print_expectation(s);
    if (outcome.code == 130)
      std::fprintf(stderr, "invex train: interrupted; resume with: invex train --resume %s\n",
                   loop.out.c_str());
    return outcome.code;
  } catch (const std::exception& e) {
    // The newline ends the progress line, when there is one.
    std::fprintf(stderr, "%sinvex train: %s\n", request.quiet ? "" : "\n", e.what());
    return 2;
  }
}

}  // namespace invex::cli

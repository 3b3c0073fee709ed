// invex train: trains a manifold without a window and writes the run directory.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "app/cli_parser.h"
#include "app/commands.h"
#include "app/config_options.h"
#include "core/io/atomic_file.h"
#include "core/io/mei_cache.h"
#include "core/io/run_directory.h"
#include "core/io/saved_run.h"
#include "core/method/trainer.h"
#include "core/neurons/neuron.h"
#include "core/run/config.h"
#include "core/support/thread_pool.h"

namespace invex::cli {
namespace {

std::atomic<bool> interrupted{false};
void on_signal(int) { interrupted = true; }

// What the command line asked for.
struct TrainRequest {
  ConfigOptions config;
  std::string resume, out;
  int threads = 0;
  bool quiet = false;
};

void define_options(CLI::App& app, TrainRequest& r) {
  set_up_command(app, "(--preset NAME | --config FILE | --resume DIR) [options]",
                 "Prints report.json's content on stdout when done.\n"
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
  app.add_flag("--quiet", r.quiet, "no progress line");
}

// A trainer ready to step, and where its run goes.
struct PreparedRun {
  std::unique_ptr<Trainer> trainer;
  std::string out;
  int threads = 0;
  bool quiet = false;
};

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

std::unique_ptr<Trainer> fresh_trainer(const RunConfig& cfg, const std::string& out, bool quiet) {
  // Fail on a neuron that cannot be built (a model folder, data key or index) and on an
  // unwritable output before spending minutes training.
  NeuronEvaluator{cfg.neuron};
  ensure_directory(out);
  write_file_atomic(out + "/config.json", config_to_json(cfg) + "\n");
  return std::make_unique<Trainer>(
      cfg, mei_activation_for(cfg, quiet ? MeiProgress() : mei_progress_line("invex train")));
}

// The trainer of --resume DIR or of a fresh run of the config. Throws on bad input.
PreparedRun prepare(const TrainRequest& r) {
  PreparedRun run;
  run.quiet = r.quiet;
  run.threads = set_compute_threads(r.threads);
  if (!r.resume.empty()) {
    run.out = r.out.empty() ? r.resume : r.out;
    run.trainer = resume_trainer(r);
    // As for a fresh run: an unwritable output fails now, not after the training.
    ensure_directory(run.out);
    write_file_atomic(run.out + "/config.json", config_to_json(run.trainer->config()) + "\n");
  } else {
    const RunConfig cfg = config_from_options(r.config);
    run.out = r.out.empty() ? "runs/" + cfg.name : r.out;
    run.trainer = fresh_trainer(cfg, run.out, r.quiet);
  }
  return run;
}

std::string clock_text(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "--:--";
  long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  return buf;
}

// One line on stderr, redrawn at most twice a second and after the last step: where the
// schedule is, the step's activation, speed and the time left.
class ProgressLine {
 public:
  explicit ProgressLine(const Trainer& trainer)
      : trainer_(trainer),
        start_step_(trainer.step_index()),
        start_(Clock::now()),
        last_(start_ - std::chrono::seconds(1)) {}

  void update(const StepResult& r) {
    const auto now = Clock::now();
    if (now - last_ <= std::chrono::milliseconds(500) && !r.finished) return;
    last_ = now;
    const RunConfig& cfg = trainer_.config();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? (trainer_.step_index() - start_step_) / elapsed : 0;
    const double eta = rate > 0 ? (cfg.total_steps() - trainer_.step_index()) / rate : -1;
    std::fprintf(stderr,
                 "\r[phase %d/%zu epoch %3d/%d step %6d/%d] activation %.3f (min %.3f) "
                 "reg %.4f  %.1f steps/s  ETA %s   ",
                 trainer_.phase() + 1, cfg.training.reg_coefs.size(), trainer_.epoch_in_phase() + 1,
                 cfg.training.epochs_per_reg, trainer_.step_index(), cfg.total_steps(),
                 r.activation, r.min_activation, r.regulariser, rate, clock_text(eta).c_str());
    std::fflush(stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;
  const Trainer& trainer_;
  const int start_step_;
  const Clock::time_point start_;
  Clock::time_point last_;
};

struct LoopOutcome {
  int code = 0;         // the exit code: 0, 3 (non-finite loss) or 130 (signal)
  std::string stopped;  // why the run ended before its last step ("" if it did not)
};

// Steps until the schedule ends, the stop rule is met, a step fails or SIGINT/SIGTERM arrives,
// writing checkpoints along the way.
LoopOutcome train_loop(const PreparedRun& run) {
  Trainer& trainer = *run.trainer;
  const int every = trainer.config().training.checkpoint_every;
  ProgressLine progress(trainer);
  while (!trainer.finished()) {
    if (interrupted) return {130, "interrupted"};
    const StepResult r = trainer.step();
    if (!r.ok) {
      std::fprintf(stderr, "\ninvex train: %s\n", r.message.c_str());
      return {3, r.message};
    }
    if (every > 0 && trainer.step_index() % every == 0) write_checkpoint(trainer, run.out);
    if (!run.quiet) progress.update(r);
  }
  return {};
}

// Writes the run directory, prints the report and says how to resume an interrupted run.
int write_run(const PreparedRun& run, LoopOutcome outcome) {
  const Trainer& trainer = *run.trainer;
  if (!run.quiet) std::fprintf(stderr, "\n");
  if (outcome.stopped.empty() && trainer.step_index() < trainer.config().total_steps())
    outcome.stopped = "stop rule met";
  const RunSummary s = write_run_directory(trainer, run.out, outcome.stopped, run.threads);
  std::printf("%s\n", summary_to_json(s, trainer.config(), run.threads).c_str());
  if (outcome.code == 130)
    std::fprintf(stderr, "invex train: interrupted; resume with: invex train --resume %s\n",
                 run.out.c_str());
  return outcome.code;
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

  PreparedRun run;
  try {
    run = prepare(request);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invex train: %s\n", e.what());
    return 2;
  }
  const RunConfig& cfg = run.trainer->config();
  if (!run.quiet)
    std::fprintf(stderr, "invex train: %s, %d steps, MEI activation %.4f, %d threads -> %s\n",
                 cfg.name.c_str(), cfg.total_steps(), run.trainer->mei_activation(), run.threads,
                 run.out.c_str());
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  try {
    return write_run(run, train_loop(run));
  } catch (const std::exception& e) {
    // The newline ends the progress line, when there is one.
    std::fprintf(stderr, "%sinvex train: %s\n", run.quiet ? "" : "\n", e.what());
    return 2;
  }
}

}  // namespace invex::cli

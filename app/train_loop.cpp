#include "app/train_loop.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>

#include "app/config_options.h"
#include "core/io/atomic_file.h"
#include "core/io/mei_cache.h"
#include "core/io/saved_run.h"
#include "core/neurons/neuron.h"

namespace invex::cli {
namespace {

std::atomic<bool> interrupted{false};
void on_signal(int) { interrupted = true; }

// One line on stderr, redrawn at most twice a second and after the last step: where the
// schedule is, the step's activation, speed and the time left (to the schedule's end, or to the
// time limit when that comes first).
class ProgressLine {
 public:
  ProgressLine(const Trainer& trainer, const LoopOptions& options)
      : trainer_(trainer),
        options_(options),
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
    double eta = rate > 0 ? (cfg.total_steps() - trainer_.step_index()) / rate : -1;
    if (options_.time_limit_seconds > 0)
      eta = std::min(eta < 0 ? 1e9 : eta, options_.time_limit_seconds - trainer_.wall_seconds());
    std::fprintf(stderr,
                 "\r%s[phase %d/%zu epoch %3d/%d step %6d/%d] activation %.3f (min %.3f) "
                 "reg %.4f  %.1f steps/s  ETA %s   ",
                 options_.label.c_str(), trainer_.phase() + 1, cfg.training.reg_coefs.size(),
                 trainer_.epoch_in_phase() + 1, cfg.training.epochs_per_reg, trainer_.step_index(),
                 cfg.total_steps(), r.activation, r.min_activation, r.regulariser, rate,
                 clock_text(eta).c_str());
    std::fflush(stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;
  const Trainer& trainer_;
  const LoopOptions& options_;
  const int start_step_;
  const Clock::time_point start_;
  Clock::time_point last_;
};

}  // namespace

void catch_interrupts() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

std::unique_ptr<Trainer> fresh_trainer(const RunConfig& cfg, const std::string& out,
                                       const std::string& command, bool quiet) {
  // Fail on a neuron that cannot be built (a model folder, data key or index) and on an
  // unwritable output before spending minutes training.
  NeuronEvaluator{cfg.neuron};
  ensure_directory(out);
  write_file_atomic(out + "/config.json", config_to_json(cfg) + "\n");
  return std::make_unique<Trainer>(
      cfg, mei_activation_for(cfg, quiet ? MeiProgress() : mei_progress_line(command)));
}

LoopOutcome train_loop(Trainer& trainer, const LoopOptions& o) {
  const int every = trainer.config().training.checkpoint_every;
  const bool check_expected = o.stop_when_expected && trainer.config().expect.enabled;
  ProgressLine progress(trainer, o);
  while (!trainer.finished()) {
    if (interrupted) return {130, "interrupted"};
    if (o.time_limit_seconds > 0 && trainer.wall_seconds() >= o.time_limit_seconds)
      return {0, "time limit reached", true};
    const StepResult r = trainer.step();
    if (!r.ok) {
      std::fprintf(stderr, "\n%s: %s\n", o.command.c_str(), r.message.c_str());
      return {3, r.message};
    }
    if (every > 0 && trainer.step_index() % every == 0) write_checkpoint(trainer, o.out);
    if (!o.quiet) progress.update(r);
    if (check_expected && r.epoch_finished && !trainer.finished()) {
      const RunSummary s = summarise(trainer);
      if (s.expectation && s.expectation->pass()) return {0, "expected outcome reached"};
    }
  }
  return {};
}

RunSummary finish_run(const Trainer& trainer, const std::string& out, LoopOutcome& outcome,
                      int threads) {
  if (outcome.stopped.empty() && trainer.step_index() < trainer.config().total_steps())
    outcome.stopped = "stop rule met";
  return write_run_directory(trainer, out, outcome.stopped, threads);
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

}  // namespace invex::cli

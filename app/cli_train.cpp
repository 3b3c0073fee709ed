// invex train / presets / eval: the method without a window.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/cli_args.h"
#include "app/commands.h"
#include "core/io/atomic_file.h"
#include "core/io/mei_cache.h"
#include "core/io/npy.h"
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

const char* kTrainHelp =
    "usage: invex train (--preset NAME | --config FILE | --resume DIR) [options]\n"
    "  --out DIR              write the run here (default: runs/<preset name>)\n"
    "  --seed N               override training.seed\n"
    "  --epochs-per-reg N     override training.epochs_per_reg\n"
    "  --steps-per-epoch N    override training.steps_per_epoch\n"
    "  --checkpoint-every N   save run.invex every N steps (default 500, 0: only at the end)\n"
    "  --stop-mean A --stop-min B   stop once the sweep's mean >= A and min >= B (per epoch)\n"
    "  --mei VALUE            use this MEI activation instead of computing it\n"
    "  --threads N            compute threads (default: all cores)\n"
    "  --quiet                no progress line\n"
    "Exit codes: 0 done, 2 bad input, 3 stopped on a non-finite loss, 130 interrupted (saved).";

}  // namespace

// Applies the command-line overrides shared by train and bench to a config.
RunConfig config_from_args(const Args& a, const std::string& command) {
  RunConfig cfg;
  if (a.has("--preset") == a.has("--config"))
    throw UsageError("give exactly one of --preset NAME or --config FILE");
  cfg = a.has("--preset") ? load_preset(a.get("--preset")) : load_config_file(a.get("--config"));
  if (a.has("--seed")) cfg.training.seed = a.get_int("--seed", 0, 0, 1L << 62);
  cfg.training.epochs_per_reg =
      a.get_int("--epochs-per-reg", cfg.training.epochs_per_reg, 1, 100000);
  cfg.training.steps_per_epoch =
      a.get_int("--steps-per-epoch", cfg.training.steps_per_epoch, 1, 1000000);
  cfg.training.checkpoint_every =
      a.get_int("--checkpoint-every", cfg.training.checkpoint_every, 0, 1000000000);
  if (a.has("--stop-mean") || a.has("--stop-min")) {
    cfg.training.stop.enabled = true;
    cfg.training.stop.mean = a.get_double("--stop-mean", cfg.training.stop.mean, -1e9, 1e9);
    cfg.training.stop.min = a.get_double("--stop-min", cfg.training.stop.min, -1e9, 1e9);
  }
  if (a.has("--mei")) cfg.mei.activation = a.get_double("--mei", 0, 1e-12, 1e12);
  validate(cfg, command);
  return cfg;
}

int run_presets(int, char**) {
  for (auto& name : list_presets()) {
    try {
      auto cfg = load_preset(name);
      std::printf("%-36s %s\n", name.c_str(), cfg.description.c_str());
    } catch (const std::exception& e) {
      std::printf("%-36s (broken: %s)\n", name.c_str(), e.what());
    }
  }
  return 0;
}

int run_train(int argc, char** argv) {
  std::unique_ptr<Trainer> trainer;
  std::string out;
  int threads = 0;
  bool quiet = false;
  try {
    Args a(argc, argv, {"--quiet", "--help"},
           {"--preset", "--config", "--resume", "--out", "--seed", "--epochs-per-reg",
            "--steps-per-epoch", "--threads", "--checkpoint-every", "--stop-mean", "--stop-min",
            "--mei"});
    if (a.has("--help")) {
      std::puts(kTrainHelp);
      return 0;
    }
    quiet = a.has("--quiet");
    threads = set_compute_threads(static_cast<int>(a.get_int("--threads", 0, 0, 1024)));
    if (a.has("--resume")) {
      if (a.has("--preset") || a.has("--config"))
        throw UsageError("--resume continues a saved run: do not give --preset or --config");
      out = a.get("--out", a.get("--resume"));
      trainer = load_trainer(a.get("--resume") + "/run.invex");
      if (!quiet)
        std::fprintf(stderr, "invex train: resuming %s at step %d of %d\n",
                     a.get("--resume").c_str(), trainer->step_index(),
                     trainer->config().total_steps());
    } else {
      RunConfig cfg = config_from_args(a, "invex train");
      out = a.get("--out", "runs/" + cfg.name);
      // Fail on an unwritable output before spending minutes training.
      ensure_directory(out);
      write_file_atomic(out + "/config.json", config_to_json(cfg) + "\n");
      if (!quiet && cfg.mei.activation <= 0)
        std::fprintf(
            stderr,
            "invex train: finding the MEI activation of %s (cached after the first time)...\n",
            cfg.neuron.type.c_str());
      trainer = std::make_unique<Trainer>(cfg, mei_activation_for(cfg));
    }
  } catch (const UsageError& e) {
    std::fprintf(stderr, "invex train: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invex train: %s\n", e.what());
    return 2;
  }

  const RunConfig& cfg = trainer->config();
  if (!quiet)
    std::fprintf(stderr, "invex train: %s, %d steps, MEI activation %.4f, %d threads -> %s\n",
                 cfg.name.c_str(), cfg.total_steps(), trainer->mei_activation(), threads,
                 out.c_str());
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  using Clock = std::chrono::steady_clock;
  auto last_print = Clock::now() - std::chrono::seconds(1);
  const int start_step = trainer->step_index();
  const auto t_start = Clock::now();
  std::string stopped;
  int code = 0;
  try {
    while (!trainer->finished()) {
      if (interrupted) {
        stopped = "interrupted";
        code = 130;
        break;
      }
      StepResult r = trainer->step();
      if (!r.ok) {
        std::fprintf(stderr, "\ninvex train: %s\n", r.message.c_str());
        stopped = r.message;
        code = 3;
        break;
      }
      const int every = cfg.training.checkpoint_every;
      if (every > 0 && trainer->step_index() % every == 0) write_checkpoint(*trainer, out);
      auto now = Clock::now();
      if (!quiet && (now - last_print > std::chrono::milliseconds(500) || r.finished)) {
        last_print = now;
        double el = std::chrono::duration<double>(now - t_start).count();
        double rate = el > 0 ? (trainer->step_index() - start_step) / el : 0;
        double eta = rate > 0 ? (cfg.total_steps() - trainer->step_index()) / rate : -1;
        std::fprintf(stderr,
                     "\r[phase %d/%zu epoch %3d/%d step %6d/%d] activation %.3f (min %.3f) "
                     "reg %.4f  %.1f steps/s  ETA %s   ",
                     trainer->phase() + 1, cfg.training.reg_coefs.size(),
                     trainer->epoch_in_phase() + 1, cfg.training.epochs_per_reg,
                     trainer->step_index(), cfg.total_steps(), r.activation, r.min_activation,
                     r.regulariser, rate, clock_text(eta).c_str());
        std::fflush(stderr);
      }
    }
    if (!quiet) std::fprintf(stderr, "\n");
    if (stopped.empty() && trainer->step_index() < cfg.total_steps()) stopped = "stop rule met";
    RunSummary s = write_run_directory(*trainer, out, stopped, threads);
    std::printf("%s\n", summary_to_json(s, cfg, threads).c_str());
    if (code == 130)
      std::fprintf(stderr, "invex train: interrupted; resume with: invex train --resume %s\n",
                   out.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\ninvex train: %s\n", e.what());
    return 2;
  }
  return code;
}

int run_eval(int argc, char** argv) {
  try {
    Args a(argc, argv, {"--help"}, {"--config", "--preset", "--images", "--out", "--threads"});
    if (a.has("--help")) {
      std::puts(
          "usage: invex eval (--config FILE | --preset NAME) --images IN.npy [--out OUT.npy]\n"
          "The neuron's raw response to each image of an N×C×H×W float32 array (no transform).");
      return 0;
    }
    if (!a.has("--images")) throw UsageError("--images IN.npy is required");
    set_compute_threads(static_cast<int>(a.get_int("--threads", 0, 0, 1024)));
    RunConfig cfg = a.has("--preset")
                        ? load_preset(a.get("--preset"))
                        : (a.has("--config") ? load_config_file(a.get("--config"))
                                             : throw UsageError("--config FILE is required"));
    NeuronEvaluator neuron(cfg.neuron);
    NpyArray in = read_npy(a.get("--images"));
    if (in.shape.size() != 4)
      throw ConfigError(a.get("--images") + ": expected an N×C×H×W array, got " +
                        std::to_string(in.shape.size()) + " dimensions");
    ImageStack images;
    images.count = in.shape[0];
    images.channels = in.shape[1];
    images.height = in.shape[2];
    images.width = in.shape[3];
    images.data = std::move(in.data);
    if (images.channels != neuron.channels() || images.height != neuron.height() ||
        images.width != neuron.width())
      throw ConfigError(a.get("--images") + ": the neuron expects N×" +
                        std::to_string(neuron.channels()) + "×" + std::to_string(neuron.height()) +
                        "×" + std::to_string(neuron.width()) + " images, got N×" +
                        std::to_string(images.channels) + "×" + std::to_string(images.height) +
                        "×" + std::to_string(images.width));
    auto r = neuron.respond(images);
    if (a.has("--out")) {
      write_npy(a.get("--out"), {static_cast<long>(r.size())}, r.data());
    } else {
      for (float v : r) std::printf("%.7g\n", v);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invex eval: %s\n", e.what());
    return 2;
  }
}

}  // namespace invex::cli

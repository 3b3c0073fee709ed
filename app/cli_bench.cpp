// invex bench: how fast a training step is, piece by piece, and how long to a good manifold.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "app/cli_args.h"
#include "app/commands.h"
#include "core/io/mei_cache.h"
#include "core/io/run_directory.h"
#include "core/method/trainer.h"
#include "core/run/config.h"
#include "core/support/thread_pool.h"

namespace invex::cli {

namespace {

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(q * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// The manifold is good when the canonical sweep meets the bar: mean >= 0.95,
// min >= 0.9, and for a 1-D loop winding ±1 with coverage >= 0.9 of every circular variable.
bool manifold_is_good(const RunSummary& s, bool loop) {
  if (s.invariance.mean_activation < 0.95 || s.invariance.min_activation < 0.9) return false;
  for (auto& c : s.invariance.circular) {
    if (c.coverage < 0.9) return false;
    if (loop && std::abs(std::abs(c.winding) - 1) > 0.01) return false;
  }
  if (s.invariance.has_polarity && !s.invariance.both_polarities) return false;
  return true;
}

nlohmann::json bench_one(RunConfig cfg, int steps, bool time_to_manifold, double limit_seconds,
                         bool quiet) {
  nlohmann::json j;
  j["preset"] = cfg.name;
  long images = 1;
  for (int d = 0; d < cfg.latent.dims(); ++d) images *= cfg.latent.grid_points;
  j["images_per_step"] = images;
  j["image_size"] = {cfg.image.height, cfg.image.width};
  Trainer trainer(cfg, mei_activation_for(cfg));
  const int warmup = 3;
  std::vector<double> total, gen, neuron, loss, back, update;
  for (int i = 0; i < warmup + steps && !trainer.finished(); ++i) {
    StepTimings t;
    auto t0 = std::chrono::steady_clock::now();
    trainer.step(&t);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (i < warmup) continue;
    total.push_back(ms);
    gen.push_back(t.generate);
    neuron.push_back(t.transform_and_neuron);
    loss.push_back(t.loss);
    back.push_back(t.backward);
    update.push_back(t.update);
  }
  double med = percentile(total, 0.5);
  j["ms_per_step_median"] = med;
  j["ms_per_step_p90"] = percentile(total, 0.9);
  j["steps_per_second"] = med > 0 ? 1000 / med : 0;
  j["pieces_ms_median"] = {{"generate", percentile(gen, 0.5)},
                           {"transform_and_neuron", percentile(neuron, 0.5)},
                           {"loss", percentile(loss, 0.5)},
                           {"backward", percentile(back, 0.5)},
                           {"update", percentile(update, 0.5)}};
  if (time_to_manifold) {
    // A fresh run, checked at every epoch with the same sweep the report uses.
    Trainer fresh(cfg, mei_activation_for(cfg));
    const bool loop = cfg.latent.dims() == 1 && cfg.latent.periodic[0];
    auto t0 = std::chrono::steady_clock::now();
    double reached = -1;
    int reached_step = -1;
    RunSummary last;
    while (!fresh.finished()) {
      auto r = fresh.step();
      if (!r.ok) break;
      double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (r.epoch_finished) {
        last = summarise(fresh);
        if (manifold_is_good(last, loop)) {
          reached = el;
          reached_step = fresh.step_index();
          break;
        }
      }
      if (el > limit_seconds) break;
    }
    j["time_to_manifold_seconds"] =
        reached >= 0 ? nlohmann::json(reached) : nlohmann::json(nullptr);
    j["time_to_manifold_steps"] =
        reached_step >= 0 ? nlohmann::json(reached_step) : nlohmann::json(nullptr);
    j["time_to_manifold_final_mean"] = last.invariance.mean_activation;
    j["time_to_manifold_final_min"] = last.invariance.min_activation;
  }
  j["peak_memory_mb"] = peak_rss_mb();
  if (!quiet)
    std::fprintf(stderr, "%-36s %8.2f ms/step (p90 %.2f)  %.1f steps/s\n", cfg.name.c_str(), med,
                 percentile(total, 0.9), med > 0 ? 1000 / med : 0);
  return j;
}

}  // namespace

int run_bench(int argc, char** argv) {
  try {
    Args a(argc, argv, {"--json", "--all", "--time-to-manifold", "--reference", "--help"},
           {"--preset", "--config", "--steps", "--threads", "--limit", "--mei", "--image-size",
            "--grid-points"});
    if (a.has("--help")) {
      std::puts(
          "usage: invex bench (--preset NAME | --config FILE | --all) [--steps N] [--threads N]\n"
          "                   [--image-size PX] [--grid-points G] [--reference]\n"
          "                   [--time-to-manifold] [--limit SECONDS] [--json]\n"
          "Median and p90 milliseconds per training step after 3 warm-up steps, the time of\n"
          "each piece of the step, peak memory; --time-to-manifold also trains a fresh run\n"
          "until the sweep is good (mean >= 0.95, min >= 0.9, winding ±1, coverage >= 0.9).");
      return 0;
    }
    if (a.has("--reference")) setenv("INVEX_REFERENCE_CPPN", "1", 1);
    int threads = set_compute_threads(static_cast<int>(a.get_int("--threads", 0, 0, 1024)));
    int steps = static_cast<int>(a.get_int("--steps", 20, 1, 100000));
    double limit = a.get_double("--limit", 300, 1, 1e6);
    nlohmann::json out;
    out["threads"] = threads;
    out["results"] = nlohmann::json::array();
    std::vector<RunConfig> configs;
    if (a.has("--all")) {
      for (auto& name : list_presets()) configs.push_back(load_preset(name));
    } else {
      configs.push_back(config_from_args(a, "invex bench"));
    }
    // Scaling studies: the same preset at another image or grid size.
    for (auto& cfg : configs) {
      if (a.has("--image-size")) {
        int px = static_cast<int>(a.get_int("--image-size", 30, 4, 512));
        cfg.image.height = cfg.image.width = cfg.neuron.height = cfg.neuron.width = px;
      }
      cfg.latent.grid_points =
          static_cast<int>(a.get_int("--grid-points", cfg.latent.grid_points, 3, 4096));
      validate(cfg, "invex bench");
    }
    for (auto& cfg : configs) {
      // With --all every preset also trains from fresh until its sweep is good (or --limit).
      bool ttm = a.has("--time-to-manifold") || a.has("--all");
      out["results"].push_back(bench_one(cfg, steps, ttm, limit, a.has("--json")));
    }
    if (a.has("--json")) std::printf("%s\n", out.dump(2).c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invex bench: %s\n", e.what());
    return 2;
  }
}

}  // namespace invex::cli

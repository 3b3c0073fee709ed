// invex bench: how fast a training step is, piece by piece, and how long to a good manifold.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "app/cli_parser.h"
#include "app/commands.h"
#include "app/config_options.h"
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

// CPU time of the whole process (every thread), in milliseconds: what a step costs whatever else
// shares the machine.
double process_cpu_ms() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  return ms(u.ru_utime) + ms(u.ru_stime);
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(q * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// The sweep's minimum activation the bar judges: on a polarity loop whose expected outcome
// names a sign-change margin, the minimum on the arcs beyond it (method.md §11.1), since the
// activation is 0 where ⟨x, g⟩ changes sign; elsewhere the whole sweep's.
double judged_minimum(const RunSummary& s, const Expectation& e) {
  const std::vector<double>& arcs = s.invariance.arc_min_activation;
  const size_t margin = static_cast<size_t>(e.sign_change_margin);
  if (e.max_sign_changes > 0 && margin < arcs.size()) return arcs[margin];
  return s.invariance.min_activation;
}

// The manifold is good when the canonical sweep meets the bar of README "Performance": mean >=
// 0.95, min >= 0.9, and for a 1-D loop winding ±1 with coverage >= 0.9 of every circular
// variable; a polarity loop shows both polarities, and no more sign changes than it expects.
bool manifold_is_good(const RunSummary& s, const Expectation& e) {
  if (s.invariance.mean_activation < 0.95 || judged_minimum(s, e) < 0.9) return false;
  for (auto& v : s.invariance.variables) {
    if (v.coverage < 0.9) return false;
    if (v.loop_winding && std::abs(std::abs(*v.loop_winding) - 1) > 0.01) return false;
  }
  if (s.invariance.has_polarity && !s.invariance.both_polarities) return false;
  const std::optional<int>& changes = s.invariance.polarity_sign_changes;
  if (e.max_sign_changes > 0 && (!changes || *changes > e.max_sign_changes)) return false;
  return true;
}

// Median and p90 milliseconds per step after 3 warm-up steps, and the median of each piece.
void time_steps(const RunConfig& cfg, int steps, nlohmann::json& j) {
  Trainer trainer(cfg, mei_activation_for(cfg, mei_progress_line("invex bench")));
  const int warmup = 3;
  std::vector<double> total, gen, neuron, loss, back, update;
  double cpu_start = 0;
  for (int i = 0; i < warmup + steps && !trainer.finished(); ++i) {
    if (i == warmup) cpu_start = process_cpu_ms();
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
  const double med = percentile(total, 0.5);
  j["cpu_ms_per_step"] = total.empty() ? 0 : (process_cpu_ms() - cpu_start) / total.size();
  j["ms_per_step_median"] = med;
  j["ms_per_step_p90"] = percentile(total, 0.9);
  j["steps_per_second"] = med > 0 ? 1000 / med : 0;
  j["pieces_ms_median"] = {{"generate", percentile(gen, 0.5)},
                           {"transform_and_neuron", percentile(neuron, 0.5)},
                           {"loss", percentile(loss, 0.5)},
                           {"backward", percentile(back, 0.5)},
                           {"update", percentile(update, 0.5)}};
}

// Trains a fresh run, checked at every epoch with the same sweep the report uses, until the
// manifold is good or limit_seconds have passed.
void time_to_manifold(const RunConfig& cfg, double limit_seconds, nlohmann::json& j) {
  Trainer fresh(cfg, mei_activation_for(cfg));
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
      if (manifold_is_good(last, cfg.expect)) {
        reached = el;
        reached_step = fresh.step_index();
        break;
      }
    }
    if (el > limit_seconds) break;
  }
  j["time_to_manifold_seconds"] = reached >= 0 ? nlohmann::json(reached) : nlohmann::json(nullptr);
  j["time_to_manifold_steps"] =
      reached_step >= 0 ? nlohmann::json(reached_step) : nlohmann::json(nullptr);
  j["time_to_manifold_final_mean"] = last.invariance.mean_activation;
  j["time_to_manifold_final_min"] = last.invariance.min_activation;
}

nlohmann::json bench_one(const RunConfig& cfg, int steps, bool with_time_to_manifold,
                         double limit_seconds, bool quiet) {
  nlohmann::json j;
  j["preset"] = cfg.name;
  long images = 1;
  for (int d = 0; d < cfg.latent.dims(); ++d) images *= cfg.latent.grid_points;
  j["images_per_step"] = images;
  j["image_size"] = {cfg.image.height, cfg.image.width};
  time_steps(cfg, steps, j);
  if (with_time_to_manifold) time_to_manifold(cfg, limit_seconds, j);
  j["peak_memory_mb"] = peak_rss_mb();
  if (!quiet) {
    const double med = j["ms_per_step_median"];
    const auto& p = j["pieces_ms_median"];
    std::fprintf(stderr,
                 "%-36s %8.2f ms/step (p90 %.2f)  %.1f steps/s  CPU %.0f ms/step\n"
                 "%-36s   pieces (ms, median): CPPN forward %.1f, transform + neuron forward and "
                 "input gradient %.1f, loss %.1f, transform + CPPN backward %.1f, Adam %.1f\n",
                 cfg.name.c_str(), med, j["ms_per_step_p90"].get<double>(),
                 med > 0 ? 1000 / med : 0, j["cpu_ms_per_step"].get<double>(), "",
                 p["generate"].get<double>(), p["transform_and_neuron"].get<double>(),
                 p["loss"].get<double>(), p["backward"].get<double>(), p["update"].get<double>());
  }
  return j;
}

// What the command line asked for.
struct BenchRequest {
  ConfigOptions config;
  bool all = false, json = false, time_to_manifold = false, reference = false;
  int steps = 20, threads = 0, image_size = 30, grid_points = 0;
  double limit = 300;
  CLI::Option *image_size_option = nullptr, *grid_points_option = nullptr;
};

void define_options(CLI::App& app, BenchRequest& r) {
  set_up_command(app, "(--preset NAME | --config FILE | --all) [options]",
                 "--json prints {threads, results: [{preset, images_per_step, image_size, "
                 "ms_per_step_median, ms_per_step_p90, steps_per_second, cpu_ms_per_step (every "
                 "thread's CPU time), pieces_ms_median: "
                 "{generate, transform_and_neuron, loss, backward, update}, peak_memory_mb, and "
                 "with --time-to-manifold time_to_manifold_seconds, time_to_manifold_steps, "
                 "time_to_manifold_final_mean, time_to_manifold_final_min}]}.\n"
                 "Exit codes: 0 done, 2 bad input.");
  add_config_source(app, r.config);
  app.add_flag("--all", r.all, "every preset, each also with --time-to-manifold");
  add_integer(app, "--steps N", r.steps, 1, 100000, "timed steps (after 3 warm-up steps)");
  add_threads(app, r.threads, "all cores");
  r.image_size_option =
      add_integer(app, "--image-size PX", r.image_size, 4, 512,
                  "train at PX x PX images instead (scaling studies)", "the config's");
  r.grid_points_option =
      add_integer(app, "--grid-points G", r.grid_points, 3, 4096,
                  "latent grid points per dimension instead (scaling studies)", "the config's");
  add_mei_option(app, r.config);
  r.config.models_option = add_models_option(app, r.config.models);
  app.add_flag("--reference", r.reference,
               "time the autograd reference CPPN (as INVEX_REFERENCE_CPPN=1 does)");
  app.add_flag("--time-to-manifold", r.time_to_manifold,
               "also train a fresh run until the sweep is good: mean >= 0.95, min >= 0.9 "
               "(a polarity loop's: beyond its expected sign-change margin), winding ±1, "
               "coverage >= 0.9 (or --limit)");
  add_number(app, "--limit SECONDS", r.limit, 1, 1e6, "give up --time-to-manifold after this long");
  app.add_flag("--json", r.json, "print the results as JSON on stdout (instead of a line each)");
}

// The configs to time: every preset or the one named, resized for scaling studies.
std::vector<RunConfig> configs_to_time(const BenchRequest& r) {
  std::vector<RunConfig> configs;
  if (r.all) {
    for (auto& name : list_presets()) {
      configs.push_back(load_preset(name));
      if (*r.config.models_option && configs.back().neuron.type == "macaque-ensemble")
        use_models_folder(configs.back(), r.config.models);
    }
  } else {
    configs.push_back(config_from_options(r.config));
  }
  for (auto& cfg : configs) {
    if (*r.image_size_option)
      cfg.image.height = cfg.image.width = cfg.neuron.height = cfg.neuron.width = r.image_size;
    if (*r.grid_points_option) cfg.latent.grid_points = r.grid_points;
    validate(cfg, cfg.name + " with --image-size/--grid-points");
  }
  return configs;
}

}  // namespace

int run_bench(int argc, char** argv) {
  BenchRequest request;
  CLI::App app(
      "Milliseconds per training step (median and p90 after 3 warm-up steps), the time "
      "of each piece of the step and peak memory; --time-to-manifold also trains a "
      "fresh run until its sweep is good.",
      "invex bench");
  define_options(app, request);
  if (const int code = parse_command(app, argc, argv); code >= 0) return code;
  try {
    if (request.reference) setenv("INVEX_REFERENCE_CPPN", "1", 1);
    nlohmann::json out;
    out["threads"] = set_compute_threads(request.threads);
    out["results"] = nlohmann::json::array();
    for (const RunConfig& cfg : configs_to_time(request)) {
      const bool ttm = request.time_to_manifold || request.all;
      out["results"].push_back(bench_one(cfg, request.steps, ttm, request.limit, request.json));
    }
    if (request.json) std::printf("%s\n", out.dump(2).c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invex bench: %s\n", e.what());
    return 2;
  }
}

}  // namespace invex::cli

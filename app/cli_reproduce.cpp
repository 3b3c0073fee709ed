// invex reproduce: trains presets one after another, each into DIR/<preset>/ as `invex train`
// would, and writes DIR/report.md and DIR/report.json: steps, time, activation, every metric
// and whether each manifold shows its preset's expected outcome.
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cli_parser.h"
#include "app/commands.h"
#include "app/config_options.h"
#include "app/train_loop.h"
#include "core/export/montage.h"
#include "core/io/atomic_file.h"
#include "core/support/thread_pool.h"

namespace invex::cli {
namespace {

struct ReproduceRequest {
  std::vector<std::string> presets;
  std::string out = "reproduce";
  double budget_minutes = 0;
  bool stop_when_expected = false, quiet = false;
  int threads = 0;
  ConfigOptions overrides;
};

void define_options(CLI::App& app, ReproduceRequest& r) {
  set_up_command(app, "[--presets P...] [--out DIR] [--budget-minutes M] [options]",
                 "Writes DIR/<preset>/ (the files of `invex train --out`, and montage.png: the "
                 "canonical sweep in one picture), DIR/report.md and DIR/report.json. A preset "
                 "passes when its manifold meets the \"expect\" section of its config. The "
                 "training overrides apply to every preset.\n"
                 "Exit codes: 0 every preset passed, 1 some did not, 2 bad input, 130 "
                 "interrupted (the reports cover the presets finished so far).");
  describe(app.add_option("--presets", r.presets), "--presets P...",
           "the presets to train, in order (default: every preset with an \"expect\" section)");
  add_text(app, "--out DIR", r.out, "write everything here (default: reproduce)");
  add_number(app, "--budget-minutes M", r.budget_minutes, 0, 1e6,
             "training time for all presets; each gets the time left divided by the presets "
             "left, and one that uses up its share stops and does not pass (0: no limit)");
  app.add_flag("--stop-when-expected", r.stop_when_expected,
               "end each run at the first epoch whose canonical sweep meets its expected "
               "outcome (else the full schedule)");
  add_training_overrides(app, r.overrides);
  add_threads(app, r.threads, "all cores");
  app.add_flag("--quiet", r.quiet, "no progress lines");
}

// Read without validation: a preset whose neuron needs files that are not here (the macaque
// models) is simply not one of them.
std::vector<std::string> presets_with_expectation() {
  std::vector<std::string> out;
  for (const auto& name : list_presets()) {
    const std::string file = preset_directory() + "/" + name + ".json";
    if (parse_config(read_file(file), file).expect.enabled) out.push_back(name);
  }
  return out;
}

// The result of one preset, as report.json gives it.
struct PresetResult {
  std::string name;
  bool pass = false;
  nlohmann::json report;  // the run's report.json
};

std::string number(const nlohmann::json& v, const char* format = "%.3f") {
  if (!v.is_number()) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v.get<double>());
  return buf;
}

// "phase z0 1 (100%), z1 0 (95%)" or "phase 1.00" for a loop; "n/a" without variables.
std::string winding_text(const nlohmann::json& report) {
  std::string out;
  for (const char* name : {"phase", "orientation"}) {
    const auto& v = report[name];
    if (v.is_null()) continue;
    std::string part = name;
    if (v["winding_number"].is_number()) {
      part += " " + number(v["winding_number"], "%.2f");
    } else {
      for (const auto& a : v["axes"]) {
        if (!a["periodic"].get<bool>()) {
          part +=
              " z" + std::to_string(a["axis"].get<int>()) + " range " + number(a["range"], "%.2f");
          continue;
        }
        part +=
            " z" + std::to_string(a["axis"].get<int>()) + " " +
            (a["winding"].is_null() ? "n/a" : std::to_string(a["winding"].get<int>())) + " (" +
            number(a["agreement"].is_number() ? nlohmann::json(a["agreement"].get<double>() * 100)
                                              : a["agreement"],
                   "%.0f%%") +
            ")";
      }
    }
    out += (out.empty() ? "" : "; ") + part;
  }
  if (report["winding_matrix"].is_object() && report["winding_matrix"]["determinant"].is_number())
    out += "; det " + std::to_string(report["winding_matrix"]["determinant"].get<int>());
  return out.empty() ? "n/a" : out;
}

std::string markdown_report(const std::vector<PresetResult>& results, double wall_seconds) {
  std::string md =
      "# invex reproduce\n\n"
      "| preset | expected outcome | steps | wall time | mean act. | min act. | midpoint min | "
      "smoothness min | collapse | winding | stopped because |\n"
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  for (const auto& r : results) {
    const auto& j = r.report;
    md +=
        "| " + r.name + " | " + (r.pass ? "pass" : "**not passed**") + " | " +
        std::to_string(j["steps"].get<int>()) + " / " +
        std::to_string(j["total_steps"].get<int>()) + " | " +
        clock_text(j["wall_seconds"].get<double>()) + " | " + number(j["mean_activation"]) + " | " +
        number(j["min_activation"]) + " | " + number(j["midpoint_activation"]["min"]) + " | " +
        number(j["smoothness"]["min"]) + " | " + number(j["collapse"]) + " | " + winding_text(j) +
        " | " +
        (j.contains("stopped_because") ? j["stopped_because"].get<std::string>() : "schedule end") +
        " |\n";
  }
  md += "\nTotal training time " + clock_text(wall_seconds) + ".\n";
  for (const auto& r : results) {
    md += "\n## " + r.name + "\n\n![" + r.name + "](" + r.name + "/montage.png)\n\n";
    if (r.report["expect"].is_null()) {
      md += "No expected outcome stated.\n";
      continue;
    }
    for (const auto& c : r.report["expect"]["checks"])
      md += std::string("- ") + (c["pass"].get<bool>() ? "pass" : "FAIL") + ": " +
            c["what"].get<std::string>() + " (" + c["measured"].get<std::string>() + ")\n";
  }
  return md;
}

void write_reports(const std::string& dir, const std::vector<PresetResult>& results,
                   const ReproduceRequest& r, double wall_seconds) {
  nlohmann::json j;
  j["stop_when_expected"] = r.stop_when_expected;
  j["budget_minutes"] = r.budget_minutes > 0 ? nlohmann::json(r.budget_minutes) : nullptr;
  j["wall_seconds"] = wall_seconds;
  bool all = !results.empty();
  j["presets"] = nlohmann::json::array();
  for (const auto& p : results) {
    all = all && p.pass;
    j["presets"].push_back({{"preset", p.name},
                            {"pass", p.pass},
                            {"steps", p.report["steps"]},
                            {"wall_seconds", p.report["wall_seconds"]},
                            {"mean_activation", p.report["mean_activation"]},
                            {"min_activation", p.report["min_activation"]},
                            {"report", p.report}});
  }
  j["all_pass"] = all;
  write_file_atomic(dir + "/report.json", j.dump(2) + "\n");
  write_file_atomic(dir + "/report.md", markdown_report(results, wall_seconds));
}

// Trains one preset into dir/<name>/ within `seconds` (0: no limit).
PresetResult reproduce_one(const RunConfig& cfg, const std::string& dir, const std::string& label,
                           const ReproduceRequest& r, double seconds, int threads,
                           LoopOutcome& outcome) {
  LoopOptions loop;
  loop.out = dir + "/" + cfg.name;
  loop.quiet = r.quiet;
  loop.label = label;
  loop.command = "invex reproduce";
  loop.stop_when_expected = r.stop_when_expected;
  loop.time_limit_seconds = seconds;
  auto trainer = fresh_trainer(cfg, loop.out, "invex reproduce", r.quiet);
  outcome = train_loop(*trainer, loop);
  if (!r.quiet) std::fprintf(stderr, "\n");
  const RunSummary s = finish_run(*trainer, loop.out, outcome, threads);
  write_montage_png(loop.out + "/montage.png", trainer->snapshot(true)->sweep_images,
                    cfg.latent.dims());
  PresetResult p;
  p.name = cfg.name;
  p.report = nlohmann::json::parse(summary_to_json(s, cfg, threads));
  p.pass = s.expectation && s.expectation->pass() && !outcome.out_of_time && outcome.code == 0;
  if (!r.quiet)
    std::fprintf(stderr, "invex reproduce: %s: %s after %d steps (%s)%s%s\n", cfg.name.c_str(),
                 p.pass ? "pass" : "NOT PASSED", s.steps, clock_text(s.wall_seconds).c_str(),
                 s.expectation && !s.expectation->pass() ? ": " : "",
                 s.expectation && !s.expectation->pass() ? s.expectation->failures().c_str() : "");
  return p;
}

}  // namespace

int run_reproduce(int argc, char** argv) {
  ReproduceRequest request;
  CLI::App app(
      "Trains presets one after another and reports, for each, whether its manifold shows the "
      "expected outcome of its config.",
      "invex reproduce");
  define_options(app, request);
  if (const int code = parse_command(app, argc, argv); code >= 0) return code;
  std::vector<RunConfig> configs;
  try {
    const auto names = request.presets.empty() ? presets_with_expectation() : request.presets;
    for (const auto& name : names)
      configs.push_back(with_overrides(load_preset(name), request.overrides, name));
    ensure_directory(request.out);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invex reproduce: %s\n", e.what());
    return 2;
  }
  const int threads = set_compute_threads(request.threads);
  catch_interrupts();
  std::vector<PresetResult> results;
  double spent = 0;
  int code = 0;
  try {
    for (size_t i = 0; i < configs.size(); ++i) {
      const double left = request.budget_minutes * 60 - spent;
      const double share = request.budget_minutes > 0
                               ? std::max(1.0, left / static_cast<double>(configs.size() - i))
                               : 0;
      const std::string label = "[" + std::to_string(i + 1) + "/" + std::to_string(configs.size()) +
                                " " + configs[i].name + "] ";
      LoopOutcome outcome;
      results.push_back(
          reproduce_one(configs[i], request.out, label, request, share, threads, outcome));
      spent += results.back().report["wall_seconds"].get<double>();
      write_reports(request.out, results, request, spent);
      if (outcome.code == 130) return 130;
      if (!results.back().pass) code = 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\ninvex reproduce: %s\n", e.what());
    return 2;
  }
  if (!request.quiet)
    std::fprintf(stderr, "invex reproduce: wrote %s/report.md and %s/report.json\n",
                 request.out.c_str(), request.out.c_str());
  return code;
}

}  // namespace invex::cli

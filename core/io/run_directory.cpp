#include "core/io/run_directory.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/io/atomic_file.h"
#include "core/io/npy.h"
#include "core/io/saved_run.h"

namespace invex {

namespace {
RunSummary summary_of(const Trainer& t, const Snapshot& s) {
  RunSummary r;
  r.mei_activation = t.mei_activation();
  const auto& c = t.config();
  const auto& periodic = c.latent.periodic;
  r.invariance = measure_sweep(c.neuron, periodic, s.sweep_images, s.sweep_activations,
                               [&](const LatentPoints& z) { return t.activations_at(s, z); });
  if (c.expect.enabled) r.expectation = check_expectation(c.expect, r.invariance, periodic);
  r.steps = t.step_index();
  r.wall_seconds = t.wall_seconds();
  r.ms_per_step = r.steps > 0 ? 1000 * r.wall_seconds / r.steps : 0;
  return r;
}
}  // namespace

RunSummary summarise(const Trainer& trainer) {
  return summary_of(trainer, *trainer.snapshot(true));
}

void write_checkpoint(const Trainer& trainer, const std::string& dir) {
  save_trainer(trainer, dir + "/run.invex");
}

std::string summary_to_json(const RunSummary& s, const RunConfig& cfg, int threads) {
  nlohmann::json j;
  j["preset"] = cfg.name;
  j["neuron"] = cfg.neuron.type;
  j["mei_activation"] = s.mei_activation;
  auto inv = nlohmann::json::parse(report_to_json(s.invariance, -1));
  for (auto it = inv.begin(); it != inv.end(); ++it) j[it.key()] = it.value();
  j["steps"] = s.steps;
  j["total_steps"] = cfg.total_steps();
  j["wall_seconds"] = s.wall_seconds;
  j["ms_per_step"] = s.ms_per_step;
  j["threads"] = threads;
  if (!s.stopped_because.empty()) j["stopped_because"] = s.stopped_because;
  // The expected outcome (config "expect"): null when the config states none.
  j["expect"] = s.expectation ? nlohmann::json::parse(expectation_to_json(*s.expectation, -1))
                              : nlohmann::json(nullptr);
  return j.dump(2);
}

RunSummary write_run_directory(const Trainer& t, const std::string& dir,
                               const std::string& stopped_because, int threads) {
  ensure_directory(dir);
  const auto& c = t.config();
  write_file_atomic(dir + "/config.json", config_to_json(c) + "\n");
  write_checkpoint(t, dir);
  const SnapshotPtr s = t.snapshot(true);
  RunSummary r = summary_of(t, *s);
  r.stopped_because = stopped_because;
  const auto& im = s->sweep_images;
  write_npy(dir + "/manifold.npy", {im.count, im.channels, im.height, im.width}, im.data.data());
  const auto& z = s->sweep_latents;
  write_npy(dir + "/latents.npy", {z.count, z.dims}, z.data.data());
  const auto& a = s->sweep_activations;
  write_npy(dir + "/activations.npy", {static_cast<long>(a.size())}, a.data());
  std::ostringstream log;
  log << "phase,epoch,step,lambda,mean_activation,min_activation,regulariser,loss\n";
  for (auto& e : t.epochs()) {
    char line[256];
    std::snprintf(line, sizeof line, "%d,%d,%d,%g,%.6f,%.6f,%.6f,%.6f\n", e.phase, e.epoch, e.step,
                  e.lambda, e.activation, e.min_activation, e.regulariser, e.loss);
    log << line;
  }
  write_file_atomic(dir + "/log.csv", log.str());
  // Last, so that a directory with a report.json holds every other file of the run.
  write_file_atomic(dir + "/report.json", summary_to_json(r, c, threads) + "\n");
  return r;
}

}  // namespace invex

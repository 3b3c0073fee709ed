// The files of a trained run in one directory, as `invex train --out DIR` writes them and the
// GUI saves them: config.json, run.invex, manifold.npy, latents.npy, activations.npy,
// report.json and log.csv. Every file is written atomically.
#pragma once

#include <optional>
#include <string>

#include "core/method/expectation.h"
#include "core/method/metrics.h"
#include "core/method/trainer.h"

namespace invex {

struct RunSummary {
  double mei_activation = 0;
  InvarianceReport invariance;
  std::optional<ExpectationResult> expectation;  // when the config has an "expect" section
  int steps = 0;
  double wall_seconds = 0, ms_per_step = 0;
  std::string stopped_because;  // empty when the schedule ran to the end
};

// Measures the canonical sweep (method.md §11) of the trainer's current state, with the points
// between it, and checks the config's expectation.
RunSummary summarise(const Trainer& trainer);

// Writes every file; `run.invex` is the checkpoint that `invex train --resume` reads.
RunSummary write_run_directory(const Trainer& trainer, const std::string& dir,
                               const std::string& stopped_because = {}, int threads = 0);
void write_checkpoint(const Trainer& trainer, const std::string& dir);

std::string summary_to_json(const RunSummary& s, const RunConfig& cfg, int threads);

}  // namespace invex

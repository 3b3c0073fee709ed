// One training run of METHOD §6, stepped synchronously. The CLI drives it directly; the GUI
// drives it through TrainingRun on a background thread. Torch stays behind the pimpl.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/run/config.h"
#include "core/run/snapshot.h"

namespace invex {

struct StepResult {
  bool ok = true;  // false: the loss or a gradient was not finite; the update was not applied
  double loss = 0, activation = 0, min_activation = 0, regulariser = 0, lambda = 0;
  bool epoch_finished = false;
  bool finished = false;  // the schedule is done or the stop rule fired
  std::string message;
};

// Timings of the pieces of one step, for `invex bench` (milliseconds).
struct StepTimings {
  double generate = 0, transform_and_neuron = 0, loss = 0, backward = 0, update = 0;
};

class Trainer {
 public:
  // `mei_activation` <= 0: take cfg.mei.activation if set, else compute (and cache) it.
  explicit Trainer(const RunConfig& cfg, double mei_activation = 0);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  const RunConfig& config() const;
  double mei_activation() const;

  StepResult step(StepTimings* timings = nullptr);
  bool finished() const;
  int step_index() const;  // steps done
  int phase() const;
  int epoch_in_phase() const;

  // Freeze BatchNorm statistics over the canonical grid, render the canonical sweep and
  // measure it. Cheap enough to call every ~100 ms for a 30×30 run.
  std::shared_ptr<Snapshot> snapshot(bool with_sweep = true) const;
  const std::vector<EpochRecord>& epochs() const;
  const std::vector<StepRecord>& step_history() const;
  double wall_seconds() const;  // time spent inside step()

  // Saved runs: everything needed to continue exactly (weights, Fourier matrix, optimiser
  // state, schedule position, RNG, history) plus the frozen statistics for renders.
  void save(const std::string& path) const;
  static std::unique_ptr<Trainer> load(const std::string& path);

  struct Impl;

 private:
  Trainer();
  std::unique_ptr<Impl> impl_;
};

// The threads a training step may use (n <= 0: all cores); returns the count set. The fused
// CPPN passes run on this many workers of their own. LibTorch's own intra-op pool is kept at one
// thread: the remaining ops are small, and its OpenMP threads busy-wait at every op, which on a
// shared 2-core machine (the GUI thread, another process) makes a step several times slower.
int set_compute_threads(int n);
int compute_threads();

}  // namespace invex

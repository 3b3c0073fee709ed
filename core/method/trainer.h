// One training run of method.md §6, stepped synchronously. The CLI drives it directly; the GUI
// drives it through TrainingRun (session/) on a background thread. Torch stays behind the pimpl;
// saving and loading a run is io/saved_run.h's business, through TrainerState.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/run/config.h"
#include "core/run/history.h"
#include "core/run/snapshot.h"
#include "core/run/trainer_state.h"

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
  // `mei_activation` <= 0: cfg.mei.activation when that is set, else the MEI is computed here
  // (io/mei_cache.h's mei_activation_for remembers it across runs; callers that want that pass
  // its value).
  explicit Trainer(const RunConfig& cfg, double mei_activation = 0);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // Continues exactly where `state` was taken (same next step, same random stream). Throws
  // std::runtime_error when the state does not fit its config (a damaged file).
  static std::unique_ptr<Trainer> restore(const TrainerState& state);
  TrainerState state() const;

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
  // The normalised activations of the images `s` (a snapshot of this run) renders at `z`, with
  // its frozen statistics, at the training resolution; the images in `images_out` if given.
  std::vector<float> activations_at(const Snapshot& s, const LatentPoints& z,
                                    ImageStack* images_out = nullptr) const;
  const std::vector<EpochRecord>& epochs() const;
  const std::vector<StepRecord>& step_history() const;
  double wall_seconds() const;  // time spent inside step()

  struct Impl;

 private:
  Trainer();
  std::unique_ptr<Impl> impl_;
};

}  // namespace invex

// An immutable picture of a training run: what the trainer publishes and the GUI, the exporters
// and saved runs read. Plain data only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/run/config.h"
#include "core/run/frozen_cppn.h"
#include "core/run/history.h"
#include "core/run/image_stack.h"
#include "core/run/run_state.h"

namespace invex {

struct Snapshot {
  RunConfig config;
  FrozenCppn cppn;
  double mei_activation = 1.0;
  int step = 0, total_steps = 0, phase = 0, epoch = 0;
  RunState state = RunState::Idle;
  std::string message;  // why a run failed or stopped early
  double steps_per_second = 0;
  double wall_seconds = 0;
  std::vector<StepRecord> steps;    // EMA curves, thinned to at most a few thousand points
  std::vector<EpochRecord> epochs;  // one per finished epoch
  // The canonical sweep (method.md §11: K = 100 for 1-D, 20×20 for 2-D), rendered with the
  // frozen statistics, and the neuron's normalised activation for each image. sweep_images are
  // those images (transformed, at the training resolution), so nobody needs to render them
  // again to show or measure them.
  LatentPoints sweep_latents;
  ImageStack sweep_images;
  std::vector<float> sweep_activations;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace invex

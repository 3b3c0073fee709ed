// Immutable pictures of a training run: what the trainer publishes and the GUI, the exporters
// and saved runs read. Plain data only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/run/config.h"
#include "core/run/image_stack.h"

namespace invex {

// The CPPN with its BatchNorm statistics frozen over the canonical latent grid and folded
// into each layer (METHOD §2): layer i computes act(W·x + b), LeakyReLU(0.01) for all but the
// last, tanh for the last. Rendering with it is deterministic and per-image.
struct FrozenCppn {
  struct Layer {
    int in = 0, out = 0;
    std::vector<float> weight;  // out×in, row-major
    std::vector<float> bias;    // out
  };
  int positional_encoding_dim = 10;
  std::vector<float> fourier;   // B, 2×P row-major
  std::vector<bool> periodic;   // one per latent dimension
  float aux_dim_scale = 1.0f;
  int channels = 1;
  std::vector<Layer> layers;
  int latent_dims() const { return static_cast<int>(periodic.size()); }
  int input_size() const;  // 2P + latent encoding size
};

// Per-epoch record (the CLI's log.csv and the GUI's curves).
struct EpochRecord {
  int phase = 0, epoch = 0, step = 0;
  double lambda = 0, activation = 0, regulariser = 0, loss = 0;
  double min_activation = 0;  // over the grid at the last step of the epoch
};

// Per-step smoothed values (exponential moving average) for live curves.
struct StepRecord {
  int step = 0;
  float activation = 0, regulariser = 0, loss = 0;
};

enum class RunState { Idle, Running, Paused, Stopped, Finished, Failed };
const char* to_string(RunState s);

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
  // The canonical sweep (METHOD §10/issue: K=100 for 1-D, 20×20 for 2-D), rendered with the
  // frozen statistics, and the neuron's normalised activation for each image.
  // sweep_images are those images (transformed, at the training resolution), so nobody needs to
  // render them again to show or measure them.
  LatentPoints sweep_latents;
  ImageStack sweep_images;
  std::vector<float> sweep_activations;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace invex

// Everything a training run is at one step, as plain data: what Trainer::state() gives and
// Trainer::restore() continues from exactly. io/saved_run.h writes it to `run.invex` and back;
// nothing in the method knows about files.
#pragma once

#include <string>
#include <vector>

#include "core/run/config.h"
#include "core/run/history.h"
#include "core/run/named_array.h"

namespace invex {

// How far a run has come: everything the trainer keeps besides its tensors and random stream.
struct TrainerProgress {
  int step = 0;  // steps done
  bool stopped_by_rule = false;
  double wall_seconds = 0;  // time spent inside steps
  // Running sums of the unfinished epoch.
  double epoch_activation = 0, epoch_regulariser = 0, epoch_loss = 0;
  int epoch_steps = 0;
  // The live curves' exponential moving averages and their weight 1 − decayⁿ.
  StepRecord ema;
  double ema_weight = 0;
  std::vector<EpochRecord> epochs;
  std::vector<StepRecord> steps;
};

struct TrainerState {
  RunConfig config;
  double mei_activation = 0;
  std::string rng;  // the jitter generator (std::mt19937_64) as text
  TrainerProgress progress;

  // The Fourier matrix ("fourier") and every trainable CPPN parameter, named as
  // CppnParameters::named() names them ("layer0.weight", ...).
  std::vector<NamedArray> parameters;
  // Adam of the current λ phase: its phase (−1 before the first step), step count and
  // moments (one per trainable parameter, same names and order).
  int optimiser_phase = -1;
  long optimiser_steps = 0;
  std::vector<NamedArray> first_moments, second_moments;
};

}  // namespace invex

// What a run remembers of its past: one record per finished epoch (the CLI's log.csv, the GUI's
// epoch markers) and smoothed per-step values for live curves.
#pragma once

namespace invex {

struct EpochRecord {
  int phase = 0, epoch = 0, step = 0;
  double lambda = 0, activation = 0, regulariser = 0, loss = 0;
  double min_activation = 0;  // over the grid at the last step of the epoch
};

// Exponential moving averages (bias-corrected) of one step's values.
struct StepRecord {
  int step = 0;
  float activation = 0, regulariser = 0, loss = 0;
};

}  // namespace invex

// Trained runs that ship with invex in assets/runs/<preset>/, so that a preset or a tour step
// opens ready to sweep, with no training. A shipped run is a run directory in the layout of
// `invex train --out` (so `invex gui --run DIR` and `invex render --run DIR` open it), cut to
// what showing a manifold needs:
//   config.json      the config it was trained with
//   run.invex        the CPPN's parameters and schedule position; no optimiser state, history
//                    or timings, so the same training always gives the same bytes
//   activations.npy  float32 K: the canonical sweep's normalised activations when it was
//                    written, which a loaded copy must reproduce
//   mei.npy          float32 1×C×H×W: the neuron's MEI (method.md §7), shown beside the manifold
// assets/runs/make_runs.sh trains and writes them (`invex pack`).
#pragma once

#include <string>
#include <vector>

#include "core/method/trainer.h"

namespace invex {

// Writes the four files into `dir` (created if missing), each atomically. Computes the MEI
// image from the trainer's config (seed 0, as the MEI activation is). Throws
// std::runtime_error naming the file on a write failure.
void write_shipped_run(const Trainer& trainer, const std::string& dir);

// The folder of shipped runs: `runs` beside the presets folder (config.h: preset_directory()).
std::string shipped_runs_directory();
// The shipped run of a preset, e.g. ".../assets/runs/circle/complex", or empty when none ships.
std::string shipped_run_of_preset(const std::string& preset);
// Every preset name with a shipped run, sorted.
std::vector<std::string> list_shipped_runs();

}  // namespace invex

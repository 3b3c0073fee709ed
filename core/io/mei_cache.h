// MEI activations remembered per neuron (method.md §7), in memory and in
// <cache dir>/mei.json (support/runtime_switches.h: INVEX_CACHE_DIR), so that a neuron's MEI is
// optimised once, not at every run.
#pragma once

#include "core/method/mei.h"
#include "core/run/config.h"

namespace invex {

// cfg.mei.activation when it is > 0; else the cached value for this neuron, image and MEI
// settings; else computed with compute_mei (reporting to `progress`) and cached. A macaque or
// TorchScript neuron's entry names its model files by their content, not their path, so changed
// files are a new entry. Throws ConfigError when the optimisation ends at a value that cannot
// normalise activations (not finite or not positive), or when a model file cannot be read.
double mei_activation_for(const RunConfig& cfg, const MeiProgress& progress = {});

// Records `activation` as what compute_mei(cfg.neuron, cfg.image, cfg.mei, 0) found, for a
// caller that ran it itself (the GUI's preview, which needs the image too), so that a run of the
// same neuron takes it from the cache instead of searching again. Ignores values that could not
// normalise activations.
void remember_mei_activation(const RunConfig& cfg, double activation);

}  // namespace invex

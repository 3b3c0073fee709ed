// The simulated Gabor cells of method.md §8: a bank of Gabor filters and a pooling rule
// (internal: needs ATen).
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "core/neurons/torch_neuron.h"

namespace invex {

bool is_gabor_type(const std::string& type);
std::unique_ptr<TorchNeuron> make_gabor_neuron(const NeuronConfig& cfg);

// One Gabor filter of method.md §8 on a height×width grid over [−1, 1]², float64 H×W.
at::Tensor gabor_filter(const NeuronConfig& cfg, double theta, double phase);

// Orientations of the orientation-pooling cells: linspace(0, range, n+1) without the last.
std::vector<double> theta_list(const NeuronConfig& cfg);

}  // namespace invex

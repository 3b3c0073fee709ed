// Model neurons as differentiable LibTorch functions (internal: needs ATen).
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>

#include "core/run/config.h"

namespace invex {

class TorchNeuron {
 public:
  virtual ~TorchNeuron() = default;
  // images N×C×H×W (already transformed) → responses N. Differentiable in the images; the
  // neuron's own weights never need gradients.
  virtual at::Tensor forward(const at::Tensor& images) const = 0;
  // d(Σ_n w_n·response_n)/d(images): the gradient the trainer needs, given w = dLoss/dResponse.
  // The default differentiates forward() with autograd; a neuron may do it more cheaply.
  virtual at::Tensor input_gradient(const at::Tensor& images, const at::Tensor& weights) const;
  // The responses (stored in *responses, not differentiable) and input_gradient(images,
  // weights) together, for a caller that needs both, as a training step does. The default calls
  // forward() and then input_gradient(); a neuron whose gradient needs the forward pass's
  // activations anyway computes both from one pass.
  virtual at::Tensor forward_and_input_gradient(const at::Tensor& images, const at::Tensor& weights,
                                                at::Tensor* responses) const;
  // The filters that define the neuron, K×H×W, for display and for the invariance metrics.
  virtual at::Tensor filters() const = 0;
  int height = 0, width = 0, channels = 1;
};

// The neuron a config describes: a Gabor cell (gabor.h), the macaque V1 ensemble
// (macaque_ensemble.h) or a TorchScript module (torchscript_neuron.h). Throws ConfigError for an
// unknown type or a model that cannot be loaded.
std::unique_ptr<TorchNeuron> make_torch_neuron(const NeuronConfig& cfg);

// Throws ConfigError unless images are N×channels×height×width.
void check_image_shape(const TorchNeuron& neuron, const at::Tensor& images, const char* what);

}  // namespace invex

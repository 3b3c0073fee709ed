#include "core/neurons/torch_neuron.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>

#include <sstream>

#include "core/neurons/gabor.h"
#include "core/neurons/macaque_ensemble.h"
#include "core/neurons/torchscript_neuron.h"

namespace invex {

void check_image_shape(const TorchNeuron& n, const at::Tensor& images, const char* what) {
  if (images.dim() != 4 || images.size(1) != n.channels || images.size(2) != n.height ||
      images.size(3) != n.width) {
    std::ostringstream s;
    s << what << ": the neuron expects N×" << n.channels << "×" << n.height << "×" << n.width
      << " images, got " << images.sizes();
    throw ConfigError(s.str());
  }
}

at::Tensor TorchNeuron::input_gradient(const at::Tensor& images, const at::Tensor& w) const {
  auto x = images.detach().requires_grad_(true);
  auto r = forward(x);
  return torch::autograd::grad({r}, {x}, {w})[0];
}

at::Tensor TorchNeuron::forward_and_input_gradient(const at::Tensor& images, const at::Tensor& w,
                                                   at::Tensor* responses) const {
  {
    c10::NoGradGuard no_grad;
    auto r = forward(images);
    if (responses) *responses = r;
  }
  return input_gradient(images, w);
}

std::unique_ptr<TorchNeuron> make_torch_neuron(const NeuronConfig& cfg) {
  if (is_gabor_type(cfg.type)) return make_gabor_neuron(cfg);
  if (cfg.type == "macaque-ensemble") {
    if (cfg.models.empty()) throw ConfigError(macaque_models_not_found());
    return make_macaque_ensemble(cfg.models, cfg.data_key, cfg.index);
  }
  if (cfg.type == "torchscript") return make_torchscript_neuron(cfg);
  throw ConfigError("neuron.type: unknown neuron type '" + cfg.type + "'");
}

}  // namespace invex

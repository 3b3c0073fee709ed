#include "core/method/mei.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/autograd.h>

#include <algorithm>
#include <utility>

#include "core/method/adam.h"
#include "core/method/image_transform.h"
#include "core/neurons/torch_neuron.h"

namespace invex {

namespace {

// One ascent from the noise image drawn with `seed`: the best transformed image it met and its
// activation. `progress` gets the ascent's step and best.
std::pair<double, at::Tensor> ascend(TorchNeuron& neuron, const ImageConfig& im,
                                     const MeiConfig& mei, unsigned long long seed,
                                     const std::function<void(int, double)>& progress) {
  auto gen = at::detail::createCPUGenerator(seed + 7);
  auto x = at::normal(0.0, 1.0, {1, im.channels, im.height, im.width}, gen, at::kFloat);
  x.requires_grad_(true);
  // The transform fixes the image's mean and contrast, so the optimum is well defined.
  Adam adam({x}, mei.lr);
  double best = -1e30;
  at::Tensor best_image;
  auto keep_if_best = [&](const at::Tensor& images, double value) {
    if (value > best) {
      best = value;
      best_image = images.detach().clone();
    }
  };
  const auto ascent = -at::ones({1});
  for (int t = 1; t <= mei.steps; ++t) {
    // Autograd through the transform; the neuron's own input gradient (cheaper for the macaque
    // ensemble than autograd through its network) for the response.
    auto images = transform_images(im.transform, x);
    at::Tensor response;
    auto grad_images = neuron.forward_and_input_gradient(images.detach(), ascent, &response);
    keep_if_best(images, response.sum().item<double>());
    adam.step({torch::autograd::grad({images}, {x}, {grad_images})[0]});
    if (t < mei.steps) progress(t, best);
  }
  {
    c10::NoGradGuard no_grad;
    auto images = transform_images(im.transform, x);
    keep_if_best(images, neuron.forward(images).sum().item<double>());
  }
  progress(mei.steps, best);  // the last step's image counted too
  return {best, best_image};
}

}  // namespace

MeiResult compute_mei(const NeuronConfig& ncfg, const ImageConfig& im, const MeiConfig& mei,
                      unsigned long long seed, const MeiProgress& progress) {
  auto neuron = make_torch_neuron(ncfg);
  const int steps = mei.steps * mei.starts;
  double best = -1e30;
  at::Tensor best_image;
  for (int k = 0; k < mei.starts; ++k) {
    // Start k is what a single start with seed + k finds.
    auto [value, image] = ascend(*neuron, im, mei, seed + k, [&](int t, double start_best) {
      if (progress) progress(k * mei.steps + t, steps, std::max(best, start_best));
    });
    if (value > best) {
      best = value;
      best_image = image;
    }
  }
  MeiResult r;
  r.activation = best;
  r.image = ImageStack(1, im.channels, im.height, im.width);
  auto c = best_image.contiguous();
  std::copy(c.data_ptr<float>(), c.data_ptr<float>() + c.numel(), r.image.data.begin());
  return r;
}

}  // namespace invex

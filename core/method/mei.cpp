#include "core/method/mei.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/autograd.h>

#include <algorithm>
#include <functional>

#include "core/method/adam.h"
#include "core/method/image_transform.h"
#include "core/neurons/torch_neuron.h"

namespace invex {

namespace {

// The best transformed image met so far, over every start.
struct BestImage {
  double value = -1e30;
  at::Tensor image;
  void offer(const at::Tensor& images, double v) {
    if (v > value) {
      value = v;
      image = images.detach().clone();
    }
  }
};

// One ascent from the noise image drawn with `seed`, offering every image it meets to `best`;
// `step_done(t)` after each of its steps.
void ascend(TorchNeuron& neuron, const ImageConfig& im, const MeiConfig& mei,
            unsigned long long seed, BestImage& best, const std::function<void(int)>& step_done) {
  auto gen = at::detail::createCPUGenerator(seed + 7);
  auto x = at::normal(0.0, 1.0, {1, im.channels, im.height, im.width}, gen, at::kFloat);
  x.requires_grad_(true);
  // The transform fixes the image's mean and contrast, so the optimum is well defined.
  Adam adam({x}, mei.lr);
  const auto ascent = -at::ones({1});
  for (int t = 1; t <= mei.steps; ++t) {
    // Autograd through the transform; the neuron's own input gradient (cheaper for the macaque
    // ensemble than autograd through its network) for the response.
    auto images = transform_images(im.transform, x);
    at::Tensor response;
    auto grad_images = neuron.forward_and_input_gradient(images.detach(), ascent, &response);
    best.offer(images, response.sum().item<double>());
    adam.step({torch::autograd::grad({images}, {x}, {grad_images})[0]});
    if (t < mei.steps) step_done(t);
  }
  {
    c10::NoGradGuard no_grad;
    auto images = transform_images(im.transform, x);
    best.offer(images, neuron.forward(images).sum().item<double>());
  }
  step_done(mei.steps);  // the last step's image counted too
}

}  // namespace

int mei_total_steps(const MeiConfig& mei) { return mei.steps * mei.starts; }

MeiResult compute_mei(const NeuronConfig& ncfg, const ImageConfig& im, const MeiConfig& mei,
                      unsigned long long seed, const MeiProgress& progress) {
  auto neuron = make_torch_neuron(ncfg);
  BestImage best;
  // Start k is what a single start with seed + k finds; a later start must beat the best so far.
  for (int k = 0; k < mei.starts; ++k)
    ascend(*neuron, im, mei, seed + k, best, [&](int t) {
      if (progress) progress(k * mei.steps + t, mei_total_steps(mei), best.value);
    });
  MeiResult r;
  r.activation = best.value;
  r.image = ImageStack(1, im.channels, im.height, im.width);
  auto c = best.image.contiguous();
  std::copy(c.data_ptr<float>(), c.data_ptr<float>() + c.numel(), r.image.data.begin());
  return r;
}

}  // namespace invex

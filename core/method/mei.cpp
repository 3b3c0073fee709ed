#include "core/method/mei.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/autograd.h>

#include "core/method/adam.h"
#include "core/method/image_transform.h"
#include "core/neurons/torch_neuron.h"

namespace invex {

MeiResult compute_mei(const NeuronConfig& ncfg, const ImageConfig& im, const MeiConfig& mei,
                      unsigned long long seed) {
  auto neuron = make_torch_neuron(ncfg);
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
  for (int t = 1; t <= mei.steps; ++t) {
    auto images = transform_images(im.transform, x);
    auto a = neuron->forward(images).sum();
    keep_if_best(images, a.item<double>());
    adam.step({torch::autograd::grad({-a}, {x})[0]});
  }
  {
    c10::NoGradGuard no_grad;
    auto images = transform_images(im.transform, x);
    keep_if_best(images, neuron->forward(images).sum().item<double>());
  }
  MeiResult r;
  r.activation = best;
  r.image = ImageStack(1, im.channels, im.height, im.width);
  auto c = best_image.contiguous();
  std::copy(c.data_ptr<float>(), c.data_ptr<float>() + c.numel(), r.image.data.begin());
  return r;
}

}  // namespace invex

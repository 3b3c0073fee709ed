#include "core/neurons/neuron.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include "core/neurons/torch_neuron.h"

namespace invex {

struct NeuronEvaluator::Impl {
  std::unique_ptr<TorchNeuron> neuron;
};

NeuronEvaluator::NeuronEvaluator(const NeuronConfig& cfg) : impl_(std::make_unique<Impl>()) {
  impl_->neuron = make_torch_neuron(cfg);
}
NeuronEvaluator::~NeuronEvaluator() = default;
NeuronEvaluator::NeuronEvaluator(NeuronEvaluator&&) noexcept = default;
NeuronEvaluator& NeuronEvaluator::operator=(NeuronEvaluator&&) noexcept = default;

std::vector<float> NeuronEvaluator::respond(const ImageStack& images) const {
  c10::NoGradGuard no_grad;
  if (images.count == 0) return {};
  auto t = at::from_blob(const_cast<float*>(images.data.data()),
                         {images.count, images.channels, images.height, images.width}, at::kFloat);
  auto r = impl_->neuron->forward(t).contiguous();
  return std::vector<float>(r.data_ptr<float>(), r.data_ptr<float>() + r.numel());
}

int NeuronEvaluator::height() const { return impl_->neuron->height; }
int NeuronEvaluator::width() const { return impl_->neuron->width; }
int NeuronEvaluator::channels() const { return impl_->neuron->channels; }

ImageStack NeuronEvaluator::filters_for_display() const {
  auto f = impl_->neuron->filters().contiguous();
  ImageStack s(static_cast<int>(f.size(0)), 1, static_cast<int>(f.size(1)),
               static_cast<int>(f.size(2)));
  std::copy(f.data_ptr<float>(), f.data_ptr<float>() + f.numel(), s.data.begin());
  return s;
}

}  // namespace invex

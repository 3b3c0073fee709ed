#include "core/neurons/neuron.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include "core/neurons/macaque_ensemble.h"
#include "core/neurons/torch_neuron.h"

namespace invex {

struct NeuronEvaluator::Impl {
  NeuronConfig cfg;
  std::unique_ptr<TorchNeuron> neuron;
};

namespace {
at::Tensor as_tensor(const ImageStack& images) {
  return at::from_blob(const_cast<float*>(images.data.data()),
                       {images.count, images.channels, images.height, images.width}, at::kFloat);
}
}  // namespace

NeuronEvaluator::NeuronEvaluator(const NeuronConfig& cfg) : impl_(std::make_unique<Impl>()) {
  impl_->cfg = cfg;
  impl_->neuron = make_torch_neuron(cfg);
}
NeuronEvaluator::~NeuronEvaluator() = default;
NeuronEvaluator::NeuronEvaluator(NeuronEvaluator&&) noexcept = default;
NeuronEvaluator& NeuronEvaluator::operator=(NeuronEvaluator&&) noexcept = default;

std::vector<float> NeuronEvaluator::respond(const ImageStack& images) const {
  c10::NoGradGuard no_grad;
  if (images.count == 0) return {};
  auto r = impl_->neuron->forward(as_tensor(images)).contiguous();
  return std::vector<float>(r.data_ptr<float>(), r.data_ptr<float>() + r.numel());
}

std::vector<float> NeuronEvaluator::respond_recording(const ImageStack& images,
                                                      int* neurons) const {
  const NeuronConfig& cfg = impl_->cfg;
  if (cfg.type != "macaque-ensemble")
    throw ConfigError("only a macaque-ensemble neuron belongs to a recording; this one is " +
                      cfg.type);
  c10::NoGradGuard no_grad;
  const MacaqueModels models = load_macaque_models(cfg.models);
  const int64_t n = models.neurons.at(cfg.data_key);
  auto all = at::empty({images.count, n});
  for (int64_t i = 0; i < n && images.count > 0; ++i)
    all.select(1, i).copy_(MacaqueEnsemble(models, cfg.data_key, i).forward(as_tensor(images)));
  *neurons = static_cast<int>(n);
  return std::vector<float>(all.data_ptr<float>(), all.data_ptr<float>() + all.numel());
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

// The macaque V1 neuron (method.md §9): one neuron of the three-model digital twin, its response
// the mean over the three CNNs, with a fast forward pass and a hand-written input gradient.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/neurons/macaque_model.h"
#include "core/neurons/torch_neuron.h"

namespace invex {

class MacaqueEnsemble : public TorchNeuron {
 public:
  // Neuron `index` of readout `data_key`; throws ConfigError for an unknown key or an index out
  // of range. Keeps only what this neuron needs, not `models`.
  MacaqueEnsemble(const MacaqueModels& models, const std::string& data_key, int64_t index);
  ~MacaqueEnsemble() override;

  at::Tensor forward(const at::Tensor& images) const override;
  at::Tensor input_gradient(const at::Tensor& images, const at::Tensor& weights) const override;
  // One 93×93 map (1×93×93): the gradient of the response at a uniform mean-grey image (zero in
  // the model's units), the neuron's linearised receptive field. Layer 0's 96 kernels are 24×24
  // and say little about this neuron on their own.
  at::Tensor filters() const override;

  // Each model's response (N×3, in kMacaqueModelFiles order); forward() is their mean.
  at::Tensor model_responses(const at::Tensor& images) const;
  // The responses and the input gradient from one forward pass (input_gradient() alone
  // recomputes the forward pass it needs). Batches run as chunks of two images on the compute
  // threads (support/thread_pool.h).
  at::Tensor forward_and_input_gradient(const at::Tensor& images, const at::Tensor& weights,
                                        at::Tensor* responses) const override;

  struct Weights;

 private:
  std::unique_ptr<Weights> w_;
  mutable std::once_flag receptive_field_once_;
  mutable at::Tensor receptive_field_;
};

// Loads the ensemble from `model_dir` and selects one neuron; throws ConfigError.
std::unique_ptr<MacaqueEnsemble> make_macaque_ensemble(const std::string& model_dir,
                                                       const std::string& data_key, int64_t index);

}  // namespace invex

// Model neurons with a torch-free face: build one from its config and ask for responses.
#pragma once

#include <memory>
#include <vector>

#include "core/run/config.h"
#include "core/run/image_stack.h"

namespace invex {

class NeuronEvaluator {
 public:
  explicit NeuronEvaluator(const NeuronConfig& cfg);
  ~NeuronEvaluator();
  NeuronEvaluator(NeuronEvaluator&&) noexcept;
  NeuronEvaluator& operator=(NeuronEvaluator&&) noexcept;

  // Raw response to each image, taken as given (no transform). Throws ConfigError when
  // the images are not C×H×W as the neuron expects.
  std::vector<float> respond(const ImageStack& images) const;
  int height() const;
  int width() const;
  int channels() const;

  // Filters for display (e.g. the Gabor pair of a complex cell): K×1×H×W.
  ImageStack filters_for_display() const;

  // The raw responses of every neuron of this neuron's recording (a macaque-ensemble neuron's
  // data key; its index does not matter), N×n row-major, n in *neurons; each computed as
  // respond() computes its own. Throws ConfigError for a neuron of another type.
  std::vector<float> respond_recording(const ImageStack& images, int* neurons) const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace invex

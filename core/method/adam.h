// Adam (Kingma & Ba; as torch.optim.Adam with its defaults: betas 0.9 / 0.999, eps 1e-8, no
// weight decay) over a list of tensors updated in place: the CPPN's parameters in training
// (method.md §6) and the pixels of the MEI (§7). Internal: needs ATen.
#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

namespace invex {

class Adam {
 public:
  static constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;

  Adam(std::vector<at::Tensor> parameters, double lr);

  // One update from the gradients, in the order of the parameters; an undefined gradient
  // leaves its parameter (and its moments) as they are.
  void step(const std::vector<at::Tensor>& gradients);
  // Forget the moments and the step count (a fresh optimiser on the same parameters).
  void reset();

  // The optimiser state, for saved runs: step count and first/second moments per parameter.
  long steps() const { return steps_; }
  const std::vector<at::Tensor>& first_moments() const { return m_; }
  const std::vector<at::Tensor>& second_moments() const { return v_; }
  // Throws std::invalid_argument when the moments do not match the parameters' shapes.
  void restore(long steps, std::vector<at::Tensor> first, std::vector<at::Tensor> second);

 private:
  std::vector<at::Tensor> params_, m_, v_;
  double lr_;
  long steps_ = 0;
};

}  // namespace invex

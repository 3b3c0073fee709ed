#include "core/method/adam.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace invex {

Adam::Adam(std::vector<at::Tensor> parameters, double lr)
    : params_(std::move(parameters)), lr_(lr) {
  reset();
}

void Adam::reset() {
  m_.clear();
  v_.clear();
  for (auto& p : params_) {
    m_.push_back(at::zeros_like(p, at::MemoryFormat::Contiguous).detach());
    v_.push_back(at::zeros_like(p, at::MemoryFormat::Contiguous).detach());
  }
  steps_ = 0;
}

void Adam::step(const std::vector<at::Tensor>& grads) {
  if (grads.size() != params_.size())
    throw std::invalid_argument("Adam: " + std::to_string(grads.size()) + " gradients for " +
                                std::to_string(params_.size()) + " parameters");
  c10::NoGradGuard no_grad;
  ++steps_;
  const double bc1 = 1 - std::pow(kBeta1, steps_), bc2 = 1 - std::pow(kBeta2, steps_);
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!grads[i].defined()) continue;
    m_[i].mul_(kBeta1).add_(grads[i], 1 - kBeta1);
    v_[i].mul_(kBeta2).addcmul_(grads[i], grads[i], 1 - kBeta2);
    auto denom = (v_[i].sqrt() / std::sqrt(bc2)).add_(kEps);
    params_[i].detach().addcdiv_(m_[i], denom, -lr_ / bc1);
  }
}

void Adam::restore(long steps, std::vector<at::Tensor> first, std::vector<at::Tensor> second) {
  if (first.size() != params_.size() || second.size() != params_.size())
    throw std::invalid_argument("Adam: optimiser state for " + std::to_string(first.size()) +
                                " parameters, expected " + std::to_string(params_.size()));
  for (size_t i = 0; i < params_.size(); ++i)
    if (!first[i].sizes().equals(params_[i].sizes()) ||
        !second[i].sizes().equals(params_[i].sizes()))
      throw std::invalid_argument("Adam: optimiser state " + std::to_string(i) +
                                  " does not match its parameter's shape");
  steps_ = steps;
  m_ = std::move(first);
  v_ = std::move(second);
}

}  // namespace invex

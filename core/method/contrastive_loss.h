// The contrastive term over the latent grid (method.md §5; internal: needs ATen).
#pragma once

#include <ATen/core/Tensor.h>

#include <utility>
#include <vector>

#include "core/run/config.h"

namespace invex {

// N×N neighbour mask of the flattened grid (last dimension fastest): 0 on the diagonal, +1 for
// neighbours (box of radius r per dimension, circular distance for periodic dimensions, cut to
// a disc when `round`), −1 otherwise.
at::Tensor neighbour_mask(int grid_points, const std::vector<bool>& periodic, int radius,
                          bool round);

class ContrastiveGridLoss {
 public:
  ContrastiveGridLoss(const LatentConfig& latent, const LossConfig& loss);
  // reg = (τ/2)·mean_k log(pos_k / neg_k) over the N transformed images of one step.
  at::Tensor operator()(const at::Tensor& images) const;
  // The same value and its gradient with respect to the images, by hand: one N×N product
  // forward and one back, where autograd would spend two back (the step's hot path).
  std::pair<double, at::Tensor> value_and_gradient(const at::Tensor& images) const;
  const at::Tensor& mask() const { return mask_; }

 private:
  struct Terms {
    at::Tensor norm, u, e, pos, neg;  // ‖v_k‖, ṽ_k, E = exp(S/τ), pos_k, neg_k
  };
  Terms terms(const at::Tensor& images) const;

  double tau_;
  at::Tensor mask_, positive_, negative_, positive_count_, negative_count_;
};

}  // namespace invex

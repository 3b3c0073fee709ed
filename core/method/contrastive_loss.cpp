#include "core/method/contrastive_loss.h"

#include <ATen/ATen.h>

#include <cmath>
#include <cstdlib>

namespace invex {

at::Tensor neighbour_mask(int g, const std::vector<bool>& periodic, int r, bool round) {
  const int d = static_cast<int>(periodic.size());
  int n = 1;
  for (int i = 0; i < d; ++i) n *= g;
  auto mask = at::empty({n, n}, at::kFloat);
  float* m = mask.data_ptr<float>();
  std::vector<int> ia(d), ib(d);
  for (int a = 0; a < n; ++a) {
    for (int b = 0; b < n; ++b) {
      if (a == b) {
        m[a * n + b] = 0;
        continue;
      }
      int ra = a, rb = b;
      for (int k = d - 1; k >= 0; --k) {  // last dimension fastest
        ia[k] = ra % g;
        ra /= g;
        ib[k] = rb % g;
        rb /= g;
      }
      bool near = true;
      double sq = 0;
      for (int k = 0; k < d; ++k) {
        int delta = std::abs(ia[k] - ib[k]);
        if (periodic[k]) delta = std::min(delta, g - delta);
        if (delta > r) near = false;
        sq += static_cast<double>(delta) * delta;
      }
      if (round && sq > static_cast<double>(r) * r) near = false;
      m[a * n + b] = near ? 1.0f : -1.0f;
    }
  }
  return mask;
}

ContrastiveGridLoss::ContrastiveGridLoss(const LatentConfig& latent, const LossConfig& loss)
    : tau_(loss.tau) {
  const int r = neighbour_radius(loss.neighbor_size, latent.grid_points);
  mask_ = neighbour_mask(latent.grid_points, latent.periodic, r, loss.round_neighbourhood);
  positive_ = (mask_ > 0).to(at::kFloat);
  negative_ = (mask_ < 0).to(at::kFloat);
  positive_count_ = positive_.sum(1);
  negative_count_ = negative_.sum(1);
}

// method.md §5 steps 1–4; differentiable, so operator() gets its gradient from autograd.
ContrastiveGridLoss::Terms ContrastiveGridLoss::terms(const at::Tensor& images) const {
  Terms t;
  auto v = images.reshape({images.size(0), -1});
  v = v - v.mean(1, true);
  t.norm = v.norm(2, 1, true);
  t.u = v / t.norm;
  t.e = at::exp(at::matmul(t.u, t.u.t()) / tau_);
  t.pos = (t.e * positive_).sum(1) / positive_count_;
  t.neg = (t.e * negative_).sum(1) / negative_count_;
  return t;
}

at::Tensor ContrastiveGridLoss::operator()(const at::Tensor& images) const {
  Terms t = terms(images);
  return tau_ / 2 * at::log(t.pos / t.neg).mean();
}

std::pair<double, at::Tensor> ContrastiveGridLoss::value_and_gradient(
    const at::Tensor& images) const {
  const int64_t n = images.size(0);
  const Terms t = terms(images);
  const double value = tau_ / 2 * at::log(t.pos / t.neg).mean().item<double>();
  // d value / d E_kl, then through exp(S/τ) and S = u·uᵀ (symmetric use of u).
  const double c = tau_ / (2.0 * n);
  auto de = positive_ * (c / (t.pos * positive_count_)).unsqueeze(1) -
            negative_ * (c / (t.neg * negative_count_)).unsqueeze(1);
  auto ds = de * t.e / tau_;
  auto du = at::matmul(ds + ds.t(), t.u);
  // Through u = v/‖v‖ and the centring.
  auto dv = (du - t.u * (t.u * du).sum(1, true)) / t.norm;
  auto dx = dv - dv.mean(1, true);
  return {value, dx.view(images.sizes())};
}

}  // namespace invex

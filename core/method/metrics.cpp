#include "core/method/metrics.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/neurons/gabor.h"
#include "core/neurons/torch_neuron.h"

namespace invex {

double winding_number(const std::vector<float>& a) {
  if (a.size() < 2) return 0;
  double total = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    double d = a[(i + 1) % a.size()] - a[i];
    d = std::remainder(d, 2 * M_PI);  // the shortest signed step
    total += d;
  }
  return total / (2 * M_PI);
}

double circular_coverage(const std::vector<float>& a, int bins) {
  if (a.empty()) return 0;
  std::vector<bool> seen(bins, false);
  for (float v : a) {
    // A NaN image (a diverged run) has no phase: it covers no bin, rather than indexing out of
    // range. Any finite angle wraps into [0, 2π).
    if (!std::isfinite(v)) continue;
    double u = v / (2 * M_PI);
    u -= std::floor(u);
    int b = std::min(bins - 1, static_cast<int>(u * bins));
    seen[b] = true;
  }
  return static_cast<double>(std::count(seen.begin(), seen.end(), true)) / bins;
}

namespace {

at::Tensor as_tensor(const ImageStack& s) {
  return at::from_blob(const_cast<float*>(s.data.data()),
                       {s.count, static_cast<int64_t>(s.image_size())}, at::kFloat)
      .to(at::kDouble);
}

CircularCoverage finish(const std::string& name, std::vector<float> values, bool closed) {
  CircularCoverage c;
  c.variable = name;
  c.values = std::move(values);
  c.winding = closed ? winding_number(c.values) : 0;
  c.coverage = circular_coverage(c.values);
  return c;
}

// Phase of each image for the quadrature pair at θ: atan2(⟨x, g_π/2⟩, ⟨x, g_0⟩).
std::vector<float> phases(const NeuronConfig& n, const at::Tensor& x, const at::Tensor& theta) {
  std::vector<float> out(x.size(0));
  for (int64_t k = 0; k < x.size(0); ++k) {
    double t = theta[k].item<double>();
    auto g0 = gabor_filter(n, t, n.phase).reshape(-1);
    auto g1 = gabor_filter(n, t, n.phase + M_PI / 2).reshape(-1);
    out[k] =
        static_cast<float>(std::atan2(x[k].dot(g1).item<double>(), x[k].dot(g0).item<double>()));
  }
  return out;
}

}  // namespace

InvarianceReport invariance_report(const NeuronConfig& n, const ImageStack& images,
                                   const std::vector<float>& act, bool closed_loop) {
  InvarianceReport r;
  if (!act.empty()) {
    double s = 0;
    r.min_activation = act[0];
    for (float a : act) {
      s += a;
      r.min_activation = std::min<double>(r.min_activation, a);
    }
    r.mean_activation = s / act.size();
  }
  if (images.count == 0) return r;
  auto x = as_tensor(images);
  const int64_t k = images.count;
  auto best_theta = [&](double phase, bool energy) {
    // The orientation whose filter (or quadrature pair) matches each image best.
    auto thetas = theta_list(n);
    std::vector<at::Tensor> f0, f1;
    for (double t : thetas) {
      f0.push_back(gabor_filter(n, t, phase).reshape(-1));
      if (energy) f1.push_back(gabor_filter(n, t, phase + M_PI / 2).reshape(-1));
    }
    auto r0 = at::matmul(x, at::stack(f0).t());
    auto score = energy ? r0.pow(2) + at::matmul(x, at::stack(f1).t()).pow(2) : r0;
    auto idx = std::get<1>(score.max(1));
    auto t = at::empty({k}, at::kDouble);
    for (int64_t i = 0; i < k; ++i) t[i] = thetas[idx[i].item<int64_t>()];
    return t;
  };
  if (n.type == "gabor-complex") {
    r.circular.push_back(
        finish("phase", phases(n, x, at::full({k}, n.theta, at::kDouble)), closed_loop));
  } else if (n.type == "gabor-orientation") {
    auto t = best_theta(n.phase, false);
    std::vector<float> v(k);
    // Angles in (−π, π] so that winding and coverage read the same as for phase.
    for (int64_t i = 0; i < k; ++i)
      v[i] = static_cast<float>(std::remainder(t[i].item<double>(), 2 * M_PI));
    r.circular.push_back(finish("orientation", v, closed_loop));
  } else if (n.type == "gabor-phase-orientation") {
    auto t = best_theta(n.phase, true);
    r.circular.push_back(finish("phase", phases(n, x, t), closed_loop));
    std::vector<float> v(k);
    // Orientation on its own range, mapped onto the circle.
    for (int64_t i = 0; i < k; ++i)
      v[i] = static_cast<float>(
          std::remainder(t[i].item<double>() * 2 * M_PI / n.theta_range, 2 * M_PI));
    r.circular.push_back(finish("orientation", v, closed_loop));
  } else if (n.type == "gabor-polarity") {
    r.has_polarity = true;
    auto g = gabor_filter(n, n.theta, n.phase).reshape(-1);
    auto resp = at::matmul(x, g);
    for (int64_t i = 0; i < k; ++i) {
      if (resp[i].item<double>() > 0)
        ++r.positive_polarity;
      else
        ++r.negative_polarity;
    }
    r.both_polarities = r.positive_polarity > 0 && r.negative_polarity > 0;
  }
  return r;
}

std::string report_to_json(const InvarianceReport& r, int indent) {
  nlohmann::json j;
  j["mean_activation"] = r.mean_activation;
  j["min_activation"] = r.min_activation;
  for (auto& c : r.circular)
    j[c.variable] = {{"winding_number", c.winding}, {"coverage_36_bins", c.coverage}};
  if (r.has_polarity)
    j["polarity"] = {{"both_polarities", r.both_polarities},
                     {"positive_images", r.positive_polarity},
                     {"negative_images", r.negative_polarity}};
  return j.dump(indent);
}

}  // namespace invex

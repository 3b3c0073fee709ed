#include "core/method/cppn.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/autograd.h>

#include <cmath>
#include <stdexcept>

namespace invex {

namespace {

// The one definition of the trainable tensors' order and names: f(name, tensor) for each.
template <class Parameters, class F>
void for_each_trainable(Parameters& p, const F& f) {
  for (size_t l = 0; l < p.weight.size(); ++l) {
    const std::string layer = "layer" + std::to_string(l) + ".";
    f(layer + "weight", p.weight[l]);
    if (l < p.bias.size() && p.bias[l].defined()) f(layer + "bias", p.bias[l]);
    if (l < p.gamma.size()) {
      f(layer + "gamma", p.gamma[l]);
      f(layer + "beta", p.beta[l]);
    }
  }
}

}  // namespace

std::vector<std::pair<std::string, at::Tensor>> CppnParameters::named() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for_each_trainable(
      *this, [&](std::string name, const at::Tensor& t) { out.emplace_back(std::move(name), t); });
  return out;
}

CppnParameters CppnParameters::with_trainable(const std::vector<at::Tensor>& list) const {
  CppnParameters out = *this;
  size_t i = 0;
  for_each_trainable(out, [&](const std::string& name, at::Tensor& t) {
    if (i >= list.size()) throw std::invalid_argument("CPPN: no tensor for " + name);
    t = list[i++];
  });
  if (i != list.size()) throw std::invalid_argument("CPPN: more tensors than parameters");
  return out;
}

std::vector<at::Tensor> CppnParameters::list() const {
  std::vector<at::Tensor> out;
  for (auto& [name, tensor] : named()) out.push_back(tensor);
  return out;
}

CppnParameters CppnParameters::clone() const {
  CppnParameters c;
  c.fourier = fourier.clone();
  auto copy = [](const std::vector<at::Tensor>& v) {
    std::vector<at::Tensor> o;
    for (auto& t : v) o.push_back(t.defined() ? t.detach().clone() : at::Tensor());
    return o;
  };
  c.weight = copy(weight);
  c.bias = copy(bias);
  c.gamma = copy(gamma);
  c.beta = copy(beta);
  c.latent_encoding_size = latent_encoding_size;
  return c;
}

CppnParameters init_cppn_parameters(const CppnConfig& cfg, const std::vector<bool>& periodic,
                                    unsigned long long seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  CppnParameters p;
  const int P = cfg.positional_encoding_dim;
  p.fourier = at::normal(0.0, 1.0, {2, P}, gen, at::kFloat) * cfg.scale;
  int L = 0;
  for (bool per : periodic) L += per ? 2 : 1;
  p.latent_encoding_size = L;
  int in = 2 * P + L;
  for (int l = 0; l < cfg.layers; ++l) {
    int out = l + 1 < cfg.layers ? cfg.width : 1;
    p.weight.push_back(at::normal(0.0, cfg.weight_std, {out, in}, gen, at::kFloat));
    p.bias.push_back(cfg.bias ? at::zeros({out}, at::kFloat) : at::Tensor());
    if (l + 1 < cfg.layers) {
      p.gamma.push_back(at::ones({out}, at::kFloat));
      p.beta.push_back(at::zeros({out}, at::kFloat));
    }
    in = out;
  }
  return p;
}

at::Tensor fourier_features(const at::Tensor& fourier, int height, int width) {
  auto u = at::linspace(-1, 1, height, at::kFloat);
  auto v = at::linspace(-1, 1, width, at::kFloat);
  auto grids = at::meshgrid({u, v}, "ij");  // the first coordinate runs down the rows
  auto coords = at::stack({grids[0].reshape(-1), grids[1].reshape(-1)}, 1);  // HW×2
  auto proj = at::matmul(coords, fourier);                                   // HW×P
  return at::cat({at::sin(proj), at::cos(proj)}, 1).contiguous();
}

at::Tensor encode_latents(const at::Tensor& z, const std::vector<bool>& periodic,
                          double aux_dim_scale) {
  std::vector<at::Tensor> cols;
  for (size_t d = 0; d < periodic.size(); ++d) {
    auto zd = z.select(1, static_cast<int64_t>(d));
    if (periodic[d]) {
      cols.push_back(at::sin(zd));
      cols.push_back(at::cos(zd));
    } else {
      cols.push_back(zd / M_PI - 1.0);
    }
  }
  return (at::stack(cols, 1) * aux_dim_scale).contiguous();
}

namespace {

// The straightforward path: LibTorch ops and autograd, kept as the reference that every
// faster path is tested against.
class ReferenceGenerator : public CppnGenerator {
 public:
  ReferenceGenerator(const CppnParameters& p, int h, int w) : p_(p), h_(h), w_(w) {
    for (auto& t : p_.list()) t.requires_grad_(true);
    features_ = fourier_features(p_.fourier, h, w);
  }

  at::Tensor forward(const at::Tensor& latent, BatchStats* stats) override {
    const int64_t n = latent.size(0), hw = features_.size(0);
    auto x = at::cat({features_.unsqueeze(0).expand({n, hw, features_.size(1)}),
                      latent.unsqueeze(1).expand({n, hw, latent.size(1)})},
                     2)
                 .reshape({n * hw, -1});
    const size_t layers = p_.weight.size();
    if (stats) *stats = BatchStats{};
    for (size_t l = 0; l + 1 < layers; ++l) {
      auto h = at::linear(x, p_.weight[l], p_.bias[l]);
      auto mean = h.mean(0);
      auto var = h.var(0, /*unbiased=*/false);
      if (stats) {
        stats->mean.push_back(mean.detach().clone());
        stats->var.push_back(var.detach().clone());
      }
      auto y = (h - mean) / at::sqrt(var + kBatchNormEps) * p_.gamma[l] + p_.beta[l];
      x = at::leaky_relu(y, kLeakyReluSlope);
    }
    auto out = at::tanh(at::linear(x, p_.weight.back(), p_.bias.back()));
    const int64_t c = out.size(1);
    out_ = out.view({n, hw, c}).permute({0, 2, 1}).reshape({n, c, h_, w_});
    return out_.detach();
  }

  CppnGradients backward(const at::Tensor& grad) override {
    CppnGradients g = p_.with_trainable(torch::autograd::grad({out_}, p_.list(), {grad}));
    g.fourier = at::Tensor();
    out_ = at::Tensor();
    return g;
  }

 private:
  CppnParameters p_;
  int h_, w_;
  at::Tensor features_, out_;
};

}  // namespace

std::unique_ptr<CppnGenerator> make_reference_generator(const CppnParameters& params, int height,
                                                        int width) {
  return std::make_unique<ReferenceGenerator>(params, height, width);
}

FrozenCppn freeze_cppn(const CppnParameters& p, const BatchStats& stats,
                       const std::vector<bool>& periodic, double aux_dim_scale, int channels) {
  FrozenCppn f;
  f.positional_encoding_dim = static_cast<int>(p.fourier.size(1));
  auto B = p.fourier.detach().contiguous();
  f.fourier.assign(B.data_ptr<float>(), B.data_ptr<float>() + B.numel());
  f.periodic = periodic;
  f.aux_dim_scale = static_cast<float>(aux_dim_scale);
  f.channels = channels;
  for (size_t l = 0; l < p.weight.size(); ++l) {
    auto W = p.weight[l].detach().to(at::kDouble);
    auto b = p.bias[l].defined() ? p.bias[l].detach().to(at::kDouble)
                                 : at::zeros({p.weight[l].size(0)}, at::kDouble);
    if (l + 1 < p.weight.size()) {
      auto s = p.gamma[l].detach().to(at::kDouble) /
               at::sqrt(stats.var[l].to(at::kDouble) + kBatchNormEps);
      b = s * (b - stats.mean[l].to(at::kDouble)) + p.beta[l].detach().to(at::kDouble);
      W = W * s.unsqueeze(1);
    }
    W = W.to(at::kFloat).contiguous();
    b = b.to(at::kFloat).contiguous();
    FrozenCppn::Layer layer;
    layer.out = static_cast<int>(W.size(0));
    layer.in = static_cast<int>(W.size(1));
    layer.weight.assign(W.data_ptr<float>(), W.data_ptr<float>() + W.numel());
    layer.bias.assign(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
    f.layers.push_back(std::move(layer));
  }
  return f;
}

}  // namespace invex

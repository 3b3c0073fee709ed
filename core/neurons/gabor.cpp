#include "core/neurons/gabor.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <cmath>

namespace invex {

at::Tensor gabor_filter(const NeuronConfig& c, double theta, double phase) {
  auto opts = at::TensorOptions().dtype(at::kDouble);
  auto x = at::linspace(-1, 1, c.width, opts);
  auto y = at::linspace(-1, 1, c.height, opts);
  auto g = at::meshgrid({y, x}, "ij");  // X varies along columns, Y along rows
  const auto& Y = g[0];
  const auto& X = g[1];
  const double ct = std::cos(theta), st = std::sin(theta);
  auto xr = X * ct + Y * st;
  auto yr = -X * st + Y * ct;
  const double px = ct * c.pos_x + st * c.pos_y;
  const double py = -st * c.pos_x + ct * c.pos_y;
  auto envelope = at::exp(-0.5 * (at::pow(xr + px, 2) / (c.sigma_x * c.sigma_x) +
                                  at::pow(yr + py, 2) / (c.sigma_y * c.sigma_y)));
  return envelope * at::cos(2 * M_PI * c.sf * (xr + px) + phase);
}

std::vector<double> theta_list(const NeuronConfig& c) {
  std::vector<double> t(c.n_theta);
  for (int i = 0; i < c.n_theta; ++i) t[i] = c.theta_range * i / c.n_theta;
  return t;
}

namespace {

// Gabor cells are a bank of linear filters followed by a pooling rule.
class GaborNeuron : public TorchNeuron {
 public:
  enum class Pool { Single, Energy, MaxLinear, MaxEnergy, MaxPolarity };

  GaborNeuron(const NeuronConfig& c) {
    height = c.height;
    width = c.width;
    std::vector<at::Tensor> f;
    if (c.type == "gabor-simple") {
      pool_ = Pool::Single;
      f.push_back(gabor_filter(c, c.theta, c.phase));
    } else if (c.type == "gabor-complex") {
      pool_ = Pool::Energy;
      f.push_back(gabor_filter(c, c.theta, c.phase));
      f.push_back(gabor_filter(c, c.theta, c.phase + M_PI / 2));
    } else if (c.type == "gabor-orientation") {
      pool_ = Pool::MaxLinear;
      for (double t : theta_list(c)) f.push_back(gabor_filter(c, t, c.phase));
    } else if (c.type == "gabor-phase-orientation") {
      pool_ = Pool::MaxEnergy;
      // Interleaved pairs (θ_i, phase), (θ_i, phase + π/2): rows 2i and 2i+1.
      for (double t : theta_list(c)) {
        f.push_back(gabor_filter(c, t, c.phase));
        f.push_back(gabor_filter(c, t, c.phase + M_PI / 2));
      }
    } else if (c.type == "gabor-polarity") {
      pool_ = Pool::MaxPolarity;
      f.push_back(gabor_filter(c, c.theta, c.phase));
      f.push_back(gabor_filter(c, c.theta, c.phase + M_PI));
    } else {
      throw ConfigError("neuron.type: '" + c.type + "' is not a Gabor cell");
    }
    filters_ = at::stack(f).to(at::kFloat).contiguous();
    bank_t_ = filters_.reshape({filters_.size(0), -1}).t().contiguous();  // HW×K
  }

  at::Tensor forward(const at::Tensor& images) const override {
    check_image_shape(*this, images, "neuron input");
    return pool(filter_responses(images));
  }

  at::Tensor input_gradient(const at::Tensor& images, const at::Tensor& w) const override {
    c10::NoGradGuard no_grad;
    check_image_shape(*this, images, "neuron input");
    return gradient(filter_responses(images), w, images.sizes());
  }

  // The filter responses once for both: the same operations as forward() and input_gradient()
  // apart, so the numbers are identical.
  at::Tensor forward_and_input_gradient(const at::Tensor& images, const at::Tensor& w,
                                        at::Tensor* responses) const override {
    c10::NoGradGuard no_grad;
    check_image_shape(*this, images, "neuron input");
    auto r = filter_responses(images);
    if (responses) *responses = pool(r);
    return gradient(r, w, images.sizes());
  }

  at::Tensor filters() const override { return filters_; }

 private:
  at::Tensor filter_responses(const at::Tensor& images) const {
    return at::matmul(images.reshape({images.size(0), -1}), bank_t_);  // N×K
  }

  // The pooling rule applied to the filter responses r (N×K).
  at::Tensor pool(const at::Tensor& r) const {
    switch (pool_) {
      case Pool::Single:
        return r.select(1, 0);
      case Pool::Energy:
        // The epsilon keeps the gradient finite at a zero response.
        return at::sqrt(r.pow(2).sum(1) + 1e-12);
      case Pool::MaxLinear:
        return std::get<0>(r.max(1));
      case Pool::MaxEnergy: {
        auto e = at::sqrt(r.view({r.size(0), -1, 2}).pow(2).sum(2) + 1e-12);
        return std::get<0>(e.max(1));
      }
      case Pool::MaxPolarity:
        return std::get<0>(r.max(1));
    }
    return r;
  }

  // Every pooling rule here is piecewise linear or an energy in at most two filters per image,
  // so the gradient needs only the winning filters: with 360 filters (phase-orientation cells)
  // this replaces a dense N×K×HW product by an N×2×HW one.
  at::Tensor gradient(const at::Tensor& r, const at::Tensor& w, at::IntArrayRef sizes) const {
    const int64_t n = r.size(0);
    auto bank = filters_.reshape({filters_.size(0), -1});  // K×HW
    at::Tensor coef, index;                                // N×P coefficients of P filters
    switch (pool_) {
      case Pool::Single:
        coef = w.unsqueeze(1);
        index = at::zeros({n, 1}, at::kLong);
        break;
      case Pool::Energy: {
        auto e = at::sqrt(r.pow(2).sum(1, true) + 1e-12);
        coef = w.unsqueeze(1) * r / e;
        index = at::arange(2, at::kLong).unsqueeze(0).expand({n, 2});
        break;
      }
      case Pool::MaxLinear:
      case Pool::MaxPolarity:
        coef = w.unsqueeze(1);
        index = std::get<1>(r.max(1)).unsqueeze(1);
        break;
      case Pool::MaxEnergy: {
        auto pairs = r.view({n, -1, 2});
        auto e = at::sqrt(pairs.pow(2).sum(2) + 1e-12);                                  // N×T
        auto best = std::get<1>(e.max(1));                                               // N
        auto pair = pairs.gather(1, best.view({n, 1, 1}).expand({n, 1, 2})).squeeze(1);  // N×2
        auto eb = e.gather(1, best.unsqueeze(1));
        coef = w.unsqueeze(1) * pair / eb;
        index = at::stack({2 * best, 2 * best + 1}, 1);
        break;
      }
    }
    auto chosen = bank.index_select(0, index.reshape(-1)).view({n, index.size(1), -1});  // N×P×HW
    return at::bmm(coef.unsqueeze(1).to(chosen.scalar_type()), chosen).view(sizes);
  }

  Pool pool_;
  at::Tensor filters_, bank_t_;
};

}  // namespace

bool is_gabor_type(const std::string& type) {
  return type == "gabor-simple" || type == "gabor-complex" || type == "gabor-orientation" ||
         type == "gabor-phase-orientation" || type == "gabor-polarity";
}

std::unique_ptr<TorchNeuron> make_gabor_neuron(const NeuronConfig& cfg) {
  return std::make_unique<GaborNeuron>(cfg);
}

}  // namespace invex

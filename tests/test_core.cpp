// The pieces of the method against hand computations and the formulas of method.md.
#include <ATen/ATen.h>
#include <doctest/doctest.h>
#include <torch/csrc/autograd/autograd.h>

#include <cmath>
#include <random>

#include "core/method/contrastive_loss.h"
#include "core/method/cppn.h"
#include "core/method/image_transform.h"
#include "core/method/latent_grid.h"
#include "core/neurons/gabor.h"
#include "core/neurons/torch_neuron.h"
#include "core/render/render.h"
#include "core/run/config.h"

using namespace invex;

namespace {

// method.md §8 written out directly, independently of the library's tensor code.
double gabor_by_hand(const NeuronConfig& c, int row, int col, double theta, double phase) {
  double X = -1 + 2.0 * col / (c.width - 1), Y = -1 + 2.0 * row / (c.height - 1);
  double xr = X * std::cos(theta) + Y * std::sin(theta);
  double yr = -X * std::sin(theta) + Y * std::cos(theta);
  double px = std::cos(theta) * c.pos_x + std::sin(theta) * c.pos_y;
  double py = -std::sin(theta) * c.pos_x + std::cos(theta) * c.pos_y;
  double env = std::exp(-0.5 * (std::pow(xr + px, 2) / (c.sigma_x * c.sigma_x) +
                                std::pow(yr + py, 2) / (c.sigma_y * c.sigma_y)));
  return env * std::cos(2 * M_PI * c.sf * (xr + px) + phase);
}

int positives_of(const at::Tensor& mask, int k) { return (mask[k] > 0).sum().item<int>(); }

}  // namespace

TEST_CASE("Gabor filter values match the formula at chosen points") {
  NeuronConfig c;
  c.pos_x = 0.2;
  c.pos_y = -0.1;
  c.sigma_x = 0.3;
  c.sigma_y = 0.45;
  c.sf = 1.5;
  c.height = 30;
  c.width = 24;  // not square, so rows and columns cannot be swapped unnoticed
  auto g = gabor_filter(c, 1.0471975512, 0.7);
  CHECK(g.size(0) == 30);
  CHECK(g.size(1) == 24);
  for (auto [r, col] :
       std::vector<std::pair<int, int>>{{0, 0}, {15, 12}, {7, 20}, {29, 3}, {12, 11}})
    CHECK(g[r][col].item<double>() ==
          doctest::Approx(gabor_by_hand(c, r, col, 1.0471975512, 0.7)).epsilon(1e-12));
  // At the centre of a centred filter with phase 0 the value is exactly 1.
  NeuronConfig centred;
  centred.height = centred.width = 31;
  CHECK(gabor_filter(centred, 0.3, 0.0)[15][15].item<double>() == doctest::Approx(1.0));
}

TEST_CASE("Gabor neurons pool their filters as method.md §8 says") {
  NeuronConfig c;
  c.height = c.width = 30;
  auto img = at::randn({3, 1, 30, 30}, at::kFloat);
  auto flat = img.reshape({3, -1}).to(at::kDouble);
  auto dot = [&](double theta, double phase) {
    return at::matmul(flat, gabor_filter(c, theta, phase).reshape(-1));
  };
  c.type = "gabor-complex";
  c.theta = M_PI / 3;
  auto complex = make_torch_neuron(c)->forward(img).to(at::kDouble);
  auto expect = at::sqrt(dot(M_PI / 3, 0).pow(2) + dot(M_PI / 3, M_PI / 2).pow(2));
  CHECK(at::allclose(complex, expect, 1e-4, 1e-4));
  c.type = "gabor-polarity";
  c.theta = 0;
  auto polarity = make_torch_neuron(c)->forward(img).to(at::kDouble);
  CHECK(at::allclose(polarity, dot(0, 0).abs(), 1e-4, 1e-4));  // g(phase π) = −g(phase 0)
  c.type = "gabor-orientation";
  c.phase = M_PI / 2;
  c.n_theta = 8;
  c.theta_range = 2 * M_PI;
  auto orient = make_torch_neuron(c)->forward(img).to(at::kDouble);
  at::Tensor best = dot(0, M_PI / 2);
  for (int i = 1; i < 8; ++i) best = at::maximum(best, dot(2 * M_PI * i / 8, M_PI / 2));
  CHECK(at::allclose(orient, best, 1e-4, 1e-4));
  auto wrong = at::zeros({2, 1, 20, 20});
  CHECK_THROWS_AS(make_torch_neuron(c)->forward(wrong), ConfigError);
}

TEST_CASE("image transforms give the documented per-image statistics") {
  auto x = at::randn({5, 1, 30, 30}, at::kDouble) * 3 + 1.7;
  TransformConfig fix;  // FixMeanStd(0, 0.2)
  auto y = transform_images(fix, x).reshape({5, -1});
  CHECK(y.mean(1).abs().max().item<double>() < 1e-12);
  CHECK(at::allclose(y.std(1), at::full({5}, 0.2, at::kDouble), 1e-9, 1e-9));
  // With a non-zero mean the second step scales around 0, as the reference does.
  fix.mean = 0.5;
  auto sd = x.reshape({5, -1}).std(1);
  auto y2 = transform_images(fix, x).reshape({5, -1});
  CHECK(at::allclose(y2.mean(1), 0.2 * 0.5 / sd, 1e-9, 1e-9));
  TransformConfig clip;
  clip.type = "standardize-clip";
  clip.mean = 0.2022;
  clip.std = 0.15;
  auto z = transform_images(clip, x).reshape({5, -1});
  CHECK(z.min().item<double>() >= -1.7876 - 1e-12);
  CHECK(z.max().item<double>() <= 2.1919 + 1e-12);
  CHECK(at::allclose(z.mean(1), at::full({5}, 0.2022, at::kDouble), 1e-6, 1e-6));
  // The CPU renderer's transform is the same function.
  ImageStack s(5, 1, 30, 30);
  auto xf = x.to(at::kFloat).contiguous();
  std::copy(xf.data_ptr<float>(), xf.data_ptr<float>() + xf.numel(), s.data.begin());
  apply_transform(TransformConfig{}, s);
  auto ref = transform_images(TransformConfig{}, xf).contiguous();
  for (size_t i = 0; i < s.data.size(); i += 97)
    CHECK(s.data[i] == doctest::Approx(ref.data_ptr<float>()[i]).epsilon(1e-5));
}

TEST_CASE("neighbour masks count the right positives on every topology") {
  // G = 20, r = 2.
  auto circle = neighbour_mask(20, {true}, 2, false);
  for (int k : {0, 7, 19}) CHECK(positives_of(circle, k) == 4);
  CHECK(circle[0][0].item<float>() == 0);
  CHECK(circle[0][19].item<float>() == 1);  // wraps around
  CHECK(circle[0][10].item<float>() == -1);
  auto line = neighbour_mask(20, {false}, 2, false);
  CHECK(positives_of(line, 0) == 2);
  CHECK(positives_of(line, 1) == 3);
  CHECK(positives_of(line, 10) == 4);
  CHECK(line[0][19].item<float>() == -1);  // no wrap
  auto torus = neighbour_mask(20, {true, true}, 2, false);
  for (int k : {0, 21, 399}) CHECK(positives_of(torus, k) == 24);
  auto sheet = neighbour_mask(20, {false, false}, 2, false);
  CHECK(positives_of(sheet, 0) == 8);              // corner: 3×3 − 1
  CHECK(positives_of(sheet, 19) == 8);             // the other corner of the first row
  CHECK(positives_of(sheet, 1 * 20 + 0) == 11);    // edge, one in: 4×3 − 1
  CHECK(positives_of(sheet, 10 * 20 + 10) == 24);  // middle: 5×5 − 1
  auto cylinder = neighbour_mask(20, {true, false}, 2, false);
  CHECK(positives_of(cylinder, 0) == 14);  // 5 (periodic) × 3 (edge) − 1
  CHECK(positives_of(cylinder, 10) == 24);
  auto round = neighbour_mask(20, {true, true}, 2, true);
  CHECK(positives_of(round, 0) == 12);  // lattice points of the disc of radius 2
  // Symmetric, with the diagonal empty.
  CHECK(at::equal(torus, torus.t()));
  CHECK(torus.diag().abs().sum().item<float>() == 0);
}

TEST_CASE("contrastive loss on a tiny case computed by hand") {
  // Four images on a circle with G = 4 and r = 1: each has two neighbours and one negative
  // (the opposite point). Orthogonal neighbours (S = 0) and anti-parallel negatives (S = −1)
  // give pos = 1, neg = exp(−1/τ), so reg = (τ/2)·(1/τ) = 0.5 whatever τ is.
  auto v = at::tensor(std::vector<double>{1, -1, 0, 0, 0, 0, 1, -1, -1, 1, 0, 0, 0, 0, -1, 1})
               .reshape({4, 1, 1, 4}) *
           3.0;
  for (double tau : {0.3, 1.0, 2.5}) {
    LatentConfig lat;
    lat.periodic = {true};
    lat.grid_points = 4;
    LossConfig loss;
    loss.tau = tau;
    loss.neighbor_size = 0.25;
    ContrastiveGridLoss reg(lat, loss);
    CHECK(reg(v).item<double>() == doctest::Approx(0.5).epsilon(1e-12));
  }
  // A random case against a direct double loop over method.md §5.
  LatentConfig lat;
  lat.periodic = {true};
  lat.grid_points = 6;
  LossConfig loss;
  loss.tau = 0.3;
  loss.neighbor_size = 0.2;  // r = 1
  ContrastiveGridLoss reg(lat, loss);
  auto x = at::randn({6, 1, 3, 3}, at::kDouble);
  auto f = x.reshape({6, 9});
  std::vector<std::vector<double>> u(6, std::vector<double>(9));
  for (int k = 0; k < 6; ++k) {
    double m = f[k].mean().item<double>(), n = 0;
    for (int i = 0; i < 9; ++i) n += std::pow(f[k][i].item<double>() - m, 2);
    for (int i = 0; i < 9; ++i) u[k][i] = (f[k][i].item<double>() - m) / std::sqrt(n);
  }
  double total = 0;
  for (int k = 0; k < 6; ++k) {
    double pos = 0, neg = 0;
    int np = 0, nn = 0;
    for (int l = 0; l < 6; ++l) {
      if (l == k) continue;
      double s = 0;
      for (int i = 0; i < 9; ++i) s += u[k][i] * u[l][i];
      int d = std::abs(k - l);
      d = std::min(d, 6 - d);
      if (d <= 1) {
        pos += std::exp(s / 0.3);
        ++np;
      } else {
        neg += std::exp(s / 0.3);
        ++nn;
      }
    }
    total += std::log((pos / np) / (neg / nn));
  }
  CHECK(reg(x).item<double>() == doctest::Approx(0.3 / 2 * total / 6).epsilon(1e-10));
}

TEST_CASE("contrastive loss gradient matches finite differences") {
  LatentConfig lat;
  lat.periodic = {true, false};  // a cylinder, so both distance rules are exercised
  lat.grid_points = 4;
  LossConfig loss;
  loss.tau = 0.5;
  loss.neighbor_size = 0.25;
  ContrastiveGridLoss reg(lat, loss);
  auto x = at::randn({16, 1, 3, 4}, at::kDouble).requires_grad_(true);
  TransformConfig t;
  auto f = [&](const at::Tensor& in) { return reg(transform_images(t, in)); };
  auto g = torch::autograd::grad({f(x)}, {x})[0];
  auto xd = x.detach();
  const double h = 1e-6;
  for (int trial = 0; trial < 12; ++trial) {
    int64_t i = (trial * 37) % xd.numel();
    auto plus = xd.clone(), minus = xd.clone();
    plus.view(-1)[i] += h;
    minus.view(-1)[i] -= h;
    double fd = (f(plus).item<double>() - f(minus).item<double>()) / (2 * h);
    CHECK(g.view(-1)[i].item<double>() == doctest::Approx(fd).epsilon(1e-6).scale(1e-3));
  }
}

TEST_CASE("frozen CPPN renders what the generator produced, at any resolution and alone") {
  CppnConfig cfg;
  std::vector<bool> periodic = {true};
  auto p = init_cppn_parameters(cfg, periodic, 7);
  // Non-trivial affine BatchNorm parameters.
  for (auto& g : p.gamma) g.uniform_(0.5, 1.5);
  for (auto& b : p.beta) b.uniform_(-0.3, 0.3);
  for (auto& b : p.bias) b.uniform_(-0.2, 0.2);
  auto gen = make_reference_generator(p, 12, 10);
  auto grid = latent_grid(1, 20);
  auto z = at::from_blob(grid.data.data(), {grid.count, 1}, at::kFloat).clone();
  BatchStats stats;
  at::Tensor images;
  {
    c10::NoGradGuard ng;
    images = gen->forward(encode_latents(z, periodic, 1.0), &stats).contiguous();
  }
  FrozenCppn frozen = freeze_cppn(p, stats, periodic, 1.0, 1);
  // 1. With statistics frozen over this very batch, the CPU renderer reproduces the batch.
  ImageStack r = render_raw(frozen, grid, 12, 10);
  double maxdiff = 0;
  for (size_t i = 0; i < r.data.size(); ++i)
    maxdiff = std::max(maxdiff, std::abs(double(r.data[i]) - images.data_ptr<float>()[i]));
  CHECK(maxdiff < 1e-5);
  // 2. An image at z is the same rendered alone or in a batch.
  LatentPoints one;
  one.dims = 1;
  one.count = 1;
  one.data = {grid.data[5]};
  ImageStack alone = render_raw(frozen, one, 12, 10);
  for (size_t i = 0; i < alone.data.size(); ++i) CHECK(alone.data[i] == r.image(5)[i]);
  // 3. Resolution independence: pixel (i, j) at 12×10 sits at (2i, 2j) of the 23×19 render.
  ImageStack fine = render_raw(frozen, grid, 23, 19);
  double res_diff = 0;
  for (int k = 0; k < grid.count; ++k)
    for (int i = 0; i < 12; ++i)
      for (int j = 0; j < 10; ++j)
        res_diff = std::max(res_diff, std::abs(double(r.image(k)[i * 10 + j]) -
                                               fine.image(k)[(2 * i) * 19 + 2 * j]));
  CHECK(res_diff < 1e-5);
  // The fine render is not just an upscale: in-between pixels differ from both neighbours.
  CHECK(fine.image(3)[1 * 19 + 1] != fine.image(3)[0]);
}

TEST_CASE("latent grid and canonical sweep follow method.md §4 and §10.1's K") {
  auto g = latent_grid(2, 20);
  CHECK(g.count == 400);
  CHECK(g.at(1, 0) == 0.0f);  // last dimension fastest
  CHECK(g.at(1, 1) == doctest::Approx(2 * M_PI / 20));
  CHECK(g.at(20, 0) == doctest::Approx(2 * M_PI / 20));
  auto loop = canonical_sweep({true});
  CHECK(loop.count == 100);
  CHECK(loop.data.back() == doctest::Approx(2 * M_PI * 99 / 100));
  auto line = canonical_sweep({false});
  CHECK(line.data.back() == doctest::Approx(2 * M_PI));  // end point included
  auto sheet = canonical_sweep({false, true});
  CHECK(sheet.count == 400);
  CHECK(sheet.at(399, 0) == doctest::Approx(2 * M_PI));
  CHECK(sheet.at(399, 1) == doctest::Approx(2 * M_PI * 19 / 20));
}

TEST_CASE("hand-written gradients of the loss and the neurons equal autograd's") {
  LatentConfig lat;
  lat.periodic = {true, true};
  lat.grid_points = 5;
  LossConfig loss;
  loss.tau = 0.3;
  loss.neighbor_size = 0.2;
  ContrastiveGridLoss reg(lat, loss);
  auto x = at::randn({25, 1, 6, 5}, at::kDouble).requires_grad_(true);
  auto auto_grad = torch::autograd::grad({reg(x)}, {x})[0];
  auto [value, hand] = reg.value_and_gradient(x.detach());
  CHECK(value == doctest::Approx(reg(x).item<double>()).epsilon(1e-12));
  CHECK(at::allclose(hand, auto_grad, 1e-10, 1e-12));

  NeuronConfig c;
  c.height = c.width = 12;
  c.n_theta = 9;
  auto img = at::randn({7, 1, 12, 12}, at::kFloat);
  auto w = at::randn({7}, at::kFloat);
  for (const char* type : {"gabor-simple", "gabor-complex", "gabor-orientation",
                           "gabor-phase-orientation", "gabor-polarity"}) {
    CAPTURE(type);
    c.type = type;
    auto neuron = make_torch_neuron(c);
    auto xi = img.clone().requires_grad_(true);
    auto expect = torch::autograd::grad({neuron->forward(xi)}, {xi}, {w})[0];
    auto got = neuron->input_gradient(img, w);
    CHECK(at::allclose(got, expect, 1e-4, 1e-5));
  }
}

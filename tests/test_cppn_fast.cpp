// The fused CPPN generator against the LibTorch-autograd reference: same images, same batch
// statistics, same gradients, on parameters that are not at their trivial initial values.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "core/method/cppn.h"
#include "core/method/trainer.h"
#include "core/run/config.h"
#include "core/support/thread_pool.h"

using namespace invex;

namespace {

struct Setup {
  CppnParameters params;
  std::vector<bool> periodic;
  at::Tensor latents;  // N×L encoded
  at::Tensor grad;     // N×C×H×W
  int height = 0, width = 0;
};

// Default-config parameters, then γ, β and biases moved off 1, 0, 0: with the initial values
// a wrong γ/β/bias path in the kernel would go unnoticed.
Setup make_setup(const std::vector<bool>& periodic, int n, int height, int width,
                 unsigned long long seed) {
  Setup s;
  s.periodic = periodic;
  s.height = height;
  s.width = width;
  CppnConfig cfg;
  s.params = init_cppn_parameters(cfg, periodic, seed);
  at::manual_seed(static_cast<uint64_t>(seed));
  {
    at::NoGradGuard no_grad;
    for (auto& g : s.params.gamma) g.add_(0.3 * at::randn(g.sizes()));
    for (auto& b : s.params.beta) b.add_(0.3 * at::randn(b.sizes()));
    for (auto& b : s.params.bias) b.add_(0.2 * at::randn(b.sizes()));
  }
  const at::Tensor z = at::rand({n, static_cast<int64_t>(periodic.size())}) * (2 * M_PI);
  s.latents = encode_latents(z, periodic, cfg.aux_dim_scale);
  s.grad = at::randn({n, 1, height, width});
  return s;
}

double max_abs(const at::Tensor& t) { return t.detach().abs().max().item<double>(); }

// max |a − b| as a fraction of `scale`.
double rel_diff(const at::Tensor& a, const at::Tensor& b, double scale) {
  REQUIRE(a.sizes() == b.sizes());
  return max_abs(a.detach().to(at::kDouble) - b.detach().to(at::kDouble)) / scale;
}

// Positions in CppnParameters::list() of the biases of BatchNorm layers: BatchNorm subtracts the
// batch mean, so their true gradient is exactly 0 and both implementations return rounding noise.
// Those are held to the scale of the same layer's weight gradient instead of their own.
bool is_normalised_bias(const CppnParameters& p, size_t index, size_t* weight_index) {
  size_t i = 0;
  for (size_t l = 0; l < p.weight.size(); ++l) {
    const size_t w = i;
    ++i;  // weight
    if (index == i) {
      *weight_index = w;
      return l < p.gamma.size();
    }
    ++i;  // bias
    if (l < p.gamma.size()) i += 2;
  }
  return false;
}

void check_against_reference(const Setup& s, CppnGenerator& fast, const std::string& what) {
  CAPTURE(what);
  auto ref = make_reference_generator(s.params, s.height, s.width);
  BatchStats ref_stats, fast_stats;
  const at::Tensor ref_img = ref->forward(s.latents, &ref_stats);
  const at::Tensor fast_img = fast.forward(s.latents, &fast_stats);
  CHECK(rel_diff(fast_img, ref_img, max_abs(ref_img)) <= 1e-4);

  REQUIRE(fast_stats.mean.size() == ref_stats.mean.size());
  REQUIRE(fast_stats.var.size() == ref_stats.var.size());
  for (size_t l = 0; l < ref_stats.mean.size(); ++l) {
    CAPTURE(l);
    CHECK(rel_diff(fast_stats.mean[l], ref_stats.mean[l], max_abs(ref_stats.mean[l])) <= 1e-4);
    CHECK(rel_diff(fast_stats.var[l], ref_stats.var[l], max_abs(ref_stats.var[l])) <= 1e-4);
  }

  const std::vector<at::Tensor> ref_grads = ref->backward(s.grad).list();
  const std::vector<at::Tensor> fast_grads = fast.backward(s.grad).list();
  REQUIRE(fast_grads.size() == ref_grads.size());
  for (size_t i = 0; i < ref_grads.size(); ++i) {
    CAPTURE(i);
    size_t w = 0;
    const double scale =
        is_normalised_bias(s.params, i, &w) ? max_abs(ref_grads[w]) : max_abs(ref_grads[i]);
    REQUIRE(scale > 0);
    CHECK(rel_diff(fast_grads[i], ref_grads[i], scale) <= 1e-4);
  }
}

bool identical(const at::Tensor& a, const at::Tensor& b) { return at::equal(a, b); }

}  // namespace

TEST_CASE("fast CPPN generator matches the autograd reference") {
  SUBCASE("1-D periodic latent, 10 images of 12x9") {
    const Setup s = make_setup({true}, 10, 12, 9, 7);
    auto fast = make_fast_generator(s.params, s.height, s.width);
    check_against_reference(s, *fast, "circle");
  }
  SUBCASE("2-D latent (one periodic, one not), 16 images of 7x7") {
    const Setup s = make_setup({true, false}, 16, 7, 7, 11);
    auto fast = make_fast_generator(s.params, s.height, s.width);
    check_against_reference(s, *fast, "cylinder");
  }
}

TEST_CASE("fast CPPN generator ignores hidden-layer biases, as BatchNorm does") {
  // BatchNorm subtracts the batch mean, so a hidden layer's bias has no effect and a true
  // gradient of 0. The fast generator returns that 0 (LibTorch returns rounding noise, which
  // Adam's normalisation turns into a drift) and leaves the biases out of its rows, so biases
  // that did drift (e.g. in a run trained with the reference) cost it no precision; the float
  // reference loses some (with biases of ~20 its gradients are off by ~1e-3), so the comparison
  // is with the reference at the undrifted biases.
  const Setup s = make_setup({true}, 10, 12, 9, 17);
  Setup drifted = s;
  drifted.params = s.params.clone();
  {
    at::NoGradGuard no_grad;
    for (size_t l = 0; l + 1 < drifted.params.bias.size(); ++l)
      drifted.params.bias[l].add_(20 * at::randn(drifted.params.bias[l].sizes()));
  }
  auto ref = make_reference_generator(s.params, s.height, s.width);
  auto fast = make_fast_generator(drifted.params, s.height, s.width);
  BatchStats ref_stats, fast_stats;
  const at::Tensor ref_img = ref->forward(s.latents, &ref_stats);
  const at::Tensor fast_img = fast->forward(s.latents, &fast_stats);
  CHECK(rel_diff(fast_img, ref_img, max_abs(ref_img)) <= 1e-4);
  for (size_t l = 0; l < ref_stats.var.size(); ++l) {
    CAPTURE(l);
    // The batch mean moves with the bias; the spread does not.
    const at::Tensor shift = drifted.params.bias[l] - s.params.bias[l];
    CHECK(rel_diff(fast_stats.mean[l] - shift, ref_stats.mean[l], max_abs(ref_stats.mean[l])) <=
          1e-4);
    CHECK(rel_diff(fast_stats.var[l], ref_stats.var[l], max_abs(ref_stats.var[l])) <= 1e-4);
  }
  const std::vector<at::Tensor> ref_grads = ref->backward(s.grad).list();
  const std::vector<at::Tensor> fast_grads = fast->backward(s.grad).list();
  REQUIRE(fast_grads.size() == ref_grads.size());
  for (size_t i = 0; i < ref_grads.size(); ++i) {
    CAPTURE(i);
    size_t w = 0;
    const bool normalised_bias = is_normalised_bias(s.params, i, &w);
    if (normalised_bias) CHECK(max_abs(fast_grads[i]) == 0.0);
    const double scale = normalised_bias ? max_abs(ref_grads[w]) : max_abs(ref_grads[i]);
    CHECK(rel_diff(fast_grads[i], ref_grads[i], scale) <= 1e-4);
  }
}

TEST_CASE("fast CPPN generator gives the same numbers on one thread and on two") {
  // 40 images of 30×30: 36 000 rows, split into several chunks whose sums are combined. The
  // chunks depend on the rows only, so one and two threads must agree exactly. The gradients
  // are not compared with the reference here: with this many rows some pre-activation is likely
  // to lie within float rounding of LeakyReLU's kink, where two float implementations may take
  // different sides and legitimately differ in one row's gradient. The images, continuous in
  // every pre-activation, are.
  const int threads = invex::compute_threads();
  const Setup s = make_setup({true, true}, 40, 30, 30, 3);
  auto ref = make_reference_generator(s.params, s.height, s.width);
  const at::Tensor ref_img = ref->forward(s.latents);

  invex::set_compute_threads(1);
  auto one = make_fast_generator(s.params, s.height, s.width);
  BatchStats st1;
  const at::Tensor img1 = one->forward(s.latents, &st1);
  const std::vector<at::Tensor> g1 = one->backward(s.grad).list();

  invex::set_compute_threads(2);
  auto two = make_fast_generator(s.params, s.height, s.width);
  BatchStats st2;
  const at::Tensor img2 = two->forward(s.latents, &st2);
  const std::vector<at::Tensor> g2 = two->backward(s.grad).list();
  invex::set_compute_threads(threads);

  CHECK(rel_diff(img1, ref_img, max_abs(ref_img)) <= 1e-4);
  CHECK(identical(img2, img1));
  for (size_t l = 0; l < st1.mean.size(); ++l) {
    CHECK(identical(st2.mean[l], st1.mean[l]));
    CHECK(identical(st2.var[l], st1.var[l]));
  }
  REQUIRE(g1.size() == g2.size());
  for (size_t i = 0; i < g1.size(); ++i) CHECK(identical(g2[i], g1[i]));
}

TEST_CASE("every instruction-set variant of the fast CPPN generator matches the reference") {
  // The variant is chosen when a generator is made, from the CPU; INVEX_FAST_CPPN_ISA asks for
  // a narrower one (sse2, avx2; ignored where the CPU lacks it), so the fallbacks that other
  // machines run are tested here too.
  const char* before = std::getenv("INVEX_FAST_CPPN_ISA");
  const std::string saved = before ? before : "";
  const Setup s = make_setup({true, false}, 16, 7, 7, 13);
  // What each request must give on this CPU, found independently of the library.
  __builtin_cpu_init();
  const bool v4 = __builtin_cpu_supports("x86-64-v4"), v3 = __builtin_cpu_supports("x86-64-v3");
  const std::map<std::string, std::string> expected = {{"sse2", "sse2"},
                                                       {"avx2", v3 ? "avx2" : "sse2"},
                                                       {"native", v4   ? "avx512"
                                                                  : v3 ? "avx2"
                                                                       : "sse2"}};
  for (const auto& [isa, kernels] : expected) {
    setenv("INVEX_FAST_CPPN_ISA", isa.c_str(), 1);
    CHECK(std::string(fast_cppn_instruction_set()) == kernels);
    auto fast = make_fast_generator(s.params, s.height, s.width);
    check_against_reference(s, *fast, isa.c_str());
  }
  if (before)
    setenv("INVEX_FAST_CPPN_ISA", saved.c_str(), 1);
  else
    unsetenv("INVEX_FAST_CPPN_ISA");
}

TEST_CASE("fast CPPN generator reuses its workspace across calls and batch sizes") {
  const Setup s = make_setup({true}, 10, 12, 9, 5);
  auto fast = make_fast_generator(s.params, s.height, s.width);

  BatchStats st1, st2;
  const at::Tensor img1 = fast->forward(s.latents, &st1);
  const std::vector<at::Tensor> g1 = fast->backward(s.grad).list();
  const at::Tensor img2 = fast->forward(s.latents, &st2);
  const std::vector<at::Tensor> g2 = fast->backward(s.grad).list();
  CHECK(identical(img1, img2));
  for (size_t l = 0; l < st1.mean.size(); ++l) {
    CHECK(identical(st1.mean[l], st2.mean[l]));
    CHECK(identical(st1.var[l], st2.var[l]));
  }
  REQUIRE(g1.size() == g2.size());
  for (size_t i = 0; i < g1.size(); ++i) CHECK(identical(g1[i], g2[i]));

  // A larger and then a smaller batch through the same generator.
  for (int n : {23, 4}) {
    Setup other = s;
    at::manual_seed(static_cast<uint64_t>(n));
    other.latents = encode_latents(at::rand({n, 1}) * (2 * M_PI), s.periodic, 1.0);
    other.grad = at::randn({n, 1, s.height, s.width});
    check_against_reference(other, *fast, "batch of " + std::to_string(n));
  }
  // Back to the first batch: the same numbers as the first call.
  const at::Tensor img3 = fast->forward(s.latents);
  const std::vector<at::Tensor> g3 = fast->backward(s.grad).list();
  CHECK(identical(img1, img3));
  for (size_t i = 0; i < g1.size(); ++i) CHECK(identical(g1[i], g3[i]));
}

TEST_CASE("fast CPPN generator reads parameters updated in place by the optimiser") {
  Setup s = make_setup({true}, 10, 12, 9, 9);
  auto fast = make_fast_generator(s.params, s.height, s.width);
  const at::Tensor before = fast->forward(s.latents);
  fast->backward(s.grad);
  {
    at::NoGradGuard no_grad;
    for (auto& t : s.params.list()) t.add_(0.05 * at::randn(t.sizes()));
  }
  const at::Tensor after = fast->forward(s.latents);
  fast->backward(s.grad);
  CHECK_FALSE(identical(before, after));
  check_against_reference(s, *fast, "after an in-place update");
}

// Median wall time of one forward + backward, in milliseconds.
double bench_generator_ms(CppnGenerator& gen, const at::Tensor& latents, const at::Tensor& grad,
                          int reps) {
  for (int i = 0; i < 2; ++i) {  // first calls size the workspace and warm caches
    gen.forward(latents);
    gen.backward(grad);
  }
  std::vector<double> ms;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    gen.forward(latents);
    gen.backward(grad);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

// Timing, not a check: run with `invex_tests --no-skip -tc="*timing*"`.
TEST_CASE("fast CPPN generator timing (reference vs fast, 2 threads)" * doctest::skip()) {
  const int threads = invex::compute_threads();
  invex::set_compute_threads(2);
  struct Case {
    std::vector<bool> periodic;
    int n, reps_ref, reps_fast;
  };
  for (const Case& c : {Case{{true}, 100, 7, 41}, Case{{true, true}, 400, 3, 21}}) {
    const Setup s = make_setup(c.periodic, c.n, 30, 30, 1);
    auto ref = make_reference_generator(s.params, 30, 30);
    auto fast = make_fast_generator(s.params, 30, 30);
    const double t_ref = bench_generator_ms(*ref, s.latents, s.grad, c.reps_ref);
    const double t_fast = bench_generator_ms(*fast, s.latents, s.grad, c.reps_fast);
    std::printf("CPPN forward+backward, N=%d at 30x30, L=%d: reference %.1f ms, fast %.2f ms\n",
                c.n, static_cast<int>(s.latents.size(1)), t_ref, t_fast);
  }
  invex::set_compute_threads(threads);
}

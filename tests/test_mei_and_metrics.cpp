// The MEI cache (in memory and on disk, never the user's own cache during tests) and the
// orientation and polarity metrics on images whose answer is known by construction, and the
// expected outcome of a polarity loop on such images.
#include <ATen/ATen.h>
#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/io/atomic_file.h"
#include "core/io/mei_cache.h"
#include "core/method/expectation.h"
#include "core/method/mei.h"
#include "core/method/metrics.h"
#include "core/neurons/gabor.h"
#include "core/neurons/torch_neuron.h"
#include "tests/image_stacks.h"
#include "tests/test_support.h"

using namespace invex;
using invex::testing::CacheDirForTest;
using invex::testing::stack_of;
using invex::testing::TempDir;

namespace {

RunConfig quick_mei(int steps) {
  RunConfig c = load_preset("circle/complex");
  c.mei.steps = steps;  // a key of its own, so the process's memory cache has not seen it
  return c;
}

}  // namespace

TEST_CASE("the MEI cache computes once, writes its file in the cache directory, and reuses it") {
  CacheDirForTest cache;
  const RunConfig c = quick_mei(61);
  const double computed = compute_mei(c.neuron, c.image, c.mei).activation;
  CHECK(mei_activation_for(c) == computed);
  const std::string file = cache.dir / "mei.json";
  REQUIRE(std::filesystem::exists(file));
  const auto j = nlohmann::json::parse(read_file(file));
  REQUIRE(j.size() == 1);
  CHECK(j.begin()->get<double>() == computed);
  // A value on disk is taken as it is: change it behind the cache's back (new key: new steps).
  const RunConfig other = quick_mei(62);
  const double first = mei_activation_for(other);
  auto k = nlohmann::json::parse(read_file(file));
  REQUIRE(k.size() == 2);
  for (auto it = k.begin(); it != k.end(); ++it)
    if (it->get<double>() == first) *it = 99.0;
  write_file_atomic(file, k.dump());
  CHECK(mei_activation_for(other) == first);  // the memory cache answers first
  // An explicit activation never reads or writes the cache.
  RunConfig given = quick_mei(63);
  given.mei.activation = 7.5;
  CHECK(mei_activation_for(given) == 7.5);
  CHECK(nlohmann::json::parse(read_file(file)).size() == 2);
}

TEST_CASE("an MEI of several starts is the best of the single starts it is made of") {
  // The orientation-invariant cell has a maximum at each of its 180 filters, and the pixel grid
  // makes them differ slightly, so ascents from different noise end at different values.
  RunConfig c = load_preset("circle/orientation");
  c.mei.steps = 80;
  std::vector<double> single;
  for (unsigned long long seed = 3; seed < 7; ++seed)
    single.push_back(compute_mei(c.neuron, c.image, c.mei, seed).activation);
  CHECK(*std::min_element(single.begin(), single.end()) <
        *std::max_element(single.begin(), single.end()));
  c.mei.starts = 4;
  std::vector<int> steps_seen;
  const MeiResult best = compute_mei(c.neuron, c.image, c.mei, 3, [&](int step, int steps, double) {
    CHECK(steps == 4 * 80);
    steps_seen.push_back(step);
  });
  CHECK(best.activation == *std::max_element(single.begin(), single.end()));
  // The image returned is the one that scored it.
  auto image =
      at::from_blob(const_cast<float*>(best.image.data.data()), {1, 1, 30, 30}, at::kFloat);
  CHECK(make_torch_neuron(c.neuron)->forward(image).item<double>() ==
        doctest::Approx(best.activation).epsilon(1e-6));
  REQUIRE(steps_seen.size() == 4 * 80);
  for (size_t i = 0; i < steps_seen.size(); ++i) CHECK(steps_seen[i] == static_cast<int>(i) + 1);
}

TEST_CASE("a damaged MEI cache file is replaced, not trusted") {
  CacheDirForTest cache;
  const std::string file = cache.dir / "mei.json";
  write_file_atomic(file, "{ this is not json");
  const RunConfig c = quick_mei(64);
  const double value = mei_activation_for(c);
  CHECK(value == compute_mei(c.neuron, c.image, c.mei).activation);
  const auto j = nlohmann::json::parse(read_file(file));
  CHECK(j.size() == 1);
}

TEST_CASE("orientation metric: images of known orientation read back, winding and coverage") {
  NeuronConfig n = load_preset("circle/orientation").neuron;
  // Each image is the neuron's own filter at θ_k, so the best-matching orientation is θ_k.
  const auto thetas = theta_list(n);
  std::vector<at::Tensor> images;
  std::vector<float> act;
  for (size_t k = 0; k < thetas.size(); k += 3) {  // 6° apart: every 10° bin is hit
    images.push_back(gabor_filter(n, thetas[k], n.phase));
    act.push_back(1.0f);
  }
  const InvarianceReport r = invariance_report(n, stack_of(images), act, {true});
  REQUIRE(r.variables.size() == 1);
  CHECK(r.variables[0].name == "orientation");
  for (size_t i = 0; i < images.size(); ++i) {
    CAPTURE(i);
    const double want = std::remainder(thetas[i * 3], 2 * M_PI);
    CHECK(std::abs(std::remainder(r.variables[0].values[i] - want, 2 * M_PI)) < 1e-6);
  }
  REQUIRE(r.variables[0].loop_winding);
  CHECK(*r.variables[0].loop_winding == doctest::Approx(1));
  CHECK(r.variables[0].coverage == doctest::Approx(1));
  CHECK_FALSE(r.has_polarity);
}

TEST_CASE("polarity metric counts each polarity and reports when both appear") {
  NeuronConfig n = load_preset("circle/polarity").neuron;
  const at::Tensor g = gabor_filter(n, n.theta, n.phase);
  std::vector<at::Tensor> images = {g, -g, g * 0.5, -g * 2, g};
  const InvarianceReport r =
      invariance_report(n, stack_of(images), std::vector<float>(5, 0.9f), {true});
  CHECK(r.has_polarity);
  CHECK(r.positive_polarity == 3);
  CHECK(r.negative_polarity == 2);
  CHECK(r.both_polarities);
  CHECK(r.variables.empty());
  const InvarianceReport one =
      invariance_report(n, stack_of({g, g * 0.3}), std::vector<float>(2, 1.0f), {true});
  CHECK(one.positive_polarity == 2);
  CHECK(one.negative_polarity == 0);
  CHECK_FALSE(one.both_polarities);
}

namespace {

// A polarity loop of 100 images x_k = ±(a_k g + sqrt(1 − a_k²) h), with g the cell's unit
// filter and h a unit image orthogonal to it, so ⟨x_k, g⟩ = ±a_k, the normalised activation.
// The sign is + on the first `positive` points and − on the rest, so it changes between
// positive − 1 and positive and between 99 and 0; `dip[d − 1]` is a_k at the points d from a
// change (a_k = 1 beyond the dip).
struct PolarityLoop {
  ImageStack images;
  std::vector<float> activations;
};

PolarityLoop polarity_loop(const NeuronConfig& n, const std::vector<float>& dip,
                           int positive = 50) {
  const at::Tensor g0 = gabor_filter(n, n.theta, n.phase);
  const at::Tensor g = g0 / g0.norm();
  at::Tensor h = gabor_filter(n, n.theta, n.phase + M_PI / 2);
  h = h - (h * g).sum() * g;
  h = h / h.norm();
  PolarityLoop loop;
  std::vector<at::Tensor> images;
  const int k = 100;
  for (int i = 0; i < k; ++i) {
    const int distance =
        i < positive ? std::min(i + 1, positive - i) : std::min(i - positive + 1, k - i);
    const double a = distance <= static_cast<int>(dip.size()) ? dip[distance - 1] : 1.0;
    const double sign = i < positive ? 1 : -1;
    images.push_back(sign * (a * g + std::sqrt(1 - a * a) * h));
    loop.activations.push_back(static_cast<float>(a));
  }
  loop.images = stack_of(images);
  return loop;
}

}  // namespace

TEST_CASE("polarity metric on a loop: its sign changes and the activation on the arcs between") {
  const RunConfig c = load_preset("circle/polarity");
  // Two sharp flips: only the two points either side of each change are dim.
  const PolarityLoop sharp = polarity_loop(c.neuron, {0.2f});
  const InvarianceReport r =
      invariance_report(c.neuron, sharp.images, sharp.activations, c.latent.periodic);
  CHECK(r.positive_polarity == 50);
  CHECK(r.negative_polarity == 50);
  REQUIRE(r.polarity_sign_changes);
  CHECK(*r.polarity_sign_changes == 2);
  // Margin 0 is the whole loop; from margin 1 on, the dim points are left out.
  REQUIRE(r.arc_min_activation.size() == static_cast<size_t>(kMaxArcMargin) + 1);
  CHECK(r.arc_min_activation[0] == doctest::Approx(0.2));
  CHECK(r.arc_min_activation[1] == doctest::Approx(1.0));
  CHECK(r.min_activation == doctest::Approx(0.2));
  CHECK(r.mean_activation == doctest::Approx(0.968));  // 4 points at 0.2, 96 at 1
  const auto j = nlohmann::json::parse(report_to_json(r));
  CHECK(j["polarity"]["sign_changes"] == 2);
  CHECK(j["polarity"]["arc_min_activation"].size() == 11);

  // A slow, wide dip: 1 − 0.15 d short of 1 at the points d ≤ 6 from each change.
  const PolarityLoop slow = polarity_loop(c.neuron, {0.1f, 0.25f, 0.4f, 0.55f, 0.7f, 0.85f});
  const InvarianceReport wide =
      invariance_report(c.neuron, slow.images, slow.activations, c.latent.periodic);
  CHECK(*wide.polarity_sign_changes == 2);
  CHECK(wide.arc_min_activation[2] == doctest::Approx(0.4));
  CHECK(wide.arc_min_activation[6] == doctest::Approx(1.0));

  // One polarity only: no sign change, so the arcs are the whole loop.
  const PolarityLoop one = polarity_loop(c.neuron, {}, 100);
  const InvarianceReport same =
      invariance_report(c.neuron, one.images, one.activations, c.latent.periodic);
  CHECK(*same.polarity_sign_changes == 0);
  CHECK_FALSE(same.both_polarities);
  CHECK(same.arc_min_activation[kMaxArcMargin] == doctest::Approx(1.0));

  // Not a loop: the line from the last point back to the first is no change.
  const InvarianceReport line =
      invariance_report(c.neuron, sharp.images, sharp.activations, {false});
  CHECK(*line.polarity_sign_changes == 1);
  CHECK(line.arc_min_activation[1] == doctest::Approx(0.2));  // point 0 and 99 are ends now
  // A 2-D sweep has no loop to count along.
  const InvarianceReport other =
      invariance_report(c.neuron, sharp.images, sharp.activations, {true, true});
  CHECK_FALSE(other.polarity_sign_changes);
  CHECK(nlohmann::json::parse(report_to_json(other))["polarity"]["arc_min_activation"].is_null());
}

TEST_CASE("expected outcome of a polarity loop: two high arcs joined by sharp flips") {
  const RunConfig c = load_preset("circle/polarity");
  const Expectation& e = c.expect;
  auto check = [&](const PolarityLoop& loop) {
    return check_expectation(
        e, invariance_report(c.neuron, loop.images, loop.activations, c.latent.periodic),
        c.latent.periodic);
  };
  const ExpectationResult sharp = check(polarity_loop(c.neuron, {0.2f, 0.6f}));
  CHECK(sharp.pass());
  CHECK(sharp.failures().empty());
  // The loop's minimum (0.2, at a flip) is what a plain minimum would have judged it on.
  Expectation plain = e;
  plain.max_sign_changes = 0;
  CHECK(check_expectation(
            plain,
            invariance_report(c.neuron, polarity_loop(c.neuron, {0.2f}).images,
                              polarity_loop(c.neuron, {0.2f}).activations, c.latent.periodic),
            c.latent.periodic)
            .failures() == "min activation >= 0.90 (0.200)");

  const ExpectationResult slow =
      check(polarity_loop(c.neuron, {0.1f, 0.25f, 0.4f, 0.55f, 0.7f, 0.85f}));
  CHECK_FALSE(slow.pass());
  CHECK(slow.failures() ==
        "mean activation >= 0.95 (0.874); "
        "min activation >= 0.90 more than 2 sweep points from a sign change (0.400)");

  const ExpectationResult one = check(polarity_loop(c.neuron, {}, 100));
  CHECK_FALSE(one.pass());
  CHECK(one.failures() == "both polarities appear (100 positive, 0 negative)");

  // Four flips: the polarity changes back and forth (two short negative runs inside the
  // positive half as well).
  PolarityLoop flicker = polarity_loop(c.neuron, {});
  for (int i : {20, 21}) {
    float* x = flicker.images.image(i);
    for (size_t p = 0; p < flicker.images.image_size(); ++p) x[p] = -x[p];
  }
  const ExpectationResult four = check(flicker);
  CHECK_FALSE(four.pass());
  CHECK(four.failures() == "<x, g> changes sign at most 2 times along the sweep (4 sign changes)");
}

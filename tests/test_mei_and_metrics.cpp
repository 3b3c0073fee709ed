// The MEI cache (in memory and on disk, never the user's own cache during tests) and the
// orientation and polarity metrics on images whose answer is known by construction.
#include <ATen/ATen.h>
#include <doctest/doctest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/io/atomic_file.h"
#include "core/io/mei_cache.h"
#include "core/method/mei.h"
#include "core/method/metrics.h"
#include "core/neurons/gabor.h"
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

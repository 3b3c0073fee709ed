// The Neuron panel's preview worker without a window: the receptive field and MEI of a
// TorchScript linear filter against the filter's formula, a newer wish replacing an MEI in
// progress, a module that cannot load, the recordings of a macaque models folder, and the image
// settings a new neuron type brings.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "app/gui/app_state.h"
#include "app/gui/neuron_preview.h"
#include "tests/test_support.h"
#include "tests/torchscript/test_models.h"

namespace invex::gui {
namespace {

using testing::kTestModelSide;
using testing::test_filter_weight;
const int S = kTestModelSide;

RunConfig linear_filter_run() {
  RunConfig c;
  c.neuron.type = "torchscript";
  c.neuron.file = std::string(INVEX_TEST_TORCHSCRIPT_DIR) + "/linear_filter.pt";
  c.neuron.input_shape = {1, S, S};
  c.image.height = c.image.width = S;
  c.mei.steps = 300;
  return c;
}

void wait_until_idle(const NeuronPreview& p) {
  for (int i = 0; i < 6000 && p.busy(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE_FALSE(p.busy());
}

TEST_CASE("the preview of a linear filter: |w| as its receptive field, its MEI by formula") {
  NeuronPreview preview;
  preview.want(linear_filter_run());
  wait_until_idle(preview);
  NeuronPreview::Result r;
  REQUIRE(preview.take(r));
  CHECK(r.error.empty());
  REQUIRE(r.receptive_field.count == 1);
  REQUIRE(r.receptive_field.height == S);
  // A linear cell's gradient is its filter wherever it is taken.
  for (int i : {0, 5, 11})
    for (int j : {1, 6, 10})
      CHECK(r.receptive_field.data[i * S + j] ==
            doctest::Approx(std::abs(test_filter_weight(0, i, j))).epsilon(1e-5));
  // Zero mean and Σx² = s²(N − 1) under fix-mean-std: the best ⟨x, w⟩ is s·√(N−1)·‖w − w̄‖.
  double mean = 0, sq = 0;
  for (int i = 0; i < S * S; ++i) mean += test_filter_weight(0, i / S, i % S) / (S * S);
  for (int i = 0; i < S * S; ++i) sq += std::pow(test_filter_weight(0, i / S, i % S) - mean, 2);
  CHECK(r.mei_activation ==
        doctest::Approx(0.2 * std::sqrt(S * S - 1.0) * std::sqrt(sq)).epsilon(1e-3));
  REQUIRE(r.mei.count == 1);
  CHECK(r.mei_step == r.mei_steps);
  // Asking again for the same settings starts nothing.
  preview.want(linear_filter_run());
  CHECK_FALSE(preview.busy());
}

TEST_CASE("the preview follows the newest wish, and says why a module cannot load") {
  NeuronPreview preview;
  RunConfig slow = linear_filter_run();
  slow.mei.steps = 100000;  // would take minutes: it must be abandoned, not finished
  preview.want(slow);
  RunConfig missing = linear_filter_run();
  missing.neuron.file = "/nonexistent/cell.pt";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  preview.want(missing);
  wait_until_idle(preview);
  NeuronPreview::Result r;
  REQUIRE(preview.take(r));
  CHECK(r.error ==
        "/nonexistent/cell.pt: no such file (neuron.file: a module saved by "
        "torch.jit.save)");
  CHECK(r.mei.count == 0);
  CHECK(r.receptive_field.count == 0);
}

TEST_CASE("the preview lists a macaque models folder's recordings with their neuron counts") {
  NeuronPreview preview;
  preview.want_models("/nonexistent/models");
  wait_until_idle(preview);
  NeuronPreview::Folder f;
  REQUIRE(preview.take(f));
  CHECK(f.directory == "/nonexistent/models");
  CHECK(f.neurons.empty());
  CHECK(f.error.find("/nonexistent/models") == 0);
  if (!testing::have_macaque_data()) return;
  preview.want_models(testing::kMacaqueModelDir);
  wait_until_idle(preview);
  REQUIRE(preview.take(f));
  CHECK(f.error.empty());
  CHECK(f.neurons.size() >= 2);
  CHECK(f.neurons.count("3639406161189") == 1);
  CHECK(f.neurons["3639406161189"] > 11);
}

TEST_CASE("picking a neuron type brings the image settings it needs") {
  AppState s;
  s.models_dir = "/models";
  switch_neuron_type(s, "macaque-ensemble");
  CHECK(s.cfg.neuron.models == "/models");
  CHECK(s.cfg.image.height == kMacaqueImageSize);
  CHECK(s.cfg.image.width == kMacaqueImageSize);
  CHECK(s.cfg.image.transform.type == "standardize-clip");
  CHECK(s.cfg.image.transform.mean == doctest::Approx(0.2022));
  s.cfg.neuron.data_key = "3639406161189";  // the picker takes it from the folder
  CHECK_NOTHROW(validate(s.cfg, "GUI"));

  switch_neuron_type(s, "torchscript");
  CHECK(s.cfg.neuron.input_shape == std::vector<int>{1, 93, 93});
  s.cfg.neuron.file = "cell.pt";
  CHECK_NOTHROW(validate(s.cfg, "GUI"));

  switch_neuron_type(s, "gabor-complex");
  CHECK(s.cfg.image.height == 30);
  CHECK(s.cfg.image.transform.type == "fix-mean-std");
  CHECK_NOTHROW(validate(s.cfg, "GUI"));
}

}  // namespace
}  // namespace invex::gui

// The torchscript neuron on the modules of tests/torchscript/test_models.h: responses and input
// gradients against sums computed by hand from the filter formulas, output paths, constant
// arguments, the checks at load time and the config fields.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/io/mei_cache.h"
#include "core/method/mei.h"
#include "core/neurons/torch_neuron.h"
#include "core/run/config.h"
#include "core/support/thread_pool.h"
#include "tests/test_support.h"
#include "tests/torchscript/test_models.h"

namespace invex {
namespace {

using testing::kTestModelSide;
using testing::test_filter_weight;
const int S = kTestModelSide;
const std::string kModels = INVEX_TEST_TORCHSCRIPT_DIR;

NeuronConfig script_neuron(const std::string& name, std::vector<int> output = {},
                           std::vector<ScriptArgument> args = {}) {
  NeuronConfig n;
  n.type = "torchscript";
  n.file = kModels + "/" + name + ".pt";
  n.input_shape = {1, S, S};
  n.output = std::move(output);
  n.args = std::move(args);
  return n;
}

ScriptArgument string_arg(const std::string& s) {
  ScriptArgument a;
  a.text = s;
  return a;
}
ScriptArgument number_arg(double v) {
  ScriptArgument a;
  a.kind = ScriptArgument::Kind::Number;
  a.number = v;
  return a;
}

// Three images with different, irregular pixels.
at::Tensor known_images() {
  auto x = at::empty({3, 1, S, S});
  auto a = x.accessor<float, 4>();
  for (int n = 0; n < 3; ++n)
    for (int i = 0; i < S; ++i)
      for (int j = 0; j < S; ++j)
        a[n][0][i][j] = static_cast<float>(std::cos(0.7 * i - 1.3 * j + n));
  return x;
}

// Σ_ij x[n,0,i,j]·w_k[i,j] in double precision.
double dot_by_hand(const at::Tensor& x, int n, int k) {
  auto a = x.accessor<float, 4>();
  double sum = 0;
  for (int i = 0; i < S; ++i)
    for (int j = 0; j < S; ++j) sum += a[n][0][i][j] * test_filter_weight(k, i, j);
  return sum;
}

// The largest ⟨x, w0⟩ over images of zero mean and Σ x² = s²(N − 1), what fix-mean-std (mean 0,
// std s) makes of any image: s·√(N − 1)·‖w0 − mean(w0)‖, reached at x ∝ w0 − mean(w0).
double best_linear_response(double s) {
  double mean = 0, sq = 0;
  for (int i = 0; i < S; ++i)
    for (int j = 0; j < S; ++j) mean += test_filter_weight(0, i, j) / (S * S);
  for (int i = 0; i < S; ++i)
    for (int j = 0; j < S; ++j) sq += std::pow(test_filter_weight(0, i, j) - mean, 2);
  return s * std::sqrt(S * S - 1.0) * std::sqrt(sq);
}

std::string load_error(const NeuronConfig& n) {
  try {
    make_torch_neuron(n);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST_CASE("a TorchScript linear filter: the response is the dot product, the gradient the filter") {
  auto neuron = make_torch_neuron(script_neuron("linear_filter"));
  CHECK(neuron->channels == 1);
  CHECK(neuron->height == S);
  CHECK(neuron->width == S);
  const auto x = known_images();
  const auto r = neuron->forward(x);
  REQUIRE(r.sizes() == at::IntArrayRef{3});
  for (int n = 0; n < 3; ++n)
    CHECK(r[n].item<double>() == doctest::Approx(dot_by_hand(x, n, 0)).epsilon(1e-5));

  // d(Σ w_n r_n)/dx_n = w_n · filter, with the responses from the same call.
  const auto weights = at::tensor({2.0f, -1.0f, 0.5f});
  at::Tensor responses;
  const auto grad = neuron->forward_and_input_gradient(x, weights, &responses);
  CHECK(at::allclose(responses, r));
  REQUIRE(grad.sizes() == x.sizes());
  auto g = grad.accessor<float, 4>();
  double worst = 0;
  for (int n = 0; n < 3; ++n)
    for (int i = 0; i < S; ++i)
      for (int j = 0; j < S; ++j)
        worst = std::max(worst, std::abs(g[n][0][i][j] -
                                         weights[n].item<double>() * test_filter_weight(0, i, j)));
  CHECK(worst < 1e-6);

  // What the GUI shows as the receptive field: the gradient at a mean-grey image.
  const auto rf = neuron->filters();
  REQUIRE(rf.sizes() == at::IntArrayRef{1, S, S});
  CHECK(rf[0][3][7].item<double>() == doctest::Approx(test_filter_weight(0, 3, 7)));

  // The default autograd path through forward() agrees.
  auto xg = x.clone().requires_grad_(true);
  CHECK(at::allclose(neuron->input_gradient(x, weights), grad));
  CHECK(neuron->forward(xg).requires_grad());
}

TEST_CASE("a TorchScript neuron's results do not depend on the compute threads") {
  auto neuron = make_torch_neuron(script_neuron("linear_filter"));
  const auto x = at::randn({37, 1, S, S});
  const auto w = at::randn({37});
  set_compute_threads(1);
  at::Tensor r1, r2;
  const auto g1 = neuron->forward_and_input_gradient(x, w, &r1);
  set_compute_threads(2);
  const auto g2 = neuron->forward_and_input_gradient(x, w, &r2);
  CHECK(at::allclose(r1, r2));
  CHECK(at::equal(g1, g2));
  CHECK(at::allclose(neuron->forward(x), r1));
  set_compute_threads(0);
}

TEST_CASE(
    "TorchScript neuron.output follows tuple elements, list elements and columns, and args "
    "reach forward()") {
  const auto x = known_images();
  const std::vector<ScriptArgument> args = {string_arg("V1"), number_arg(2.5)};
  // ("features", [x flattened], responses N×3): column 1 of element 2.
  auto column = make_torch_neuron(script_neuron("three_filters", {2, 1}, args));
  const auto r = column->forward(x);
  for (int n = 0; n < 3; ++n)
    CHECK(r[n].item<double>() == doctest::Approx(2.5 * dot_by_hand(x, n, 1)).epsilon(1e-5));
  const auto g = column->input_gradient(x, at::ones({3}));
  CHECK(g[1][0][4][9].item<double>() == doctest::Approx(2.5 * test_filter_weight(1, 4, 9)));

  // Element 0 of the list at element 1, column 17: pixel (1, 5) of each image.
  auto pixel = make_torch_neuron(script_neuron("three_filters", {1, 0, 17}, args));
  CHECK(at::allclose(pixel->forward(x), x.select(2, 1).select(2, 5).squeeze(1)));
}

TEST_CASE("a TorchScript module that cannot be a neuron is one line naming the file") {
  const std::string dir = kModels + "/";
  const std::vector<ScriptArgument> args = {string_arg("V1"), number_arg(1)};
  CHECK(load_error(script_neuron("missing")) ==
        dir + "missing.pt: no such file (neuron.file: a module saved by torch.jit.save)");

  testing::TempDir tmp;
  std::ofstream(tmp / "notes.pt") << "not a module";
  NeuronConfig text = script_neuron("linear_filter");
  text.file = tmp / "notes.pt";
  CHECK(load_error(text).rfind(text.file + ": not a TorchScript module saved by torch.jit.save (",
                               0) == 0);

  CHECK(load_error(script_neuron("wrong_size")) ==
        dir + "wrong_size.pt: forward() failed on [2, 1, 12, 12] images: " +
            "RuntimeError: shape '[-1, 100]' is invalid for input of size 288");
  CHECK(load_error(script_neuron("three_filters", {2, 0}, {string_arg("V2"), number_arg(1)})) ==
        dir + "three_filters.pt: forward() failed on [2, 1, 12, 12] images and neuron.args: " +
            "RuntimeError: AssertionError: unknown data key V2");
  CHECK(load_error(script_neuron("three_filters", {2, 0})) ==
        dir + "three_filters.pt: forward() failed on [2, 1, 12, 12] images: forward() is missing " +
            "value for argument 'key'. Declaration: forward(__torch__.invex_test.three_filters " +
            "self, Tensor x, str key, float gain) -> ((str, Tensor[], Tensor))");

  CHECK(load_error(script_neuron("wrong_shape")) ==
        dir + "wrong_shape.pt: neuron.output []: expected one floating-point number per image " +
            "(shape [2] or [2, 1] for 2 images), got a tensor of shape [2, 3]; pick one column " +
            "with neuron.output");
  CHECK(load_error(script_neuron("wrong_shape", {3})) ==
        dir + "wrong_shape.pt: neuron.output [3]: index 3 at [] is out of range (a tensor of " +
            "shape [2, 3])");
  CHECK(load_error(script_neuron("three_filters", {5}, args)) ==
        dir + "three_filters.pt: neuron.output [5]: index 5 at [] is out of range (a tuple of 3)");
  CHECK(load_error(script_neuron("three_filters", {0, 1}, args)) ==
        dir +
            "three_filters.pt: neuron.output [0, 1]: index 1 at [0] cannot be applied: expected " +
            "a tuple, a list or a tensor with columns (a String)");
  CHECK(load_error(script_neuron("three_filters", {2, 1, 0}, args)) ==
        dir + "three_filters.pt: neuron.output [2, 1, 0]: index 0 at [2, 1] cannot be applied: " +
            "expected a tuple, a list or a tensor with columns (a tensor of shape [2])");
  CHECK(load_error(script_neuron("constant")) ==
        dir + "constant.pt: neuron.output [] does not depend on the images (no gradient " +
            "reaches them), so no image can be optimised for it");
}

TEST_CASE("the MEI of a TorchScript linear filter is the filter at the allowed contrast") {
  ImageConfig image;
  image.height = image.width = S;
  MeiConfig mei;
  mei.steps = 300;
  const MeiResult r = compute_mei(script_neuron("linear_filter"), image, mei);
  const double s = image.transform.std, best = best_linear_response(s);
  CHECK(r.activation <= best * (1 + 1e-5));
  CHECK(r.activation == doctest::Approx(best).epsilon(1e-3));
  // The image returned is that optimum, best·(w − w̄)/‖w − w̄‖², with ‖w − w̄‖ = best/(s·√(N − 1)).
  double mean = 0;
  for (int i = 0; i < S; ++i)
    for (int j = 0; j < S; ++j) mean += test_filter_weight(0, i, j) / (S * S);
  const double norm = best / (s * std::sqrt(S * S - 1.0));
  CHECK(r.image.data[5 * S + 7] ==
        doctest::Approx(best / (norm * norm) * (test_filter_weight(0, 5, 7) - mean)).epsilon(2e-2));
}

TEST_CASE("a TorchScript module saved again under the same name gets its own MEI") {
  testing::TempDir tmp;
  namespace fs = std::filesystem;
  RunConfig cfg;
  cfg.neuron = script_neuron("linear_filter");
  cfg.neuron.file = tmp / "cell.pt";
  cfg.image.height = cfg.image.width = S;
  cfg.mei.steps = 50;
  fs::copy_file(kModels + "/linear_filter.pt", cfg.neuron.file);
  const double once = mei_activation_for(cfg);
  fs::copy_file(kModels + "/linear_filter_x2.pt", cfg.neuron.file,
                fs::copy_options::overwrite_existing);
  CHECK(mei_activation_for(cfg) == doctest::Approx(2 * once).epsilon(1e-4));
}

TEST_CASE("an MEI activation found elsewhere is what a run of the same neuron then takes") {
  testing::CacheDirForTest cache;
  RunConfig cfg;
  cfg.neuron = script_neuron("linear_filter");
  cfg.image.height = cfg.image.width = S;
  remember_mei_activation(cfg, 7.5);
  remember_mei_activation(cfg, -1);  // not a value that normalises: ignored
  CHECK(mei_activation_for(cfg) == 7.5);
  cfg.mei.steps = 300;  // other settings: another entry, searched for
  CHECK(mei_activation_for(cfg) == doctest::Approx(best_linear_response(0.2)).epsilon(1e-3));
}

TEST_CASE("the torchscript config fields: parsing, checks, relative paths, round trip") {
  const std::string base =
      R"({"image": {"height": 12, "width": 12}, "neuron": {"type": "torchscript", )";
  auto parse = [&](const std::string& fields) {
    RunConfig c = parse_config(base + fields + "}}", "c.json");
    validate(c, "c.json");
    return c;
  };
  auto error = [&](const std::string& fields) {
    try {
      parse(fields);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  RunConfig c = parse(
      R"("file": "m.pt", "input_shape": [1, 12, 12], "output": 3, "args": ["k", 2, 0.5, true])");
  CHECK(c.neuron.output == std::vector<int>{3});
  REQUIRE(c.neuron.args.size() == 4);
  CHECK(c.neuron.args[0].text == "k");
  CHECK(c.neuron.args[1].kind == ScriptArgument::Kind::Integer);
  CHECK(c.neuron.args[2].kind == ScriptArgument::Kind::Number);
  CHECK(c.neuron.args[3].kind == ScriptArgument::Kind::Boolean);
  CHECK(parse(R"("file": "m.pt", "input_shape": [1, 12, 12], "output": [0, 3])").neuron.output ==
        std::vector<int>{0, 3});
  // The written config reads back the same.
  RunConfig again = parse_config(config_to_json(c), "again.json");
  CHECK(config_to_json(again) == config_to_json(c));

  CHECK(error(R"("input_shape": [1, 12, 12])") ==
        "c.json: neuron.file: a torchscript neuron needs the file saved by torch.jit.save");
  CHECK(error(R"("file": "m.pt")") ==
        "c.json: neuron.input_shape: a torchscript neuron needs the [channels, height, width] its "
        "module takes, here [1, 12, 12] (image.channels, image.height, image.width)");
  CHECK(error(R"("file": "m.pt", "input_shape": [1, 30, 30])") ==
        "c.json: neuron.input_shape: the module takes [1, 30, 30] but the images are [1, 12, 12] "
        "(image.channels, image.height, image.width)");
  CHECK(error(R"("file": "m.pt", "input_shape": [12, 12])") ==
        "c.json: neuron.input_shape: expected [channels, height, width] of the images the module "
        "takes, got [12,12]");
  CHECK(error(R"("file": "m.pt", "input_shape": [1, 12, 12], "output": -1)") ==
        "c.json: neuron.output: expected an index >= 0 or a list of them, e.g. 3 or [0, 3], got "
        "[-1]");
  CHECK(error(R"("file": "m.pt", "input_shape": [1, 12, 12], "args": [{}])") ==
        "c.json: neuron.args: expected strings, numbers or true/false (passed to forward() after "
        "the images), got {}");
  CHECK(error(R"("file": "m.pt", "input_shape": [1, 12, 12], "data_key": "3")") ==
        "c.json: neuron.data_key: not a field of torchscript neurons (see README 'Config schema')");

  testing::TempDir tmp;
  std::ofstream(tmp / "run.json") << base
                                  << R"("file": "models/m.pt", "input_shape": [1, 12, 12]}})";
  CHECK(load_config_file(tmp / "run.json").neuron.file == tmp / "models/m.pt");
}

}  // namespace
}  // namespace invex

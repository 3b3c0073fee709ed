// Config files: defaults, presets and the errors a user sees for bad input.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/run/config.h"
#include "tests/test_support.h"

using namespace invex;

namespace {
std::string error_of(const std::string& json) {
  try {
    auto cfg = parse_config(json, "my.json");
    validate(cfg, "my.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}
}  // namespace

TEST_CASE("every preset of method.md §10 loads and validates") {
  auto names = list_presets();
  CHECK(names.size() == 15);
  for (auto& n : names) {
    CAPTURE(n);
    RunConfig c = load_preset(n);
    CHECK(c.name == n);
    CHECK(c.image.height == (c.neuron.is_gabor() ? 30 : 93));
  }
  auto c = load_preset("circle/complex");
  CHECK(c.neuron.type == "gabor-complex");
  CHECK(c.neuron.theta == doctest::Approx(M_PI / 3));
  CHECK(c.latent.grid_points == 100);
  CHECK(c.neighbour_radius() == 10);
  CHECK(c.loss.tau == doctest::Approx(0.3));
  CHECK(c.training.seed == 41);
  CHECK(c.total_steps() == 20000);
  auto t = load_preset("torus/phase-orientation-full");
  CHECK(t.latent.periodic == std::vector<bool>{true, true});
  CHECK(t.neighbour_radius() == 2);
  CHECK(t.training.epochs_per_reg == 120);
  CHECK(t.training.seed == 4);  // the reference's is 1 (method.md §10 says why not here)
  auto s = load_preset("sheet/phase-orientation-cylinder");
  CHECK(s.neuron.theta_range == doctest::Approx(M_PI / 2));
  CHECK(s.latent.periodic == std::vector<bool>{false, false});
  // The macaque cells of method.md §10; their model folder is looked for, never written in.
  const std::pair<const char*, std::pair<const char*, int>> cells[] = {
      {"macaque/cell-A", {"3639406161189", 11}},
      {"macaque/cell-B", {"3631807112901", 27}},
      {"macaque/cell-C", {"3639406161189", 13}}};
  for (const auto& [name, cell] : cells) {
    CAPTURE(name);
    const RunConfig m = load_preset(name);
    CHECK(m.neuron.type == "macaque-ensemble");
    CHECK(m.neuron.data_key == cell.first);
    CHECK(m.neuron.index == cell.second);
    CHECK(m.neuron.models == find_macaque_models());
    CHECK(m.image.width == 93);
    CHECK(m.image.transform.type == "standardize-clip");
    CHECK(m.image.transform.mean == doctest::Approx(0.2022));
    CHECK(m.image.transform.std == doctest::Approx(0.15));
    CHECK(m.image.transform.min == doctest::Approx(-1.7876));
    CHECK(m.image.transform.max == doctest::Approx(2.1919));
    CHECK(m.latent.periodic == std::vector<bool>{true});
    CHECK(m.latent.grid_points == 20);
    CHECK(m.loss.tau == doctest::Approx(0.3));
    CHECK(m.training.seed == 42);
    CHECK(m.total_steps() == 1000);
  }
}

TEST_CASE("config round-trips through JSON: every field comes back as it was") {
  // Every field away from its default, so a field that to_json forgets or parse ignores shows.
  RunConfig c;
  c.name = "round/trip";
  c.description = "all fields changed";
  c.neuron.type = "gabor-phase-orientation";
  c.neuron.pos_x = 0.1;
  c.neuron.pos_y = -0.2;
  c.neuron.sigma_x = 0.25;
  c.neuron.sigma_y = 0.35;
  c.neuron.sf = 1.4;
  c.neuron.theta = 0.4;
  c.neuron.phase = 0.3;
  c.neuron.n_theta = 12;
  c.neuron.theta_range = 1.5;
  c.neuron.height = c.neuron.width = 24;
  c.image.height = c.image.width = 24;
  c.image.transform = {"standardize-clip", 0.1, 0.3, -1.5, 2.5};
  c.cppn = {6, 1.5, 5, 12, 0.5, 0.05, false, true};
  c.latent.periodic = {false, true};
  c.latent.grid_points = 14;
  c.loss = {0.7, 0.15, true};
  c.training.reg_coefs = {2, 1, 0.25};
  c.training.epochs_per_reg = 3;
  c.training.steps_per_epoch = 7;
  c.training.lr = 0.003;
  c.training.seed = 12345678901ull;
  c.training.checkpoint_every = 9;
  c.training.stop = {true, 0.8, 0.7};
  c.mei = {12.5, 300, 0.02, 4};
  validate(c, "round-trip");
  const RunConfig d = parse_config(config_to_json(c), "round-trip");
  CHECK(d.name == c.name);
  CHECK(d.description == c.description);
  const NeuronConfig &a = c.neuron, &b = d.neuron;
  CHECK(b.type == a.type);
  CHECK(b.pos_x == a.pos_x);
  CHECK(b.pos_y == a.pos_y);
  CHECK(b.sigma_x == a.sigma_x);
  CHECK(b.sigma_y == a.sigma_y);
  CHECK(b.sf == a.sf);
  CHECK(b.theta == a.theta);
  CHECK(b.phase == a.phase);
  CHECK(b.n_theta == a.n_theta);
  CHECK(b.theta_range == a.theta_range);
  CHECK(b.height == a.height);
  CHECK(b.width == a.width);
  CHECK(d.image.height == c.image.height);
  CHECK(d.image.width == c.image.width);
  CHECK(d.image.channels == c.image.channels);
  CHECK(d.image.transform.type == c.image.transform.type);
  CHECK(d.image.transform.mean == c.image.transform.mean);
  CHECK(d.image.transform.std == c.image.transform.std);
  CHECK(d.image.transform.min == c.image.transform.min);
  CHECK(d.image.transform.max == c.image.transform.max);
  CHECK(d.cppn.positional_encoding_dim == c.cppn.positional_encoding_dim);
  CHECK(d.cppn.scale == c.cppn.scale);
  CHECK(d.cppn.layers == c.cppn.layers);
  CHECK(d.cppn.width == c.cppn.width);
  CHECK(d.cppn.aux_dim_scale == c.cppn.aux_dim_scale);
  CHECK(d.cppn.weight_std == c.cppn.weight_std);
  CHECK(d.cppn.bias == c.cppn.bias);
  CHECK(d.cppn.batchnorm == c.cppn.batchnorm);
  CHECK(d.latent.periodic == c.latent.periodic);
  CHECK(d.latent.grid_points == c.latent.grid_points);
  CHECK(d.loss.tau == c.loss.tau);
  CHECK(d.loss.neighbor_size == c.loss.neighbor_size);
  CHECK(d.loss.round_neighbourhood == c.loss.round_neighbourhood);
  CHECK(d.training.reg_coefs == c.training.reg_coefs);
  CHECK(d.training.epochs_per_reg == c.training.epochs_per_reg);
  CHECK(d.training.steps_per_epoch == c.training.steps_per_epoch);
  CHECK(d.training.lr == c.training.lr);
  CHECK(d.training.seed == c.training.seed);
  CHECK(d.training.checkpoint_every == c.training.checkpoint_every);
  CHECK(d.training.stop.enabled == c.training.stop.enabled);
  CHECK(d.training.stop.mean == c.training.stop.mean);
  CHECK(d.training.stop.min == c.training.stop.min);
  CHECK(d.mei.activation == c.mei.activation);
  CHECK(d.mei.steps == c.mei.steps);
  CHECK(d.mei.lr == c.mei.lr);
  CHECK(d.mei.starts == c.mei.starts);
}

TEST_CASE("mei.starts: written only when not 1, and held to 1..100") {
  RunConfig c;
  CHECK(config_to_json(c).find("starts") == std::string::npos);
  c.mei.starts = 8;
  CHECK(parse_config(config_to_json(c), "x.json").mei.starts == 8);
  CHECK(error_of("{\"mei\": {\"starts\": 0}}") == "my.json: mei.starts: expected 1 to 100, got 0");
  CHECK(error_of("{\"mei\": {\"starts\": 101}}") ==
        "my.json: mei.starts: expected 1 to 100, got 101");
  CHECK(error_of("{\"mei\": {\"starts\": 100}}").empty());
}

TEST_CASE("bad configs give one clear message naming the field") {
  CHECK(contains(error_of("{\n  \"latent\": {\"grid_points\": 20,,}\n}"), "my.json:2:"));
  CHECK(contains(error_of("{\"neuron\": {\"type\": \"gabor-fancy\"}}"),
                 "neuron.type: unknown neuron type 'gabor-fancy'"));
  CHECK(contains(error_of("{\"latent\": {\"grid_points\": 2}}"),
                 "latent.grid_points: expected G >= 3"));
  CHECK(contains(error_of("{\"loss\": {\"tau\": 0}}"), "loss.tau: expected a positive number"));
  CHECK(contains(error_of("{\"training\": {\"lr\": -1}}"), "training.lr"));
  CHECK(contains(error_of("{\"loss\": {\"neighbor_size\": 0.001}}"), "no point has a neighbour"));
  CHECK(contains(error_of("{\"latent\": {\"grid_points\": 5}, \"loss\": {\"neighbor_size\": 0.5}}"),
                 "no negatives"));
  // The middle of a line of 5 sees every other point at r = 2, though its ends do not.
  CHECK(contains(error_of("{\"latent\": {\"periodic\": [false], \"grid_points\": 5}, "
                          "\"loss\": {\"neighbor_size\": 0.4}}"),
                 "no negatives"));
  CHECK(error_of("{\"latent\": {\"periodic\": [false], \"grid_points\": 6}, "
                 "\"loss\": {\"neighbor_size\": 0.4}}")
            .empty());
  CHECK(contains(error_of("{\"loss\": {\"tua\": 1}}"), "loss.tua: unknown field"));
  CHECK(contains(error_of("{\"latent\": {\"grid_points\": \"ten\"}}"),
                 "latent.grid_points: expected an integer"));
  CHECK(contains(error_of("{\"image\": {\"height\": 40}}"), "neuron.resolution"));
  CHECK(contains(error_of("{\"latent\": {\"periodic\": [true, true, true]}}"),
                 "1 or 2 latent dimensions"));
  CHECK(error_of("{\"neuron\": {\"type\": \"gabor-complex\", \"theta\": 0.5, \"sf\": 1.5, "
                 "\"sigma\": 0.25, \"pos\": [0.1, -0.1]}}")
            .empty());
  CHECK_THROWS_WITH_AS(load_preset("circle/nope"),
                       doctest::Contains("unknown preset 'circle/nope'"), ConfigError);
  CHECK_THROWS_WITH_AS(load_config_file("/nonexistent/x.json"),
                       doctest::Contains("/nonexistent/x.json: cannot read"), ConfigError);
}

TEST_CASE("an expected outcome round-trips, and its mistakes are named") {
  RunConfig c = load_preset("torus/phase-orientation-full");
  REQUIRE(c.expect.enabled);
  c.expect.mean_activation = 0.9;
  c.expect.min_activation = 0.8;
  c.expect.winds = {"phase"};
  c.expect.winds_any = {"phase", "orientation"};
  c.expect.winds_mod_pi = {"orientation"};
  c.expect.agreement = 0.75;
  c.expect.winding_determinant = 1;
  c.expect.coverage = {{"orientation", 0.5}};
  c.expect.range = {{"phase", 0.25}};
  c.expect.smoothness_min = 0.4;
  validate(c, "round-trip");
  const Expectation d = parse_config(config_to_json(c), "round-trip").expect;
  CHECK(d.enabled);
  CHECK(d.mean_activation == 0.9);
  CHECK(d.min_activation == 0.8);
  CHECK(d.winds == c.expect.winds);
  CHECK(d.winds_any == c.expect.winds_any);
  CHECK(d.winds_mod_pi == std::vector<std::string>{"orientation"});
  CHECK(d.agreement == 0.75);
  CHECK(d.winding_determinant == 1);
  CHECK(d.coverage == c.expect.coverage);
  CHECK(d.range == c.expect.range);
  CHECK(d.smoothness_min == 0.4);
  CHECK_FALSE(parse_config("{}", "none").expect.enabled);  // optional
  // Without smoothness_min the neighbour correlation is not checked.
  CHECK_FALSE(parse_config("{\"expect\": {}}", "none").expect.smoothness_min);

  CHECK(contains(error_of("{\"expect\": {\"colapse\": 0.9}}"), "expect.colapse: unknown field"));
  CHECK(contains(error_of("{\"expect\": {\"winds\": [\"colour\"]}}"),
                 "expect.winds: expected \"phase\" or \"orientation\""));
  // The default neuron is the complex cell: it has a phase, no orientation, no polarity.
  CHECK(contains(error_of("{\"expect\": {\"winds\": [\"orientation\"]}}"),
                 "expect.winds: a gabor-complex neuron has no measured orientation"));
  CHECK(contains(error_of("{\"expect\": {\"coverage\": {\"phase\": 2}}}"),
                 "expect.coverage.phase: expected a number from 0 to 1"));
  CHECK(contains(error_of("{\"expect\": {\"smoothness_min\": 1.5}}"),
                 "expect.smoothness_min: expected a correlation from -1 to 1"));
  CHECK(contains(error_of("{\"expect\": {\"collapse\": -1.5}}"),
                 "expect.collapse: expected a correlation from -1 to 1"));
  CHECK(contains(error_of("{\"expect\": {\"both_polarities\": true}}"),
                 "expect.both_polarities: only a gabor-polarity neuron"));
  CHECK(contains(error_of("{\"expect\": {\"winding_determinant\": 1}}"),
                 "expect.winding_determinant"));
  // Only the full cell's orientation passes through the orientations mod π.
  CHECK(
      contains(error_of("{\"expect\": {\"winds_mod_pi\": [\"phase\"]}}"),
               "expect.winds_mod_pi: expected [\"orientation\"], for a full phase-orientation cell "
               "on a periodic latent"));
  CHECK(contains(error_of("{\"latent\": {\"periodic\": [false]}, \"expect\": {\"winds\": "
                          "[\"phase\"]}}"),
                 "expect.winds: winding needs a periodic latent axis"));
  CHECK(error_of("{\"expect\": {\"winds\": [\"phase\"], \"coverage\": {\"phase\": 0.9}}}").empty());
}

TEST_CASE("a polarity loop's sign-change expectation round-trips, and its mistakes are named") {
  const RunConfig c = load_preset("circle/polarity");
  REQUIRE(c.expect.max_sign_changes == 2);
  REQUIRE(c.expect.sign_change_margin == 2);
  const Expectation d = parse_config(config_to_json(c), "round-trip").expect;
  CHECK(d.max_sign_changes == 2);
  CHECK(d.sign_change_margin == 2);
  CHECK(d.both_polarities);

  const std::string polarity = "{\"neuron\": {\"type\": \"gabor-polarity\"}, ";
  CHECK(error_of(polarity + "\"expect\": {\"sign_changes\": {\"at_most\": 4}}}").empty());
  CHECK(contains(error_of(polarity + "\"expect\": {\"sign_changes\": {\"at_most\": 0}}}"),
                 "my.json: expect.sign_changes.at_most: expected a positive integer"));
  CHECK(contains(
      error_of(polarity + "\"expect\": {\"sign_changes\": {\"at_most\": 2, \"margin\": 11}}}"),
      "expect.sign_changes.margin: expected an integer from 0 to 10"));
  CHECK(contains(
      error_of(polarity + "\"expect\": {\"sign_changes\": {\"at_most\": 2, \"width\": 1}}}"),
      "expect.sign_changes.width: unknown field"));
  CHECK(contains(error_of("{\"expect\": {\"sign_changes\": {\"at_most\": 2}}}"),
                 "expect.sign_changes: only a gabor-polarity neuron on a 1-D latent"));
  CHECK(
      contains(error_of(polarity + "\"latent\": {\"periodic\": [true, true], \"grid_points\": 20}, "
                                   "\"expect\": {\"sign_changes\": {\"at_most\": 2}}}"),
               "expect.sign_changes: only a gabor-polarity neuron on a 1-D latent"));
}

namespace {
const char* kMacaqueJson =
    "{\"neuron\": {\"type\": \"macaque-ensemble\", \"models\": \"/models\", "
    "\"data_key\": \"3639406161189\", \"index\": 11}, \"image\": {\"height\": 93, \"width\": 93, "
    "\"transform\": {\"type\": \"standardize-clip\"}}, \"latent\": {\"grid_points\": 20}";
std::string macaque_json(const std::string& more = "") { return kMacaqueJson + more + "}"; }
}  // namespace

TEST_CASE("a macaque-ensemble neuron: its fields round-trip and wrong ones are named") {
  RunConfig c = parse_config(macaque_json(), "my.json");
  validate(c, "my.json");
  CHECK(c.neuron.type == "macaque-ensemble");
  CHECK(c.neuron.models == "/models");
  CHECK(c.neuron.data_key == "3639406161189");
  CHECK(c.neuron.index == 11);
  c.neuron.models = "/elsewhere/macaque v1";
  c.neuron.data_key = "3631807112901";
  c.neuron.index = 27;
  const RunConfig d = parse_config(config_to_json(c), "round-trip");
  CHECK(d.neuron.type == c.neuron.type);
  CHECK(d.neuron.models == c.neuron.models);
  CHECK(d.neuron.data_key == c.neuron.data_key);
  CHECK(d.neuron.index == c.neuron.index);
  // The Gabor fields are not written for it, and not accepted from it.
  CHECK(!contains(config_to_json(c), "sigma_x"));
  const std::string with_sigma =
      "{\"neuron\": {\"type\": \"macaque-ensemble\", \"data_key\": \"1\", \"sigma\": 0.2}, "
      "\"image\": {\"height\": 93, \"width\": 93}}";
  CHECK(error_of(with_sigma) ==
        "my.json: neuron.sigma: not a field of macaque-ensemble neurons (see README 'Config "
        "schema')");
  // A data key written as a number is the same key.
  CHECK(parse_config("{\"neuron\": {\"type\": \"macaque-ensemble\", \"data_key\": 3639406161189}}",
                     "my.json")
            .neuron.data_key == "3639406161189");
  CHECK(error_of("{\"neuron\": {\"type\": \"macaque-ensemble\"}, "
                 "\"image\": {\"height\": 93, \"width\": 93}}") ==
        "my.json: neuron.data_key: a macaque-ensemble neuron needs the recording's data key, e.g. "
        "\"3639406161189\"");
  CHECK(error_of("{\"neuron\": {\"type\": \"macaque-ensemble\", \"data_key\": \"1\"}}") ==
        "my.json: image.height/width: the macaque-ensemble neuron takes 93x93 images but image "
        "is 30x30");
  CHECK(contains(error_of(macaque_json().replace(macaque_json().find("11}"), 2, "-1")),
                 "neuron.index: expected a neuron index >= 0, got -1"));
  CHECK(contains(error_of(macaque_json().replace(macaque_json().find("\"3639"), 15, "[1]")),
                 "neuron.data_key: expected a string, got [1]"));
}

TEST_CASE("a config file's model folder is relative to the file, and found when not given") {
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "sub/models");
  std::ofstream(dir / "sub/run.json")
      << macaque_json().replace(macaque_json().find("/models"), 7, "models/./");
  const RunConfig c = load_config_file(dir / "sub/run.json");
  CHECK(c.neuron.models == dir / "sub/models/");

  // No models field: INVEX_MODELS names the folder, or a folder holding it as macaque_v1/.
  std::filesystem::create_directories(dir / "store/macaque_v1");
  std::ofstream(dir / "store/macaque_v1/monkey_model3.pt") << "x";
  const std::string no_models =
      "{\"neuron\": {\"type\": \"macaque-ensemble\", \"data_key\": \"1\"}, "
      "\"image\": {\"height\": 93, \"width\": 93}}";
  std::ofstream(dir / "plain.json") << no_models;
  const char* before = std::getenv("INVEX_MODELS");
  const std::string saved = before ? before : "";
  setenv("INVEX_MODELS", (dir / "store").c_str(), 1);
  CHECK(find_macaque_models() == dir / "store/macaque_v1");
  CHECK(load_config_file(dir / "plain.json").neuron.models == dir / "store/macaque_v1");
  setenv("INVEX_MODELS", (dir / "store/macaque_v1").c_str(), 1);
  CHECK(find_macaque_models() == dir / "store/macaque_v1");
  setenv("INVEX_MODELS", (dir / "nowhere").c_str(), 1);
  CHECK(find_macaque_models() != dir / "nowhere");
  const std::string message = macaque_models_not_found();
  CHECK(contains(message, "INVEX_MODELS=" + dir / "nowhere"));
  CHECK(contains(message, "shared/models/macaque_v1"));
  CHECK(contains(message, "pass --models DIR"));
  CHECK(message.find('\n') == std::string::npos);
  if (before)
    setenv("INVEX_MODELS", saved.c_str(), 1);
  else
    unsetenv("INVEX_MODELS");
}

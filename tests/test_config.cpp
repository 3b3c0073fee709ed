// Config files: defaults, presets and the errors a user sees for bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "core/run/config.h"

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

TEST_CASE("every preset of METHOD §10 loads and validates") {
  auto names = list_presets();
  CHECK(names.size() == 12);
  for (auto& n : names) {
    CAPTURE(n);
    RunConfig c = load_preset(n);
    CHECK(c.name == n);
    CHECK(c.image.height == 30);
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
  CHECK(t.training.seed == 1);
  auto s = load_preset("sheet/phase-orientation-cylinder");
  CHECK(s.neuron.theta_range == doctest::Approx(M_PI / 2));
  CHECK(s.latent.periodic == std::vector<bool>{false, false});
}

TEST_CASE("config round-trips through JSON") {
  RunConfig c = load_preset("torus/complex");
  c.training.stop.enabled = true;
  c.training.stop.mean = 0.9;
  RunConfig d = parse_config(config_to_json(c), "round-trip");
  CHECK(config_to_json(d) == config_to_json(c));
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

// Config JSON through parse_config and the full validation (core/run/config.h). A config that
// passes must hold values in the ranges the README's schema documents, and survive a round trip
// through config_to_json unchanged.
#include <cmath>
#include <string>

#include "core/run/config.h"
#include "tests/fuzz/fuzz_support.h"

using namespace invex;
using invex::fuzz::require;

namespace {

void check_ranges(const RunConfig& c) {
  require(
      c.image.height >= 2 && c.image.height <= 1024 && c.image.width >= 2 && c.image.width <= 1024,
      "image size outside 2..1024");
  if (c.neuron.is_gabor())
    require(c.neuron.height == c.image.height && c.neuron.width == c.image.width,
            "a Gabor neuron's resolution differs from the image size");
  if (c.neuron.type == "macaque-ensemble")
    require(c.image.height == kMacaqueImageSize && c.image.width == kMacaqueImageSize,
            "a macaque neuron's images are not 93x93");
  require(c.latent.dims() == 1 || c.latent.dims() == 2, "latent dimensions not 1 or 2");
  require(c.latent.grid_points >= 3, "grid_points < 3");
  const int r = c.neighbour_radius();
  require(r >= 1 && c.latent.grid_points / 2 > r, "neighbour radius outside [1, G/2)");
  require(c.loss.tau > 0 && std::isfinite(c.loss.tau), "tau not a positive number");
  require(c.training.lr > 0 && std::isfinite(c.training.lr), "lr not a positive number");
  require(!c.training.reg_coefs.empty(), "no λ phase");
  for (double l : c.training.reg_coefs) require(std::isfinite(l), "a λ that is not finite");
  require(c.training.epochs_per_reg >= 1 && c.training.steps_per_epoch >= 1,
          "epochs_per_reg or steps_per_epoch < 1");
  require(c.total_steps() >= 1, "total_steps < 1");
  require(c.training.checkpoint_every >= 0, "checkpoint_every < 0");
  require(c.cppn.layers >= 2 && c.cppn.layers <= 32, "cppn.layers outside 2..32");
  require(c.cppn.width >= 1, "cppn.width < 1");
  require(c.cppn.positional_encoding_dim >= 1 && c.cppn.positional_encoding_dim <= 256,
          "positional_encoding_dim outside 1..256");
  require(c.mei.activation >= 0 && c.mei.steps >= 1, "mei.activation < 0 or mei.steps < 1");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string source = "fuzz-input.json";
  RunConfig cfg;
  const bool ok = invex::fuzz::parses(
      [&] {
        cfg = parse_config(text, source);
        validate(cfg, source);
      },
      source);
  if (!ok) return 0;
  check_ranges(cfg);
  const std::string json = config_to_json(cfg);
  RunConfig again;
  require(invex::fuzz::parses(
              [&] {
                again = parse_config(json, "round-trip.json");
                validate(again, "round-trip.json");
              },
              "round-trip.json"),
          "config_to_json wrote a config that does not load: " + json);
  require(config_to_json(again) == json, "a round trip changed the config: " + json);
  return 0;
}

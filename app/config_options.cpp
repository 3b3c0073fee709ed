#include "app/config_options.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "app/cli_parser.h"

namespace invex::cli {
namespace {

bool given(const CLI::Option* option) { return option != nullptr && option->count() > 0; }

}  // namespace

bool ConfigOptions::names_a_config() const { return given(preset_option) || given(config_option); }

std::string ConfigOptions::given_override() const {
  for (const CLI::Option* option : {seed_option, epochs_option, steps_option, checkpoint_option,
                                    stop_mean_option, stop_min_option, mei_option, models_option})
    if (given(option)) return option->get_name();
  return {};
}

void add_config_source(CLI::App& app, ConfigOptions& o) {
  o.preset_option = add_text(app, "--preset NAME", o.preset,
                             "a preset (see `invex presets`), e.g. circle/complex");
  o.config_option = add_text(app, "--config FILE", o.config_file,
                             "a config file (JSON, any subset of the fields; see README)");
}

void add_mei_option(CLI::App& app, ConfigOptions& o) {
  o.mei_option = add_number(app, "--mei VALUE", o.mei, 1e-12, 1e12,
                            "use this MEI activation (what activations are divided by) instead of "
                            "computing it",
                            "the config's mei.activation, else computed once per neuron and "
                            "cached");
}

CLI::Option* add_models_option(CLI::App& app, std::string& models) {
  const CLI::Validator folder(
      [](std::string& dir) {
        std::error_code ec;
        return std::filesystem::is_directory(dir, ec)
                   ? std::string()
                   : "expected the folder of monkey_model3.pt, monkey_model10.pt and "
                     "monkey_model12.pt, but there is no folder '" +
                         dir + "'";
      },
      "");
  return add_text(app, "--models DIR", models,
                  "the folder holding monkey_model3.pt, monkey_model10.pt and monkey_model12.pt "
                  "for a macaque-ensemble neuron, instead of neuron.models (default: the config's, "
                  "else $INVEX_MODELS, else ../shared/models/macaque_v1 beside the source tree)")
      ->check(folder);
}

void use_models_folder(RunConfig& cfg, const std::string& dir) {
  if (cfg.neuron.type != "macaque-ensemble")
    throw ConfigError("--models: only a macaque-ensemble neuron reads model files; " + cfg.name +
                      " has a " + cfg.neuron.type + " neuron");
  std::error_code ec;
  cfg.neuron.models = std::filesystem::absolute(dir, ec).lexically_normal().string();
}

MeiProgress mei_progress_line(const std::string& command) {
  using Clock = std::chrono::steady_clock;
  auto last = std::make_shared<Clock::time_point>();
  return [command, last](int step, int steps, double best) {
    const auto now = Clock::now();
    if (step < steps && step > 1 && now - *last < std::chrono::milliseconds(500)) return;
    *last = now;
    std::fprintf(stderr,
                 "\r%s: finding the neuron's MEI (once; then cached): step %d/%d, best activation "
                 "%.4g   %s",
                 command.c_str(), step, steps, best, step == steps ? "\n" : "");
    std::fflush(stderr);
  };
}

void add_training_overrides(CLI::App& app, ConfigOptions& o) {
  const std::string config = "the config's";
  const TrainingConfig defaults;
  o.seed_option =
      add_integer(app, "--seed N", o.seed, 0, 1LL << 62, "override training.seed", config);
  o.epochs_option = add_integer(app, "--epochs-per-reg N", o.epochs_per_reg, 1, 100000,
                                "override training.epochs_per_reg", config);
  o.steps_option = add_integer(app, "--steps-per-epoch N", o.steps_per_epoch, 1, 1000000,
                               "override training.steps_per_epoch", config);
  o.checkpoint_option = add_integer(app, "--checkpoint-every N", o.checkpoint_every, 0, 1000000000,
                                    "save run.invex every N steps (0: only at the end); overrides "
                                    "training.checkpoint_every",
                                    config + ", else " + std::to_string(defaults.checkpoint_every));
  o.stop_mean_option =
      add_number(app, "--stop-mean A", o.stop_mean, -1e9, 1e9,
                 "stop once the sweep's mean normalised activation >= A, checked per epoch; "
                 "turns the stop rule on",
                 "training.stop_when.mean, else " + number_text(defaults.stop.mean));
  o.stop_min_option = add_number(app, "--stop-min B", o.stop_min, -1e9, 1e9,
                                 "... and its minimum >= B; turns the stop rule on",
                                 "training.stop_when.min, else " + number_text(defaults.stop.min));
}

RunConfig config_from_options(const ConfigOptions& o) {
  if (given(o.preset_option) == given(o.config_option))
    throw ConfigError("give exactly one of --preset NAME or --config FILE");
  return with_overrides(
      given(o.preset_option) ? load_preset(o.preset) : load_config_file(o.config_file), o,
      given(o.preset_option) ? o.preset : o.config_file);
}

RunConfig with_overrides(RunConfig cfg, const ConfigOptions& o, const std::string& source) {
  if (given(o.seed_option)) cfg.training.seed = o.seed;
  if (given(o.epochs_option)) cfg.training.epochs_per_reg = o.epochs_per_reg;
  if (given(o.steps_option)) cfg.training.steps_per_epoch = o.steps_per_epoch;
  if (given(o.checkpoint_option)) cfg.training.checkpoint_every = o.checkpoint_every;
  if (given(o.stop_mean_option) || given(o.stop_min_option)) {
    cfg.training.stop.enabled = true;
    if (given(o.stop_mean_option)) cfg.training.stop.mean = o.stop_mean;
    if (given(o.stop_min_option)) cfg.training.stop.min = o.stop_min;
  }
  if (given(o.mei_option)) cfg.mei.activation = o.mei;
  if (given(o.models_option)) use_models_folder(cfg, o.models);
  // The config itself was checked when it was read; what fails here comes from the options.
  validate(cfg, source + " with the options given");
  return cfg;
}

}  // namespace invex::cli

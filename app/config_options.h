// The options that name a run config and override its fields, defined once for every command
// that uses them (train, bench, eval, gui), so they are spelt, checked and described the same way.
#pragma once

#include <string>

#include "core/method/mei.h"
#include "core/run/config.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace invex::cli {

struct ConfigOptions {
  std::string preset, config_file, models;
  double mei = 0;
  unsigned long long seed = 0;
  int epochs_per_reg = 0, steps_per_epoch = 0, checkpoint_every = 0;
  double stop_mean = 0, stop_min = 0;
  // The options added to the parser (null: not offered by this command), to see which were given.
  CLI::Option *preset_option = nullptr, *config_option = nullptr, *mei_option = nullptr;
  CLI::Option *seed_option = nullptr, *epochs_option = nullptr, *steps_option = nullptr,
              *checkpoint_option = nullptr, *stop_mean_option = nullptr, *stop_min_option = nullptr;
  CLI::Option* models_option = nullptr;

  bool names_a_config() const;         // --preset or --config was given
  std::string given_override() const;  // the first override given ("--seed"), or ""
};

// --preset NAME and --config FILE.
void add_config_source(CLI::App& app, ConfigOptions& options);
// --mei VALUE.
void add_mei_option(CLI::App& app, ConfigOptions& options);
// --models DIR: the folder of the macaque V1 model files, instead of neuron.models.
CLI::Option* add_models_option(CLI::App& app, std::string& models);
// Points a macaque-ensemble neuron at the model folder `dir` (made absolute). Throws ConfigError
// for a neuron that reads no model files.
void use_models_folder(RunConfig& cfg, const std::string& dir);
// Prints the MEI ascent's progress on stderr as one line that `command` ("invex train") redraws
// at most twice a second, ended when the ascent ends.
MeiProgress mei_progress_line(const std::string& command);
// --seed, --epochs-per-reg, --steps-per-epoch, --checkpoint-every, --stop-mean, --stop-min.
void add_training_overrides(CLI::App& app, ConfigOptions& options);

// The config named by exactly one of --preset and --config, with the given overrides applied,
// validated. Throws ConfigError.
RunConfig config_from_options(const ConfigOptions& options);
// `cfg` (read from `source`) with the overrides given in `options`, validated.
RunConfig with_overrides(RunConfig cfg, const ConfigOptions& options, const std::string& source);

}  // namespace invex::cli

// Run configuration: every setting of a run, with its documented default, in one place.
// A preset or config file is JSON with the same schema (see README "Config schema").
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace invex {

// `text` on one line, for messages that quote a user's input: control characters are written
// as \n, \r or \xNN (tabs stay).
std::string one_line(const std::string& text);

// Thrown for bad input; the message names the file, the field and what was expected, always on
// one line (a file's text quoted in it goes through one_line).
struct ConfigError : std::runtime_error {
  explicit ConfigError(const std::string& what) : std::runtime_error(one_line(what)) {}
};

// A constant that a TorchScript neuron's forward() takes after the images (e.g. a data key).
struct ScriptArgument {
  enum class Kind { String, Integer, Number, Boolean };
  Kind kind = Kind::String;
  std::string text;   // String
  double number = 0;  // Integer (exact up to 2^53), Number; Boolean as 0 or 1
};

struct NeuronConfig {
  // gabor-simple | gabor-complex | gabor-orientation | gabor-phase-orientation | gabor-polarity
  // | macaque-ensemble | torchscript
  std::string type = "gabor-complex";
  // Gabor parameters (method.md §8). Unused ones are ignored by a type.
  double pos_x = 0.0, pos_y = 0.0;
  double sigma_x = 0.3, sigma_y = 0.3;
  double sf = 1.0;
  double theta = 1.0471975511965976;  // π/3 for the complex cell; 0 for simple/polarity
  double phase = 0.0;
  int n_theta = 180;                       // orientation / phase-orientation cells
  double theta_range = 6.283185307179586;  // 2π "full"; π/2 "cylinder"
  int height = 30, width = 30;             // the filter grid; must equal the image size
  // macaque-ensemble (method.md §9): one neuron of the three-CNN macaque V1 model.
  std::string models;    // the folder of monkey_model{3,10,12}.pt (empty: not found; README)
  std::string data_key;  // the recording whose readout is used
  int index = 0;         // the neuron within that recording, from 0
  // torchscript: any module saved with torch.jit.save (README "Your own model").
  std::string file;                  // the saved module
  std::vector<int> input_shape;      // C, H, W the module takes; must equal the image's
  std::vector<int> output;           // indices into the output: tuple/list element or column
  std::vector<ScriptArgument> args;  // passed to forward() after the images

  bool is_gabor() const { return type.rfind("gabor-", 0) == 0; }
};

// The neuron types a config may name, in the order the README lists them.
extern const char* const kNeuronTypes[];
extern const int kNeuronTypeCount;

// What a run needs of the macaque V1 model files (method.md §9): one 1×93×93 image.
constexpr int kMacaqueImageSize = 93;

struct TransformConfig {
  std::string type = "fix-mean-std";  // fix-mean-std | standardize-clip | none
  double mean = 0.0, std = 0.2;
  double min = -1.7876, max = 2.1919;  // standardize-clip only
};

struct ImageConfig {
  int height = 30, width = 30, channels = 1;
  TransformConfig transform;
};

struct CppnConfig {
  int positional_encoding_dim = 10;  // P: Fourier features are 2P numbers
  double scale = 1.0;                // std of the Fourier matrix entries
  int layers = 8;                    // linear layers; all but the last are width wide
  int width = 15;
  double aux_dim_scale = 1.0;  // multiplies the latent encoding
  double weight_std = 0.1;     // weights ~ N(0, weight_std), biases 0
  bool bias = true;
  bool batchnorm = true;
};

struct LatentConfig {
  std::vector<bool> periodic = {true};  // one entry per latent dimension (1 or 2)
  int grid_points = 100;                // G per dimension
  int dims() const { return static_cast<int>(periodic.size()); }
};

struct LossConfig {
  double tau = 0.3;
  double neighbor_size = 0.1;  // r = floor(neighbor_size * G)
  bool round_neighbourhood = false;
};

struct StopRule {
  bool enabled = false;
  double mean = 0.95, min = 0.9;  // stop when mean >= mean and min >= min (checked per epoch)
};

struct TrainingConfig {
  std::vector<double> reg_coefs = {1.0, 0.5};  // λ per phase
  int epochs_per_reg = 100;
  int steps_per_epoch = 100;
  double lr = 1e-2;
  unsigned long long seed = 41;
  int checkpoint_every = 500;  // steps between checkpoints of `invex train --out` (0: none)
  StopRule stop;
};

struct MeiConfig {
  double activation = 0.0;  // > 0: use this value instead of computing the MEI
  int steps = 1000;
  double lr = 0.05;
  // Ascents from this many noise images; the best image of all counts. A macaque cell's
  // response has several local maxima under the transform (README "Macaque V1 neurons").
  int starts = 1;
};

// The most ascents an MEI may take (mei.starts).
constexpr int kMaxMeiStarts = 100;

// The widest margin, in sweep points, round a polarity cell's sign change that the metrics
// report the activation beyond (method.md §11.1) and an expectation may name.
constexpr int kMaxArcMargin = 10;

// What a run's manifold should show, for a neuron whose invariance is known (README "Config
// schema", method.md §10, §11): thresholds on the canonical sweep's metrics. Optional: a config
// without "expect" has no pass or fail.
struct Expectation {
  bool enabled = false;
  double mean_activation = 0.95, min_activation = 0.9;
  // Each of `winds` winds along some periodic axis, and at least one of `winds_any` does: on a
  // 1-D loop |winding| >= ½ (a whole turn, or the half turn of θ of the full cell), on a torus
  // a modal |winding| >= 1 with at least `agreement` of the loops agreeing.
  std::vector<std::string> winds, winds_any;
  // The full phase-orientation cell's orientation: along some periodic axis the modal number of
  // passes through all the orientations mod π (turns of 2θ) is ±1, in at least `agreement` of
  // the loops (method.md §11.3).
  std::vector<std::string> winds_mod_pi;
  double agreement = 0.9;
  int winding_determinant = 0;  // > 0: |det| of the torus winding matrix must equal it
  // Per variable, the least coverage and the least range (turns, along the axis that moves it
  // most): lists of (variable, threshold).
  std::vector<std::pair<std::string, double>> coverage, range;
  // Least correlations (-1 to 1), each checked only when given: `collapse`, the mean over all
  // pairs of sweep images (simple cells), and `smoothness_min`, the worst of two neighbouring
  // images, so a torn or patchy manifold fails (left out where the expected manifold has a seam
  // or a flip).
  std::optional<double> collapse, smoothness_min;
  bool both_polarities = false;
  // A polarity cell on a 1-D latent (method.md §11.1): ⟨x, g⟩ changes sign at most
  // `max_sign_changes` times along the sweep (> 0 enables), and the minimum activation is
  // checked on the arcs between the changes, i.e. on the sweep points more than
  // `sign_change_margin` points from every change, since a continuous loop through both
  // polarities passes through ⟨x, g⟩ = 0.
  int max_sign_changes = 0, sign_change_margin = 0;
};

struct RunConfig {
  std::string name = "custom";
  std::string description;
  NeuronConfig neuron;
  ImageConfig image;
  CppnConfig cppn;
  LatentConfig latent;
  LossConfig loss;
  TrainingConfig training;
  MeiConfig mei;
  Expectation expect;

  int total_steps() const {
    return static_cast<int>(training.reg_coefs.size()) * training.epochs_per_reg *
           training.steps_per_epoch;
  }
  int neighbour_radius() const;  // floor(neighbor_size * G)
};

// r = floor(neighbor_size · G) (method.md §5), guarded against 0.1·100 landing at 9.999….
int neighbour_radius(double neighbor_size, int grid_points);

// Parse a config from JSON text. `source` names the file in error messages.
// Missing fields take the defaults above; unknown fields are errors (they are usually typos).
RunConfig parse_config(const std::string& json_text, const std::string& source);
// parse_config and validate on a file. Relative paths in it (neuron.models, neuron.file) are taken
// relative to the file's folder and made absolute; a macaque-ensemble neuron without neuron.models
// gets find_macaque_models().
RunConfig load_config_file(const std::string& path);
std::string config_to_json(const RunConfig& cfg, int indent = 2);

// Check ranges and combinations; throws ConfigError naming the field.
void validate(const RunConfig& cfg, const std::string& source);

// Where the macaque V1 model files are when a config does not say: the folder named by
// INVEX_MODELS (or its macaque_v1/ subfolder), else ../shared/models/macaque_v1 beside the source
// tree this binary was built from. Empty when none of them holds monkey_model3.pt.
std::string find_macaque_models();
// The one-line error for a macaque-ensemble config whose model folder is neither given nor found.
std::string macaque_models_not_found();

// Presets: JSON files under the preset directory, named by relative path without ".json".
std::string preset_directory();
std::vector<std::string> list_presets();
RunConfig load_preset(const std::string& name);

}  // namespace invex

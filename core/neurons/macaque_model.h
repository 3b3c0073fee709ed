// The CNNs of the macaque V1 digital twin (method.md §9; architecture in the README of the model
// folder): their weights, checked on load, and a literal forward pass, layer by layer as the
// original implementation computes it. The neuron (macaque_ensemble.h) runs a faster pass that
// is held to this one.
#pragma once

#include <ATen/core/Tensor.h>

#include <array>
#include <map>
#include <string>
#include <vector>

#include "core/run/config.h"

namespace invex {

// The three model files of an ensemble directory, in the order the ensemble averages them.
extern const std::array<const char*, 3> kMacaqueModelFiles;

// Input images are 1×kMacaqueImageSize² (config.h).
constexpr int kMacaqueChannels = 32;  // feature channels of every core layer
constexpr int kMacaqueKernel0 = 24;   // layer 0's kernel; its output is 70×70
constexpr int kMacaqueFeatureSize = kMacaqueImageSize - kMacaqueKernel0 + 1;

struct MacaqueBatchNorm {
  at::Tensor weight, bias, running_mean, running_var;  // 32 each
};

// Depth-separable convolution → BatchNorm → ELU → squeeze-and-excitation.
struct MacaqueSeparableLayer {
  at::Tensor in_depth;   // 32×32×1×1
  at::Tensor spatial;    // 32×1×9×9, depthwise, dilation 2, padding 8
  at::Tensor out_depth;  // 32×32×1×1
  MacaqueBatchNorm norm;
  at::Tensor squeeze_weight, squeeze_bias;  // 2×32, 2
  at::Tensor excite_weight, excite_bias;    // 32×2, 32
};

// A point-pooled readout of n neurons: each samples the core output at its grid point.
struct MacaqueReadout {
  at::Tensor grid;      // 1×n×1×2, (x, y) in [−1, 1] feature-map coordinates
  at::Tensor features;  // 1×96×1×n: 32 channels × (unpooled, pooled once, pooled twice)
  at::Tensor bias;      // n
  int64_t neurons() const { return bias.size(0); }
};

struct MacaqueModel {
  std::string path;
  at::Tensor conv0;  // 32×1×24×24
  MacaqueBatchNorm norm0;
  std::array<MacaqueSeparableLayer, 2> layers;
  std::map<std::string, MacaqueReadout> readouts;  // by data key
};

// Reads and checks one model file (a state dict, saved on any device). Throws ConfigError
// naming the file and, for a missing or misshapen tensor, its name and expected shape.
MacaqueModel load_macaque_model(const std::string& path);

struct MacaqueModels {
  std::string directory;
  std::vector<MacaqueModel> models;        // kMacaqueModelFiles, in order
  std::map<std::string, int64_t> neurons;  // data key → neurons in its readout
  // Throws ConfigError for an unknown key (listing the valid ones) or an index out of range.
  void check_neuron(const std::string& data_key, int64_t index) const;
};

// Loads the three models of `directory`; all must have the same data keys and neuron counts.
MacaqueModels load_macaque_models(const std::string& directory);

// The literal forward pass (BatchNorm with its running statistics), differentiable in the
// images (N×1×93×93 float): layer 0's output, the core's output (N×32×70×70 each), the
// readout's y for every neuron of a data key (N×n), and the responses elu(y) + 1 (N×n).
at::Tensor macaque_layer0(const MacaqueModel& model, const at::Tensor& images);
at::Tensor macaque_core(const MacaqueModel& model, const at::Tensor& images);
at::Tensor macaque_readout(const MacaqueReadout& readout, at::Tensor core);
at::Tensor macaque_responses(const MacaqueModel& model, const at::Tensor& images,
                             const std::string& data_key);

}  // namespace invex

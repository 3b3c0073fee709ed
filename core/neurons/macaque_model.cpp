#include "core/neurons/macaque_model.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <sstream>

#include "core/neurons/torch_state_dict.h"
#include "core/run/config.h"

namespace invex {

const std::array<const char*, 3> kMacaqueModelFiles = {"monkey_model3.pt", "monkey_model10.pt",
                                                       "monkey_model12.pt"};

namespace {

constexpr double kBatchNormEps = 1e-5;
constexpr const char* kCore = "core.features.";
constexpr const char* kReadout = "readout.";

std::string shape_text(at::IntArrayRef shape) {
  std::ostringstream s;
  s << "(";
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << ")";
  return s.str();
}

// Takes tensors out of a state dict by name, checking each one's shape.
class TensorTaker {
 public:
  TensorTaker(std::string path, std::map<std::string, at::Tensor> tensors)
      : path_(std::move(path)), tensors_(std::move(tensors)) {}

  at::Tensor take(const std::string& name, std::vector<int64_t> shape) {
    auto it = tensors_.find(name);
    if (it == tensors_.end())
      throw ConfigError(path_ + ": tensor " + name + " is missing (expected shape " +
                        shape_text(shape) + "); not a macaque V1 model file");
    const at::Tensor& t = it->second;
    if (t.sizes() != at::IntArrayRef(shape) || !at::isFloatingType(t.scalar_type()))
      throw ConfigError(path_ + ": tensor " + name + " has shape " + shape_text(t.sizes()) + " " +
                        std::string(c10::toString(t.scalar_type())) + ", expected " +
                        shape_text(shape) + " float");
    auto f = t.to(at::kFloat).contiguous();
    if (!at::isfinite(f).all().item<bool>())
      throw ConfigError(path_ + ": tensor " + name + " holds values that are not finite");
    return f;
  }

  MacaqueBatchNorm batch_norm(const std::string& prefix) {
    const int64_t c = kMacaqueChannels;
    return {take(prefix + "weight", {c}), take(prefix + "bias", {c}),
            take(prefix + "running_mean", {c}), take(prefix + "running_var", {c})};
  }

  // Data keys are the names `readout.<key>.bias`; the bias gives the neuron count, which the
  // grid and features must agree with.
  std::map<std::string, MacaqueReadout> readouts() {
    std::map<std::string, MacaqueReadout> out;
    const std::string prefix = kReadout, suffix = ".bias";
    for (const auto& [name, t] : tensors_) {
      if (name.rfind(prefix, 0) != 0 || name.size() <= prefix.size() + suffix.size() ||
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
        continue;
      const std::string key =
          name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
      const int64_t n = t.dim() == 1 ? t.size(0) : -1;
      if (n <= 0)
        throw ConfigError(path_ + ": tensor " + name + " has shape " + shape_text(t.sizes()) +
                          ", expected (n) with n > 0 neurons");
      const std::string base = prefix + key + ".";
      out[key] = {take(base + "grid", {1, n, 1, 2}),
                  take(base + "features", {1, 3 * kMacaqueChannels, 1, n}),
                  take(base + "bias", {n})};
    }
    if (out.empty())
      throw ConfigError(path_ + ": no readout (tensors readout.<data key>.bias); not a macaque " +
                        "V1 model file");
    return out;
  }

 private:
  std::string path_;
  std::map<std::string, at::Tensor> tensors_;
};

MacaqueSeparableLayer take_layer(TensorTaker& t, const std::string& prefix) {
  const int64_t c = kMacaqueChannels;
  MacaqueSeparableLayer l;
  l.in_depth = t.take(prefix + "ds_conv.in_depth_conv.weight", {c, c, 1, 1});
  l.spatial = t.take(prefix + "ds_conv.spatial_conv.weight", {c, 1, 9, 9});
  l.out_depth = t.take(prefix + "ds_conv.out_depth_conv.weight", {c, c, 1, 1});
  l.norm = t.batch_norm(prefix + "norm.");
  l.squeeze_weight = t.take(prefix + "seg_ex_block.se.1.weight", {2, c});
  l.squeeze_bias = t.take(prefix + "seg_ex_block.se.1.bias", {2});
  l.excite_weight = t.take(prefix + "seg_ex_block.se.3.weight", {c, 2});
  l.excite_bias = t.take(prefix + "seg_ex_block.se.3.bias", {c});
  return l;
}

at::Tensor batch_norm(const at::Tensor& x, const MacaqueBatchNorm& n) {
  return at::batch_norm(x, n.weight, n.bias, n.running_mean, n.running_var, /*training=*/false, 0.0,
                        kBatchNormEps, /*cudnn_enabled=*/false);
}

at::Tensor separable_layer(const at::Tensor& x, const MacaqueSeparableLayer& l) {
  auto y = at::conv2d(x, l.in_depth);
  y = at::conv2d(y, l.spatial, {}, /*stride=*/1, /*padding=*/8, /*dilation=*/2,
                 /*groups=*/kMacaqueChannels);
  y = at::conv2d(y, l.out_depth);
  y = at::elu(batch_norm(y, l.norm));
  auto s = at::relu(at::linear(y.mean({2, 3}), l.squeeze_weight, l.squeeze_bias));
  s = at::sigmoid(at::linear(s, l.excite_weight, l.excite_bias));
  return y * s.unsqueeze(2).unsqueeze(3);
}

}  // namespace

MacaqueModel load_macaque_model(const std::string& path) {
  TensorTaker t(path, read_torch_state_dict(path));
  const int64_t c = kMacaqueChannels;
  MacaqueModel m;
  m.path = path;
  m.conv0 = t.take(std::string(kCore) + "layer0.conv.weight", {c, 1, 24, 24});
  m.norm0 = t.batch_norm(std::string(kCore) + "layer0.norm.");
  for (int i = 0; i < 2; ++i)
    m.layers[i] = take_layer(t, std::string(kCore) + "layer" + std::to_string(i + 1) + ".");
  m.readouts = t.readouts();
  return m;
}

MacaqueModels load_macaque_models(const std::string& directory) {
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec))
    throw ConfigError(directory + ": no such directory (expected the macaque V1 model files " +
                      kMacaqueModelFiles[0] + ", " + kMacaqueModelFiles[1] + ", " +
                      kMacaqueModelFiles[2] + ")");
  MacaqueModels out;
  out.directory = directory;
  for (const char* file : kMacaqueModelFiles)
    out.models.push_back(load_macaque_model((std::filesystem::path(directory) / file).string()));
  for (const auto& [key, r] : out.models[0].readouts) out.neurons[key] = r.neurons();
  for (const auto& m : out.models) {
    for (const auto& [key, r] : m.readouts) {
      auto it = out.neurons.find(key);
      if (it == out.neurons.end() || it->second != r.neurons() ||
          m.readouts.size() != out.neurons.size())
        throw ConfigError(m.path + ": its readouts (data keys and neuron counts) differ from " +
                          out.models[0].path + "'s; the three models must be one ensemble");
    }
  }
  return out;
}

void MacaqueModels::check_neuron(const std::string& data_key, int64_t index) const {
  auto it = neurons.find(data_key);
  if (it == neurons.end()) {
    std::ostringstream s;
    s << "neuron.data_key: '" << data_key << "' is not a data key of " << directory
      << "; valid keys (neurons):";
    for (const auto& [key, n] : neurons) s << " " << key << " (" << n << ")";
    throw ConfigError(s.str());
  }
  if (index < 0 || index >= it->second)
    throw ConfigError("neuron.index: " + std::to_string(index) + " is out of range for data key " +
                      data_key + ", which has neurons 0.." + std::to_string(it->second - 1));
}

at::Tensor macaque_layer0(const MacaqueModel& m, const at::Tensor& images) {
  return at::elu(batch_norm(at::conv2d(images, m.conv0), m.norm0));
}

at::Tensor macaque_core(const MacaqueModel& m, const at::Tensor& images) {
  auto x = macaque_layer0(m, images);
  for (const auto& l : m.layers) x = separable_layer(x, l);
  return x;
}

at::Tensor macaque_readout(const MacaqueReadout& r, at::Tensor x) {
  const int64_t n = x.size(0), cells = r.neurons();
  auto grid = r.grid.clamp(-1, 1).expand({n, cells, 1, 2});
  std::vector<at::Tensor> samples;
  for (int pool = 0; pool < 3; ++pool) {
    if (pool > 0) x = at::avg_pool2d(x, 3, 3, 0, /*ceil_mode=*/false, /*count_include_pad=*/false);
    samples.push_back(at::grid_sampler(x, grid, /*bilinear*/ 0, /*zeros*/ 0,
                                       /*align_corners=*/true));
  }
  auto y = at::cat(samples, 1).squeeze(3);  // N×96×n
  return (y * r.features.view({1, 3 * kMacaqueChannels, cells})).sum(1) + r.bias;
}

at::Tensor macaque_responses(const MacaqueModel& m, const at::Tensor& images,
                             const std::string& data_key) {
  return at::elu(macaque_readout(m.readouts.at(data_key), macaque_core(m, images))) + 1;
}

}  // namespace invex

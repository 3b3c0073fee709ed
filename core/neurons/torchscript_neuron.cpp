#include "core/neurons/torchscript_neuron.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/jit/serialization/import.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "core/support/thread_pool.h"

namespace invex {
namespace {

std::string shape_text(at::IntArrayRef sizes) {
  std::ostringstream s;
  s << sizes;  // "[2, 1, 12, 12]"
  return s.str();
}

std::string path_text(const std::vector<int>& path, size_t length) {
  std::string s = "[";
  for (size_t i = 0; i < length; ++i) s += (i ? ", " : "") + std::to_string(path[i]);
  return s + "]";
}

// What a value of the module's output is, for messages.
std::string describe(const c10::IValue& v) {
  if (v.isTensor()) return "a tensor of shape " + shape_text(v.toTensor().sizes());
  if (v.isTuple()) return "a tuple of " + std::to_string(v.toTupleRef().elements().size());
  if (v.isList()) return "a list of " + std::to_string(v.toListRef().size());
  return "a " + v.tagKind();
}

// LibTorch's message without its C++ backtrace; for an error inside TorchScript code, its last
// line, which says what failed (the lines before it are the script's traceback).
std::string torch_message(const std::exception& e) {
  const auto* c10_error = dynamic_cast<const c10::Error*>(&e);
  std::string text = c10_error ? c10_error->what_without_backtrace() : e.what();
  std::istringstream lines(text);
  std::string line, last;
  while (std::getline(lines, line))
    if (line.find_first_not_of(" \t") != std::string::npos) last = line;
  last.erase(0, last.find_first_not_of(" \t"));
  return last;
}

c10::IValue script_argument(const ScriptArgument& a) {
  switch (a.kind) {
    case ScriptArgument::Kind::String:
      return c10::IValue(a.text);
    case ScriptArgument::Kind::Integer:
      return c10::IValue(static_cast<int64_t>(a.number));
    case ScriptArgument::Kind::Number:
      return c10::IValue(a.number);
    case ScriptArgument::Kind::Boolean:
      return c10::IValue(a.number != 0);
  }
  return {};
}

class TorchScriptNeuron : public TorchNeuron {
 public:
  TorchScriptNeuron(torch::jit::Module module, const NeuronConfig& cfg)
      : module_(std::move(module)), output_(cfg.output), file_(cfg.file) {
    channels = cfg.input_shape.at(0);
    height = cfg.input_shape.at(1);
    width = cfg.input_shape.at(2);
    for (const ScriptArgument& a : cfg.args) args_.push_back(script_argument(a));
  }

  // Runs the module on two mean-grey images; throws ConfigError when the response is not one
  // number per image that depends on the images.
  void check_on_dummy_batch() const {
    const int64_t n = 2;
    auto x = at::zeros({n, channels, height, width}).requires_grad_(true);
    c10::IValue out;
    try {
      out = run_module(x);
    } catch (const std::exception& e) {
      throw ConfigError(file_ + ": forward() failed on " + shape_text(x.sizes()) + " images" +
                        (args_.empty() ? "" : " and neuron.args") + ": " + torch_message(e));
    }
    at::Tensor r = select_response(out, n);
    if (!r.requires_grad())
      throw ConfigError(file_ + ": neuron.output " + path_text(output_, output_.size()) +
                        " does not depend on the images (no gradient reaches them), so no "
                        "image can be optimised for it");
  }

  at::Tensor forward(const at::Tensor& images) const override {
    check_image_shape(*this, images, "torchscript neuron input");
    const int64_t n = images.size(0);
    if (at::GradMode::is_enabled() && images.requires_grad())
      return select_response(run_module(images.to(at::kFloat)), n);  // one graph, this thread
    auto x = images.detach().to(at::kFloat).contiguous();
    auto r = at::empty({n});
    run_chunks(n, false, [&](int64_t start, int64_t count) {
      r.narrow(0, start, count).copy_(respond(x.narrow(0, start, count)));
    });
    return r;
  }

  at::Tensor forward_and_input_gradient(const at::Tensor& images, const at::Tensor& weights,
                                        at::Tensor* responses) const override {
    check_image_shape(*this, images, "torchscript neuron input");
    const int64_t n = images.size(0);
    if (weights.dim() != 1 || weights.size(0) != n)
      throw ConfigError("torchscript neuron input gradient: expected " + std::to_string(n) +
                        " weights, one per image");
    auto x = images.detach().to(at::kFloat).contiguous();
    auto w = weights.detach().to(at::kFloat).contiguous();
    auto grad = at::empty_like(x);
    auto r = at::empty({n});
    run_chunks(n, true, [&](int64_t start, int64_t count) {
      auto xc = x.narrow(0, start, count).clone().requires_grad_(true);
      auto rc = respond(xc);
      r.narrow(0, start, count).copy_(rc.detach());
      grad.narrow(0, start, count)
          .copy_(torch::autograd::grad({rc}, {xc}, {w.narrow(0, start, count)})[0]);
    });
    if (responses) *responses = r;
    return grad.to(images.scalar_type());
  }

  at::Tensor input_gradient(const at::Tensor& images, const at::Tensor& weights) const override {
    return forward_and_input_gradient(images, weights, nullptr);
  }

  // The linearised receptive field: the gradient of the response at a mean-grey image (zeros),
  // C×H×W. A module has no filters of its own to show.
  at::Tensor filters() const override {
    std::call_once(receptive_field_once_, [this] {
      auto grey = at::zeros({1, channels, height, width});
      receptive_field_ = input_gradient(grey, at::ones({1})).squeeze(0);
    });
    return receptive_field_;
  }

 private:
  c10::IValue run_module(const at::Tensor& images) const {
    std::vector<c10::IValue> inputs{images};
    inputs.insert(inputs.end(), args_.begin(), args_.end());
    return module_.forward(std::move(inputs));
  }

  at::Tensor respond(const at::Tensor& images) const {
    return select_response(run_module(images), images.size(0));
  }

  // Follows neuron.output into the module's output: an index picks an element of a tuple or
  // list, or a column (dimension 1) of a tensor. The end must be n numbers, shape [n] or [n, 1].
  at::Tensor select_response(const c10::IValue& out, int64_t n) const {
    c10::IValue v = out;
    for (size_t step = 0; step < output_.size(); ++step) {
      const int i = output_[step];
      auto bad = [&](const std::string& what) {
        return ConfigError(file_ + ": neuron.output " + path_text(output_, output_.size()) +
                           ": index " + std::to_string(i) + " at " + path_text(output_, step) +
                           " " + what + " (" + describe(v) + ")");
      };
      if (v.isTuple() || v.isList()) {
        const auto& items = v.isTuple() ? v.toTupleRef().elements().vec() : v.toListRef().vec();
        if (i >= static_cast<int>(items.size())) throw bad("is out of range");
        v = items[i];
      } else if (v.isTensor() && v.toTensor().dim() >= 2) {
        if (i >= v.toTensor().size(1)) throw bad("is out of range");
        v = v.toTensor().select(1, i);
      } else {
        throw bad("cannot be applied: expected a tuple, a list or a tensor with columns");
      }
    }
    const at::Tensor t = v.isTensor() ? v.toTensor() : at::Tensor();
    if (!t.defined() || t.size(0) != n || t.numel() != n || !t.is_floating_point())
      throw ConfigError(
          file_ + ": neuron.output " + path_text(output_, output_.size()) +
          ": expected one floating-point number per image (shape [" + std::to_string(n) + "] or [" +
          std::to_string(n) + ", 1] for " + std::to_string(n) + " images), got " + describe(v) +
          (t.defined() && t.dim() >= 2 ? "; pick one column with neuron.output" : ""));
    return t.reshape({n}).to(at::kFloat);
  }

  // task(start, count) for chunks of the batch on the compute threads. Grad mode and LibTorch's
  // OpenMP thread count are per thread: each task sets both.
  static void run_chunks(int64_t n, bool grad, const std::function<void(int64_t, int64_t)>& task) {
    const int64_t chunks = std::min<int64_t>(n, 4 * std::max(1, compute_threads()));
    const int64_t size = (n + chunks - 1) / std::max<int64_t>(chunks, 1);
    parallel_for((n + size - 1) / size, [&](long i) {
      static thread_local bool threads_set = false;
      if (!threads_set) {
        at::init_num_threads();
        threads_set = true;
      }
      c10::AutoGradMode grad_mode(grad);
      const int64_t start = i * size;
      task(start, std::min(size, n - start));
    });
  }

  mutable torch::jit::Module module_;  // forward() is not const in LibTorch; running it is safe
  std::vector<c10::IValue> args_;
  std::vector<int> output_;
  std::string file_;
  mutable std::once_flag receptive_field_once_;
  mutable at::Tensor receptive_field_;
};

}  // namespace

std::unique_ptr<TorchNeuron> make_torchscript_neuron(const NeuronConfig& cfg) {
  const std::string& file = cfg.file;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw ConfigError(file + ": no such file (neuron.file: a module saved by torch.jit.save)");
  torch::jit::Module module;
  try {
    module = torch::jit::load(file, c10::Device(c10::kCPU));
  } catch (const std::exception& e) {
    throw ConfigError(file + ": not a TorchScript module saved by torch.jit.save (" +
                      torch_message(e) + ")");
  }
  if (!module.find_method("forward"))
    throw ConfigError(file + ": the module has no forward() method");
  module.eval();
  for (at::Tensor p : module.parameters()) p.requires_grad_(false);
  auto neuron = std::make_unique<TorchScriptNeuron>(std::move(module), cfg);
  neuron->check_on_dummy_batch();
  return neuron;
}

}  // namespace invex

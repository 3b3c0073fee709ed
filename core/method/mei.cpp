#include "core/method/mei.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/autograd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/io/atomic_file.h"
#include "core/method/objective.h"
#include "core/neurons/torch_neuron.h"

namespace invex {
namespace {

// The key is everything the MEI depends on: the neuron, the image size and transform, and the
// optimisation settings. Changing any of them gives a new entry.
std::string cache_key(const NeuronConfig& n, const ImageConfig& im, const MeiConfig& mei,
                      unsigned long long seed) {
  RunConfig c;
  c.neuron = n;
  c.image = im;
  c.mei = mei;
  c.mei.activation = 0;
  auto j = nlohmann::json::parse(config_to_json(c, -1));
  nlohmann::json key = {
      {"neuron", j["neuron"]}, {"image", j["image"]}, {"mei", j["mei"]}, {"seed", seed}, {"v", 1}};
  return key.dump();
}

std::string cache_path() {
  if (const char* p = std::getenv("INVEX_CACHE_DIR")) return std::string(p) + "/mei.json";
  if (const char* x = std::getenv("XDG_CACHE_HOME")) return std::string(x) + "/invex/mei.json";
  if (const char* h = std::getenv("HOME")) return std::string(h) + "/.cache/invex/mei.json";
  return {};
}

std::mutex cache_mutex;
std::map<std::string, double> memory_cache;

double lookup_disk(const std::string& key) {
  auto path = cache_path();
  if (path.empty()) return 0;
  std::ifstream in(path);
  if (!in) return 0;
  try {
    auto j = nlohmann::json::parse(in);
    auto it = j.find(key);
    if (it != j.end() && it->is_number()) return it->get<double>();
  } catch (...) {
    // A damaged cache is only a cache: recompute.
  }
  return 0;
}

void store_disk(const std::string& key, double value) {
  auto path = cache_path();
  if (path.empty()) return;
  try {
    ensure_directory(std::filesystem::path(path).parent_path().string());
    nlohmann::json j = nlohmann::json::object();
    std::ifstream in(path);
    if (in) {
      try {
        j = nlohmann::json::parse(in);
      } catch (...) {
        j = nlohmann::json::object();
      }
    }
    j[key] = value;
    write_file_atomic(path, j.dump(1));
  } catch (...) {
    // An unwritable cache costs a recomputation next time, nothing more.
  }
}

}  // namespace

MeiResult compute_mei(const NeuronConfig& ncfg, const ImageConfig& im, const MeiConfig& mei,
                      unsigned long long seed) {
  auto neuron = make_torch_neuron(ncfg);
  auto gen = at::detail::createCPUGenerator(seed + 7);
  auto x = at::normal(0.0, 1.0, {1, im.channels, im.height, im.width}, gen, at::kFloat);
  x.requires_grad_(true);
  // Adam on the pixels, as in training; the transform fixes the image's mean and contrast, so
  // the optimum is well defined.
  auto m = at::zeros_like(x), v = at::zeros_like(x);
  const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  double best = -1e30;
  at::Tensor best_image;
  for (int t = 1; t <= mei.steps; ++t) {
    auto images = transform_images(im.transform, x);
    auto a = neuron->forward(images).sum();
    double value = a.item<double>();
    if (value > best) {
      best = value;
      best_image = images.detach().clone();
    }
    auto g = torch::autograd::grad({-a}, {x})[0];
    c10::NoGradGuard no_grad;
    m.mul_(b1).add_(g, 1 - b1);
    v.mul_(b2).addcmul_(g, g, 1 - b2);
    auto denom = (v.sqrt() / std::sqrt(1 - std::pow(b2, t))).add_(eps);
    x.addcdiv_(m, denom, -mei.lr / (1 - std::pow(b1, t)));
  }
  {
    c10::NoGradGuard no_grad;
    auto images = transform_images(im.transform, x);
    double value = neuron->forward(images).sum().item<double>();
    if (value > best) {
      best = value;
      best_image = images.clone();
    }
  }
  MeiResult r;
  r.activation = best;
  r.image = ImageStack(1, im.channels, im.height, im.width);
  auto c = best_image.contiguous();
  std::copy(c.data_ptr<float>(), c.data_ptr<float>() + c.numel(), r.image.data.begin());
  return r;
}

double mei_activation_for(const RunConfig& cfg) {
  if (cfg.mei.activation > 0) return cfg.mei.activation;
  const std::string key = cache_key(cfg.neuron, cfg.image, cfg.mei, 0);
  {
    std::lock_guard<std::mutex> lock(cache_mutex);
    auto it = memory_cache.find(key);
    if (it != memory_cache.end()) return it->second;
  }
  double value = lookup_disk(key);
  if (!(value > 0)) {
    value = compute_mei(cfg.neuron, cfg.image, cfg.mei, 0).activation;
    if (!(value > 0) || !std::isfinite(value))
      throw ConfigError("mei: the MEI optimisation reached activation " + std::to_string(value) +
                        "; the neuron cannot be normalised (give mei.activation explicitly)");
    store_disk(key, value);
  }
  std::lock_guard<std::mutex> lock(cache_mutex);
  memory_cache[key] = value;
  return value;
}

}  // namespace invex

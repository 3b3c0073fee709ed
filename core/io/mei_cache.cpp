#include "core/io/mei_cache.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/io/atomic_file.h"
#include "core/method/mei.h"
#include "core/neurons/macaque_model.h"
#include "core/support/runtime_switches.h"

namespace invex {
namespace {

// A fingerprint of a file's bytes: its size and a hash of its content. std::hash may differ
// between standard libraries, which costs at most one recomputation.
std::string content_fingerprint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read the model file (" + std::strerror(errno) + ")");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  const std::string content = bytes.str();
  std::ostringstream s;
  s << content.size() << ":" << std::hex << std::hash<std::string>{}(content);
  return s.str();
}

// The key is everything the MEI depends on: the neuron, the image size and transform, and the
// optimisation settings. Changing any of them gives a new entry. Model files (macaque models, a
// TorchScript module) count by content: the same files in another folder share an entry,
// changed files in the same folder do not.
std::string cache_key(const RunConfig& cfg) {
  RunConfig c;
  c.neuron = cfg.neuron;
  c.image = cfg.image;
  c.mei = cfg.mei;
  c.mei.activation = 0;
  auto j = nlohmann::json::parse(config_to_json(c, -1));
  nlohmann::json key = {
      {"neuron", j["neuron"]}, {"image", j["image"]}, {"mei", j["mei"]}, {"seed", 0}, {"v", 1}};
  if (cfg.neuron.type == "macaque-ensemble") {
    if (cfg.neuron.models.empty()) throw ConfigError(macaque_models_not_found());
    key["neuron"].erase("models");
    for (const char* file : kMacaqueModelFiles)
      key["model_files"][file] =
          content_fingerprint((std::filesystem::path(cfg.neuron.models) / file).string());
  }
  // A module saved again under the same name is another neuron. A missing file is left to the
  // neuron's loader, whose message says what the file should be.
  std::error_code ec;
  if (cfg.neuron.type == "torchscript" && std::filesystem::is_regular_file(cfg.neuron.file, ec)) {
    key["neuron"].erase("file");
    key["model_files"]["module"] = content_fingerprint(cfg.neuron.file);
  }
  return key.dump();
}

std::string cache_path() {
  const std::string dir = switches::cache_dir();
  return dir.empty() ? std::string() : dir + "/mei.json";
}

std::mutex cache_mutex;
std::map<std::string, double> memory_cache;

nlohmann::json read_cache_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return nlohmann::json::object();
  try {
    auto j = nlohmann::json::parse(in);
    if (j.is_object()) return j;
  } catch (...) {
    // A damaged cache is only a cache: start it again.
  }
  return nlohmann::json::object();
}

double lookup_disk(const std::string& key) {
  const auto path = cache_path();
  if (path.empty()) return 0;
  const auto j = read_cache_file(path);
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

void store_disk(const std::string& key, double value) {
  const auto path = cache_path();
  if (path.empty()) return;
  try {
    ensure_directory(std::filesystem::path(path).parent_path().string());
    auto j = read_cache_file(path);
    j[key] = value;
    write_file_atomic(path, j.dump(1));
  } catch (...) {
    // An unwritable cache costs a recomputation next time, nothing more.
  }
}

}  // namespace

double mei_activation_for(const RunConfig& cfg, const MeiProgress& progress) {
  if (cfg.mei.activation > 0) return cfg.mei.activation;
  const std::string key = cache_key(cfg);
  {
    std::lock_guard<std::mutex> lock(cache_mutex);
    auto it = memory_cache.find(key);
    if (it != memory_cache.end()) return it->second;
  }
  double value = lookup_disk(key);
  if (!(value > 0)) {
    value = compute_mei(cfg.neuron, cfg.image, cfg.mei, 0, progress).activation;
    if (!(value > 0) || !std::isfinite(value))
      throw ConfigError("mei: the MEI optimisation reached activation " + std::to_string(value) +
                        "; the neuron cannot be normalised (give mei.activation explicitly)");
    store_disk(key, value);
  }
  std::lock_guard<std::mutex> lock(cache_mutex);
  memory_cache[key] = value;
  return value;
}

void remember_mei_activation(const RunConfig& cfg, double activation) {
  if (!(activation > 0) || !std::isfinite(activation)) return;
  const std::string key = cache_key(cfg);
  store_disk(key, activation);
  std::lock_guard<std::mutex> lock(cache_mutex);
  memory_cache[key] = activation;
}

}  // namespace invex

#include "core/io/shipped_run.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/io/atomic_file.h"
#include "core/io/npy.h"
#include "core/io/saved_run.h"
#include "core/method/mei.h"
#include "core/run/config.h"

namespace invex {
namespace fs = std::filesystem;

void write_shipped_run(const Trainer& trainer, const std::string& dir) {
  const RunConfig& cfg = trainer.config();
  ensure_directory(dir);
  write_file_atomic(dir + "/config.json", config_to_json(cfg) + "\n");

  // Time spent training differs from machine to machine; a shipped file must not.
  TrainerState state = trainer.state();
  state.progress.wall_seconds = 0;
  write_saved_run(dir + "/run.invex", state, SavedRunOptions{false, false});

  const auto snap = trainer.snapshot(true);
  const std::vector<float>& a = snap->sweep_activations;
  write_npy(dir + "/activations.npy", {static_cast<long>(a.size())}, a.data());

  const MeiResult mei = compute_mei(cfg.neuron, cfg.image, cfg.mei);
  const ImageStack& m = mei.image;
  write_npy(dir + "/mei.npy", {m.count, m.channels, m.height, m.width}, m.data.data());
}

std::string shipped_runs_directory() {
  return (fs::path(preset_directory()).parent_path() / "runs").string();
}

std::string shipped_run_of_preset(const std::string& preset) {
  if (preset.empty() || preset.find("..") != std::string::npos) return {};
  const fs::path dir = fs::path(shipped_runs_directory()) / preset;
  std::error_code ec;
  return fs::is_regular_file(dir / "run.invex", ec) && fs::is_regular_file(dir / "config.json", ec)
             ? dir.string()
             : std::string();
}

std::vector<std::string> list_shipped_runs() {
  std::vector<std::string> names;
  const fs::path root = shipped_runs_directory();
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->path().filename() != "run.invex") continue;
    names.push_back(fs::relative(it->path().parent_path(), root).generic_string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace invex

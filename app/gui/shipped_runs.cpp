// A preset opens on the trained run that ships with it (assets/runs/<preset>, io/shipped_run.h),
// so a lecture starts on a finished manifold; training from scratch is one click away.
#include <imgui.h>

#include <algorithm>
#include <exception>

#include "app/gui/app_state.h"
#include "core/io/shipped_run.h"

namespace invex::gui {

bool open_shipped_run(AppState& s) {
  const std::string dir = shipped_run_of_preset(s.preset);
  if (dir.empty()) return false;
  RunConfig trained;
  try {
    trained = load_config_file(dir + "/config.json");
  } catch (const std::exception& e) {
    s.error = "could not open the shipped run of " + s.preset + ": " + e.what();
    return false;
  }
  if (!create_run(s, trained, dir + "/run.invex")) return false;
  s.shipped_run = dir;
  // s.cfg is the preset's own config, not the shorter schedule the shipped run was trained
  // with: Start trains the preset from scratch.
  s.cfg_dirty = true;
  s.error.clear();
  s.cfg_error.clear();
  s.z.assign(static_cast<size_t>(std::max(1, trained.latent.dims())), 0.0f);
  return true;
}

void train_from_scratch(AppState& s) {
  s.shipped_run.clear();
  s.cfg_dirty = true;
  start(s);
}

void draw_shipped_run_note(AppState& s) {
  if (s.shipped_run.empty() || !s.run) return;
  const RunState st = s.run->state();
  if (st == RunState::Running || st == RunState::Paused) return;
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled(
      "A trained run that ships with invex: sweep it now, or train the preset "
      "yourself.");
  ImGui::PopTextWrapPos();
  if (ImGui::Button("Train again from scratch")) train_from_scratch(s);
  tip("Discard the shipped run and train the preset from its seed with its full schedule "
      "(Start does the same). The shipped run was trained the same way on a shorter schedule "
      "(assets/runs/make_runs.sh).");
}

}  // namespace invex::gui

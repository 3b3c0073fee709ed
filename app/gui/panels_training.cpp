// Training controls, progress and hyperparameters; the live curves.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>

#include "app/gui/app_state.h"

namespace invex::gui {

namespace {

const ImVec4 kErrorColor(1.0f, 0.42f, 0.42f, 1.0f);

bool button(const char* label, bool enabled, const char* help) {
  ImGui::BeginDisabled(!enabled);
  const bool pressed = ImGui::Button(label);
  ImGui::EndDisabled();
  tip(help);
  return pressed && enabled;
}

std::string format_duration(double seconds) {
  char buf[64];
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const int t = static_cast<int>(seconds + 0.5);
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%dh%02dm", t / 3600, (t / 60) % 60);
  else if (t >= 60)
    std::snprintf(buf, sizeof buf, "%dm%02ds", t / 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%ds", t);
  return buf;
}

void draw_save_controls(AppState& s) {
  ImGui::Separator();
  std::string name = s.preset.empty() ? "custom" : s.preset;
  std::replace(name.begin(), name.end(), '/', '-');
  // Follow a preset switch unless the user typed a directory of their own.
  if (s.save_dir.empty() || s.save_dir == s.save_dir_default) {
    s.save_dir_default = "runs/gui-" + name;
    s.save_dir = s.save_dir_default;
  }
  const bool can_save = s.run && s.latest;
  ImGui::BeginDisabled(!can_save);
  if (ImGui::Button("Save run")) save_run(s, s.save_dir);
  ImGui::EndDisabled();
  tip("Save the run (weights, optimiser state, schedule position, history) after the current "
      "step. Open it later with `invex gui --run DIR`, export it with `invex render --run "
      "DIR`, or continue it with `invex train --resume DIR`.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-1);
  ImGui::InputText("##save dir", &s.save_dir);
  tip("Directory to save the run in (created if missing).");
  if (s.save_requested && s.run) {
    const std::string msg = s.run->last_save_message();
    if (!msg.empty()) ImGui::TextDisabled("%s", msg.c_str());
  }
}

// Start / Pause / Resume / Stop / Reset.
void draw_run_buttons(AppState& s, RunState st) {
  const bool active = st == RunState::Running || st == RunState::Paused;
  if (button("Start", !active,
             "Train the CPPN on a background thread (Space). Each step renders the whole latent "
             "grid with one shared jitter, scores every image with the neuron and the "
             "contrastive term, and takes an Adam step. After a finished run, or after "
             "changing a setting, Start begins a new run."))
    start(s);
  ImGui::SameLine();
  if (button("Pause", st == RunState::Running,
             "Hold training after the current step (Space). The view keeps the newest snapshot."))
    s.run->pause();
  ImGui::SameLine();
  if (button("Resume", st == RunState::Paused && !s.cfg_dirty,
             "Continue the paused run exactly where it stopped (Space)."))
    s.run->resume();
  ImGui::SameLine();
  if (button("Stop", active,
             "End training after the current step and publish a snapshot. The hyperparameters "
             "become editable: Start continues this run, or begins a new one if a setting "
             "was changed."))
    s.run->stop();
  ImGui::SameLine();
  if (button("Reset", true,
             "Discard this run and prepare a fresh one (new CPPN from the seed) with the "
             "settings below."))
    reset_run(s);
}

// The progress bar, the run's state, phase, epoch, speed and ETA.
void draw_progress(const AppState& s, RunState st) {
  const SnapshotPtr& snap = s.latest;
  const int total = snap ? snap->total_steps : s.cfg.total_steps();
  const int step = snap ? snap->step : 0;
  const float frac = total > 0 ? static_cast<float>(step) / total : 0.0f;
  char overlay[64];
  std::snprintf(overlay, sizeof overlay, "step %d / %d", step, total);
  ImGui::ProgressBar(frac, ImVec2(-1, 0), overlay);
  tip("Steps done of the whole schedule: (number of λ values) × epochs per λ × steps per "
      "epoch.");

  // The run's own state is current; a snapshot's may predate a Stop. Only a failure is
  // known from the snapshot alone.
  ImGui::Text("State: %s",
              to_string(snap && snap->state == RunState::Failed ? RunState::Failed : st));
  tip("Idle: not started. Running / Paused / Stopped: as the buttons say. Finished: the "
      "schedule (or the stop rule) ended. Failed: the loss became non-finite; the last "
      "good snapshot is kept.");
  if (!snap) {
    if (st == RunState::Running) ImGui::TextDisabled("Preparing (finding the MEI)…");
    return;
  }
  const int n_phases = static_cast<int>(snap->config.training.reg_coefs.size());
  const double lambda = snap->phase < n_phases ? snap->config.training.reg_coefs[snap->phase] : 0.0;
  ImGui::SameLine();
  ImGui::Text("  phase %d/%d (λ = %.3g)  epoch %d/%d", snap->phase + 1, n_phases, lambda,
              snap->epoch + 1, snap->config.training.epochs_per_reg);
  tip("A phase trains with one λ of the schedule, with a fresh Adam optimiser; an epoch is "
      "a fixed number of steps.");
  const double eta =
      snap->steps_per_second > 0 ? (snap->total_steps - snap->step) / snap->steps_per_second : -1.0;
  ImGui::Text("%.1f steps/s   ETA %s", snap->steps_per_second,
              st == RunState::Running ? format_duration(eta).c_str() : "—");
  tip("Training speed on this machine, and the time left at that speed.");
  if (!snap->message.empty()) {
    ImGui::PushTextWrapPos(0);
    if (snap->state == RunState::Failed)
      ImGui::TextColored(kErrorColor, "%s", snap->message.c_str());
    else
      ImGui::TextUnformatted(snap->message.c_str());
    ImGui::PopTextWrapPos();
  }
}

void error_text(const std::string& text) {
  ImGui::PushTextWrapPos(0);
  ImGui::TextColored(kErrorColor, "%s", text.c_str());
  ImGui::PopTextWrapPos();
}

// The trainer's error (unless the snapshot's message already shows it) and the app's own.
void draw_errors(const AppState& s) {
  if (s.run) {
    const std::string err = s.run->last_error();
    if (!err.empty() && !(s.latest && s.latest->message == err)) error_text(err);
  }
  if (!s.error.empty()) error_text(s.error);
}

// The hyperparameter fields; returns true when one was edited.
bool hyperparameter_fields(AppState& s) {
  bool changed = false;
  TrainingConfig& tr = s.cfg.training;
  changed |= ImGui::InputDouble("τ (temperature)", &s.cfg.loss.tau, 0.05, 0.1, "%.3g");
  tip("Temperature of the contrastive term: similarities are divided by τ before exp(). "
      "Small τ pushes hard on the most similar non-neighbours.");
  changed |= ImGui::InputInt("G (grid points)", &s.cfg.latent.grid_points);
  tip("Points of the latent grid per dimension: every step renders G (1-D) or G² (2-D) "
      "images. More points: a finer manifold, slower steps.");
  changed |= ImGui::InputDouble("neighbourhood", &s.cfg.loss.neighbor_size, 0.01, 0.05, "%.3g");
  tip("neighbor_size: grid points within r = floor(neighbourhood × G) of each other are "
      "neighbours and pulled to look alike; all others are pushed apart.");
  changed |= ImGui::Checkbox("round neighbourhood", &s.cfg.loss.round_neighbourhood);
  tip("Cut the box neighbourhood to a disc of radius r (matters only for 2-D latents).");
  changed |= ImGui::InputText("λ schedule", &s.reg_coefs_text);
  tip("Weight λ of the contrastive term, one value per phase, e.g. \"1, 0.5\". "
      "Loss = −mean activation − λ · regulariser.");
  changed |= ImGui::InputDouble("learning rate", &tr.lr, 0.001, 0.01, "%.4g");
  tip("Adam step size. A fresh Adam is created at the start of each λ phase.");
  changed |= ImGui::InputInt("epochs per λ", &tr.epochs_per_reg);
  tip("Epochs trained with each λ of the schedule.");
  changed |= ImGui::InputInt("steps per epoch", &tr.steps_per_epoch);
  tip("Training steps in one epoch; the per-epoch log and the stop rule work per epoch.");
  const unsigned long long step_one = 1;
  changed |= ImGui::InputScalar("seed", ImGuiDataType_U64, &tr.seed, &step_one);
  tip("Seeds the CPPN weights, the Fourier matrix B and the grid jitter: the same seed "
      "and settings reproduce a run.");
  changed |= ImGui::InputInt("threads", &s.threads);
  tip("CPU threads the trainer may use. Leave one core for the window and the renders.");
  s.threads = std::clamp(s.threads, 1, 64);
  return changed;
}

// The hyperparameters, editable while training is stopped, and what is wrong with them.
void draw_hyperparameters(AppState& s, bool active) {
  ImGui::Separator();
  ImGui::TextUnformatted("Hyperparameters");
  tip("Editable while training is stopped; a changed setting takes effect with the next "
      "Start (a new run) or Reset.");
  if (s.cfg_dirty && s.run && s.run->latest() && s.shipped_run.empty()) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(1, 0.8f, 0.3f, 1), "(changed: Start makes a new run)");
  }
  ImGui::BeginDisabled(active);
  ImGui::PushItemWidth(-ImGui::GetFontSize() * 9.0f);  // room for the labels
  const bool changed = hyperparameter_fields(s);
  ImGui::PopItemWidth();
  ImGui::EndDisabled();
  if (changed) {
    s.cfg_dirty = true;
    s.cfg_error = check_settings(s);
  }
  if (!s.cfg_error.empty()) error_text(s.cfg_error);
}

}  // namespace

void draw_training_panel(AppState& s, ImVec2 pos, ImVec2 size) {
  begin_panel("Training", pos, size);
  const RunState st = s.run ? s.run->state() : RunState::Idle;
  draw_run_buttons(s, st);
  draw_progress(s, st);
  draw_shipped_run_note(s);
  draw_errors(s);
  draw_hyperparameters(s, st == RunState::Running || st == RunState::Paused);
  draw_save_controls(s);
  draw_export_panel(s);
  ImGui::End();
}

void draw_curves_panel(AppState& s, ImVec2 pos, ImVec2 size) {
  begin_panel("Training curves", pos, size);
  const SnapshotPtr& snap = s.latest;
  if (!snap || snap->steps.empty()) {
    ImGui::TextDisabled("Curves appear once training runs.");
    ImGui::End();
    return;
  }
  draw_training_curves(*snap);
  ImGui::End();
}

}  // namespace invex::gui

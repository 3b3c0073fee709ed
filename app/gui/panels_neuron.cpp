// The neuron and preset panel: what the cell is, shown before what it ignores.
#include <imgui.h>

#include <algorithm>
#include <cstring>

#include "app/gui/app_state.h"

namespace invex::gui {

namespace {

struct NeuronType {
  const char* id;
  const char* label;
  const char* explain;  // tooltip and caption: what the filters below mean
};

const NeuronType kTypes[] = {
    {"gabor-simple", "Simple cell",
     "Response = ⟨x, g⟩ with one Gabor filter g (θ, phase). It prefers one image and is "
     "invariant to nothing: its manifold should collapse to a point."},
    {"gabor-complex", "Complex cell",
     "Energy model: √(⟨x, g₀⟩² + ⟨x, g_π/2⟩²) with a quadrature pair of Gabor filters. "
     "Blind to the phase of a grating: its manifold is a loop over phase."},
    {"gabor-orientation", "Orientation-invariant cell",
     "max over n θ in [0, 2π) of ⟨x, g(θ, phase π/2)⟩: any orientation excites it, so its "
     "manifold is a loop over orientation. A few of the n filters are shown."},
    {"gabor-phase-orientation", "Phase-and-orientation cell",
     "max over n θ in [0, θ range) of the energy model at θ: invariant to phase and "
     "orientation, a 2-D manifold (torus, or a cylinder for θ range π/2)."},
    {"gabor-polarity", "Polarity-invariant cell",
     "max(⟨x, g(phase 0)⟩, ⟨x, g(phase π)⟩): a filter and its negative, so both contrast "
     "polarities of one pattern excite it."},
    {"macaque-ensemble", "Macaque V1 neuron",
     "One neuron of the macaque V1 digital twin: three CNNs fitted to recordings of V1 "
     "neurons, their responses averaged (method.md §9). Its invariances are not known in "
     "advance: that is what the manifold finds. The filter shown is its linearised receptive "
     "field."},
    {"torchscript", "TorchScript model",
     "Any model saved by torch.jit.save: a file, the output that is the response, and "
     "constants forward() takes (README \"Your own model\"). The filter shown is the "
     "gradient of the response at a mean-grey image."},
};

const NeuronType* find_type(const std::string& id) {
  for (const NeuronType& t : kTypes)
    if (id == t.id) return &t;
  return nullptr;
}

bool drag_double(const char* label, double* v, float speed, double lo, double hi,
                 const char* help) {
  const bool changed = ImGui::DragScalar(label, ImGuiDataType_Double, v, speed, &lo, &hi, "%.3f",
                                         ImGuiSliderFlags_AlwaysClamp);
  tip(help);
  return changed;
}

}  // namespace

void draw_neuron_panel(AppState& s, ImVec2 pos, ImVec2 size) {
  begin_panel("Neuron", pos, size);
  const float label_w = ImGui::GetFontSize() * 7.5f;
  ImGui::PushItemWidth(-label_w);

  const char* current = s.preset.empty() ? s.source.c_str() : s.preset.c_str();
  if (ImGui::BeginCombo("Preset", current)) {
    for (const std::string& p : s.presets) {
      const bool selected = p == s.preset;
      if (ImGui::Selectable(p.c_str(), selected) && !selected) select_preset(s, p);
      if (selected) ImGui::SetItemDefaultFocus();
    }
    ImGui::EndCombo();
  }
  {
    std::string help =
        "An experiment of the reference paper: the neuron, the latent topology (circle = 1-D "
        "periodic, sheet = 2-D non-periodic, torus = 2-D periodic), the grid G, τ and the "
        "schedule. Choosing one replaces the current run.";
    if (!s.cfg.description.empty()) help += "\n\n" + s.cfg.description;
    tip(help.c_str());
  }

  const bool locked = running_or_paused(s);
  NeuronConfig& n = s.cfg.neuron;
  const NeuronType* type = find_type(n.type);
  bool changed = false;

  ImGui::BeginDisabled(locked);
  if (ImGui::BeginCombo("Neuron", type ? type->label : n.type.c_str())) {
    for (const NeuronType& t : kTypes) {
      if (ImGui::Selectable(t.label, &t == type) && &t != type) {
        switch_neuron_type(s, t.id);
        type = &t;
        changed = true;
      }
      tip(t.explain);
    }
    ImGui::EndCombo();
  }
  tip("The model neuron f(image) whose invariances are learned. Its weights are frozen; "
      "only the CPPN learns. Editable while training is stopped.");
  draw_neuron_choice(s, changed);
  ImGui::EndDisabled();
  draw_neuron_likes(s);

  // The neuron's filters, so a student sees what the cell prefers.
  if (s.filter_tex.valid() && s.filter_count > 0) {
    const float avail = ImGui::GetContentRegionAvail().x;
    const float tile = std::min(avail / s.filter_count - 4.0f, 64.0f * s.ui_scale);
    for (int i = 0; i < s.filter_count; ++i) {
      if (i) ImGui::SameLine(0, 4.0f);
      const float u0 = static_cast<float>(i) / s.filter_count;
      const float u1 = static_cast<float>(i + 1) / s.filter_count;
      ImGui::Image(s.filter_tex.imgui_id(), ImVec2(tile, tile), ImVec2(u0, 0), ImVec2(u1, 1));
      tip("A filter of the neuron at the training resolution, in the colour map of the view. "
          "The cell responds to images that match such filters.");
    }
  }
  if (!s.filters.error.empty())
    ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "filters: %s", s.filters.error.c_str());
  if (type) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", type->explain);
    ImGui::PopTextWrapPos();
  }

  if (n.is_gabor() && ImGui::TreeNodeEx("Gabor parameters", ImGuiTreeNodeFlags_DefaultOpen)) {
    ImGui::BeginDisabled(locked);
    changed |= drag_double("position x", &n.pos_x, 0.01f, -1, 1,
                           "Horizontal offset of the Gabor envelope, in image units "
                           "(the image spans [-1, 1]).");
    changed |= drag_double("position y", &n.pos_y, 0.01f, -1, 1,
                           "Vertical offset of the Gabor envelope, in image units.");
    changed |= drag_double("σx", &n.sigma_x, 0.005f, 0.02, 2,
                           "Width of the Gaussian envelope along the filter's axis: "
                           "how large the receptive field is.");
    changed |= drag_double("σy", &n.sigma_y, 0.005f, 0.02, 2,
                           "Width of the envelope across the filter's axis.");
    changed |= drag_double("spatial freq.", &n.sf, 0.01f, 0.05, 10,
                           "Cycles of the grating per image unit: the preferred "
                           "spatial frequency.");
    changed |= drag_double("θ (rad)", &n.theta, 0.01f, 0, 6.283185307179586,
                           "Preferred orientation of the filter (simple, complex and polarity "
                           "cells; the invariant cells sweep θ themselves).");
    changed |= drag_double("phase (rad)", &n.phase, 0.01f, 0, 6.283185307179586,
                           "Phase of the grating under the envelope (simple cell): "
                           "which stripes must be bright and which dark.");
    if (n.type == "gabor-orientation" || n.type == "gabor-phase-orientation") {
      changed |= ImGui::DragInt("n θ", &n.n_theta, 1, 1, 720, "%d", ImGuiSliderFlags_AlwaysClamp);
      tip("Number of orientations the cell takes the maximum over.");
      changed |= drag_double("θ range", &n.theta_range, 0.01f, 0.01, 6.283185307179586,
                             "Range [0, A) of the orientations: 2π \"full\", π/2 "
                             "\"cylinder\" (the manifold is then not closed in θ).");
    }
    ImGui::EndDisabled();
    ImGui::TreePop();
  }
  if (changed) {
    s.cfg_dirty = true;
    s.cfg_error = check_settings(s);
    s.renderer.want_filters(n);
  }

  const SnapshotPtr& snap = s.latest;
  ImGui::Separator();
  if (snap)
    ImGui::Text("MEI activation: %.4g", snap->mei_activation);
  else
    ImGui::TextDisabled("MEI activation: found when training starts");
  tip("f(MEI): the response to the neuron's most exciting input, found by gradient ascent on "
      "the pixels under the same mean/contrast constraint. Activations are shown divided "
      "by it, so 1 means \"as exciting as the best single image\".");
  const TransformConfig& t = s.cfg.image.transform;
  if (t.type == "fix-mean-std")
    ImGui::TextDisabled("Images %d×%d, mean %.3g, std %.3g", s.cfg.image.height, s.cfg.image.width,
                        t.mean, t.std);
  else if (t.type == "standardize-clip")
    ImGui::TextDisabled("Images %d×%d, mean %.3g, std %.3g, clip [%.3g, %.3g]", s.cfg.image.height,
                        s.cfg.image.width, t.mean, t.std, t.min, t.max);
  else
    ImGui::TextDisabled("Images %d×%d", s.cfg.image.height, s.cfg.image.width);
  tip("Every CPPN image is transformed before the neuron sees it (method.md §3): fixing its mean "
      "and contrast stops the network from winning by simply raising the contrast.");

  ImGui::PopItemWidth();
  ImGui::End();
}

}  // namespace invex::gui

// Layouts for teaching: the tour beside the manifold, and presentation mode for a projector
// (no editing panels, a larger font, the view as large as the window allows).
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "app/gui/app_state.h"
#include "app/gui/tour.h"

namespace invex::gui {
namespace {

bool tour_shown(const AppState& s) { return s.tour && s.tour->active; }

// The right-hand column: the activation plot above the neuron's filters and MEI.
void draw_side_column(AppState& s, ImVec2 pos, ImVec2 size) {
  const float plot_h = std::floor(size.y * (s.presenting ? 0.6f : 0.56f));
  draw_activation_panel(s, pos, ImVec2(size.x, plot_h));
  draw_neuron_figures(s, ImVec2(pos.x, pos.y + plot_h), ImVec2(size.x, size.y - plot_h));
}

}  // namespace

void draw_tour_layout(AppState& s) {
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  const float left = std::clamp(d.x * 0.3f, 300.0f * s.ui_scale, 480.0f * s.ui_scale);
  const float right = std::floor((d.x - left) * 0.44f);
  const float view_w = d.x - left - right;
  draw_tour_panel(s, ImVec2(0, 0), ImVec2(left, d.y));
  draw_manifold_panel(s, ImVec2(left, 0), ImVec2(view_w, d.y));
  draw_side_column(s, ImVec2(left + view_w, 0), ImVec2(right, d.y));
}

void draw_presentation(AppState& s) {
  if (s.large_font) ImGui::PushFont(s.large_font);
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  // The view takes the height of the window; the caption (in a tour) and the plots share
  // what is left on either side.
  const float side_total =
      tour_shown(s) ? std::max(d.x * 0.56f, d.x - d.y * 0.9f) : std::max(d.x * 0.36f, d.x - d.y);
  const float caption_w = tour_shown(s) ? std::floor(side_total * 0.46f) : 0.0f;
  const float right = side_total - caption_w;
  const float view_w = d.x - side_total;
  if (tour_shown(s)) draw_tour_panel(s, ImVec2(0, 0), ImVec2(caption_w, d.y));
  draw_manifold_panel(s, ImVec2(caption_w, 0), ImVec2(view_w, d.y));
  draw_side_column(s, ImVec2(caption_w + view_w, 0), ImVec2(right, d.y));
  if (s.large_font) ImGui::PopFont();
}

bool presentation_keys(AppState& s) {
  // The GLFW back end indexes keys by GLFW key code.
  if (ImGui::IsKeyPressed(GLFW_KEY_F5, false) || ImGui::IsKeyPressed(GLFW_KEY_P, false)) {
    s.presenting = !s.presenting;
    return true;
  }
  if (s.presenting && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) {
    s.presenting = false;
    return true;
  }
  return false;
}

}  // namespace invex::gui

#include "app/gui/plot_axes.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace invex::gui {

namespace {

const ImU32 kGrid = IM_COL32(70, 70, 80, 255);
const ImU32 kText = IM_COL32(200, 200, 210, 255);

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target, double* step_out) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi) || target < 1) {
    if (step_out) *step_out = 1;
    return {std::isfinite(lo) ? lo : 0.0};
  }
  const double raw = (hi - lo) / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  // Round to the step so that 0.1 + 0.2 prints as 0.3; a small slack keeps the ends.
  for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
    ticks.push_back(std::round(t / step) * step);
  if (step_out) *step_out = step;
  return ticks;
}

std::string tick_label(double value, double step) {
  char text[32];
  if (std::fabs(value) < step * 1e-6) value = 0;  // no "-0"
  const double big = std::max(std::fabs(value), step);
  if (big >= 1e5) {
    std::snprintf(text, sizeof text, "%.0e", value);
  } else {
    const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
    std::snprintf(text, sizeof text, "%.*f", std::min(decimals, 6), value);
  }
  return text;
}

std::string short_count(double n) {
  char text[32];
  if (std::fabs(n) >= 1e4)
    std::snprintf(text, sizeof text, "%.1fk", n / 1000.0);
  else
    std::snprintf(text, sizeof text, "%.0f", n);
  return text;
}

void PlotFrame::y_axis(ImDrawList* dl, int target) const {
  double step = 1;
  const float font = ImGui::GetFontSize();
  for (double v : nice_ticks(y0, y1, target, &step)) {
    const float y = Y(v);
    dl->AddLine(ImVec2(a.x, y), ImVec2(b.x, y), kGrid);
    const std::string label = tick_label(v, step);
    const float w = ImGui::CalcTextSize(label.c_str()).x;
    dl->AddText(ImVec2(a.x - w - 4, y - font * 0.5f), kText, label.c_str());
  }
}

void PlotFrame::x_axis(ImDrawList* dl, int target, bool labels) const {
  double step = 1;
  for (double v : nice_ticks(x0, x1, target, &step)) {
    const float x = X(v);
    dl->AddLine(ImVec2(x, a.y), ImVec2(x, b.y), kGrid);
    if (!labels) continue;
    const std::string label = tick_label(v, step);
    const float w = ImGui::CalcTextSize(label.c_str()).x;
    dl->AddText(ImVec2(std::clamp(x - w * 0.5f, a.x - w * 0.5f, b.x - w), b.y + 2), kText,
                label.c_str());
  }
}

void PlotFrame::marker(ImDrawList* dl, double x, ImU32 colour, const char* label) const {
  const float sx = X(x);
  if (sx < a.x || sx > b.x) return;
  for (float y = a.y; y < b.y; y += 8.0f)
    dl->AddLine(ImVec2(sx, y), ImVec2(sx, std::min(y + 4.0f, b.y)), colour, 1.5f);
  if (label) dl->AddText(ImVec2(sx + 3, a.y + 1), colour, label);
}

}  // namespace invex::gui

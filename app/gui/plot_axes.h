// Axes for the GUI's plots: round tick values and their labels (window-free, tested), and a
// plot frame that maps data to screen and draws ticks, grid lines and a hover readout.
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

namespace invex::gui {

// Tick values inside [lo, hi] at a round step (1, 2 or 5 × 10^k) giving about `target` ticks;
// the step is returned in `step`. A degenerate range gets one tick.
std::vector<double> nice_ticks(double lo, double hi, int target, double* step = nullptr);
// A tick's label with just the decimals its step needs ("0.25", "1.5", "2000", "1e+04").
std::string tick_label(double value, double step);
// A step count for a readout: "950", "12.3k".
std::string short_count(double n);

// A plot's rectangle on screen (a: top left, b: bottom right) and the data range it shows.
struct PlotFrame {
  ImVec2 a, b;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;

  float X(double x) const { return a.x + static_cast<float>((b.x - a.x) * (x - x0) / (x1 - x0)); }
  float Y(double y) const { return b.y - static_cast<float>((b.y - a.y) * (y - y0) / (y1 - y0)); }
  double x_at(float sx) const { return x0 + (x1 - x0) * (sx - a.x) / (b.x - a.x); }
  bool contains(ImVec2 p) const { return p.x >= a.x && p.x <= b.x && p.y >= a.y && p.y <= b.y; }

  // Horizontal grid lines and labels left of the frame at round values of y.
  void y_axis(ImDrawList* dl, int target) const;
  // Vertical grid lines and labels under the frame at round values of x (labels optional).
  void x_axis(ImDrawList* dl, int target, bool labels) const;
  // A dashed vertical line at x (e.g. a phase boundary) with a label at its top.
  void marker(ImDrawList* dl, double x, ImU32 colour, const char* label) const;
};

}  // namespace invex::gui

// The activation plot beside the view: normalised activation along the manifold.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "app/gui/app_state.h"
#include "app/gui/plot_axes.h"
#include "app/gui/sweep_axes.h"

namespace invex::gui {

namespace {

const ImU32 kAccent = IM_COL32(255, 170, 40, 255);
const ImU32 kCurve = IM_COL32(110, 190, 255, 255);
const ImU32 kGrid = IM_COL32(70, 70, 80, 255);
const ImU32 kText = IM_COL32(200, 200, 210, 255);

void dashed_hline(ImDrawList* dl, float x0, float x1, float y, ImU32 col) {
  for (float x = x0; x < x1; x += 10.0f)
    dl->AddLine(ImVec2(x, y), ImVec2(std::min(x + 6, x1), y), col, 1.5f);
}

// A tooltip: the value under the mouse, then what the plot shows.
void readout(const char* value, const char* help) {
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0f);
  ImGui::TextUnformatted(value);
  ImGui::TextDisabled("%s", help);
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

void sweep_stats(const std::vector<float>& a, float& mean, float& lo) {
  mean = 0;
  lo = a.empty() ? 0 : a[0];
  for (float v : a) {
    mean += v;
    lo = std::min(lo, v);
  }
  if (!a.empty()) mean /= a.size();
}

// The latent values of the training grid of one dimension: G points from 0, 2π/G apart
// (method.md §4), before the jitter of each step.
std::vector<float> training_grid(const Snapshot& snap) {
  const int g = snap.config.latent.grid_points;
  std::vector<float> z;
  for (int i = 0; i < g; ++i) z.push_back(kTwoPi * i / g);
  return z;
}

// The sweep's activation at z, read off the polyline drawn (linear between sweep points).
float activation_at(const Snapshot& snap, float z) {
  const auto& act = snap.sweep_activations;
  const LatentPoints& lat = snap.sweep_latents;
  const int n = std::min(lat.count, static_cast<int>(act.size()));
  if (n == 0) return NAN;
  if (z <= lat.at(0, 0)) return act[0];
  for (int k = 1; k < n; ++k)
    if (z <= lat.at(k, 0)) {
      const float t = (z - lat.at(k - 1, 0)) / (lat.at(k, 0) - lat.at(k - 1, 0));
      return act[k - 1] + t * (act[k] - act[k - 1]);
    }
  // Past the last point: a periodic latent closes the loop back to the first.
  const bool periodic = !snap.cppn.periodic.empty() && snap.cppn.periodic[0];
  if (!periodic) return act[n - 1];
  const float t = (z - lat.at(n - 1, 0)) / (kTwoPi - lat.at(n - 1, 0));
  return act[n - 1] + t * (act[0] - act[n - 1]);
}

void plot_1d(AppState& s, const Snapshot& snap, ImVec2 p, ImVec2 size) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float font = ImGui::GetFontSize();
  const float left = ImGui::CalcTextSize("0.00").x + 8, bottom = font * 2.6f;
  PlotFrame f;
  f.a = ImVec2(p.x + left, p.y + font * 1.2f);
  f.b = ImVec2(p.x + size.x - 6, p.y + size.y - bottom);
  const auto& act = snap.sweep_activations;
  const LatentPoints& lat = snap.sweep_latents;
  f.x1 = kTwoPi;
  f.y0 = 0.0;
  f.y1 = 1.1;
  for (float v : act)
    if (std::isfinite(v)) f.y1 = std::max(f.y1, v * 1.05), f.y0 = std::min(f.y0, v * 1.05);
  const ImVec2 &a = f.a, &b = f.b;

  dl->AddRectFilled(a, b, IM_COL32(24, 26, 32, 255));
  dl->AddText(ImVec2(p.x, p.y), kText, "a(z) / a(MEI)");
  const char* xl[] = {"0", "π/2", "π", "3π/2", "2π"};
  for (int i = 0; i <= 4; ++i) {
    const float x = f.X(kTwoPi * i / 4);
    dl->AddLine(ImVec2(x, a.y), ImVec2(x, b.y), kGrid);
    const float w = ImGui::CalcTextSize(xl[i]).x;
    dl->AddText(ImVec2(x - w * 0.5f, b.y + 2), kText, xl[i]);
  }
  const char* x_title = "z (rad); ticks below: the training grid";
  dl->AddText(ImVec2(a.x + (b.x - a.x - ImGui::CalcTextSize(x_title).x) * 0.5f, b.y + font + 4),
              kText, x_title);
  f.y_axis(dl, 4);
  dashed_hline(dl, a.x, b.x, f.Y(1.0), IM_COL32(120, 230, 140, 255));
  dl->AddText(ImVec2(b.x - ImGui::CalcTextSize("MEI = 1").x - 4, f.Y(1.0) - font - 1),
              IM_COL32(120, 230, 140, 255), "MEI = 1");
  // The training grid: where each step's images sit (before the step's shared jitter).
  for (float z : training_grid(snap))
    dl->AddLine(ImVec2(f.X(z), b.y - 5), ImVec2(f.X(z), b.y), IM_COL32(160, 160, 175, 255));

  const int n = std::min(lat.count, static_cast<int>(act.size()));
  std::vector<ImVec2> pts;
  pts.reserve(n + 1);
  for (int k = 0; k < n; ++k) pts.emplace_back(f.X(lat.at(k, 0)), f.Y(act[k]));
  // A periodic latent closes the loop: the value at 2π is the value at 0.
  if (n > 0 && !snap.cppn.periodic.empty() && snap.cppn.periodic[0])
    pts.emplace_back(f.X(kTwoPi), f.Y(act[0]));
  dl->PushClipRect(a, b, true);
  // Thicker with presentation mode's larger font, so the curve reads from afar.
  const bool large = s.large_font && ImGui::GetFont() == s.large_font;
  const float width = large ? 4.0f : 2.0f;
  if (pts.size() > 1) dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), kCurve, 0, width);
  // The slider's z, and the activation of the very image the view shows.
  dl->AddLine(ImVec2(f.X(s.z[0]), a.y), ImVec2(f.X(s.z[0]), b.y), kAccent, 1.5f);
  if (has_view(s) && s.view.has_activation && !s.view.z.empty())
    dl->AddCircleFilled(ImVec2(f.X(s.view.z[0]), f.Y(s.view.activation)), large ? 8.0f : 5.0f,
                        kAccent);
  dl->PopClipRect();
  dl->AddRect(a, b, IM_COL32(90, 90, 100, 255));

  ImGui::SetCursorScreenPos(a);
  ImGui::InvisibleButton("plot", ImVec2(b.x - a.x, b.y - a.y));
  if (ImGui::IsItemHovered()) {
    const float z = std::clamp(static_cast<float>(f.x_at(ImGui::GetIO().MousePos.x)), 0.0f, kTwoPi);
    const float v = activation_at(snap, z);
    dl->AddLine(ImVec2(f.X(z), a.y), ImVec2(f.X(z), b.y), IM_COL32(255, 255, 255, 90));
    dl->AddCircle(ImVec2(f.X(z), f.Y(v)), 4.0f, IM_COL32(255, 255, 255, 220));
    char value[96];
    std::snprintf(value, sizeof value, "z = %.3f rad: a = %.3f of the MEI", z, v);
    readout(value,
            "Normalised activation f(x(z)) / f(MEI) along the canonical sweep of the newest "
            "snapshot (blue; between sweep points the line), the MEI level 1 (green), the "
            "slider's z (orange; the dot is the neuron's response to the image shown) and the "
            "training grid (ticks at the bottom). A good invariance manifold stays near 1 "
            "everywhere. Click or drag to move z.");
  }
  if (ImGui::IsItemActive()) {
    const float fx = std::clamp((ImGui::GetIO().MousePos.x - a.x) / (b.x - a.x), 0.0f, 1.0f);
    s.z[0] = std::min(fx * kTwoPi, snap.cppn.periodic.empty() || snap.cppn.periodic[0]
                                       ? std::nextafter(kTwoPi, 0.0f)
                                       : kTwoPi);
    s.playing = false;
  }
  const ImVec2 fb = ImGui::GetIO().DisplayFramebufferScale;
  s.plot_rect = ImVec4(a.x * fb.x, a.y * fb.y, (b.x - a.x) * fb.x, (b.y - a.y) * fb.y);
  ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + size.y));
}

// Ticks at 0, π and 2π along both latents of the heat map, and the training grid as dots.
void heat_axes(ImDrawList* dl, const Snapshot& snap, const SweepAxes& axes, ImVec2 a, ImVec2 b) {
  const float font = ImGui::GetFontSize();
  const char* names[] = {"0", "π", "2π"};
  for (int t = 0; t < 3; ++t) {
    const float fx = axes.frac(1, std::min(t * kTwoPi / 2, std::nextafter(kTwoPi, 0.0f)));
    const float fy = axes.frac(0, std::min(t * kTwoPi / 2, std::nextafter(kTwoPi, 0.0f)));
    const float x = a.x + (b.x - a.x) * (t == 0 ? 0.0f : t == 2 ? 1.0f : fx);
    const float y = a.y + (b.y - a.y) * (t == 0 ? 0.0f : t == 2 ? 1.0f : fy);
    const float w = ImGui::CalcTextSize(names[t]).x;
    dl->AddLine(ImVec2(x, a.y - 4), ImVec2(x, a.y), kText);
    dl->AddText(ImVec2(std::clamp(x - w * 0.5f, a.x, b.x - w), a.y - font - 4), kText, names[t]);
    dl->AddLine(ImVec2(a.x - 4, y), ImVec2(a.x, y), kText);
    dl->AddText(ImVec2(a.x - w - 6, std::clamp(y - font * 0.5f, a.y, b.y - font)), kText, names[t]);
  }
  const int g = snap.config.latent.grid_points;
  if (g > 64) return;  // a denser grid would be a grey veil, not dots
  for (int i = 0; i < g; ++i)
    for (int j = 0; j < g; ++j)
      dl->AddCircleFilled(ImVec2(a.x + (b.x - a.x) * axes.frac(1, kTwoPi * j / g),
                                 a.y + (b.y - a.y) * axes.frac(0, kTwoPi * i / g)),
                          1.2f, IM_COL32(255, 255, 255, 110), 4);
}

void plot_2d(AppState& s, const Snapshot& snap, ImVec2 p, float side) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float font = ImGui::GetFontSize();
  const ImVec2 a(p.x + font * 2.2f, p.y + font * 2.4f);
  const float legend_h = font * 1.6f;
  const ImVec2 b(a.x + side - font * 2.2f, a.y + side - font * 2.4f - legend_h);
  const SweepAxes axes = sweep_axes(snap);
  dl->AddText(ImVec2(p.x, p.y), kText, "z2 →");
  dl->AddText(ImVec2(p.x, a.y + font * 1.2f), kText, "z1");
  dl->AddText(ImVec2(p.x, a.y + font * 2.2f), kText, "↓");
  if (s.heat_tex.valid())
    dl->AddImage(s.heat_tex.imgui_id(), a, b);
  else
    dl->AddRectFilled(a, b, IM_COL32(24, 26, 32, 255));
  dl->AddRect(a, b, IM_COL32(90, 90, 100, 255));
  if (axes.valid()) heat_axes(dl, snap, axes, a, b);
  if (axes.valid()) {
    const float x = a.x + (b.x - a.x) * axes.frac(1, s.z[1]);
    const float y = a.y + (b.y - a.y) * axes.frac(0, s.z[0]);
    // White over a dark outline: visible on every colour of the heat map.
    for (const auto& [col, w] : {std::pair<ImU32, float>{IM_COL32(0, 0, 0, 200), 3.5f},
                                 std::pair<ImU32, float>{IM_COL32(255, 255, 255, 255), 1.5f}}) {
      dl->AddLine(ImVec2(x, a.y), ImVec2(x, b.y), col, w);
      dl->AddLine(ImVec2(a.x, y), ImVec2(b.x, y), col, w);
      dl->AddCircle(ImVec2(x, y), 6.0f, col, 0, w + 0.5f);
    }
  }
  ImGui::SetCursorScreenPos(a);
  ImGui::InvisibleButton("heatmap", ImVec2(b.x - a.x, b.y - a.y));
  if (ImGui::IsItemHovered() && axes.valid()) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const float z2 = axes.z_at(1, std::clamp((m.x - a.x) / (b.x - a.x), 0.0f, 1.0f));
    const float z1 = axes.z_at(0, std::clamp((m.y - a.y) / (b.y - a.y), 0.0f, 1.0f));
    const int i = axes.nearest(0, z1), j = axes.nearest(1, z2);
    const auto& act = snap.sweep_activations;
    const size_t k = static_cast<size_t>(i) * axes.n + j;
    char value[128];
    std::snprintf(value, sizeof value, "z = (%.3f, %.3f) rad: a = %.3f of the MEI (cell %d, %d)",
                  axes.value(0, i), axes.value(1, j), k < act.size() ? act[k] : NAN, i, j);
    readout(value,
            "Normalised activation f(x(z)) / f(MEI) over the 2-D canonical sweep (dark = "
            "silent, bright = at or above the MEI), with a crosshair at the sliders' z and the "
            "training grid as dots. A good invariance manifold is bright everywhere. Click or "
            "drag to move z.");
  }
  if (ImGui::IsItemActive() && axes.valid()) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    s.z[1] = axes.z_at(1, std::clamp((m.x - a.x) / (b.x - a.x), 0.0f, 1.0f));
    s.z[0] = axes.z_at(0, std::clamp((m.y - a.y) / (b.y - a.y), 0.0f, 1.0f));
    s.playing = false;
  }
  // Legend: which activation each colour means.
  {
    const float y0 = b.y + 6, y1 = y0 + font * 0.6f;
    char hi[16];
    std::snprintf(hi, sizeof hi, "%.2f", s.heat_top);
    const float x0 = a.x + ImGui::CalcTextSize("0 ").x;
    const float x1 = b.x - ImGui::CalcTextSize(hi).x - 4;
    dl->AddText(ImVec2(a.x, y0 - font * 0.25f), kText, "0");
    dl->AddText(ImVec2(x1 + 4, y0 - font * 0.25f), kText, hi);
    const int steps = 32;
    for (int i = 0; i < steps; ++i) {
      std::uint8_t c[4];
      heat_value((i + 0.5f) / steps, c);
      dl->AddRectFilled(ImVec2(x0 + (x1 - x0) * i / steps, y0),
                        ImVec2(x0 + (x1 - x0) * (i + 1) / steps + 1, y1),
                        IM_COL32(c[0], c[1], c[2], 255));
    }
    if (s.heat_top >= 1.0f) {
      const float x = x0 + (x1 - x0) / s.heat_top;
      dl->AddLine(ImVec2(x, y0 - 2), ImVec2(x, y1 + 2), IM_COL32(120, 230, 140, 255), 2.0f);
    }
  }
  const ImVec2 fb = ImGui::GetIO().DisplayFramebufferScale;
  s.plot_rect = ImVec4(a.x * fb.x, a.y * fb.y, (b.x - a.x) * fb.x, (b.y - a.y) * fb.y);
  ImGui::SetCursorScreenPos(ImVec2(p.x, b.y + legend_h + 4));
}

// One smoothed training curve: its values by step.
struct Curve {
  float StepRecord::*field;
  const char* name;
  const char* help;
  ImU32 colour;
};

const Curve kCurves[] = {
    {&StepRecord::activation, "mean activation",
     "Mean normalised activation over the grid (smoothed). 1 = as exciting as the MEI: this "
     "term keeps every image of the manifold exciting.",
     IM_COL32(110, 190, 255, 255)},
    {&StepRecord::regulariser, "regulariser",
     "Contrastive term (τ/2)·mean log(pos/neg) (smoothed): high when grid neighbours look "
     "alike and far-apart points look different. It spreads the manifold out.",
     IM_COL32(230, 160, 90, 255)},
    {&StepRecord::loss, "loss", "−mean activation − λ·regulariser (smoothed): what Adam minimises.",
     IM_COL32(200, 140, 230, 255)},
};

// The steps where a new λ phase begins (a fresh Adam, method.md §6), with their λ.
std::vector<std::pair<int, double>> phase_starts(const Snapshot& snap) {
  const TrainingConfig& t = snap.config.training;
  std::vector<std::pair<int, double>> starts;
  for (size_t k = 1; k < t.reg_coefs.size(); ++k)
    starts.emplace_back(static_cast<int>(k) * t.epochs_per_reg * t.steps_per_epoch, t.reg_coefs[k]);
  return starts;
}

// One curve in frame f (its x range already set): y axis, phase boundaries, the line.
void curve_plot(const Snapshot& snap, const Curve& c, PlotFrame f, bool x_labels) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const std::vector<StepRecord>& r = snap.steps;
  f.y0 = f.y1 = r.back().*c.field;
  for (const StepRecord& rec : r)
    if (std::isfinite(rec.*c.field))
      f.y0 = std::min<double>(f.y0, rec.*c.field), f.y1 = std::max<double>(f.y1, rec.*c.field);
  const double pad = std::max(1e-6, (f.y1 - f.y0) * 0.08);
  f.y0 -= pad;
  f.y1 += pad;
  dl->AddRectFilled(f.a, f.b, IM_COL32(24, 26, 32, 255));
  f.y_axis(dl, 3);
  f.x_axis(dl, 5, x_labels);
  for (const auto& [step, lambda] : phase_starts(snap)) {
    char label[32];
    std::snprintf(label, sizeof label, "λ = %.3g", lambda);
    f.marker(dl, step, IM_COL32(120, 230, 140, 255), label);
  }
  // At most one point per pixel column: the curve keeps its shape and the frame stays light.
  const int n = static_cast<int>(r.size());
  const int stride = std::max(1, static_cast<int>(n / std::max(1.0f, f.b.x - f.a.x)));
  std::vector<ImVec2> pts;
  for (int i = 0; i < n; i += stride) pts.emplace_back(f.X(r[i].step), f.Y(r[i].*c.field));
  if ((n - 1) % stride != 0) pts.emplace_back(f.X(r.back().step), f.Y(r.back().*c.field));
  dl->PushClipRect(f.a, f.b, true);
  if (pts.size() > 1) dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), c.colour, 0, 1.5f);
  dl->PopClipRect();
  dl->AddRect(f.a, f.b, IM_COL32(90, 90, 100, 255));
  char title[96];
  std::snprintf(title, sizeof title, "%s  %.4g", c.name, r.back().*c.field);
  dl->AddText(ImVec2(f.a.x + 4, f.a.y + 2), c.colour, title);
}

// The record nearest to step (records are in step order).
const StepRecord& record_at(const std::vector<StepRecord>& r, double step) {
  auto it = std::lower_bound(r.begin(), r.end(), step,
                             [](const StepRecord& rec, double s) { return rec.step < s; });
  if (it == r.end()) return r.back();
  if (it != r.begin() && step - std::prev(it)->step < it->step - step) return *std::prev(it);
  return *it;
}

}  // namespace

void draw_training_curves(const Snapshot& snap) {
  const std::vector<StepRecord>& r = snap.steps;
  const float font = ImGui::GetFontSize();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float left = ImGui::CalcTextSize("-0.000").x + 8, bottom = font * 2.4f, gap = 6;
  const float h = std::max(30.0f, (avail.y - bottom - 2 * gap) / 3.0f);
  PlotFrame f;
  f.x0 = r.front().step;
  f.x1 = std::max<double>(r.back().step, f.x0 + 1);
  std::vector<PlotFrame> frames;
  for (int i = 0; i < 3; ++i) {
    f.a = ImVec2(origin.x + left, origin.y + i * (h + gap));
    f.b = ImVec2(origin.x + avail.x - 4, f.a.y + h);
    curve_plot(snap, kCurves[i], f, i == 2);
    frames.push_back(f);
  }
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const char* x_title = "training step (dashed: a new λ phase, fresh Adam)";
  dl->AddText(
      ImVec2(f.a.x + (f.b.x - f.a.x - ImGui::CalcTextSize(x_title).x) * 0.5f, f.b.y + font + 4),
      IM_COL32(200, 200, 210, 255), x_title);

  // The readout: the step under the mouse and every curve's value there.
  ImGui::SetCursorScreenPos(frames[0].a);
  ImGui::InvisibleButton("curves", ImVec2(f.b.x - f.a.x, f.b.y - frames[0].a.y));
  if (ImGui::IsItemHovered()) {
    const double step = std::clamp(f.x_at(ImGui::GetIO().MousePos.x), f.x0, f.x1);
    const StepRecord& rec = record_at(r, step);
    for (const PlotFrame& pf : frames)
      dl->AddLine(ImVec2(pf.X(rec.step), pf.a.y), ImVec2(pf.X(rec.step), pf.b.y),
                  IM_COL32(255, 255, 255, 110));
    char value[160];
    std::snprintf(value, sizeof value, "step %d: activation %.4g, regulariser %.4g, loss %.4g",
                  rec.step, rec.activation, rec.regulariser, rec.loss);
    std::string help;
    for (const Curve& c : kCurves) help += std::string(c.name) + ": " + c.help + "\n";
    help += "Dashed lines: the start of each λ phase of the schedule.";
    readout(value, help.c_str());
  }
  ImGui::SetCursorScreenPos(ImVec2(origin.x, f.b.y + bottom));
}

void draw_activation_panel(AppState& s, ImVec2 pos, ImVec2 size) {
  begin_panel("Activation", pos, size);
  const SnapshotPtr& snap = s.latest;
  if (!snap || snap->sweep_activations.empty()) {
    s.plot_rect = ImVec4(0, 0, 0, 0);
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("The activation along the manifold appears with the first snapshot.");
    ImGui::PopTextWrapPos();
    ImGui::End();
    return;
  }
  if (static_cast<int>(s.z.size()) < snap->cppn.latent_dims())
    s.z.resize(snap->cppn.latent_dims(), 0.0f);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  s.metrics.update(snap, ImGui::GetTime());
  const float text_h =
      (4.5f + static_cast<float>(s.metrics.lines().size())) * ImGui::GetTextLineHeightWithSpacing();
  if (snap->cppn.latent_dims() == 1)
    plot_1d(s, *snap, ImGui::GetCursorScreenPos(),
            ImVec2(avail.x, std::max(60.0f, std::min(avail.x * 0.8f, avail.y - text_h))));
  else
    plot_2d(s, *snap, ImGui::GetCursorScreenPos(),
            std::max(60.0f, std::min(avail.x, avail.y - text_h)));

  if (has_view(s) && s.view.has_activation) {
    if (s.view.z.size() == 1)
      ImGui::Text("a(z = %.3f) = %.3f", s.view.z[0], s.view.activation);
    else
      ImGui::Text("a(z = %.2f, %.2f) = %.3f", s.view.z[0], s.view.z[1], s.view.activation);
    tip("The neuron's response to the image shown, rendered at the training resolution "
        "and transformed as in training, divided by the MEI activation. 1 = as exciting as "
        "the most exciting single image.");
  } else if (has_view(s) && !s.view.error.empty()) {
    ImGui::TextColored(ImVec4(1, 0.42f, 0.42f, 1), "%s", s.view.error.c_str());
  }
  float mean = 0, lo = 0;
  sweep_stats(snap->sweep_activations, mean, lo);
  ImGui::TextWrapped("sweep: mean %.3f, min %.3f over %zu images", mean, lo,
                     snap->sweep_activations.size());
  tip("Over the canonical sweep of the newest snapshot. The manifold is right when both stay "
      "high (e.g. mean ≥ 0.95, min ≥ 0.9) while the images visibly change.");
  if (!s.metrics.lines().empty()) {
    ImGui::PushTextWrapPos(0);
    for (const auto& line : s.metrics.lines()) ImGui::TextUnformatted(line.c_str());
    ImGui::PopTextWrapPos();
    tip(("The metrics of method.md §11 at step " + std::to_string(s.metrics.step()) +
         ": the activation half-way between sweep points; how alike neighbouring images are "
         "(a low worst case is a tear) and all images (collapse: near 1 for one image); per "
         "invariant variable the share of the circle it covers and, per latent axis, the "
         "winding most loops agree on (with the share that agree) or the range it moves over.")
            .c_str());
  }
  ImGui::End();
}

}  // namespace invex::gui

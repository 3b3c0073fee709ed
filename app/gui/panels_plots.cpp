// The activation plot beside the view: normalised activation along the manifold.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "app/gui/app_state.h"
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

void sweep_stats(const std::vector<float>& a, float& mean, float& lo) {
  mean = 0;
  lo = a.empty() ? 0 : a[0];
  for (float v : a) {
    mean += v;
    lo = std::min(lo, v);
  }
  if (!a.empty()) mean /= a.size();
}

void plot_1d(AppState& s, const Snapshot& snap, ImVec2 p, ImVec2 size) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float font = ImGui::GetFontSize();
  const float left = font * 2.5f, bottom = font * 1.6f;
  const ImVec2 a(p.x + left, p.y + 4), b(p.x + size.x - 6, p.y + size.y - bottom);
  const auto& act = snap.sweep_activations;
  const LatentPoints& lat = snap.sweep_latents;
  float top = 1.1f, low = 0.0f;
  for (float v : act)
    if (std::isfinite(v)) top = std::max(top, v * 1.05f), low = std::min(low, v * 1.05f);
  auto X = [&](float z) { return a.x + (b.x - a.x) * z / kTwoPi; };
  auto Y = [&](float v) { return b.y - (b.y - a.y) * (v - low) / (top - low); };

  dl->AddRectFilled(a, b, IM_COL32(24, 26, 32, 255));
  const char* xl[] = {"0", "π/2", "π", "3π/2", "2π"};
  for (int i = 0; i <= 4; ++i) {
    const float x = X(kTwoPi * i / 4);
    dl->AddLine(ImVec2(x, a.y), ImVec2(x, b.y), kGrid);
    const float w = ImGui::CalcTextSize(xl[i]).x;
    dl->AddText(ImVec2(x - w * 0.5f, b.y + 2), kText, xl[i]);
  }
  for (float v = std::ceil(low * 2) / 2; v <= top; v += 0.5f) {
    dl->AddLine(ImVec2(a.x, Y(v)), ImVec2(b.x, Y(v)), kGrid);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    dl->AddText(ImVec2(p.x + 2, Y(v) - font * 0.5f), kText, buf);
  }
  dashed_hline(dl, a.x, b.x, Y(1.0f), IM_COL32(120, 230, 140, 255));
  dl->AddText(ImVec2(b.x - ImGui::CalcTextSize("MEI = 1").x - 4, Y(1.0f) - font - 1),
              IM_COL32(120, 230, 140, 255), "MEI = 1");

  const int n = std::min(lat.count, static_cast<int>(act.size()));
  std::vector<ImVec2> pts;
  pts.reserve(n + 1);
  for (int k = 0; k < n; ++k) pts.emplace_back(X(lat.at(k, 0)), Y(act[k]));
  // A periodic latent closes the loop: the value at 2π is the value at 0.
  if (n > 0 && !snap.cppn.periodic.empty() && snap.cppn.periodic[0])
    pts.emplace_back(X(kTwoPi), Y(act[0]));
  dl->PushClipRect(a, b, true);
  if (pts.size() > 1) dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), kCurve, 0, 2.0f);
  // The slider's z, and the activation of the very image the view shows.
  dl->AddLine(ImVec2(X(s.z[0]), a.y), ImVec2(X(s.z[0]), b.y), kAccent, 1.5f);
  if (has_view(s) && s.view.has_activation && !s.view.z.empty())
    dl->AddCircleFilled(ImVec2(X(s.view.z[0]), Y(s.view.activation)), 5.0f, kAccent);
  dl->PopClipRect();
  dl->AddRect(a, b, IM_COL32(90, 90, 100, 255));

  ImGui::SetCursorScreenPos(a);
  ImGui::InvisibleButton("plot", ImVec2(b.x - a.x, b.y - a.y));
  tip("Normalised activation f(x(z)) / f(MEI) along the canonical sweep of the newest "
      "snapshot (blue), the MEI level 1 (green) and the slider's z (orange; the dot is the "
      "neuron's response to the image on the left). A good invariance manifold stays near 1 "
      "everywhere. Click or drag to move z.");
  if (ImGui::IsItemActive()) {
    const float f = std::clamp((ImGui::GetIO().MousePos.x - a.x) / (b.x - a.x), 0.0f, 1.0f);
    s.z[0] = std::min(f * kTwoPi, snap.cppn.periodic.empty() || snap.cppn.periodic[0]
                                      ? std::nextafter(kTwoPi, 0.0f)
                                      : kTwoPi);
    s.playing = false;
  }
  const ImVec2 fb = ImGui::GetIO().DisplayFramebufferScale;
  s.plot_rect = ImVec4(a.x * fb.x, a.y * fb.y, (b.x - a.x) * fb.x, (b.y - a.y) * fb.y);
  ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + size.y));
}

void plot_2d(AppState& s, const Snapshot& snap, ImVec2 p, float side) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float font = ImGui::GetFontSize();
  const ImVec2 a(p.x + font * 1.6f, p.y + font * 1.4f);
  const float legend_h = font * 1.6f;
  const ImVec2 b(a.x + side - font * 1.6f, a.y + side - font * 1.6f - legend_h);
  const SweepAxes axes = sweep_axes(snap);
  dl->AddText(ImVec2(a.x, p.y), kText, "z2 →");
  dl->AddText(ImVec2(p.x, a.y), kText, "z1");
  dl->AddText(ImVec2(p.x, a.y + font), kText, "↓");
  if (s.heat_tex.valid())
    dl->AddImage(s.heat_tex.imgui_id(), a, b);
  else
    dl->AddRectFilled(a, b, IM_COL32(24, 26, 32, 255));
  dl->AddRect(a, b, IM_COL32(90, 90, 100, 255));
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
  tip("Normalised activation f(x(z)) / f(MEI) over the 2-D canonical sweep (dark = silent, "
      "bright = at or above the MEI), with a crosshair at the sliders' z. A good invariance "
      "manifold is bright everywhere. Click or drag to move z.");
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

}  // namespace

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
  const float text_h = 4.5f * ImGui::GetTextLineHeightWithSpacing();
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
  ImGui::Text("sweep: mean %.3f, min %.3f over %zu images", mean, lo,
              snap->sweep_activations.size());
  tip("Over the canonical sweep of the newest snapshot. The manifold is right when both stay "
      "high (e.g. mean ≥ 0.95, min ≥ 0.9) while the images visibly change.");
  ImGui::End();
}

}  // namespace invex::gui

// The manifold view: the CPPN's image at the slider's z, and thumbnails along the manifold.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/gui/app_state.h"
#include "app/gui/sweep_axes.h"
#include "app/gui/tour.h"

namespace invex::gui {

namespace {

const ImU32 kAccent = IM_COL32(255, 170, 40, 255);
const ImU32 kFrame = IM_COL32(90, 90, 100, 255);
// The CPU path's big image at most this many pixels per side: its renders share the cores
// with training.
constexpr int kMaxCpuPixels = 640;

// UV rectangle of sweep image k in the atlas; false when k has no tile.
bool atlas_uv(const AppState& s, int k, ImVec2& uv0, ImVec2& uv1) {
  if (k < 0 || k >= static_cast<int>(s.atlas_tile.size()) || s.atlas_tile[k] < 0) return false;
  const int tile = s.atlas_tile[k];
  const int cols = s.atlas_cols, rows = s.atlas_rows;
  const int c = tile % cols, r = tile / cols;
  uv0 = ImVec2(static_cast<float>(c) / cols, static_cast<float>(r) / rows);
  uv1 = ImVec2(static_cast<float>(c + 1) / cols, static_cast<float>(r + 1) / rows);
  return true;
}

float sweep_activation(const AppState& s, int k) {
  const auto& a = s.sweep.snap->sweep_activations;
  return k < static_cast<int>(a.size()) ? a[k] : NAN;
}

// One clickable thumbnail of sweep image k; a click moves the slider(s) to its latent.
void thumbnail(AppState& s, int k, ImVec2 p, float size, bool current) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec2 uv0, uv1;
  if (!atlas_uv(s, k, uv0, uv1)) return;
  const ImVec2 q(p.x + size, p.y + size);
  dl->AddImage(s.gpu ? s.gpu->atlas_texture() : s.atlas_tex.imgui_id(), p, q, uv0, uv1);
  dl->AddRect(p, q, current ? kAccent : kFrame, 0, 0, current ? 2.5f : 1.0f);
  ImGui::SetCursorScreenPos(p);
  ImGui::PushID(k);
  if (ImGui::InvisibleButton("thumb", ImVec2(size, size))) {
    const LatentPoints& lp = s.sweep.snap->sweep_latents;
    for (int d = 0; d < lp.dims && d < static_cast<int>(s.z.size()); ++d) s.z[d] = lp.at(k, d);
    s.playing = false;
  }
  if (ImGui::IsItemHovered()) {
    const LatentPoints& lp = s.sweep.snap->sweep_latents;
    if (lp.dims == 1)
      ImGui::SetTooltip("z = %.3f rad, activation %.3f of the MEI\nClick to move the slider here.",
                        lp.at(k, 0), sweep_activation(s, k));
    else
      ImGui::SetTooltip(
          "z = (%.3f, %.3f), activation %.3f of the MEI\n"
          "Click to move the sliders here.",
          lp.at(k, 0), lp.at(k, 1), sweep_activation(s, k));
  }
  ImGui::PopID();
}

// A point on the border of a square of half-side h around c, at fraction f of the way round,
// going clockwise (as z grows) from just right of the top middle. The offset puts 4 of every
// 20 evenly spaced thumbnails exactly on the corners, so the ring looks like a closed loop.
ImVec2 square_ring(ImVec2 c, float h, float f) {
  float t = (f - std::floor(f)) * 8.0f + 0.2f;  // the perimeter in units of h
  if (t >= 8) t -= 8;
  if (t < 1) return ImVec2(c.x + t * h, c.y - h);
  if (t < 3) return ImVec2(c.x + h, c.y - h + (t - 1) * h);
  if (t < 5) return ImVec2(c.x + h - (t - 3) * h, c.y + h);
  if (t < 7) return ImVec2(c.x - h, c.y + h - (t - 5) * h);
  return ImVec2(c.x - h + (t - 7) * h, c.y - h);
}

// The big image's texture and its pixels per side, or null while there is none. The shader
// path draws it here, at its size on screen, when anything it shows changed.
ImTextureID view_picture(AppState& s, float size, int& pixels) {
  const int on_screen =
      std::max(1, static_cast<int>(std::lround(size * ImGui::GetIO().DisplayFramebufferScale.x)));
  if (s.gpu) {
    if (!s.shown || !has_sweep(s)) return nullptr;  // the colour scale comes with the sweep
    s.view_px = s.view_pixels > 0 ? s.view_pixels : on_screen;
    const std::uint64_t before = s.gpu->view_draws();
    if (!s.gpu->update_view(s.shown, s.z, s.view_px, s.zoom, s.sweep.scale, s.cmap)) {
      fall_back_to_cpu(s, s.gpu->failure());
      return nullptr;
    }
    s.view_pictures += s.gpu->view_draws() - before;
    pixels = s.gpu->view_pixels();
    return s.gpu->view_texture();
  }
  // The worker renders the next picture at the size on screen too, up to a bound on its cost.
  s.display_size = s.view_pixels > 0 ? s.view_pixels : std::clamp(on_screen, 64, kMaxCpuPixels);
  if (!has_view(s) || s.view.image.count == 0 || !s.view_tex.valid()) return nullptr;
  pixels = s.view.image.height;
  return s.view_tex.imgui_id();
}

// The mouse on the big image: the wheel zooms about the pointer, a drag pans, a double-click
// goes back to the stimulus field.
void zoom_by_mouse(AppState& s, ImVec2 p, float size, int pixels) {
  const ImGuiIO& io = ImGui::GetIO();
  if (ImGui::IsItemHovered() && io.MouseWheel != 0) {
    const float fx = std::clamp((io.MousePos.x - p.x) / size, 0.0f, 1.0f);
    const float fy = std::clamp((io.MousePos.y - p.y) / size, 0.0f, 1.0f);
    s.zoom.zoom_at(fx, fy, std::pow(1.25f, io.MouseWheel), pixels);
  }
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 1.0f)) {
    s.zoom.pan(io.MouseDelta.x / size, io.MouseDelta.y / size, pixels);
  }
  if (ImGui::IsItemHovered() && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) s.zoom.reset();
}

// The stimulus field [−1, 1]² inside a zoomed picture: what the neuron sees.
void field_frame(const AppState& s, ImVec2 p, float size, int pixels) {
  if (s.zoom.is_field()) return;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 a(p.x + size * s.zoom.frac_of_v(-1, pixels),
                 p.y + size * s.zoom.frac_of_u(-1, pixels));
  const ImVec2 b(p.x + size * s.zoom.frac_of_v(1, pixels),
                 p.y + size * s.zoom.frac_of_u(1, pixels));
  dl->PushClipRect(p, ImVec2(p.x + size, p.y + size), true);
  dl->AddRect(a, b, IM_COL32(0, 0, 0, 160), 0, 0, 3.0f);
  dl->AddRect(a, b, kAccent, 0, 0, 1.5f);
  dl->AddText(ImVec2(a.x + 4, a.y + 2), kAccent, "stimulus field");
  dl->PopClipRect();
}

void big_image(AppState& s, ImVec2 p, float size) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 q(p.x + size, p.y + size);
  const ImVec2 fb = ImGui::GetIO().DisplayFramebufferScale;
  s.view_rect = ImVec4(p.x * fb.x, p.y * fb.y, size * fb.x, size * fb.y);
  int pixels = 0;
  if (const ImTextureID tex = view_picture(s, size, pixels)) {
    dl->AddImage(tex, p, q);
    field_frame(s, p, size, pixels);
    dl->AddRect(p, q, kFrame);
    ImGui::SetCursorScreenPos(p);
    ImGui::InvisibleButton("view", ImVec2(size, size));
    zoom_by_mouse(s, p, size, pixels);
    tip("The CPPN's image at the slider's z, after the image transform with the statistics "
        "of the image at the training resolution: what the neuron sees, drawn at display "
        "resolution with the BatchNorm statistics frozen over the canonical grid (so the "
        "image depends on z only). Wheel: zoom about the pointer (out: the CPPN beyond the "
        "stimulus field, framed; in: detail finer than training renders). Drag: pan. "
        "Double-click: back to the stimulus field.");
    return;
  }
  dl->AddRectFilled(p, q, IM_COL32(30, 30, 36, 255));
  dl->AddRect(p, q, kFrame);
  const char* msg = "Press Start (Space) to train.";
  // An idle run without a snapshot is still setting up its trainer (e.g. searching the MEI).
  if (s.run && s.run->state() == RunState::Idle && !s.latest)
    msg = "Preparing the neuron (MEI)… Press Start (Space) to train.";
  if (s.run && s.run->state() == RunState::Running) msg = "Preparing the first snapshot…";
  if (s.shown) msg = "Rendering…";
  if (!s.view.error.empty() && s.view.serial > s.min_serial) msg = s.view.error.c_str();
  ImGui::SetCursorScreenPos(ImVec2(p.x + 10, p.y + size * 0.5f - ImGui::GetFontSize()));
  ImGui::PushTextWrapPos(p.x + size - 10);
  ImGui::TextDisabled("%s", msg);
  ImGui::PopTextWrapPos();
}

// Whether the thumbnails can be shown; the shader path draws them here at `tile` (screen
// units) per side when anything they show changed.
bool thumbnails_ready(AppState& s, float tile) {
  if (!has_sweep(s) || s.sweep.images.count <= 1) return false;
  if (!s.gpu) return s.atlas_tex.valid();
  const std::vector<int> ks = thumbnail_indices(*s.sweep.snap);
  if (s.sweep.thumb_moments.size() != ks.size()) return false;  // the worker is on it
  const int px =
      std::max(1, static_cast<int>(std::lround(tile * ImGui::GetIO().DisplayFramebufferScale.x)));
  if (s.gpu->update_atlas(s.sweep.snap, ks, s.sweep.thumb_moments, px, s.atlas_cols, s.sweep.scale,
                          s.cmap))
    return true;
  fall_back_to_cpu(s, s.gpu->failure());
  return false;
}

void draw_ring(AppState& s, ImVec2 origin, float side, const SweepAxes& axes) {
  const int count = s.sweep.images.count;
  const std::vector<int> ks = thumbnail_indices(*s.sweep.snap);
  const int shown = static_cast<int>(ks.size());
  const float t = side * 0.125f;  // thumbnail size
  const float gap = std::max(3.0f, side * 0.01f);
  const ImVec2 c(origin.x + side * 0.5f, origin.y + side * 0.5f);
  const float h = side * 0.5f - t * 0.5f;  // centres of the thumbnails lie on this square
  const float b = side - 2 * t - 4 * gap;  // the big image inside the ring
  big_image(s, ImVec2(c.x - b * 0.5f, c.y - b * 0.5f), b);
  if (!thumbnails_ready(s, t)) return;

  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRect(ImVec2(c.x - h, c.y - h), ImVec2(c.x + h, c.y + h), IM_COL32(70, 70, 80, 255), 0, 0,
              2.0f);
  const int cur = axes.valid() ? axes.nearest(0, s.z[0]) : -1;
  int cur_shown = -1;
  float best = 1e9f;
  for (int i = 0; i < shown; ++i) {
    const int k = ks[i];
    const float dist = std::fabs(static_cast<float>(k - cur));
    const float wrapped = std::min(dist, count - dist);
    if (wrapped < best) best = wrapped, cur_shown = i;
  }
  for (int i = 0; i < shown; ++i) {
    const int k = ks[i];
    const ImVec2 m = square_ring(c, h, static_cast<float>(i) / shown);
    thumbnail(s, k, ImVec2(m.x - t * 0.5f, m.y - t * 0.5f), t, i == cur_shown);
  }
  // Where the slider is on the loop, between the thumbnails.
  const ImVec2 m = square_ring(c, h, s.z[0] / kTwoPi);
  const ImVec2 inner(c.x + (m.x - c.x) * (1 - (t * 0.5f + gap * 1.5f) / h),
                     c.y + (m.y - c.y) * (1 - (t * 0.5f + gap * 1.5f) / h));
  dl->AddCircleFilled(inner, gap * 1.3f, kAccent);
}

// Returns the height used.
float draw_strip(AppState& s, ImVec2 origin, ImVec2 avail, const SweepAxes& axes) {
  const std::vector<int> ks = thumbnail_indices(*s.sweep.snap);
  const int shown = std::max(1, static_cast<int>(ks.size()));
  const float gap = 4.0f;
  const float t = (avail.x - gap * (shown - 1)) / shown;
  const float b = std::max(32.0f, std::min(avail.x, avail.y - t - 3 * gap));
  big_image(s, ImVec2(origin.x + (avail.x - b) * 0.5f, origin.y), b);
  const float y = origin.y + b + 2 * gap;
  if (!thumbnails_ready(s, t)) return y + t + 10 - origin.y;
  const int cur = axes.valid() ? axes.nearest(0, s.z[0]) : -1;
  int cur_shown = 0;
  float best = 1e9f;
  for (int i = 0; i < shown; ++i) {
    const int k = ks[i];
    if (std::fabs(static_cast<float>(k - cur)) < best)
      best = std::fabs(float(k - cur)), cur_shown = i;
  }
  for (int i = 0; i < shown; ++i) {
    const int k = ks[i];
    thumbnail(s, k, ImVec2(origin.x + i * (t + gap), y), t, i == cur_shown);
  }
  // The slider's place along the line.
  const float x = origin.x + t * 0.5f + (avail.x - t) * std::clamp(s.z[0] / kTwoPi, 0.0f, 1.0f);
  ImGui::GetWindowDrawList()->AddTriangleFilled(ImVec2(x, y + t + 2), ImVec2(x - 5, y + t + 9),
                                                ImVec2(x + 5, y + t + 9), kAccent);
  return y + t + 10 - origin.y;
}

// Returns the height used.
float draw_grid(AppState& s, ImVec2 origin, ImVec2 avail, const SweepAxes& axes) {
  // Image and grid side by side or one above the other, whichever gives the larger squares.
  const float gap = 8.0f;
  const float beside = std::min((avail.x - gap) * 0.5f, avail.y);
  const float above = std::min(avail.x, (avail.y - gap) * 0.5f);
  const float side = std::max(32.0f, std::max(beside, above));
  big_image(s, ImVec2(origin.x + (beside >= above ? 0.0f : (avail.x - side) * 0.5f), origin.y),
            side);
  const float used = beside >= above ? side : 2 * side + gap;
  if (!axes.valid()) return used;
  const int stride = std::max(1, axes.n / 10);
  const int shown = (axes.n + stride - 1) / stride;
  const float cell = side / shown;
  if (!thumbnails_ready(s, cell)) return used;
  const ImVec2 g = beside >= above
                       ? ImVec2(origin.x + side + gap, origin.y)
                       : ImVec2(origin.x + (avail.x - side) * 0.5f, origin.y + side + gap);
  const int ci = axes.nearest(0, s.z[0]) / stride, cj = axes.nearest(1, s.z[1]) / stride;
  for (int i = 0; i < shown; ++i)
    for (int j = 0; j < shown; ++j) {
      const int k = (i * stride) * axes.n + j * stride;
      thumbnail(s, k, ImVec2(g.x + j * cell, g.y + i * cell), cell, false);
    }
  // Drawn last so neighbours do not paint over the highlight.
  ImGui::GetWindowDrawList()->AddRect(ImVec2(g.x + cj * cell, g.y + ci * cell),
                                      ImVec2(g.x + (cj + 1) * cell, g.y + (ci + 1) * cell), kAccent,
                                      0, 0, 2.5f);
  return used;
}

// A square pad: x is z2, y is z1 (down), matching the thumbnail grid and the heatmap.
void xy_pad(AppState& s, float size, const SweepAxes& axes) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const ImVec2 q(p.x + size, p.y + size);
  ImGui::InvisibleButton("xy pad", ImVec2(size, size));
  tip("XY pad: drag to move through the 2-D latent (horizontal z2, vertical z1, as in the "
      "thumbnail grid and the heatmap).");
  if (ImGui::IsItemActive()) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const float fx = std::clamp((m.x - p.x) / size, 0.0f, 1.0f);
    const float fy = std::clamp((m.y - p.y) / size, 0.0f, 1.0f);
    s.z[1] = axes.valid() ? axes.z_at(1, fx) : fx * kTwoPi;
    s.z[0] = axes.valid() ? axes.z_at(0, fy) : fy * kTwoPi;
    s.playing = false;
  }
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, q, IM_COL32(28, 30, 38, 255));
  for (int i = 1; i < 4; ++i) {
    dl->AddLine(ImVec2(p.x + size * i / 4, p.y), ImVec2(p.x + size * i / 4, q.y),
                IM_COL32(60, 60, 70, 255));
    dl->AddLine(ImVec2(p.x, p.y + size * i / 4), ImVec2(q.x, p.y + size * i / 4),
                IM_COL32(60, 60, 70, 255));
  }
  dl->AddRect(p, q, kFrame);
  const float fx = axes.valid() ? axes.frac(1, s.z[1]) : s.z[1] / kTwoPi;
  const float fy = axes.valid() ? axes.frac(0, s.z[0]) : s.z[0] / kTwoPi;
  dl->AddCircleFilled(ImVec2(p.x + fx * size, p.y + fy * size), 5.0f, kAccent);
}

// Zoom, its reset, and what the big image is: its resolution, the path that drew it, the step
// of its snapshot and the colour scale; a notice when the shader failed.
void picture_line(AppState& s) {
  if (!(s.tour && s.tour->active)) {
    if (ImGui::SmallButton("Tour")) open_tour(s);
    tip("The guided tour: a sequence of trained runs (simple cell, complex cell, orientation, "
        "phase and orientation, polarity), each with a caption. The same as `invex tour`.");
    ImGui::SameLine();
  }
  if (ImGui::SmallButton("Present")) s.presenting = true;
  tip("Presentation mode (F5 or P): no editing panels, larger text, the view as large as the "
      "window allows; Space plays and pauses. F5, P or Esc to leave.");
  ImGui::SameLine();
  ImGui::BeginDisabled(s.zoom.is_field());
  if (ImGui::SmallButton("Reset zoom")) s.zoom.reset();
  ImGui::EndDisabled();
  tip("Back to the stimulus field [−1, 1]², the part of the CPPN the neuron sees (also a "
      "double-click on the image). The mouse wheel over the image zooms.");
  ImGui::SameLine();
  const bool gpu_drawn = s.gpu && s.shown && s.gpu->has_view_of(s.shown);
  if (gpu_drawn || (!s.gpu && has_view(s))) {
    const int rows = gpu_drawn ? s.gpu->view_pixels() : s.view.image.height;
    const int cols = gpu_drawn ? rows : s.view.image.width;
    const int step = gpu_drawn ? s.shown->step : s.view.snap->step;
    ImGui::TextDisabled(
        "zoom ×%.3g  %d×%d %s%s, step %d, scale ±%.3g", s.zoom.zoom(), rows, cols,
        gpu_drawn ? "GPU" : "CPU",
        (gpu_drawn ? s.gpu->view_is_preview(s.view_px) : s.view.preview) ? " preview" : "", step,
        has_sweep(s) ? s.sweep.scale : 0.0f);
    tip("Zoom (×1: the stimulus field), the resolution of the big image and what drew it "
        "(the GPU's shader at screen resolution, or a CPU render; either with a coarser "
        "preview while z moves), the training step of the snapshot, and the colour scale s.");
  } else {
    ImGui::TextDisabled("zoom ×%.3g", s.zoom.zoom());
  }
  if (!s.render_notice.empty()) {
    ImGui::TextColored(ImVec4(1, 0.8f, 0.3f, 1), "%s", s.render_notice.c_str());
    tip(s.render_notice.c_str());
  }
}

// Play and where z is, for presentation mode.
void presentation_controls(AppState& s, int dims) {
  if (ImGui::Button(s.playing ? "Pause" : "Play")) s.playing = !s.playing;
  tip("Animate z so the manifold plays as a movie (Space).");
  ImGui::SameLine();
  ImGui::AlignTextToFramePadding();
  if (dims == 1)
    ImGui::Text("z = %.2f rad", s.z[0]);
  else
    ImGui::Text("z = (%.2f, %.2f) rad", s.z[0], s.z[1]);
}

}  // namespace

void draw_manifold_panel(AppState& s, ImVec2 pos, ImVec2 size) {
  begin_panel("Manifold", pos, size,
              ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  const int dims = latent_dims(s);
  if (static_cast<int>(s.z.size()) != dims) s.z.resize(dims, 0.0f);
  const SweepAxes axes = has_sweep(s) ? sweep_axes(*s.sweep.snap) : SweepAxes{};
  // The layout with thumbnails once a sweep is there (the shader may still be drawing them).
  const bool thumbs = has_sweep(s) && s.sweep.images.count > 1;

  const float line = ImGui::GetFrameHeightWithSpacing();
  const float pad = dims == 2 ? 5 * line - ImGui::GetStyle().ItemSpacing.y : 0.0f;
  // Presentation mode keeps Play and the value of z only.
  const float controls_h =
      s.presenting ? 1.5f * line : (dims == 2 ? 5 * line : 3 * line) + 1.5f * line;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImVec2 avail = ImGui::GetContentRegionAvail();
  avail.y -= controls_h;

  // The view takes what it needs from the top; the controls follow right under it.
  float used = 0;
  if (dims == 1 && latent_periodic(s, 0)) {
    const float side = std::max(64.0f, std::min(avail.x, avail.y));
    const ImVec2 o(origin.x + (avail.x - side) * 0.5f, origin.y);
    if (thumbs)
      draw_ring(s, o, side, axes);
    else
      big_image(s, ImVec2(o.x + side * 0.125f + 6, o.y + side * 0.125f + 6),
                side - 2 * (side * 0.125f + 6));
    used = side;
  } else if (dims == 1) {
    if (thumbs) {
      used = draw_strip(s, origin, avail, axes);
    } else {
      used = std::max(32.0f, std::min(avail.x, avail.y * 0.8f));
      big_image(s, origin, used);
    }
  } else {
    used = draw_grid(s, origin, avail, thumbs ? axes : SweepAxes{});
  }
  ImGui::SetCursorScreenPos(
      ImVec2(origin.x, origin.y + used + ImGui::GetStyle().ItemSpacing.y * 2));

  if (s.presenting) {
    presentation_controls(s, dims);
    ImGui::End();
    return;
  }
  // --- controls
  const float pad_w = dims == 2 ? pad : 0.0f;
  ImGui::BeginGroup();
  ImGui::PushItemWidth(ImGui::GetContentRegionAvail().x - pad_w - ImGui::GetFontSize() * 6);
  const float hi = kTwoPi;
  if (dims == 1) {
    if (ImGui::SliderFloat("z", &s.z[0], 0.0f, hi, "%.3f rad")) s.playing = false;
    tip(latent_periodic(s, 0)
            ? "The latent z: one point of the manifold, one image. The latent is a circle: z "
              "and z + 2π are the same image, so the thumbnails form a ring. Keys ←/→ step "
              "through the canonical sweep."
            : "The latent z: one point of the manifold, one image. The latent is a line from "
              "0 to 2π (not periodic). Keys ←/→ step through the canonical sweep.");
  } else {
    if (ImGui::SliderFloat("z1", &s.z[0], 0.0f, hi, "%.3f rad")) s.playing = false;
    tip(latent_periodic(s, 0) ? "First latent coordinate (periodic; rows of the grid). ↑/↓ step."
                              : "First latent coordinate (not periodic; rows of the grid). "
                                "↑/↓ step.");
    if (ImGui::SliderFloat("z2", &s.z[1], 0.0f, hi, "%.3f rad")) s.playing = false;
    tip(latent_periodic(s, 1)
            ? "Second latent coordinate (periodic; columns of the grid). ←/→ step."
            : "Second latent coordinate (not periodic; columns of the grid). ←/→ step.");
  }
  if (ImGui::Button(s.playing ? "Stop playing" : "Play")) s.playing = !s.playing;
  tip("Animate z so the manifold plays as a movie: what changes is what the neuron ignores.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - pad_w -
                          ImGui::CalcTextSize("speed").x - 2 * ImGui::GetStyle().ItemSpacing.x);
  ImGui::SliderFloat("speed", &s.play_speed, 0.01f, 1.0f, "%.2f loops/s",
                     ImGuiSliderFlags_Logarithmic);
  tip("How fast Play moves z, in sweeps of the whole latent range per second.");
  if (dims == 2) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Play along");
    ImGui::SameLine();
    ImGui::RadioButton("z1##play", &s.play_dim, 0);
    tip("Play moves the first latent coordinate (the rows of the grid).");
    ImGui::SameLine();
    ImGui::RadioButton("z2##play", &s.play_dim, 1);
    tip("Play moves the second latent coordinate (the columns of the grid).");
  }
  int cmap = s.cmap == Colormap::Grey ? 0 : 1;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Colours");
  ImGui::SameLine();
  ImGui::RadioButton("grey", &cmap, 0);
  tip("Grey: black = −s, mid grey = 0, white = +s, with s the largest |pixel| over the "
      "canonical sweep. One scale for the whole manifold, so sweeping never flickers.");
  ImGui::SameLine();
  ImGui::RadioButton("diverging", &cmap, 1);
  tip("Blue = negative, white = 0, red = positive, on the same symmetric scale: shows the "
      "sign of each pixel relative to the image mean.");
  s.cmap = cmap == 0 ? Colormap::Grey : Colormap::Diverging;
  ImGui::PopItemWidth();
  ImGui::EndGroup();
  if (dims == 2) {
    ImGui::SameLine();
    xy_pad(s, pad, axes);
  }

  picture_line(s);
  ImGui::End();
}

}  // namespace invex::gui

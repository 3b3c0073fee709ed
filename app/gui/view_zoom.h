// Which part of the coordinate plane the big image shows. At zoom 1 it is the stimulus field
// [−1, 1]² that the neuron sees, pixel for pixel as training renders it; zooming out shows the
// CPPN beyond that field, zooming in shows detail finer than the training resolution. Pixel
// centres span the window exactly as core's renderer places them (first and last rows at
// top and bottom), so fractions of the image map to coordinates for a given pixel count.
#pragma once

#include <algorithm>
#include <cmath>

#include "core/render/render.h"

namespace invex::gui {

struct ViewZoom {
  static constexpr float kMinHalf = 1.0f / 32.0f;  // 32× in
  static constexpr float kMaxHalf = 8.0f;          // 8× out
  float centre_u = 0, centre_v = 0;                // u down the rows, v along the columns
  float half = 1;                                  // half the side of the square shown

  bool is_field() const { return centre_u == 0 && centre_v == 0 && half == 1; }
  float zoom() const { return 1.0f / half; }  // > 1: in
  CoordinateWindow window() const {
    return {centre_u - half, centre_u + half, centre_v - half, centre_v + half};
  }
  void reset() { *this = ViewZoom{}; }

  // The coordinate at fraction f of an image side of n pixels (f = 0 its first edge, 1 its
  // last), along u (rows) or v (columns), and the fraction where a coordinate lies.
  static float offset_at(float f, int n) {  // in units of `half`, from the centre
    return n > 1 ? 2.0f * (f * n - 0.5f) / (n - 1) - 1.0f : 0.0f;
  }
  float u_at(float f, int n) const { return centre_u + half * offset_at(f, n); }
  float v_at(float f, int n) const { return centre_v + half * offset_at(f, n); }
  static float frac_of(float coord, float centre, float half, int n) {
    if (n < 2) return 0.5f;
    const float pixel = ((coord - centre) / half + 1.0f) * 0.5f * (n - 1);
    return (pixel + 0.5f) / n;
  }
  float frac_of_u(float u, int n) const { return frac_of(u, centre_u, half, n); }
  float frac_of_v(float v, int n) const { return frac_of(v, centre_v, half, n); }

  // Zooms in by `factor` (< 1: out) about the point under fractions (fx along the columns,
  // fy down the rows) of an image of n×n pixels, which stays where it is on screen.
  void zoom_at(float fx, float fy, float factor, int n) {
    const float u = u_at(fy, n), v = v_at(fx, n);
    half = std::clamp(half / factor, kMinHalf, kMaxHalf);
    centre_u = u - half * offset_at(fy, n);
    centre_v = v - half * offset_at(fx, n);
  }
  // Moves the picture by (dx, dy) fractions of the image side (a drag).
  void pan(float dx, float dy, int n) {
    const float per_frac = n > 1 ? 2.0f * half * n / (n - 1) : 2.0f * half;
    centre_v -= dx * per_frac;
    centre_u -= dy * per_frac;
  }
};

}  // namespace invex::gui

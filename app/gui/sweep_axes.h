// Where the canonical sweep's images sit in the latent space, so thumbnails, the heatmap and
// the plot can map between z, grid indices and screen positions the same way.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/run/snapshot.h"

namespace invex::gui {

constexpr float kTwoPi = 6.283185307179586f;

struct SweepAxes {
  int dims = 1;
  int n = 0;  // points per dimension
  float v0[2] = {0, 0}, step[2] = {1, 1};
  bool periodic[2] = {true, true};
  bool valid() const { return n > 1; }

  // Fraction of the axis in [0, 1] where z sits when each of the n points owns one cell.
  float frac(int d, float z) const {
    float f = ((z - v0[d]) / step[d] + 0.5f) / n;
    if (periodic[d]) f -= std::floor(f);
    return std::clamp(f, 0.0f, 1.0f);
  }
  float z_at(int d, float f) const {
    float z = (f * n - 0.5f) * step[d] + v0[d];
    if (periodic[d]) {
      z = std::fmod(z, kTwoPi);
      if (z < 0) z += kTwoPi;
      return z;
    }
    return std::clamp(z, 0.0f, kTwoPi);
  }
  int nearest(int d, float z) const {
    int i = static_cast<int>(std::lround((z - v0[d]) / step[d]));
    if (periodic[d]) return ((i % n) + n) % n;
    return std::clamp(i, 0, n - 1);
  }
  float value(int d, int i) const { return v0[d] + i * step[d]; }
};

// z as one latent point of `dims` coordinates (missing ones 0).
inline LatentPoints one_point(const std::vector<float>& z, int dims) {
  LatentPoints p;
  p.count = 1;
  p.dims = dims;
  p.data.assign(static_cast<size_t>(dims), 0.0f);
  for (int d = 0; d < dims && d < static_cast<int>(z.size()); ++d) p.data[d] = z[d];
  return p;
}

// Points ks of a set of latent points, in that order.
inline LatentPoints pick_points(const LatentPoints& all, const std::vector<int>& ks) {
  LatentPoints p;
  p.dims = all.dims;
  for (int k : ks) {
    for (int d = 0; d < all.dims; ++d) p.data.push_back(all.at(k, d));
    ++p.count;
  }
  return p;
}

inline SweepAxes sweep_axes(const Snapshot& s) {
  SweepAxes a;
  const LatentPoints& p = s.sweep_latents;
  a.dims = std::clamp(p.dims, 1, 2);
  for (int d = 0; d < a.dims && d < s.cppn.latent_dims(); ++d) a.periodic[d] = s.cppn.periodic[d];
  if (a.dims == 1) {
    a.n = p.count;
    if (a.n > 1) {
      a.v0[0] = p.at(0, 0);
      a.step[0] = p.at(1, 0) - p.at(0, 0);
    }
  } else {
    a.n = static_cast<int>(std::lround(std::sqrt(static_cast<double>(p.count))));
    if (a.n > 1 && a.n * a.n == p.count) {
      a.v0[0] = p.at(0, 0);
      a.step[0] = p.at(a.n, 0) - p.at(0, 0);
      a.v0[1] = p.at(0, 1);
      a.step[1] = p.at(1, 1) - p.at(0, 1);
    } else {
      a.n = 0;
    }
  }
  for (int d = 0; d < 2; ++d)
    if (!(std::fabs(a.step[d]) > 1e-9f)) a.n = 0;
  return a;
}

// The sweep images the view shows as thumbnails, in display order: 20 around a ring (1-D
// periodic), 10 along a strip (1-D line, both ends included), or every stride-th row and column
// of the 2-D grid (at most 10×10, row-major). Only these are coloured and uploaded.
inline std::vector<int> thumbnail_indices(const Snapshot& s) {
  std::vector<int> ks;
  const SweepAxes a = sweep_axes(s);
  if (!a.valid()) return ks;
  if (a.dims == 1) {
    const int count = a.n;
    if (a.periodic[0]) {
      const int shown = std::min(count, 20);
      for (int i = 0; i < shown; ++i) ks.push_back(i * count / shown);
    } else {
      const int shown = std::min(count, 10);
      for (int i = 0; i < shown; ++i) ks.push_back(i * (count - 1) / (shown - 1));
    }
  } else {
    const int stride = std::max(1, a.n / 10);
    for (int i = 0; i < a.n; i += stride)
      for (int j = 0; j < a.n; j += stride) ks.push_back(i * a.n + j);
  }
  return ks;
}

}  // namespace invex::gui

#include "core/method/latent_grid.h"

#include <algorithm>
#include <cmath>

namespace invex {

LatentPoints latent_grid(int dims, int g) {
  LatentPoints z;
  z.dims = dims;
  z.count = dims == 1 ? g : g * g;
  for (int k = 0; k < z.count; ++k) {
    if (dims == 1) {
      z.data.push_back(static_cast<float>(2 * M_PI * k / g));
    } else {
      z.data.push_back(static_cast<float>(2 * M_PI * (k / g) / g));
      z.data.push_back(static_cast<float>(2 * M_PI * (k % g) / g));
    }
  }
  return z;
}

LatentPoints canonical_sweep(const std::vector<bool>& periodic, int points) {
  const int dims = static_cast<int>(periodic.size());
  if (points <= 0) points = dims == 1 ? 100 : 20;
  auto axis = [&](int d) {
    std::vector<float> v(points);
    for (int i = 0; i < points; ++i)
      v[i] = static_cast<float>(periodic[d] ? 2 * M_PI * i / points
                                            : 2 * M_PI * i / std::max(1, points - 1));
    return v;
  };
  LatentPoints z;
  z.dims = dims;
  if (dims == 1) {
    z.data = axis(0);
    z.count = points;
  } else {
    auto a = axis(0), b = axis(1);
    for (int i = 0; i < points; ++i)
      for (int j = 0; j < points; ++j) {
        z.data.push_back(a[i]);
        z.data.push_back(b[j]);
      }
    z.count = points * points;
  }
  return z;
}

}  // namespace invex

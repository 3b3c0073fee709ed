#include "core/method/latent_grid.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

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

int sweep_points_per_dim(int dims, int count) {
  int k = dims == 1 ? count : static_cast<int>(std::lround(std::sqrt(std::max(0, count))));
  if (dims < 1 || dims > 2 || k < 2 || (dims == 2 && k * k != count))
    throw std::invalid_argument(std::to_string(count) + " images do not form a sweep over " +
                                std::to_string(dims) + " latent axes");
  return k;
}

namespace {
// Visits every adjacent pair (k, l) of the sweep with the axis and the first point's index.
template <typename Visit>
void for_each_neighbour(const std::vector<bool>& periodic, int k, Visit visit) {
  const int dims = static_cast<int>(periodic.size());
  const int lines = dims == 1 ? 1 : k;
  for (int axis = 0; axis < dims; ++axis) {
    const int stride = dims == 1 || axis == 1 ? 1 : k;  // last axis fastest
    const int across = dims == 1 || axis == 0 ? 1 : k;
    const int last = periodic[axis] ? k : k - 1;
    for (int line = 0; line < lines; ++line)
      for (int i = 0; i < last; ++i)
        visit(axis, i, line * across + i * stride, line * across + ((i + 1) % k) * stride);
  }
}
}  // namespace

std::vector<std::pair<int, int>> sweep_neighbours(const std::vector<bool>& periodic, int k) {
  std::vector<std::pair<int, int>> pairs;
  for_each_neighbour(periodic, k, [&](int, int, int a, int b) { pairs.emplace_back(a, b); });
  return pairs;
}

LatentPoints sweep_midpoints(const std::vector<bool>& periodic, int k) {
  const LatentPoints sweep = canonical_sweep(periodic, k);
  LatentPoints z;
  z.dims = sweep.dims;
  for_each_neighbour(periodic, k, [&](int axis, int, int a, int) {
    const double step = periodic[axis] ? 2 * M_PI / k : 2 * M_PI / (k - 1);
    for (int d = 0; d < z.dims; ++d)
      z.data.push_back(static_cast<float>(sweep.at(a, d) + (d == axis ? step / 2 : 0)));
    ++z.count;
  });
  return z;
}

}  // namespace invex

// Latent points of the method: the training grid (method.md §4) and the canonical sweep that
// every measurement and display uses (§11). Torch-free.
#pragma once

#include <utility>
#include <vector>

#include "core/run/image_stack.h"

namespace invex {

// The canonical sweep: K = 100 points for a 1-D latent (the end point included for a non-periodic
// dimension), a 20×20 grid for 2-D (last dimension fastest).
LatentPoints canonical_sweep(const std::vector<bool>& periodic, int points_per_dim = 0);

// Points per axis of a canonical sweep of `count` points over `dims` axes (K, or K×K); throws
// std::invalid_argument when `count` is not such a number.
int sweep_points_per_dim(int dims, int count);

// Adjacent points of a canonical sweep with K points per axis (method.md §11.2): every pair
// (k, l) where l is one step after k along one axis, wrapping on a periodic axis. Axis 0's pairs
// come first.
std::vector<std::pair<int, int>> sweep_neighbours(const std::vector<bool>& periodic, int points);

// The latent midpoint of each pair of sweep_neighbours, in the same order: half a sweep step
// after the first point along the pair's axis.
LatentPoints sweep_midpoints(const std::vector<bool>& periodic, int points);

// The training grid without jitter: linspace(0, 2π, G+1)[:-1] per dimension, last fastest.
LatentPoints latent_grid(int dims, int grid_points);

}  // namespace invex

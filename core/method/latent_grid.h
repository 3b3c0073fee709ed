// Latent points of the method: the training grid (method.md §4) and the canonical sweep that
// every measurement and display uses (§11). Torch-free.
#pragma once

#include <vector>

#include "core/run/image_stack.h"

namespace invex {

// The canonical sweep: K = 100 points for a 1-D latent (the end point included for a non-periodic
// dimension), a 20×20 grid for 2-D (last dimension fastest).
LatentPoints canonical_sweep(const std::vector<bool>& periodic, int points_per_dim = 0);

// The training grid without jitter: linspace(0, 2π, G+1)[:-1] per dimension, last fastest.
LatentPoints latent_grid(int dims, int grid_points);

}  // namespace invex

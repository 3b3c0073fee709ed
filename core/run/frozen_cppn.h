// The CPPN as renderers see it: every BatchNorm folded into its layer with statistics frozen
// over the canonical latent grid (method.md §2.1), so an image depends only on its own z.
// Plain data: the CPU renderer, the GUI's shader and saved runs all read this.
#pragma once

#include <vector>

namespace invex {

// The shared numbers of the CPPN architecture (method.md §2), used by training, folding and
// every renderer.
constexpr float kLeakyReluSlope = 0.01f;
constexpr double kBatchNormEps = 1e-5;
// The widest hidden layer (and most channels) the fused trainer and the renderers support.
constexpr int kMaxCppnWidth = 16;

struct FrozenCppn {
  struct Layer {
    int in = 0, out = 0;
    std::vector<float> weight;  // out×in, row-major
    std::vector<float> bias;    // out
  };
  int positional_encoding_dim = 10;  // P
  std::vector<float> fourier;        // B, 2×P row-major
  std::vector<bool> periodic;        // one per latent dimension
  float aux_dim_scale = 1.0f;
  int channels = 1;
  // Layer i computes act(W·x + b): LeakyReLU(kLeakyReluSlope) for all but the last, tanh for
  // the last.
  std::vector<Layer> layers;

  int latent_dims() const { return static_cast<int>(periodic.size()); }
  int latent_encoding_size() const;  // 2 per periodic dimension, 1 per non-periodic one
  int input_size() const { return 2 * positional_encoding_dim + latent_encoding_size(); }
};

}  // namespace invex

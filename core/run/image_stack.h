// A batch of images as plain floats, K×C×H×W in C order: what renders, exports and the
// neuron evaluator exchange. No torch here, so the GUI and exporters stay light to compile.
#pragma once

#include <cstddef>
#include <vector>

namespace invex {

struct ImageStack {
  int count = 0, channels = 1, height = 0, width = 0;
  std::vector<float> data;

  ImageStack() = default;
  ImageStack(int k, int c, int h, int w)
      : count(k),
        channels(c),
        height(h),
        width(w),
        data(static_cast<size_t>(k) * c * h * w, 0.0f) {}
  size_t image_size() const { return static_cast<size_t>(channels) * height * width; }
  float* image(int k) { return data.data() + k * image_size(); }
  const float* image(int k) const { return data.data() + k * image_size(); }
};

// Latent points, K×D row-major, each coordinate in radians ([0, 2π) on the canonical sweep).
struct LatentPoints {
  int count = 0, dims = 1;
  std::vector<float> data;
  float at(int k, int d) const { return data[static_cast<size_t>(k) * dims + d]; }
};

}  // namespace invex

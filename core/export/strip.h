// The slide strip of a manifold: one row, left to right, the neuron's filters, its MEI, frames
// along the manifold and the activation plot, each under a label, on white. What the tour's
// "Export for slides" writes beside the GIF. Torch-free.
#pragma once

#include <string>
#include <vector>

#include "core/export/canvas.h"
#include "core/run/image_stack.h"

namespace invex {

struct StripContent {
  ImageStack filters;  // K×1×h×w, each on its own colour scale (K may be 0); at most 8 shown
  ImageStack mei;      // 1×1×h×w on its own scale, or empty
  ImageStack frames;   // N×1×h×w along the manifold (N ≥ 1), on one scale shared by all
  // The canonical sweep and its normalised activations, for the plot (figure.h).
  LatentPoints latents;
  std::vector<float> activations;
  std::vector<bool> periodic;
  std::string colormap = "grey";
};

struct StripBox {
  int x = 0, y = 0, w = 0, h = 0;
};

// Where everything goes. Images are blown up by a whole factor (crisp pixels) to about `tile`
// pixels; filters take half that size in two rows when there are more than two.
struct StripLayout {
  int width = 0, height = 0;
  int scale = 1;  // frames and MEI: pixels per image pixel
  int filter_scale = 1;
  std::vector<StripBox> filters, frames;
  StripBox mei, plot;  // mei.w == 0 without an MEI
};

// Throws std::invalid_argument when frames are missing or images are not single-channel.
StripLayout strip_layout(const StripContent& content, int tile = 128);
RgbImage draw_strip(const StripContent& content, int tile = 128);

// The frames of the strip: `count` points evenly spaced along the canonical sweep (1-D), or along
// the first row (play_dim 1) or column (play_dim 0) of a 2-D grid with `grid` points per side.
std::vector<int> strip_frame_indices(int sweep_count, int dims, int grid, int play_dim,
                                     int count = 8);

}  // namespace invex

// Colour maps of the exports and the GUI: images in the model's pixel units become colours on one
// scale symmetric around 0. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/run/image_stack.h"

namespace invex {

struct Rgb {
  uint8_t r, g, b;
};

// Value range mapped onto the colour map: lo → first level, hi → last level.
struct ColorScale {
  float lo = -1.0f, hi = 1.0f;
};

// One scale for the whole stack, symmetric around 0 (images are in the model's pixel units,
// where 0 is the grey the neuron sees as "nothing"): [-m, m] with m = max |value| over every
// frame, so an animation does not flicker as per-frame contrast changes. Non-finite values are
// ignored; an all-zero stack gets [-1, 1].
ColorScale symmetric_scale(const ImageStack& images);

// "grey" and "diverging" (blue-white-red).
const std::vector<std::string>& colormap_names();
// Throws ConfigError listing the valid names.
void check_colormap(const std::string& colormap);

// 256-entry RGB palette of a colour map (768 bytes). Pixels are first quantised to one of 256
// levels with the scale, then looked up here, so GIF and PNG exports show the same colours.
std::vector<uint8_t> colormap_palette(const std::string& colormap);
// The level 0..255 of a value under a scale (NaN → the middle level).
uint8_t quantise(float value, ColorScale scale);

// One H×W single-channel image → H·W·3 bytes of RGB, row-major.
std::vector<uint8_t> to_rgb(const float* img, int h, int w, ColorScale scale,
                            const std::string& colormap);

// The diverging map's colour at t in [0, 1]: blue, white at 0.5, red.
Rgb diverging_colour(double t);

}  // namespace invex

// Image values to display colours with one symmetric scale [-scale, scale] shared by every
// image of a manifold, so that sweeping z changes only the image, never the mapping.
#pragma once

#include <cstdint>
#include <vector>

#include "core/run/image_stack.h"

namespace invex::gui {

enum class Colormap { Grey, Diverging };

// One value to RGBA (the export palettes of core/export.h); values beyond the scale saturate.
void map_value(float v, float scale, Colormap map, std::uint8_t out[4]);

// Activations in [0, 1] (1 = the top of the scale) to RGBA on a sequential map (dark = silent,
// bright = at the MEI), distinct from the signed image maps so a heatmap is never mistaken for
// an image.
void heat_value(float t, std::uint8_t out[4]);

// The largest |value| over a stack: the symmetric scale of that stack (never 0).
float symmetric_scale(const ImageStack& images);

// Image k of a stack (channel 0) into an RGBA buffer of width×height.
void colorize(const ImageStack& images, int k, float scale, Colormap map,
              std::vector<std::uint8_t>& rgba);

// Every image of a stack into one atlas of `cols` tiles per row (row-major in k).
void colorize_atlas(const ImageStack& images, int cols, float scale, Colormap map,
                    std::vector<std::uint8_t>& rgba, int& atlas_w, int& atlas_h);

}  // namespace invex::gui

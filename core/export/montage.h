// One picture of a whole canonical sweep: a 1-D loop as a strip, a 2-D grid as a grid of
// thumbnails (axis 0 down, axis 1 across), grey on one symmetric scale. Torch-free.
#pragma once

#include <string>

#include "core/export/canvas.h"
#include "core/run/image_stack.h"

namespace invex {

// 1-D: `strip` evenly spaced images of the K in one row (all of them when K <= strip); 2-D:
// every image of the K×K grid. Images are `scale`× enlarged, 1 px apart on a mid-grey ground.
RgbImage draw_montage(const ImageStack& sweep, int dims, int strip = 20, int scale = 2);
void write_montage_png(const std::string& path, const ImageStack& sweep, int dims);

}  // namespace invex

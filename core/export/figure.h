// The one-page figure of a manifold for a paper: thumbnails of the sweep above a plot of the
// activation. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/export/canvas.h"
#include "core/export/export_options.h"
#include "core/run/image_stack.h"

namespace invex {

// Which of K latents a figure shows as thumbnails: 1-D, up to 12 evenly spaced points; 2-D
// (a full grid, last dimension fastest), up to 10×10 evenly subsampled, row-major. Along a
// periodic dimension the spacing wraps (the last point is not a repeat of the first); along a
// non-periodic one both ends are shown. `rows` and `cols` receive the thumbnail layout.
std::vector<int> figure_thumbnail_indices(const LatentPoints& latents,
                                          const std::vector<bool>& periodic, int* rows, int* cols);

// The figure: thumbnails above a plot of the activation (normalised by the MEI). 1-D: the
// activation curve over z in [0, 2π] with the MEI = 1 reference line and ticks where the
// thumbnails are; 2-D: a heatmap of the activation over the latent square with a colour bar
// (white 0 → red 1 = MEI, blue below 0) marked at 1.
// `thumbnails` holds the images at `thumbnail_indices` of `latents`, in that order. `notes`
// are lines of text under the plot (the metrics of method.md §11, report_to_text).
RgbImage draw_figure(const ImageStack& thumbnails, const std::vector<int>& thumbnail_indices,
                     int rows, int cols, const LatentPoints& latents,
                     const std::vector<float>& activations, const std::vector<bool>& periodic,
                     const ExportOptions& options, const std::vector<std::string>& notes = {});

// Where a plot goes on a canvas, and how thick its curve is drawn.
struct PlotBox {
  int x = 0, y = 0, w = 0, h = 0;
  int thickness = 2;
};
// The figure's activation plot alone, in `box`: 1-D the curve over z in [0, 2π] with the MEI =
// 1 line, axis labels below the box (~40 pixels); 2-D the heatmap with its colour bar right of
// the box (~110 pixels) and labels above and below. Also drawn on the slide strip (strip.h).
void draw_activation_plot(Canvas& cv, const PlotBox& box, const LatentPoints& latents,
                          const std::vector<float>& activations, const std::vector<bool>& periodic);

// `images` has one image per latent; the thumbnails are picked from it.
void write_figure(const std::string& path, const ImageStack& images, const LatentPoints& latents,
                  const std::vector<float>& activations, const std::vector<bool>& periodic,
                  const ExportOptions& options, const ExportProgress& progress = {});
// Same, with only the thumbnails rendered (at figure_thumbnail_indices), which saves rendering
// hundreds of large images for a 2-D grid.
void write_figure(const std::string& path, const ImageStack& thumbnails,
                  const std::vector<int>& thumbnail_indices, int rows, int cols,
                  const LatentPoints& latents, const std::vector<float>& activations,
                  const std::vector<bool>& periodic, const ExportOptions& options);

}  // namespace invex

// Exports of a learned manifold: animated GIF, PNG frames, and a one-page figure for a paper.
// Torch-free so the GUI can link it cheaply. Every file is built in memory and written with
// write_file_atomic, so a failure or a cancel never leaves a half-written file behind.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/run/image_stack.h"

namespace invex {

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

struct ExportOptions {
  int frames = 64;  // images along the export path
  int size = 256;   // rendered resolution (size × size pixels): the CPPN is re-rendered, not
                    // upscaled
  double fps = 20;  // GIF playback rate, in (0, 50]
  std::string colormap = "grey";
  std::string path = "axis0";  // axis0 | axis1 | loop, see export_path
};

// Throws ConfigError naming the option and the accepted range.
void validate_export_options(const ExportOptions& options);

// Progress in [0, 1]; returning false cancels the export (ExportCancelled is thrown and no
// final file is written).
using ExportProgress = std::function<bool(double fraction)>;

struct ExportCancelled : std::runtime_error {
  ExportCancelled() : std::runtime_error("export cancelled") {}
};

// Animated, endlessly looping GIF of K×1×H×W frames at options.fps, coloured with
// options.colormap over symmetric_scale(frames).
void write_gif(const std::string& path, const ImageStack& frames, const ExportOptions& options,
               const ExportProgress& progress = {});
// The GIF as bytes (what write_gif writes).
std::string encode_gif(const ImageStack& frames, const ExportOptions& options,
                       const ExportProgress& progress = {});

// dir/frame_0000.png ... one per frame, same colours as the GIF. Creates dir. Stale
// frame_NNNN.png files from an earlier, longer export are removed so the directory always
// holds exactly one sequence.
void write_png_frames(const std::string& dir, const ImageStack& frames,
                      const ExportOptions& options, const ExportProgress& progress = {});
// The two halves of write_png_frames, for a caller that encodes while a cancel is still
// welcome and writes only once everything is ready (export_manifold): one PNG per frame, then
// dir/frame_NNNN.png for each (all or none, stale frames removed).
std::vector<std::string> encode_png_frames(const ImageStack& frames, const ExportOptions& options,
                                           const ExportProgress& progress = {});
void write_encoded_png_frames(const std::string& dir, const std::vector<std::string>& encoded);

// Plain 8-bit RGB PNG (rgb is w·h·3 bytes).
void write_png(const std::string& path, const std::vector<uint8_t>& rgb, int w, int h);
std::string encode_png(const std::vector<uint8_t>& rgb, int w, int h);

struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // width·height·3
};

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
// `thumbnails` holds the images at `thumbnail_indices` of `latents`, in that order.
RgbImage draw_figure(const ImageStack& thumbnails, const std::vector<int>& thumbnail_indices,
                     int rows, int cols, const LatentPoints& latents,
                     const std::vector<float>& activations, const std::vector<bool>& periodic,
                     const ExportOptions& options);

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

// Latent points of an animation that loops without a jump:
// 1-D periodic: z = 2πk/frames (the full circle); 1-D non-periodic: there and back,
// 0 → 2π → 0 over `frames` points. 2-D: "axis0"/"axis1" sweep that coordinate (loop or there
// and back, by its periodicity) with the other held at π; "loop" is the circle of radius 0.8π
// around (π, π). A 1-D latent accepts "axis0" and "loop" (the same sweep).
// Throws ConfigError listing the valid names.
LatentPoints export_path(const std::vector<bool>& periodic, int frames, const std::string& path);
const std::vector<std::string>& export_path_names();

}  // namespace invex

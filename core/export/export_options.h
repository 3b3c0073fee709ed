// What an export is asked for (frames, size, rate, colours, path through the latent space),
// checked in one place; and the progress and cancel protocol every encoder follows. Torch-free.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/run/image_stack.h"

namespace invex {

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

// Latent points of an animation that loops without a jump:
// 1-D periodic: z = 2πk/frames (the full circle); 1-D non-periodic: there and back,
// 0 → 2π → 0 over `frames` points. 2-D: "axis0"/"axis1" sweep that coordinate (loop or there
// and back, by its periodicity) with the other held at π; "loop" is the circle of radius 0.8π
// around (π, π). A 1-D latent accepts "axis0" and "loop" (the same sweep).
// Throws ConfigError listing the valid names.
LatentPoints export_path(const std::vector<bool>& periodic, int frames, const std::string& path);
const std::vector<std::string>& export_path_names();

// For the encoders: calls `progress` with `fraction` clamped to [0, 1] and throws
// ExportCancelled when it returns false.
void report_progress(const ExportProgress& progress, double fraction);
// For the encoders: throws unless `frames` is a non-empty 1-channel stack whose data matches its
// shape (`what` names the export in the message).
void check_frames(const ImageStack& frames, const char* what);
// Throws ConfigError unless 0 < fps <= 50 (the rates a GIF plays as asked).
void check_fps(double fps);
// "a, b, c": the valid names in an error message.
std::string join_names(const std::vector<std::string>& names);

}  // namespace invex

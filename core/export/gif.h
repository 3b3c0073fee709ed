// Animated GIF export: an endlessly looping animation with an exact 256-level palette. Torch-free;
// the file is built in memory and written atomically.
#pragma once

#include <string>

#include "core/export/export_options.h"
#include "core/run/image_stack.h"

namespace invex {

// Animated, endlessly looping GIF of K×1×H×W frames at options.fps, coloured with
// options.colormap over symmetric_scale(frames).
void write_gif(const std::string& path, const ImageStack& frames, const ExportOptions& options,
               const ExportProgress& progress = {});
// The GIF as bytes (what write_gif writes).
std::string encode_gif(const ImageStack& frames, const ExportOptions& options,
                       const ExportProgress& progress = {});

}  // namespace invex

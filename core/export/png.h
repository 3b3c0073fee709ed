// PNG export: single images and numbered frame sequences, coloured as the GIF. Torch-free; every
// file is built in memory and written atomically.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/export/export_options.h"
#include "core/run/image_stack.h"

namespace invex {

// dir/frame_0000.png ... one per frame, same colours as the GIF. Creates dir. Stale
// frame_NNNN.png files from an earlier, longer export are removed so the directory always
// holds exactly one sequence.
void write_png_frames(const std::string& dir, const ImageStack& frames,
                      const ExportOptions& options, const ExportProgress& progress = {});
// The two halves of write_png_frames, for a caller that encodes while a cancel is still
// welcome and writes only once everything is ready (export_manifold): one PNG per frame, then
// dir/frame_NNNN.png for each (all or none, stale frames removed; a failed write leaves the
// previous sequence as it was).
std::vector<std::string> encode_png_frames(const ImageStack& frames, const ExportOptions& options,
                                           const ExportProgress& progress = {});
void write_encoded_png_frames(const std::string& dir, const std::vector<std::string>& encoded);

// Plain 8-bit RGB PNG (rgb is w·h·3 bytes).
void write_png(const std::string& path, const std::vector<uint8_t>& rgb, int w, int h);
std::string encode_png(const std::vector<uint8_t>& rgb, int w, int h);

}  // namespace invex

#include "core/export/png.h"

#include <stb/stb_image_write.h>  // implementation lives in Debian's libstb

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "core/export/colormap.h"
#include "core/io/atomic_file.h"
#include "core/support/thread_pool.h"

namespace invex {

// Below this many pixels in all, frames are encoded on the calling thread alone.
constexpr long kParallelPixels = 1 << 18;

namespace {
void png_write_to_string(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), size);
}
}  // namespace

std::string encode_png(const std::vector<uint8_t>& rgb, int w, int h) {
  if (w < 1 || h < 1 || rgb.size() != static_cast<size_t>(w) * h * 3)
    throw std::invalid_argument("PNG export: buffer does not match " + std::to_string(w) + "x" +
                                std::to_string(h) + " RGB");
  std::string bytes;
  if (!stbi_write_png_to_func(png_write_to_string, &bytes, w, h, 3, rgb.data(), w * 3))
    throw std::runtime_error("PNG encoding failed");
  return bytes;
}

void write_png(const std::string& path, const std::vector<uint8_t>& rgb, int w, int h) {
  write_file_atomic(path, encode_png(rgb, w, h));
}

std::vector<std::string> encode_png_frames(const ImageStack& frames, const ExportOptions& options,
                                           const ExportProgress& progress) {
  check_frames(frames, "PNG export");
  check_colormap(options.colormap);
  const ColorScale scale = symmetric_scale(frames);
  std::vector<std::string> encoded(frames.count);
  // Deflate dominates a large export's PNG stage and frames are independent: encode them on the
  // compute threads. Only this thread reports progress, so the callback may throw (cancel).
  const auto encode_frame = [&](long k) {
    encoded[k] =
        encode_png(to_rgb(frames.image(k), frames.height, frames.width, scale, options.colormap),
                   frames.width, frames.height);
  };
  const auto report = [&](double f) { report_progress(progress, f); };
  const long pixels = static_cast<long>(frames.count) * frames.height * frames.width;
  if (pixels < kParallelPixels) {
    for (long k = 0; k < frames.count; ++k) {
      encode_frame(k);
      report(static_cast<double>(k + 1) / frames.count);
    }
  } else {
    parallel_for(frames.count, encode_frame, report);
  }
  report_progress(progress, 1.0);
  return encoded;
}

void write_encoded_png_frames(const std::string& dir, const std::vector<std::string>& encoded) {
  ensure_directory(dir);
  auto name = [&](size_t k) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "frame_%04zu.png", k);
    return dir + "/" + buf;
  };
  // Every frame is written under a staged name first and renamed into place only once all of
  // them are on disk: a full disk midway then leaves the previous sequence whole, where writing
  // in place would leave half an old sequence that silently animates the wrong thing.
  std::vector<std::string> staged;
  const auto drop_staged = [&](size_t from) {
    for (size_t k = from; k < staged.size(); ++k) std::remove(staged[k].c_str());
  };
  try {
    for (size_t k = 0; k < encoded.size(); ++k) {
      write_file_atomic(name(k) + ".staged", encoded[k]);
      staged.push_back(name(k) + ".staged");
    }
  } catch (...) {
    drop_staged(0);
    throw;
  }
  std::vector<std::string> written;
  for (size_t k = 0; k < staged.size(); ++k) {
    if (std::rename(staged[k].c_str(), name(k).c_str()) != 0) {
      const int err = errno;
      drop_staged(k);
      throw std::runtime_error("cannot write " + name(k) + ": " + std::strerror(err));
    }
    written.push_back(name(k));
  }
  std::set<std::string> keep(written.begin(), written.end());
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string file = entry.path().filename().string();
    if (file.size() >= 14 && file.compare(0, 6, "frame_") == 0 &&
        file.compare(file.size() - 4, 4, ".png") == 0 &&
        file.find_first_not_of("0123456789", 6) == file.size() - 4 && !keep.count(dir + "/" + file))
      std::filesystem::remove(entry.path(), ec);
  }
}

void write_png_frames(const std::string& dir, const ImageStack& frames,
                      const ExportOptions& options, const ExportProgress& progress) {
  // Encode everything first: a cancel then happens before any file exists.
  const std::vector<std::string> encoded =
      encode_png_frames(frames, options, [&](double f) { return !progress || progress(0.9 * f); });
  write_encoded_png_frames(dir, encoded);
  report_progress(progress, 1.0);
}
}  // namespace invex

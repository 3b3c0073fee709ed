#include "core/export/gif.h"

#include <gif_lib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/export/colormap.h"
#include "core/io/atomic_file.h"
#include "core/run/config.h"

namespace invex {

namespace {

int gif_write_to_string(GifFileType* gif, const GifByteType* data, int n) {
  static_cast<std::string*>(gif->UserData)->append(reinterpret_cast<const char*>(data), n);
  return n;
}

struct GifCloser {
  void operator()(GifFileType* gif) const {
    int err = 0;
    EGifCloseFile(gif, &err);
  }
};

struct MapFreer {
  void operator()(ColorMapObject* m) const { GifFreeMapObject(m); }
};

void gif_check(int rc, GifFileType* gif, const char* what) {
  if (rc != GIF_OK)
    throw std::runtime_error(std::string("GIF encoding failed (") + what +
                             "): " + GifErrorString(gif->Error));
}

}  // namespace

std::string encode_gif(const ImageStack& frames, const ExportOptions& options,
                       const ExportProgress& progress) {
  check_frames(frames, "GIF export");
  check_fps(options.fps);
  if (frames.width > 65535 || frames.height > 65535)
    throw std::invalid_argument("GIF export: image too large");
  const std::vector<uint8_t> palette = colormap_palette(options.colormap);
  const ColorScale scale = symmetric_scale(frames);

  std::string bytes;
  int err = 0;
  std::unique_ptr<GifFileType, GifCloser> gif(EGifOpen(&bytes, gif_write_to_string, &err));
  if (!gif) throw std::runtime_error(std::string("GIF encoding failed: ") + GifErrorString(err));

  GifColorType colours[256];
  for (int i = 0; i < 256; ++i)
    colours[i] = {palette[i * 3], palette[i * 3 + 1], palette[i * 3 + 2]};
  std::unique_ptr<ColorMapObject, MapFreer> map(GifMakeMapObject(256, colours));
  if (!map) throw std::runtime_error("GIF encoding failed: out of memory");

  // Sequential writing does not see the extensions ahead of time, so ask for GIF89a
  // explicitly: GIF87a has no animation or looping.
  EGifSetGifVersion(gif.get(), true);
  gif_check(EGifPutScreenDesc(gif.get(), frames.width, frames.height, 8, 0, map.get()), gif.get(),
            "screen");
  // NETSCAPE2.0 application extension, loop count 0 = forever.
  const unsigned char loop[3] = {1, 0, 0};
  gif_check(EGifPutExtensionLeader(gif.get(), APPLICATION_EXT_FUNC_CODE), gif.get(), "loop");
  gif_check(EGifPutExtensionBlock(gif.get(), 11, "NETSCAPE2.0"), gif.get(), "loop");
  gif_check(EGifPutExtensionBlock(gif.get(), 3, loop), gif.get(), "loop");
  gif_check(EGifPutExtensionTrailer(gif.get()), gif.get(), "loop");

  std::vector<GifPixelType> row(frames.width);
  for (int k = 0; k < frames.count; ++k) {
    // Delays are whole centiseconds; taking differences of the rounded cumulative time keeps
    // the loop's total duration exact when 100/fps is not an integer (e.g. 30 fps: 3,3,4,...).
    const long t0 = std::lround(100.0 * k / options.fps);
    const long t1 = std::lround(100.0 * (k + 1) / options.fps);
    GraphicsControlBlock gcb;
    gcb.DisposalMode = DISPOSE_DO_NOT;
    gcb.UserInputFlag = false;
    gcb.DelayTime = static_cast<int>(std::min(65535L, std::max(2L, t1 - t0)));
    gcb.TransparentColor = NO_TRANSPARENT_COLOR;
    GifByteType ext[4];
    const size_t n = EGifGCBToExtension(&gcb, ext);
    gif_check(EGifPutExtension(gif.get(), GRAPHICS_EXT_FUNC_CODE, static_cast<int>(n), ext),
              gif.get(), "frame delay");
    gif_check(EGifPutImageDesc(gif.get(), 0, 0, frames.width, frames.height, false, nullptr),
              gif.get(), "frame");
    const float* img = frames.image(k);
    for (int y = 0; y < frames.height; ++y) {
      for (int x = 0; x < frames.width; ++x)
        row[x] = quantise(img[static_cast<size_t>(y) * frames.width + x], scale);
      gif_check(EGifPutLine(gif.get(), row.data(), frames.width), gif.get(), "pixels");
    }
    report_progress(progress, static_cast<double>(k + 1) / frames.count);
  }
  GifFileType* raw = gif.release();
  if (EGifCloseFile(raw, &err) != GIF_OK)
    throw std::runtime_error(std::string("GIF encoding failed: ") + GifErrorString(err));
  return bytes;
}

void write_gif(const std::string& path, const ImageStack& frames, const ExportOptions& options,
               const ExportProgress& progress) {
  write_file_atomic(path, encode_gif(frames, options, progress));
}
}  // namespace invex

#include "core/export/export_options.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/export/colormap.h"
#include "core/run/config.h"

namespace invex {
namespace {

constexpr double kTwoPi = 6.283185307179586;
constexpr double kPi = 3.141592653589793;

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
  return s;
}

void report_progress(const ExportProgress& progress, double fraction) {
  if (progress && !progress(std::min(1.0, std::max(0.0, fraction)))) throw ExportCancelled();
}

void check_fps(double fps) {
  // GIF delays are whole centiseconds and browsers slow delays under 2 cs down to 10 cs, so
  // 50 frames per second is the fastest rate that plays as asked.
  if (!(fps > 0 && fps <= 50))
    throw ConfigError("fps must be in (0, 50] (got " + number(fps) + ")");
}

void check_frames(const ImageStack& frames, const char* what) {
  if (frames.count < 1 || frames.height < 1 || frames.width < 1)
    throw std::invalid_argument(std::string(what) + ": no images to export");
  // A colour map turns one value per pixel into a colour; several channels have no single
  // sensible mapping, so refuse rather than silently drop channels.
  if (frames.channels != 1)
    throw ConfigError(std::string(what) + ": only 1-channel images can be exported as pictures (" +
                      std::to_string(frames.channels) + " channels given; use the .npy export)");
  if (frames.data.size() != static_cast<size_t>(frames.count) * frames.image_size())
    throw std::invalid_argument(std::string(what) + ": image stack size does not match its shape");
}

void validate_export_options(const ExportOptions& o) {
  if (o.frames < 2 || o.frames > 10000)
    throw ConfigError("frames must be between 2 and 10000 (got " + std::to_string(o.frames) + ")");
  if (o.size < 8 || o.size > 4096)
    throw ConfigError("size must be between 8 and 4096 pixels (got " + std::to_string(o.size) +
                      ")");
  check_fps(o.fps);
  check_colormap(o.colormap);
  const auto& paths = export_path_names();
  if (std::find(paths.begin(), paths.end(), o.path) == paths.end())
    throw ConfigError("unknown export path '" + o.path + "' (valid: " + join_names(paths) + ")");
}

const std::vector<std::string>& export_path_names() {
  static const std::vector<std::string> names = {"axis0", "axis1", "loop"};
  return names;
}

namespace {
// Position k of `frames` on a sweep of one coordinate that loops without a jump: the full
// circle when periodic, otherwise a linear there-and-back 0 → 2π → 0 (the last frame is one
// step before 0, so the wrap to frame 0 is an ordinary step).
double sweep(int k, int frames, bool periodic) {
  const double t = static_cast<double>(k) / frames;
  return periodic ? kTwoPi * t : kTwoPi * (1.0 - std::fabs(1.0 - 2.0 * t));
}
}  // namespace

LatentPoints export_path(const std::vector<bool>& periodic, int frames, const std::string& path) {
  const auto& names = export_path_names();
  if (std::find(names.begin(), names.end(), path) == names.end())
    throw ConfigError("unknown export path '" + path + "' (valid: " + join_names(names) + ")");
  if (frames < 1) throw ConfigError("frames must be at least 1");
  const int dims = static_cast<int>(periodic.size());
  if (dims != 1 && dims != 2)
    throw ConfigError("export paths need a 1-D or 2-D latent (got " + std::to_string(dims) + ")");
  if (dims == 1 && path == "axis1")
    throw ConfigError("export path 'axis1' needs a 2-D latent (valid for 1-D: axis0, loop)");
  LatentPoints z;
  z.count = frames;
  z.dims = dims;
  z.data.resize(static_cast<size_t>(frames) * dims);
  for (int k = 0; k < frames; ++k) {
    float* p = &z.data[static_cast<size_t>(k) * dims];
    if (dims == 1) {
      p[0] = static_cast<float>(sweep(k, frames, periodic[0]));
    } else if (path == "loop") {
      const double phi = kTwoPi * k / frames;
      p[0] = static_cast<float>(kPi + 0.8 * kPi * std::cos(phi));
      p[1] = static_cast<float>(kPi + 0.8 * kPi * std::sin(phi));
    } else {
      const int d = path == "axis0" ? 0 : 1;
      p[d] = static_cast<float>(sweep(k, frames, periodic[d]));
      p[1 - d] = static_cast<float>(kPi);
    }
  }
  return z;
}
}  // namespace invex

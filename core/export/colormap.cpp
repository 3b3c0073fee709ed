#include "core/export/colormap.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/export/export_options.h"
#include "core/run/config.h"

namespace invex {
namespace {

Rgb lerp(Rgb a, Rgb b, double t) {
  auto mix = [t](uint8_t x, uint8_t y) {
    return static_cast<uint8_t>(std::lround(x + (static_cast<double>(y) - x) * t));
  };
  return {mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)};
}

// Ends of the diverging map: a saturated but not garish blue and red, white in the middle so
// 0 (the neuron's "nothing") reads as blank paper.
constexpr Rgb kBlue{33, 102, 172}, kWhite{255, 255, 255}, kRed{178, 24, 43};

}  // namespace

Rgb diverging_colour(double t) {
  t = std::min(1.0, std::max(0.0, t));
  return t < 0.5 ? lerp(kBlue, kWhite, t / 0.5) : lerp(kWhite, kRed, (t - 0.5) / 0.5);
}

ColorScale symmetric_scale(const ImageStack& images) {
  float m = 0.0f;
  for (float v : images.data)
    if (std::isfinite(v)) m = std::max(m, std::fabs(v));
  if (m <= 0.0f) m = 1.0f;
  return {-m, m};
}

const std::vector<std::string>& colormap_names() {
  static const std::vector<std::string> names = {"grey", "diverging"};
  return names;
}

void check_colormap(const std::string& colormap) {
  const auto& names = colormap_names();
  if (std::find(names.begin(), names.end(), colormap) == names.end())
    throw ConfigError("unknown colour map '" + colormap + "' (valid: " + join_names(names) + ")");
}

std::vector<uint8_t> colormap_palette(const std::string& colormap) {
  check_colormap(colormap);
  std::vector<uint8_t> p(256 * 3);
  for (int i = 0; i < 256; ++i) {
    Rgb c{static_cast<uint8_t>(i), static_cast<uint8_t>(i), static_cast<uint8_t>(i)};
    if (colormap == "diverging") c = diverging_colour(i / 255.0);
    p[i * 3] = c.r;
    p[i * 3 + 1] = c.g;
    p[i * 3 + 2] = c.b;
  }
  return p;
}

uint8_t quantise(float value, ColorScale scale) {
  if (std::isnan(value)) return 128;
  const double span = static_cast<double>(scale.hi) - scale.lo;
  const double t = span > 0 ? (value - static_cast<double>(scale.lo)) / span : 0.5;
  return static_cast<uint8_t>(std::lround(std::min(1.0, std::max(0.0, t)) * 255.0));
}

std::vector<uint8_t> to_rgb(const float* img, int h, int w, ColorScale scale,
                            const std::string& colormap) {
  const std::vector<uint8_t> palette = colormap_palette(colormap);
  const size_t n = static_cast<size_t>(h) * w;
  std::vector<uint8_t> rgb(n * 3);
  for (size_t i = 0; i < n; ++i) std::memcpy(&rgb[i * 3], &palette[quantise(img[i], scale) * 3], 3);
  return rgb;
}

}  // namespace invex

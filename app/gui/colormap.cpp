#include "app/gui/colormap.h"

#include <algorithm>
#include <cmath>

#include "core/export/colormap.h"
#include "core/export/export_options.h"
#include "core/export/figure.h"
#include "core/export/gif.h"
#include "core/export/png.h"

namespace invex::gui {

namespace {

// The exporters' palettes, so a GIF or PNG exported later shows exactly the colours on screen.
const std::vector<std::uint8_t>& palette(Colormap map) {
  static const std::vector<std::uint8_t> grey = colormap_palette("grey");
  static const std::vector<std::uint8_t> diverging = colormap_palette("diverging");
  return map == Colormap::Grey ? grey : diverging;
}

inline void put(const std::vector<std::uint8_t>& pal, float v, ColorScale sc, std::uint8_t* out) {
  const int i = quantise(v, sc) * 3;
  out[0] = pal[i];
  out[1] = pal[i + 1];
  out[2] = pal[i + 2];
  out[3] = 255;
}

}  // namespace

void map_value(float v, float scale, Colormap map, std::uint8_t out[4]) {
  put(palette(map), v, ColorScale{-scale, scale}, out);
}

void heat_value(float t, std::uint8_t out[4]) {
  static const float stops[5][3] = {{0.02f, 0.02f, 0.08f},
                                    {0.35f, 0.08f, 0.45f},
                                    {0.80f, 0.22f, 0.35f},
                                    {0.98f, 0.60f, 0.15f},
                                    {0.99f, 0.98f, 0.70f}};
  if (!std::isfinite(t)) t = 0;
  t = std::clamp(t, 0.0f, 1.0f) * 4.0f;
  const int i = std::min(3, static_cast<int>(t));
  const float f = t - i;
  for (int c = 0; c < 3; ++c)
    out[c] = static_cast<std::uint8_t>(255.0f * (stops[i][c] * (1 - f) + stops[i + 1][c] * f));
  out[3] = 255;
}

float symmetric_scale(const ImageStack& images) { return invex::symmetric_scale(images).hi; }

void colorize(const ImageStack& images, int k, float scale, Colormap map,
              std::vector<std::uint8_t>& rgba) {
  const std::vector<std::uint8_t>& pal = palette(map);
  const ColorScale sc{-scale, scale};
  const int n = images.height * images.width;
  rgba.resize(static_cast<size_t>(n) * 4);
  const float* src = images.image(k);  // channel 0: the CPPNs here are grey-scale
  for (int i = 0; i < n; ++i) put(pal, src[i], sc, &rgba[static_cast<size_t>(i) * 4]);
}

void colorize_atlas(const ImageStack& images, int cols, float scale, Colormap map,
                    std::vector<std::uint8_t>& rgba, int& atlas_w, int& atlas_h) {
  const std::vector<std::uint8_t>& pal = palette(map);
  const ColorScale sc{-scale, scale};
  const int h = images.height, w = images.width;
  const int rows = (images.count + cols - 1) / cols;
  atlas_w = cols * w;
  atlas_h = rows * h;
  rgba.assign(static_cast<size_t>(atlas_w) * atlas_h * 4, 0);
  for (int k = 0; k < images.count; ++k) {
    const float* src = images.image(k);
    const int x0 = (k % cols) * w, y0 = (k / cols) * h;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        put(pal, src[y * w + x], sc, &rgba[(static_cast<size_t>(y0 + y) * atlas_w + x0 + x) * 4]);
  }
}

}  // namespace invex::gui

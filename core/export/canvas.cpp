#include "core/export/canvas.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb/stb_easy_font.h>
#pragma GCC diagnostic pop

namespace invex {

Canvas::Canvas(int w, int h, Rgb bg) {
  img.width = w;
  img.height = h;
  img.rgb.resize(static_cast<size_t>(w) * h * 3);
  for (size_t i = 0; i < img.rgb.size(); i += 3) {
    img.rgb[i] = bg.r;
    img.rgb[i + 1] = bg.g;
    img.rgb[i + 2] = bg.b;
  }
}

void Canvas::set(int x, int y, Rgb c) {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  uint8_t* p = &img.rgb[(static_cast<size_t>(y) * img.width + x) * 3];
  p[0] = c.r;
  p[1] = c.g;
  p[2] = c.b;
}

// Half-open rectangle [x0, x1) × [y0, y1).
void Canvas::fill(int x0, int y0, int x1, int y1, Rgb c) {
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) set(x, y, c);
}

// Outline of the pixels [x0, x1] × [y0, y1].
void Canvas::box(int x0, int y0, int x1, int y1, Rgb c) {
  fill(x0, y0, x1 + 1, y0 + 1, c);
  fill(x0, y1, x1 + 1, y1 + 1, c);
  fill(x0, y0, x0 + 1, y1 + 1, c);
  fill(x1, y0, x1 + 1, y1 + 1, c);
}

void Canvas::line(double x0, double y0, double x1, double y1, Rgb c, int thickness) {
  const int steps =
      std::max(1, static_cast<int>(std::ceil(std::max(std::fabs(x1 - x0), std::fabs(y1 - y0)))));
  const int lo = -(thickness - 1) / 2, hi = thickness / 2;
  for (int i = 0; i <= steps; ++i) {
    const double t = static_cast<double>(i) / steps;
    const int x = static_cast<int>(std::lround(x0 + (x1 - x0) * t));
    const int y = static_cast<int>(std::lround(y0 + (y1 - y0) * t));
    for (int dy = lo; dy <= hi; ++dy)
      for (int dx = lo; dx <= hi; ++dx) set(x + dx, y + dy, c);
  }
}

void Canvas::dashed_hline(int x0, int x1, int y, Rgb c, int dash) {
  for (int x = x0; x <= x1; ++x)
    if ((x - x0) / dash % 2 == 0) set(x, y, c);
}

// Nearest-neighbour blit at an integer scale: thumbnails keep crisp CPPN pixels.
void Canvas::blit(const std::vector<uint8_t>& rgb, int w, int h, int x0, int y0, int scale) {
  for (int y = 0; y < h * scale; ++y)
    for (int x = 0; x < w * scale; ++x) {
      const uint8_t* p = &rgb[(static_cast<size_t>(y / scale) * w + x / scale) * 3];
      set(x0 + x, y0 + y, {p[0], p[1], p[2]});
    }
}

// stb_easy_font emits axis-aligned quads; filling their bounding boxes rasterises the text.
void Canvas::text(const std::string& s, int x, int y, Rgb c, int scale) {
  std::vector<char> str(s.begin(), s.end());
  str.push_back('\0');
  std::vector<char> buf(s.size() * 300 + 64);
  const int quads =
      stb_easy_font_print(0, 0, str.data(), nullptr, buf.data(), static_cast<int>(buf.size()));
  for (int q = 0; q < quads; ++q) {
    float xs[4], ys[4];
    for (int v = 0; v < 4; ++v) {
      std::memcpy(&xs[v], &buf[(q * 4 + v) * 16], 4);
      std::memcpy(&ys[v], &buf[(q * 4 + v) * 16 + 4], 4);
    }
    const float qx0 = *std::min_element(xs, xs + 4), qx1 = *std::max_element(xs, xs + 4);
    const float qy0 = *std::min_element(ys, ys + 4), qy1 = *std::max_element(ys, ys + 4);
    fill(x + static_cast<int>(qx0 * scale), y + static_cast<int>(qy0 * scale),
         x + static_cast<int>(qx1 * scale), y + static_cast<int>(qy1 * scale), c);
  }
}

int Canvas::text_width(const std::string& s, int scale) {
  std::vector<char> str(s.begin(), s.end());
  str.push_back('\0');
  return stb_easy_font_width(str.data()) * scale;
}

}  // namespace invex

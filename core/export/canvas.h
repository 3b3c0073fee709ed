// A small RGB canvas for the exported pictures (figure.h, strip.h): rectangles, lines, crisp
// integer-scaled images and stb_easy_font text. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/export/colormap.h"

namespace invex {

struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // width·height·3
};

struct Canvas {
  RgbImage img;
  Canvas(int w, int h, Rgb bg);
  void set(int x, int y, Rgb c);  // pixels outside the canvas are ignored
  // Half-open rectangle [x0, x1) × [y0, y1).
  void fill(int x0, int y0, int x1, int y1, Rgb c);
  // Outline of the pixels [x0, x1] × [y0, y1].
  void box(int x0, int y0, int x1, int y1, Rgb c);
  void line(double x0, double y0, double x1, double y1, Rgb c, int thickness = 1);
  void dashed_hline(int x0, int x1, int y, Rgb c, int dash = 6);
  // Nearest-neighbour blit at an integer scale: thumbnails keep crisp CPPN pixels.
  void blit(const std::vector<uint8_t>& rgb, int w, int h, int x0, int y0, int scale);
  // stb_easy_font text with its top left at (x, y), each font pixel `scale` pixels wide.
  void text(const std::string& s, int x, int y, Rgb c, int scale = 2);
  static int text_width(const std::string& s, int scale = 2);
};

}  // namespace invex

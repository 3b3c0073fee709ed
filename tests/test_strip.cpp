// The slide strip (core/export/strip.h): its layout, and its pixels against hand-computed
// colours and the hand formula of the activation plot's axis.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/export/strip.h"

using namespace invex;

namespace {

constexpr double kTwoPi = 6.283185307179586;

struct Pixel {
  int r, g, b;
  bool operator==(const Pixel& o) const { return r == o.r && g == o.g && b == o.b; }
};

Pixel at(const RgbImage& img, int x, int y) {
  const uint8_t* p = &img.rgb[(static_cast<size_t>(y) * img.width + x) * 3];
  return {p[0], p[1], p[2]};
}

Pixel centre(const RgbImage& img, const StripBox& b) {
  return at(img, b.x + b.w / 2, b.y + b.h / 2);
}

// 4×4 images; frames constant at -1, 0 and 1, so on their shared scale [-1, 1] the grey map
// makes them black, mid grey and white.
StripContent content(int dims) {
  StripContent c;
  c.filters = ImageStack(2, 1, 4, 4);
  for (float& v : c.filters.data) v = 2.0f;
  c.filters.image(0)[5] = -2.0f;  // one dark pixel at (row 1, column 1) of the first filter
  c.mei = ImageStack(1, 1, 4, 4);
  for (int i = 0; i < 16; ++i) c.mei.data[i] = i < 8 ? -0.5f : 0.5f;  // top half dark
  c.frames = ImageStack(3, 1, 4, 4);
  for (int k = 0; k < 3; ++k)
    for (int i = 0; i < 16; ++i) c.frames.image(k)[i] = static_cast<float>(k - 1);
  const int n = dims == 1 ? 10 : 16;
  c.latents.dims = dims;
  c.latents.count = n;
  for (int k = 0; k < n; ++k) {
    if (dims == 1) {
      c.latents.data.push_back(static_cast<float>(kTwoPi * k / n));
    } else {
      c.latents.data.push_back(static_cast<float>(kTwoPi * (k / 4) / 4));
      c.latents.data.push_back(static_cast<float>(kTwoPi * (k % 4) / 4));
    }
  }
  c.activations.assign(n, 0.5f);
  c.periodic.assign(dims, true);
  return c;
}

}  // namespace

TEST_CASE("strip layout: filters, MEI, frames and plot left to right, at whole-pixel scales") {
  const StripContent c = content(1);
  const StripLayout l = strip_layout(c, 16);
  CHECK(l.scale == 4);         // 4-pixel images blown up to the 16-pixel tile
  CHECK(l.filter_scale == 4);  // two filters: one row at full size
  REQUIRE(l.filters.size() == 2);
  REQUIRE(l.frames.size() == 3);
  for (const StripBox& b : l.frames) CHECK((b.w == 16 && b.h == 16));
  CHECK(l.filters[0].x + l.filters[0].w < l.filters[1].x);
  CHECK(l.filters[1].x + l.filters[1].w < l.mei.x);
  CHECK(l.mei.x + l.mei.w < l.frames[0].x);
  CHECK(l.frames[2].x + l.frames[2].w < l.plot.x);
  CHECK(l.plot.x + l.plot.w < l.width);
  CHECK(l.frames[0].y + l.frames[0].h < l.height);

  // More than two filters go into two rows in the frames' height; at most eight are shown.
  StripContent many = c;
  many.filters = ImageStack(12, 1, 4, 4);
  const StripLayout lm = strip_layout(many, 32);
  CHECK(lm.filters.size() == 8);
  CHECK(lm.filter_scale == 3);  // (32 - a 6-pixel gap) / 2 rows / 4 pixels, whole
  CHECK(lm.filters[4].y > lm.filters[0].y);
  CHECK(lm.filters[4].x == lm.filters[0].x);

  StripContent none = c;
  none.frames = ImageStack();
  CHECK_THROWS_AS(strip_layout(none, 16), std::invalid_argument);
}

TEST_CASE("strip pixels: each image on its scale, the activation curve where the axis puts it") {
  const StripContent c = content(1);
  const StripLayout l = strip_layout(c, 16);
  const RgbImage img = draw_strip(c, 16);
  REQUIRE(img.width == l.width);
  REQUIRE(img.height == l.height);
  CHECK(at(img, 2, 2) == Pixel{255, 255, 255});  // the margin is white

  // Frames share [-1, 1]: -1 is black, 1 white, 0 the middle grey level.
  CHECK(centre(img, l.frames[0]) == Pixel{0, 0, 0});
  CHECK(centre(img, l.frames[2]) == Pixel{255, 255, 255});
  const Pixel mid = centre(img, l.frames[1]);
  CHECK(mid.r == mid.g);
  CHECK(std::abs(mid.r - 128) <= 1);
  // A filter on its own scale [-2, 2]: its dark pixel black, the rest white.
  const StripBox& f0 = l.filters[0];
  CHECK(at(img, f0.x + 1 * 4 + 1, f0.y + 1 * 4 + 1) == Pixel{0, 0, 0});
  CHECK(at(img, f0.x + 3 * 4 + 1, f0.y + 3 * 4 + 1) == Pixel{255, 255, 255});
  CHECK(centre(img, l.filters[1]) == Pixel{255, 255, 255});
  // The MEI on [-0.5, 0.5]: top half black, bottom half white.
  CHECK(at(img, l.mei.x + 8, l.mei.y + 2) == Pixel{0, 0, 0});
  CHECK(at(img, l.mei.x + 8, l.mei.y + 14) == Pixel{255, 255, 255});

  // The curve of a = 0.5 on the axis from 0 to 1.1 (the MEI line and a margin above it).
  const int y0 = l.plot.y, y1 = l.plot.y + l.plot.h - 1;
  const int expect_y = static_cast<int>(std::lround(y1 - 0.5 / 1.1 * (y1 - y0)));
  const int x = l.plot.x + l.plot.w / 2;
  int found = -1;
  for (int y = y0 + 1; y < y1; ++y)
    if (at(img, x, y) == Pixel{33, 102, 172}) {
      found = y;
      break;
    }
  CHECK(std::abs(found - expect_y) <= 2);
}

TEST_CASE("strip of a 2-D manifold: a heatmap of the activation, and frames along one axis") {
  const StripContent c = content(2);
  const StripLayout l = strip_layout(c, 16);
  const RgbImage img = draw_strip(c, 16);
  // 0.5 of the MEI on the diverging map from -1 (blue) through 0 (white) to 1 (red): a light red.
  const Pixel p = centre(img, l.plot);
  CHECK(p.r > p.b);
  CHECK(p.r > 200);
  CHECK(p.b < 200);
  CHECK(l.width > l.plot.x + l.plot.w + 100);  // room for the colour bar

  CHECK(strip_frame_indices(100, 1, 100, 0, 8) == std::vector<int>{0, 12, 25, 37, 50, 62, 75, 87});
  // A 20×20 grid, last dimension fastest: z2 moves along a row, z1 down a column.
  CHECK(strip_frame_indices(400, 2, 20, 1, 4) == std::vector<int>{0, 5, 10, 15});
  CHECK(strip_frame_indices(400, 2, 20, 0, 4) == std::vector<int>{0, 100, 200, 300});
}

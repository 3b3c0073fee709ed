// Checks a GUI screenshot without a person: the window has the expected size and the named
// regions (the manifold image, the activation plot) hold a picture rather than a flat fill.
//
// usage: invex_gui_screenshot_check FILE.png WIDTH HEIGHT [NAME X Y W H]...
// A region passes when its luminance varies (std >= 8 of 255) over many levels (>= 24):
// a flat placeholder, a blank frame or a few lines of anti-aliased text do not.
#include <stb/stb_image.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

struct Stats {
  double mean = 0, stddev = 0;
  int levels = 0;
};

Stats region_stats(const unsigned char* px, int img_w, int x0, int y0, int w, int h) {
  Stats s;
  bool seen[256] = {};
  double sum = 0, sum2 = 0;
  for (int y = y0; y < y0 + h; ++y)
    for (int x = x0; x < x0 + w; ++x) {
      const unsigned char* p = px + (static_cast<size_t>(y) * img_w + x) * 3;
      const int lum = (299 * p[0] + 587 * p[1] + 114 * p[2]) / 1000;
      seen[lum] = true;
      sum += lum;
      sum2 += static_cast<double>(lum) * lum;
    }
  const double n = static_cast<double>(w) * h;
  s.mean = sum / n;
  s.stddev = std::sqrt(std::max(0.0, sum2 / n - s.mean * s.mean));
  for (bool b : seen) s.levels += b;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || (argc - 4) % 5 != 0) {
    std::fprintf(stderr, "usage: %s FILE.png WIDTH HEIGHT [NAME X Y W H]...\n", argv[0]);
    return 2;
  }
  int w = 0, h = 0, channels = 0;
  unsigned char* px = stbi_load(argv[1], &w, &h, &channels, 3);
  if (!px) {
    std::fprintf(stderr, "FAIL: cannot read %s: %s\n", argv[1], stbi_failure_reason());
    return 1;
  }
  int failures = 0;
  const int want_w = std::atoi(argv[2]), want_h = std::atoi(argv[3]);
  if (w != want_w || h != want_h) {
    std::printf("FAIL: screenshot is %dx%d, expected %dx%d\n", w, h, want_w, want_h);
    ++failures;
  } else {
    std::printf("ok: screenshot is %dx%d\n", w, h);
  }
  const Stats all = region_stats(px, w, 0, 0, w, h);
  if (all.stddev < 8) {
    std::printf("FAIL: the whole window is nearly uniform (std %.1f)\n", all.stddev);
    ++failures;
  }
  for (int i = 4; i < argc; i += 5) {
    const std::string name = argv[i];
    int x = std::atoi(argv[i + 1]), y = std::atoi(argv[i + 2]);
    int rw = std::atoi(argv[i + 3]), rh = std::atoi(argv[i + 4]);
    // Stay inside the region's border (frames are drawn on the edge) and inside the image.
    x += 2, y += 2, rw -= 4, rh -= 4;
    if (rw < 8 || rh < 8 || x < 0 || y < 0 || x + rw > w || y + rh > h) {
      std::printf("FAIL: region %s (%d %d %d %d) is empty or outside the window\n", name.c_str(), x,
                  y, rw, rh);
      ++failures;
      continue;
    }
    const Stats s = region_stats(px, w, x, y, rw, rh);
    const bool ok = s.stddev >= 8.0 && s.levels >= 24;
    std::printf("%s: region %s at %d,%d size %dx%d: mean %.1f std %.1f levels %d\n",
                ok ? "ok" : "FAIL", name.c_str(), x, y, rw, rh, s.mean, s.stddev, s.levels);
    failures += !ok;
  }
  stbi_image_free(px);
  return failures == 0 ? 0 : 1;
}

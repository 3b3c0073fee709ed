#include "core/export/montage.h"

#include <algorithm>

#include "core/export/colormap.h"
#include "core/export/png.h"
#include "core/method/latent_grid.h"

namespace invex {

RgbImage draw_montage(const ImageStack& sweep, int dims, int strip, int scale) {
  const int k = sweep_points_per_dim(dims, sweep.count);
  const int cols = dims == 1 ? std::min(k, strip) : k, rows = dims == 1 ? 1 : k;
  const int h = sweep.height * scale, w = sweep.width * scale, gap = 1;
  RgbImage out;
  out.width = cols * (w + gap) + gap;
  out.height = rows * (h + gap) + gap;
  out.rgb.assign(static_cast<size_t>(out.width) * out.height * 3, 128);
  const ColorScale range = symmetric_scale(sweep);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const int index = dims == 1 ? c * k / cols : r * k + c;
      const auto rgb = to_rgb(sweep.image(index), sweep.height, sweep.width, range, "grey");
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          const size_t from = (static_cast<size_t>(y / scale) * sweep.width + x / scale) * 3;
          const size_t to =
              (static_cast<size_t>(gap + r * (h + gap) + y) * out.width + gap + c * (w + gap) + x) *
              3;
          std::copy(&rgb[from], &rgb[from] + 3, &out.rgb[to]);
        }
    }
  return out;
}

void write_montage_png(const std::string& path, const ImageStack& sweep, int dims) {
  const RgbImage m = draw_montage(sweep, dims);
  write_png(path, m.rgb, m.width, m.height);
}

}  // namespace invex

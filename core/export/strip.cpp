#include "core/export/strip.h"

#include <algorithm>
#include <stdexcept>

#include "core/export/colormap.h"
#include "core/export/figure.h"

namespace invex {
namespace {

constexpr int kMargin = 16, kLabel = 28, kGap = 6, kSection = 28;
constexpr int kMaxFilters = 8;
// Room the plot's own labels take: "1 = MEI" left of a 1-D plot, axis text below it, the colour
// bar right of a heatmap and its title above it (figure.h: draw_activation_plot).
constexpr int kPlotLeft = 56, kPlotBelow = 48, kBarRight = 150, kHeatTitle = 22;
constexpr Rgb kWhite{255, 255, 255}, kBlack{0, 0, 0}, kFrame{160, 160, 160};

void check_single_channel(const ImageStack& s, const char* what) {
  if (s.count > 0 && (s.channels != 1 || s.height < 1 || s.width < 1))
    throw std::invalid_argument(std::string("strip: ") + what + " must be N×1×H×W images");
}

// One image on its own colour scale or on `scale`, framed.
void put_image(Canvas& cv, const float* img, int h, int w, ColorScale scale,
               const std::string& colormap, const StripBox& b, int px) {
  cv.blit(to_rgb(img, h, w, scale, colormap), w, h, b.x, b.y, px);
  cv.box(b.x - 1, b.y - 1, b.x + b.w, b.y + b.h, kFrame);
}

ColorScale own_scale(const ImageStack& stack, int k) {
  ImageStack one(1, 1, stack.height, stack.width);
  std::copy(stack.image(k), stack.image(k) + stack.image_size(), one.image(0));
  return symmetric_scale(one);
}

}  // namespace

StripLayout strip_layout(const StripContent& c, int tile) {
  if (c.frames.count < 1) throw std::invalid_argument("strip: no frames");
  check_single_channel(c.frames, "frames");
  check_single_channel(c.filters, "filters");
  check_single_channel(c.mei, "the MEI");
  StripLayout l;
  l.scale = std::max(1, (tile + c.frames.width / 2) / c.frames.width);
  const int fh = c.frames.height * l.scale, fw = c.frames.width * l.scale;
  const int top = kMargin + kLabel;
  int x = kMargin;

  const int filters = std::min(kMaxFilters, c.filters.count);
  if (filters > 0) {
    const int rows = filters > 2 ? 2 : 1, cols = (filters + rows - 1) / rows;
    l.filter_scale = std::max(1, (fh - (rows - 1) * kGap) / rows / c.filters.height);
    const int cw = c.filters.width * l.filter_scale, ch = c.filters.height * l.filter_scale;
    for (int i = 0; i < filters; ++i)
      l.filters.push_back({x + (i % cols) * (cw + kGap), top + (i / cols) * (ch + kGap), cw, ch});
    x += cols * (cw + kGap) - kGap + kSection;
  }
  if (c.mei.count > 0) {
    l.mei = {x, top, c.mei.width * l.scale, c.mei.height * l.scale};
    x += l.mei.w + kSection;
  }
  for (int i = 0; i < c.frames.count; ++i) l.frames.push_back({x + i * (fw + kGap), top, fw, fh});
  x += c.frames.count * (fw + kGap) - kGap + kSection;
  if (c.latents.dims == 1) {
    l.plot = {x + kPlotLeft, top, std::max(2 * fh, 240), fh};
    x = l.plot.x + l.plot.w;
  } else {
    const int side = std::max(32, fh - kHeatTitle);
    l.plot = {x, top + kHeatTitle, side, side};
    x = l.plot.x + l.plot.w + kBarRight;
  }
  // The summary line under the plot is wider than a small plot.
  const int summary = Canvas::text_width("activation / MEI over z:  mean 0.000  min 0.000");
  l.width = std::max(x, l.plot.x + summary) + kMargin;
  l.height = top + fh + kPlotBelow + kMargin;
  return l;
}

RgbImage draw_strip(const StripContent& c, int tile) {
  const StripLayout l = strip_layout(c, tile);
  check_colormap(c.colormap);
  if (static_cast<int>(c.activations.size()) != c.latents.count)
    throw std::invalid_argument("strip: one activation per latent point is needed");
  Canvas cv(l.width, l.height, kWhite);
  auto label = [&](const std::string& text, int x) { cv.text(text, x, kMargin, kBlack); };

  if (!l.filters.empty()) label(l.filters.size() > 1 ? "filters" : "filter", l.filters[0].x);
  for (size_t i = 0; i < l.filters.size(); ++i) {
    // Spread over the neuron's filters, as the GUI shows them.
    const int k = static_cast<int>(i) * c.filters.count / static_cast<int>(l.filters.size());
    put_image(cv, c.filters.image(k), c.filters.height, c.filters.width, own_scale(c.filters, k),
              c.colormap, l.filters[i], l.filter_scale);
  }
  if (c.mei.count > 0) {
    label("MEI", l.mei.x);
    put_image(cv, c.mei.image(0), c.mei.height, c.mei.width, own_scale(c.mei, 0), c.colormap, l.mei,
              l.scale);
  }
  label("along the manifold", l.frames[0].x);
  const ColorScale shared = symmetric_scale(c.frames);
  for (int i = 0; i < c.frames.count; ++i)
    put_image(cv, c.frames.image(i), c.frames.height, c.frames.width, shared, c.colormap,
              l.frames[i], l.scale);
  if (c.latents.dims == 1) label("activation / MEI", l.plot.x);
  draw_activation_plot(cv, {l.plot.x, l.plot.y, l.plot.w, l.plot.h, 3}, c.latents, c.activations,
                       c.periodic);
  return std::move(cv.img);
}

std::vector<int> strip_frame_indices(int sweep_count, int dims, int grid, int play_dim, int count) {
  std::vector<int> idx;
  if (dims == 1) {
    for (int i = 0; i < count && i < sweep_count; ++i)
      idx.push_back(i * sweep_count / std::min(count, sweep_count));
    return idx;
  }
  for (int i = 0; i < count && i < grid; ++i) {
    const int along = i * grid / std::min(count, grid);
    idx.push_back(play_dim == 0 ? along * grid : along);
  }
  return idx;
}

}  // namespace invex

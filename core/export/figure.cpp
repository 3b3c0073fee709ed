#include "core/export/figure.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/export/canvas.h"
#include "core/export/colormap.h"
#include "core/export/png.h"

namespace invex {
namespace {

constexpr double kTwoPi = 6.283185307179586;

constexpr Rgb kBlack{0, 0, 0}, kAxisGrey{120, 120, 120}, kLightGrey{210, 210, 210},
    kCurve{33, 102, 172}, kMeiLine{178, 24, 43};

// Distinct values of one latent coordinate, sorted (a full grid repeats each value).
std::vector<float> distinct(const LatentPoints& z, int d) {
  std::vector<float> v;
  for (int k = 0; k < z.count; ++k) v.push_back(z.at(k, d));
  std::sort(v.begin(), v.end());
  std::vector<float> out;
  for (float x : v)
    if (out.empty() || std::fabs(x - out.back()) > 1e-6f) out.push_back(x);
  return out;
}

// `pick` of n points in order. On a circle the first point follows the last, so the spacing is
// n / pick; on a segment both ends are included and the spacing is (n - 1) / (pick - 1).
std::vector<int> evenly_spaced(int n, int pick, bool wrap) {
  std::vector<int> idx;
  if (pick >= n) {
    for (int i = 0; i < n; ++i) idx.push_back(i);
    return idx;
  }
  for (int i = 0; i < pick; ++i) {
    const double at = wrap ? static_cast<double>(i) * n / pick
                           : static_cast<double>(i) * (n - 1) / std::max(1, pick - 1);
    idx.push_back(static_cast<int>(std::lround(at)));
  }
  return idx;
}

// The two numbers a reader checks first (method.md §11): does the manifold stay near the MEI?
std::string summary_text(const std::vector<float>& a) {
  double sum = 0, lo = INFINITY;
  int n = 0;
  for (float v : a)
    if (std::isfinite(v)) sum += v, lo = std::min(lo, static_cast<double>(v)), ++n;
  if (n == 0) return "no finite activations";
  char buf[64];
  std::snprintf(buf, sizeof buf, "mean %.3f  min %.3f", sum / n, lo);
  return buf;
}

// Thumbnails are at least this wide on the page, so a 30-pixel render stays legible.
constexpr int kMinThumb = 64;

}  // namespace

std::vector<int> figure_thumbnail_indices(const LatentPoints& latents,
                                          const std::vector<bool>& periodic, int* rows, int* cols) {
  auto wraps = [&](int d) { return d < static_cast<int>(periodic.size()) && periodic[d]; };
  if (latents.count < 1) throw std::invalid_argument("figure: no latent points");
  if (latents.dims == 1) {
    const std::vector<int> idx = evenly_spaced(latents.count, 12, wraps(0));
    *rows = 1;
    *cols = static_cast<int>(idx.size());
    return idx;
  }
  if (latents.dims != 2) throw std::invalid_argument("figure: latents must be 1-D or 2-D");
  const int n0 = static_cast<int>(distinct(latents, 0).size());
  const int n1 = static_cast<int>(distinct(latents, 1).size());
  if (n0 * n1 != latents.count)
    throw std::invalid_argument("figure: 2-D latents must form a full grid (last dim fastest)");
  const std::vector<int> r = evenly_spaced(n0, 10, wraps(0)), c = evenly_spaced(n1, 10, wraps(1));
  std::vector<int> idx;
  for (int i : r)
    for (int j : c) idx.push_back(i * n1 + j);
  *rows = static_cast<int>(r.size());
  *cols = static_cast<int>(c.size());
  return idx;
}

namespace {

// Where everything goes on the page.
struct FigureLayout {
  int tw = 0, th = 0, tscale = 1, cell_w = 0, cell_h = 0, gap = 0;
  int left = 56, right = 24, top = 20;
  int grid_w = 0, grid_h = 0;
  int plot_w = 0, plot_h = 0, plot_top = 0, width = 0, height = 0;
};

FigureLayout figure_layout(const ImageStack& thumbnails, int rows, int cols, bool one_d) {
  FigureLayout f;
  f.tw = thumbnails.width;
  f.th = thumbnails.height;
  f.tscale = std::max(1, (kMinThumb + f.tw - 1) / f.tw);
  f.cell_w = f.tw * f.tscale;
  f.cell_h = f.th * f.tscale;
  f.gap = one_d ? 6 : 3;
  f.grid_w = cols * f.cell_w + (cols - 1) * f.gap;
  f.grid_h = rows * f.cell_h + (rows - 1) * f.gap;
  if (one_d) {
    f.plot_w = std::max(f.grid_w, 240);
    f.plot_h = 180;
    f.width = f.left + std::max(f.grid_w, f.plot_w) + f.right;
  } else {
    f.plot_w = f.plot_h = std::min(360, std::max(180, f.grid_w / 2));
    f.width = f.left + std::max(f.grid_w, f.plot_w + 150) + f.right;
  }
  f.plot_top = f.top + f.grid_h + (one_d ? 32 : 48);
  f.height = f.plot_top + f.plot_h + 56;
  return f;
}

void check_figure_input(const ImageStack& thumbnails, const std::vector<int>& thumbnail_indices,
                        int rows, int cols, const LatentPoints& latents,
                        const std::vector<float>& activations, const ExportOptions& options) {
  check_frames(thumbnails, "figure");
  check_colormap(options.colormap);
  if (static_cast<int>(thumbnail_indices.size()) != thumbnails.count ||
      rows * cols != thumbnails.count)
    throw std::invalid_argument("figure: thumbnails do not match their layout");
  if (static_cast<int>(activations.size()) != latents.count)
    throw std::invalid_argument("figure: one activation per latent point is needed");
  for (int i : thumbnail_indices)
    if (i < 0 || i >= latents.count) throw std::invalid_argument("figure: bad thumbnail index");
  if (latents.dims != 1 && latents.dims != 2)
    throw std::invalid_argument("figure: latents must be 1-D or 2-D");
}

// The thumbnails, sharing one colour scale like the animation; returns each one's centre x.
std::vector<int> draw_thumbnails(Canvas& cv, const FigureLayout& f, const ImageStack& thumbnails,
                                 int cols, const std::string& colormap) {
  const ColorScale scale = symmetric_scale(thumbnails);
  std::vector<int> cx(thumbnails.count);
  for (int n = 0; n < thumbnails.count; ++n) {
    const int x0 = f.left + (n % cols) * (f.cell_w + f.gap);
    const int y0 = f.top + (n / cols) * (f.cell_h + f.gap);
    cv.blit(to_rgb(thumbnails.image(n), f.th, f.tw, scale, colormap), f.tw, f.th, x0, y0, f.tscale);
    cx[n] = x0 + f.cell_w / 2;
  }
  return cx;
}

// Connectors from each thumbnail to its z on the 1-D plot's axis make the correspondence obvious.
void draw_connectors(Canvas& cv, const FigureLayout& f, const std::vector<int>& cx,
                     const std::vector<int>& thumbnail_indices, const LatentPoints& latents) {
  const int x0 = f.left, x1 = f.left + f.plot_w - 1, y0 = f.plot_top;
  for (size_t n = 0; n < cx.size(); ++n) {
    const double zx = x0 + latents.at(thumbnail_indices[n], 0) / kTwoPi * (x1 - x0);
    cv.line(cx[n], f.top + f.grid_h + 2, zx, y0 - 1, kLightGrey);
    cv.line(zx, y0, zx, y0 + 6, kAxisGrey);
  }
}

// 1-D: the activation curve over z in [0, 2π] with the MEI line.
void draw_activation_curve(Canvas& cv, const PlotBox& b, const LatentPoints& latents,
                           const std::vector<float>& activations, bool periodic, float amin,
                           float amax) {
  const int x0 = b.x, x1 = b.x + b.w - 1, y0 = b.y, y1 = b.y + b.h - 1;
  const double ylo = amin, yhi = std::max(1.1, amax + 0.05 * (amax - amin));
  auto px = [&](double z) { return x0 + z / kTwoPi * (x1 - x0); };
  auto py = [&](double a) { return y1 - (a - ylo) / (yhi - ylo) * (y1 - y0); };
  if (ylo < 0) cv.dashed_hline(x0, x1, static_cast<int>(std::lround(py(0))), kLightGrey);
  cv.dashed_hline(x0, x1, static_cast<int>(std::lround(py(1))), kMeiLine);
  // The curve, in sweep order; a periodic sweep closes back onto its first point at 2π.
  const int K = latents.count;
  const int segments = periodic ? K : K - 1;
  for (int k = 0; k < segments; ++k) {
    const int k1 = (k + 1) % K;
    const double za = latents.at(k, 0);
    double zb = latents.at(k1, 0);
    if (k1 == 0) zb += kTwoPi;
    if (!std::isfinite(activations[k]) || !std::isfinite(activations[k1])) continue;
    cv.line(px(za), py(activations[k]), px(zb), py(activations[k1]), kCurve, b.thickness);
  }
  if (K == 1)
    cv.line(px(latents.at(0, 0)) - 2, py(activations[0]), px(latents.at(0, 0)) + 2,
            py(activations[0]), kCurve, 3);
  cv.box(x0, y0, x1, y1, kBlack);
  cv.text("1 = MEI", std::max(2, x0 - Canvas::text_width("1 = MEI", 1) - 6),
          static_cast<int>(py(1)) - 3, kMeiLine, 1);
  cv.text("0", x0 - 14, static_cast<int>(py(0)) - 6, kBlack);
  cv.text("0", x0 - 4, y1 + 8, kBlack);
  cv.text("2pi", x1 - Canvas::text_width("2pi") / 2, y1 + 8, kBlack);
  cv.text("z", (x0 + x1) / 2, y1 + 8, kBlack);
  // Below the axis: the connectors from the thumbnails fill the space above the plot.
  cv.text("activation / MEI over z:  " + summary_text(activations), x0, y1 + 28, kBlack);
}

// 2-D: a heatmap of the activation over the latent square with a colour bar marked at the MEI.
void draw_activation_heatmap(Canvas& cv, const PlotBox& b, const LatentPoints& latents,
                             const std::vector<float>& activations, float amin, float amax) {
  // Rows follow the first latent coordinate, columns the second, as in the grid.
  const std::vector<float> v0 = distinct(latents, 0), v1 = distinct(latents, 1);
  const int n0 = static_cast<int>(v0.size()), n1 = static_cast<int>(v1.size());
  if (n0 * n1 != latents.count)
    throw std::invalid_argument("figure: 2-D latents must form a full grid");
  const int x0 = b.x, y0 = b.y, pw = b.w, ph = b.h;
  const ColorScale act_scale{-1.0f, 1.0f};  // MEI units: white 0, full red at the MEI
  const std::vector<uint8_t> pal = colormap_palette("diverging");
  for (int k = 0; k < latents.count; ++k) {
    const int i = static_cast<int>(
        std::lower_bound(v0.begin(), v0.end(), latents.at(k, 0) - 1e-6f) - v0.begin());
    const int j = static_cast<int>(
        std::lower_bound(v1.begin(), v1.end(), latents.at(k, 1) - 1e-6f) - v1.begin());
    const uint8_t* c = &pal[quantise(activations[k], act_scale) * 3];
    cv.fill(x0 + j * pw / n1, y0 + i * ph / n0, x0 + (j + 1) * pw / n1, y0 + (i + 1) * ph / n0,
            {c[0], c[1], c[2]});
  }
  cv.box(x0 - 1, y0 - 1, x0 + pw, y0 + ph, kBlack);
  cv.text("z1", x0 + pw / 2 - 8, y0 + ph + 8, kBlack);
  cv.text("z0", x0 - 30, y0 + ph / 2 - 6, kBlack);
  cv.text("activation / MEI", x0, y0 - 20, kBlack);
  cv.text("activation / MEI over z:  " + summary_text(activations), x0, y0 + ph + 28, kBlack);
  // Colour bar over [min(0, amin), max(1, amax)] with the MEI level marked.
  const int bx0 = x0 + pw + 24, bx1 = bx0 + 18, by0 = y0, by1 = y0 + ph - 1;
  const double blo = std::max(-1.0, static_cast<double>(amin)),
               bhi = std::max(1.0, static_cast<double>(amax));
  auto by = [&](double a) { return by1 - (a - blo) / (bhi - blo) * (by1 - by0); };
  for (int y = by0; y <= by1; ++y) {
    const double a = blo + (by1 - y) / static_cast<double>(by1 - by0) * (bhi - blo);
    const uint8_t* c = &pal[quantise(static_cast<float>(a), act_scale) * 3];
    cv.fill(bx0, y, bx1, y + 1, {c[0], c[1], c[2]});
  }
  cv.box(bx0 - 1, by0 - 1, bx1, by1 + 1, kBlack);
  const int ymei = static_cast<int>(std::lround(by(1))),
            yzero = static_cast<int>(std::lround(by(0)));
  cv.fill(bx0 - 4, ymei, bx1 + 4, ymei + 2, kBlack);
  cv.text("1 = MEI", bx1 + 8, ymei - 6, kBlack);
  cv.fill(bx0 - 4, yzero, bx0, yzero + 1, kBlack);
  cv.text("0", bx1 + 8, yzero - 6, kBlack);
}

}  // namespace

RgbImage draw_figure(const ImageStack& thumbnails, const std::vector<int>& thumbnail_indices,
                     int rows, int cols, const LatentPoints& latents,
                     const std::vector<float>& activations, const std::vector<bool>& periodic,
                     const ExportOptions& options, const std::vector<std::string>& notes) {
  check_figure_input(thumbnails, thumbnail_indices, rows, cols, latents, activations, options);
  const bool one_d = latents.dims == 1;
  FigureLayout f = figure_layout(thumbnails, rows, cols, one_d);
  const int notes_top = f.height, line_h = 20;
  for (const auto& line : notes)
    f.width = std::max(f.width, f.left + Canvas::text_width(line) + f.right);
  if (!notes.empty()) f.height += static_cast<int>(notes.size()) * line_h + 12;
  Canvas cv(f.width, f.height, {255, 255, 255});
  for (size_t i = 0; i < notes.size(); ++i)
    cv.text(notes[i], f.left, notes_top + static_cast<int>(i) * line_h, kBlack);
  const std::vector<int> cx = draw_thumbnails(cv, f, thumbnails, cols, options.colormap);
  if (one_d) draw_connectors(cv, f, cx, thumbnail_indices, latents);
  draw_activation_plot(cv, {f.left, f.plot_top, f.plot_w, f.plot_h, 2}, latents, activations,
                       periodic);
  return std::move(cv.img);
}

void draw_activation_plot(Canvas& cv, const PlotBox& box, const LatentPoints& latents,
                          const std::vector<float>& activations,
                          const std::vector<bool>& periodic) {
  float amin = 0.0f, amax = 1.0f;
  for (float a : activations)
    if (std::isfinite(a)) amin = std::min(amin, a), amax = std::max(amax, a);
  if (latents.dims == 1)
    draw_activation_curve(cv, box, latents, activations, periodic.size() == 1 && periodic[0], amin,
                          amax);
  else
    draw_activation_heatmap(cv, box, latents, activations, amin, amax);
}

void write_figure(const std::string& path, const ImageStack& thumbnails,
                  const std::vector<int>& thumbnail_indices, int rows, int cols,
                  const LatentPoints& latents, const std::vector<float>& activations,
                  const std::vector<bool>& periodic, const ExportOptions& options) {
  const RgbImage fig = draw_figure(thumbnails, thumbnail_indices, rows, cols, latents, activations,
                                   periodic, options);
  write_png(path, fig.rgb, fig.width, fig.height);
}

void write_figure(const std::string& path, const ImageStack& images, const LatentPoints& latents,
                  const std::vector<float>& activations, const std::vector<bool>& periodic,
                  const ExportOptions& options, const ExportProgress& progress) {
  check_frames(images, "figure");
  if (images.count != latents.count)
    throw std::invalid_argument("figure: one image per latent point is needed");
  int rows = 0, cols = 0;
  const std::vector<int> idx = figure_thumbnail_indices(latents, periodic, &rows, &cols);
  ImageStack thumbs(static_cast<int>(idx.size()), 1, images.height, images.width);
  for (size_t n = 0; n < idx.size(); ++n)
    std::copy(images.image(idx[n]), images.image(idx[n]) + images.image_size(),
              thumbs.image(static_cast<int>(n)));
  report_progress(progress, 0.5);
  write_figure(path, thumbs, idx, rows, cols, latents, activations, periodic, options);
  report_progress(progress, 1.0);
}
}  // namespace invex

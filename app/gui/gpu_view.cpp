#include "app/gui/gpu_view.h"

#include <glad/gl.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "app/gui/sweep_axes.h"
#include "app/gui/texture.h"

namespace invex::gui {

namespace {

// Milliseconds of drawing per frame: with the rest of a frame well inside the 16.7 ms of 60
// frames a second, and under the p99 frame-time budget of `invex gui --stats`.
constexpr double kFrameBudgetMs = 10.0;
constexpr long kMinPixelsPerFrame = 2048, kMaxPixelsPerFrame = 1L << 22;

// A snapshot with a CPPN of cfg's shape and zero weights.
SnapshotPtr zero_snapshot(const RunConfig& cfg) {
  auto snap = std::make_shared<Snapshot>();
  snap->config = cfg;
  FrozenCppn& c = snap->cppn;
  c.positional_encoding_dim = cfg.cppn.positional_encoding_dim;
  c.fourier.assign(2 * c.positional_encoding_dim, 0.0f);
  c.periodic = cfg.latent.periodic;
  c.channels = cfg.image.channels;
  int in = c.input_size();
  for (int l = 0; l < cfg.cppn.layers; ++l) {
    const int out = l + 1 == cfg.cppn.layers ? cfg.image.channels : cfg.cppn.width;
    c.layers.push_back({in, out, std::vector<float>(in * out, 0.0f), std::vector<float>(out)});
    in = out;
  }
  return snap;
}

double now_ms() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double, std::milli>(clock::now().time_since_epoch()).count();
}

}  // namespace

bool GpuView::Key::operator==(const Key& o) const {
  return snap == o.snap && z == o.z && px == o.px && cols == o.cols && count == o.count &&
         top == o.top && bottom == o.bottom && left == o.left && right == o.right &&
         scale == o.scale && map == o.map && moments == o.moments;
}

bool GpuView::Picture::start(Key key, std::vector<CppnImage> parts, int w, int h) {
  if (!back_->resize(w, h)) return false;
  next_ = std::move(key);
  parts_ = std::move(parts);
  part_ = 0;
  row_ = 0;
  return true;
}

long GpuView::Picture::advance(CppnShader& shader, long pixels) {
  if (idle()) return 0;
  if (!shader.load(next_.snap)) return -1;
  std::vector<CppnImage> strips;
  long drawn = 0;
  while (part_ < parts_.size() && drawn < pixels) {
    CppnImage strip = parts_[part_];
    strip.first_row = row_;
    strip.row_count =
        std::min(strip.rows - row_, static_cast<int>(std::max(1L, (pixels - drawn) / strip.cols)));
    drawn += static_cast<long>(strip.row_count) * strip.cols;
    row_ += strip.row_count;
    if (row_ >= strip.rows) ++part_, row_ = 0;
    strips.push_back(std::move(strip));
  }
  back_->bind();
  shader.draw(strips, next_.scale, next_.map);
  RenderTarget::bind_window();
  if (part_ >= parts_.size()) {  // complete: show it
    std::swap(front_, back_);
    shown_ = std::move(next_);
    next_ = Key{};
    parts_.clear();
    ++completed_;
    Texture::count_change();  // the window must be painted again
  }
  return drawn;
}

ImTextureID GpuView::Picture::texture() const {
  if (!shown_.snap) return nullptr;
  return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(front_->texture()));
}

void GpuView::begin_frame() {
  // Pixels per millisecond of the last frame that drew, averaged with the earlier estimate.
  if (frame_pixels_ > 0 && frame_ms_ > 0.5) {
    const double wanted = frame_pixels_ / frame_ms_ * kFrameBudgetMs;
    pixels_per_frame_ = std::clamp(static_cast<long>(0.5 * pixels_per_frame_ + 0.5 * wanted),
                                   kMinPixelsPerFrame, kMaxPixelsPerFrame);
  }
  pixels_left_ = pixels_per_frame_;
  frame_ms_ = 0;
  frame_pixels_ = 0;
}

bool GpuView::advance(Picture& p) {
  if (p.idle()) return true;
  // The thumbnails get a share even while Play keeps the big image busy.
  const long budget = std::max(pixels_left_, pixels_per_frame_ / 4);
  const double t0 = now_ms();
  const long drawn = p.advance(shader_, budget);
  if (drawn < 0) return false;
  glFinish();  // the time the rasteriser took is what the budget measures
  frame_ms_ += now_ms() - t0;
  frame_pixels_ += drawn;
  pixels_left_ -= drawn;
  return true;
}

bool GpuView::warm_up(const RunConfig& cfg) {
  if (warmed_) return true;
  warmed_ = true;
  const SnapshotPtr snap = zero_snapshot(cfg);
  if (!shader_.load(snap)) return false;
  RenderTarget target;
  if (!target.resize(2, 2)) return false;
  CppnImage img;
  img.latent.assign(cfg.cppn.width, 0.0f);
  img.rows = img.cols = 2;
  target.bind();
  shader_.draw({img}, 1.0f, Colormap::Grey);
  RenderTarget::bind_window();
  glFinish();
  return true;
}

bool GpuView::update_view(const SnapshotPtr& snap, const std::vector<float>& z, int size,
                          const ViewZoom& zoom, float scale, Colormap map) {
  // While z moves (Play, a dragged slider) pictures at half the resolution, a quarter of the
  // work, keep up with it; the full one follows once z rests.
  const bool moving = z != last_wished_z_;
  last_wished_z_ = z;
  const int px = moving ? std::max(16, size / 2) : size;
  const CoordinateWindow w = zoom.window();
  Key key{snap, z, px, 0, 1, w.top, w.bottom, w.left, w.right, scale, map, nullptr};
  if (view_.idle() && view_.wants(key)) {
    if (snap != image_snap_ || z != image_z_) {
      image_ = cppn_image_at(*snap, z);
      image_snap_ = snap;
      image_z_ = z;
    }
    CppnImage img = image_;
    img.window = w;
    img.rows = img.cols = px;
    if (!view_.start(std::move(key), {img}, px, px)) return false;
  }
  return advance(view_);
}

bool GpuView::update_atlas(const SnapshotPtr& snap, const std::vector<int>& ks,
                           const std::vector<ImageMoments>& moments, int tile, int cols,
                           float scale, Colormap map) {
  const int count = static_cast<int>(ks.size());
  if (count == 0 || moments.size() != ks.size() || tile < 1 || cols < 1) return true;
  Key key{snap, {}, tile, cols, count, -1, 1, -1, 1, scale, map, moments.data()};
  if (atlas_.idle() && atlas_.wants(key)) {
    const LatentPoints& sweep = snap->sweep_latents;
    std::vector<CppnImage> tiles;
    for (int i = 0; i < count; ++i) {
      if (ks[i] >= sweep.count) continue;
      CppnImage img;
      img.latent = latent_part(snap->cppn, pick_points(sweep, {ks[i]}));
      img.moments = moments[i];
      img.x = (i % cols) * tile;
      img.y = (i / cols) * tile;  // tile rows from the texture's first row, as the UVs expect
      img.rows = img.cols = tile;
      tiles.push_back(std::move(img));
    }
    const int rows = (count + cols - 1) / cols;
    if (!atlas_.start(std::move(key), std::move(tiles), cols * tile, rows * tile)) return false;
  }
  return advance(atlas_);
}

}  // namespace invex::gui

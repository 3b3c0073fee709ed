// The shader path of the manifold view: the big image at its on-screen size in pixels and the
// thumbnails at theirs, drawn by the GPU (cppn_shader.h) into off-screen textures that the
// panels show. A software rasteriser needs tens of milliseconds for a large picture, so a
// picture is drawn in strips of rows within a time budget per frame into a back texture, and
// shown once complete: frames stay short while pictures follow z as fast as the budget allows.
// A picture is redrawn only when what it shows changes. Main thread only.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <string>
#include <vector>

#include "app/gui/cppn_shader.h"
#include "app/gui/view_zoom.h"

namespace invex::gui {

class GpuView {
 public:
  // Call once per frame before the panels: starts the frame's drawing budget.
  void begin_frame();
  // Compiles the program for the shape of `cfg`'s CPPN and draws it once, so that the first
  // real picture does not pay for a software rasteriser's shader compilation. False when the
  // shader cannot draw that shape: failure() says why.
  bool warm_up(const RunConfig& cfg);

  // Wants the big image of `snap` at z, size × size pixels (half that while z moves), over the
  // zoom's window, and draws what the budget allows of it. False when the shader cannot draw
  // this snapshot.
  bool update_view(const SnapshotPtr& snap, const std::vector<float>& z, int size,
                   const ViewZoom& zoom, float scale, Colormap map);
  // Wants the thumbnails of the canonical sweep in an atlas of `cols` tiles per row of
  // tile × tile pixels: sweep images ks[i] into tile i, with the training resolution's
  // statistics moments[i] (the render worker's). False on a failure, as above.
  bool update_atlas(const SnapshotPtr& snap, const std::vector<int>& ks,
                    const std::vector<ImageMoments>& moments, int tile, int cols, float scale,
                    Colormap map);

  // The complete pictures shown (null before the first one).
  ImTextureID view_texture() const { return view_.texture(); }
  ImTextureID atlas_texture() const { return atlas_.texture(); }
  int view_pixels() const { return view_.shown_pixels(); }
  bool view_is_preview(int size) const { return view_.shown_pixels() < size; }
  bool has_view_of(const SnapshotPtr& snap) const { return view_.shows(snap); }
  bool has_atlas_of(const SnapshotPtr& snap) const { return atlas_.shows(snap); }
  bool drawing() const { return view_.drawing() || atlas_.drawing(); }
  std::uint64_t view_draws() const { return view_.completed(); }  // pictures of the big image
  const std::string& failure() const { return shader_.failure(); }

 private:
  // What a picture shows; a new key starts a new picture.
  struct Key {
    SnapshotPtr snap;
    std::vector<float> z;
    int px = 0, cols = 0, count = 0;
    float top = 0, bottom = 0, left = 0, right = 0, scale = 0;
    Colormap map = Colormap::Grey;
    const void* moments = nullptr;
    bool operator==(const Key& o) const;
  };

  // One texture shown while the next picture is drawn into another, strip by strip.
  class Picture {
   public:
    bool wants(const Key& key) const { return !(key == shown_) && !(key == next_); }
    bool idle() const { return next_.snap == nullptr; }
    bool drawing() const { return !idle(); }
    // Starts drawing `parts` (images of the back texture, w × h) for `key`.
    bool start(Key key, std::vector<CppnImage> parts, int w, int h);
    // Draws up to `pixels` pixels of the picture in progress; the number drawn. A completed
    // picture becomes the one shown.
    long advance(CppnShader& shader, long pixels);
    ImTextureID texture() const;
    int shown_pixels() const { return front_->width(); }
    bool shows(const SnapshotPtr& snap) const { return snap && shown_.snap == snap; }
    std::uint64_t completed() const { return completed_; }

   private:
    RenderTarget a_, b_;
    RenderTarget* front_ = &a_;
    RenderTarget* back_ = &b_;
    Key shown_, next_;
    std::vector<CppnImage> parts_;
    size_t part_ = 0;
    int row_ = 0;
    std::uint64_t completed_ = 0;
  };

  // Draws from the frame's budget into a picture; false when the shader cannot draw it.
  bool advance(Picture& p);

  CppnShader shader_;
  Picture view_, atlas_;
  // The view's statistics at the training resolution, kept while z and the snapshot stay.
  SnapshotPtr image_snap_;
  std::vector<float> image_z_;
  CppnImage image_;
  std::vector<float> last_wished_z_;
  // The budget: pixels drawn per frame, adapted to keep a frame's drawing near kFrameBudgetMs.
  long pixels_per_frame_ = 16384;
  long pixels_left_ = 0;
  double frame_ms_ = 0;
  long frame_pixels_ = 0;
  bool warmed_ = false;
};

}  // namespace invex::gui

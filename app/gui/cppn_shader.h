// The CPPN drawn by the GPU: shaders/cppn.frag.glsl evaluates a snapshot's folded network per
// pixel, applies the image transform with given statistics and the colour map. The program is
// compiled once per architecture, the weights are uploaded once per snapshot. GL calls only:
// use on the thread that owns the context.
#pragma once

#include <string>
#include <vector>

#include "app/gui/colormap.h"
#include "app/gui/shader_weights.h"
#include "core/render/render.h"
#include "core/run/snapshot.h"

namespace invex::gui {

// The name of the GL renderer when it is a software rasteriser (llvmpipe, softpipe, swrast),
// else empty. Needs a current context.
std::string software_rasteriser();

// One image to draw: where, which z (as layer 0's latent part) and which statistics.
struct CppnImage {
  std::vector<float> latent;  // latent_part() at the image's z
  ImageMoments moments;       // of the raw image at z at the training resolution
  CoordinateWindow window;
  int x = 0, y = 0;  // framebuffer pixel of the first column and the first row
  int rows = 0, cols = 0;
  int first_row = 0, row_count = -1;  // a strip of the image's rows (-1: to the last)
};

// The transform statistics and layer 0's latent part of the image at z, at the training
// resolution of the snapshot (a CPU render of that size: cheap).
CppnImage cppn_image_at(const Snapshot& snap, const std::vector<float>& z);

class CppnShader {
 public:
  CppnShader() = default;
  ~CppnShader();
  CppnShader(const CppnShader&) = delete;
  CppnShader& operator=(const CppnShader&) = delete;

  // Makes the program for the snapshot's architecture (when it changed) and uploads its
  // weights (when it is another snapshot). False when this snapshot cannot be drawn; failure()
  // says why (an unsupported architecture, a compile or link error, a weight block larger
  // than the driver allows).
  bool load(const SnapshotPtr& snap);
  // Draws the images into the bound framebuffer with the loaded snapshot's transform and the
  // colour map on the symmetric scale [−scale, scale]. Leaves blending and the scissor test off.
  void draw(const std::vector<CppnImage>& images, float scale, Colormap map);
  const std::string& failure() const { return failure_; }

 private:
  bool build_program(const ShaderArchitecture& arch);
  void release_program();
  void upload_palettes();

  unsigned program_ = 0, vao_ = 0, weights_ = 0, palettes_[2] = {0, 0};
  ShaderArchitecture arch_;
  SnapshotPtr loaded_;
  std::string failure_;
  // Uniform locations.
  int latent_ = -1, window_ = -1, size_ = -1, origin_ = -1, transform_ = -1, args_ = -1,
      moments_ = -1, scale_ = -1, palette_ = -1;
};

// An off-screen image the shader draws into: RGBA8 for display (an ImGui texture), or float
// (RGBA32F colour plus an R32F value attachment) for the parity test.
class RenderTarget {
 public:
  explicit RenderTarget(bool floats = false) : floats_(floats) {}
  ~RenderTarget();
  RenderTarget(const RenderTarget&) = delete;
  RenderTarget& operator=(const RenderTarget&) = delete;

  // (Re)allocates when the size changes; false when the framebuffer is not complete.
  bool resize(int width, int height);
  void bind() const;  // as the draw framebuffer, viewport over the whole target
  static void bind_window();
  int width() const { return width_; }
  int height() const { return height_; }
  unsigned texture() const { return colour_; }
  // Float targets only: rows from the first one drawn (y = 0), RGBA or one value per pixel.
  std::vector<float> read_colour() const { return read(0, 4); }
  std::vector<float> read_value() const { return read(1, 1); }

 private:
  std::vector<float> read(int attachment, int channels) const;
  void release();
  bool floats_;
  unsigned fbo_ = 0, colour_ = 0, value_ = 0;
  int width_ = 0, height_ = 0;
};

}  // namespace invex::gui

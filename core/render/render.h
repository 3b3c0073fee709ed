// CPU rendering of a frozen CPPN at any resolution and any latent points (no torch).
#pragma once

#include <functional>

#include "core/run/config.h"
#include "core/run/image_stack.h"
#include "core/run/snapshot.h"

namespace invex {

// Called on the calling thread while a render runs, with the fraction of pixels done, often (every
// few thousand pixels). It may throw to abandon the render: the other threads stop and are joined
// before the exception leaves render_raw.
using RenderProgress = std::function<void(double fraction)>;

// The part of the coordinate plane an image covers: its first and last rows of pixels sit at
// u = top and u = bottom, its first and last columns at v = left and v = right. The default is
// the stimulus field [−1, 1]² that training renders (METHOD §2); a wider window shows the CPPN
// beyond it, a narrower one finer detail.
struct CoordinateWindow {
  float top = -1.0f, bottom = 1.0f, left = -1.0f, right = 1.0f;
};

// Raw CPPN output in (−1, 1), K×C×H×W. Large renders use every core, split by blocks of pixels, so
// even a single large image is rendered in parallel.
ImageStack render_raw(const FrozenCppn& cppn, const LatentPoints& z, int height, int width,
                      const RenderProgress& progress = {});
ImageStack render_raw(const FrozenCppn& cppn, const LatentPoints& z, int height, int width,
                      const CoordinateWindow& window, const RenderProgress& progress = {});

// Layer 0's latent part for each point (K × layer-0 width): Σ_q W[o][2P + q]·encoding(z)[q], the
// same floats render_raw adds to every pixel of that image (the GUI's shader uses them too).
std::vector<float> latent_part(const FrozenCppn& cppn, const LatentPoints& z);

// The per-image statistics of the transform: mean and unbiased (N−1) standard deviation.
struct ImageMoments {
  double mean = 0, sd = 0;
};
ImageMoments image_moments(const float* x, size_t n);

// The instruction set of the kernels render_raw uses now: "avx2" or "base" (SSE2), for this CPU
// and the INVEX_RENDER_BASELINE switch.
const char* render_instruction_set();

// The image transform of method.md §3, per image, in place.
void apply_transform(const TransformConfig& t, ImageStack& images);
// The transform of one image of n values with given statistics (those of the image itself in
// apply_transform; a view at another size or window takes the training resolution's).
void apply_transform(const TransformConfig& t, float* x, size_t n, const ImageMoments& m);

// render_raw followed by the run's transform: the images the neuron sees.
ImageStack render_images(const Snapshot& s, const LatentPoints& z, int height, int width,
                         const RenderProgress& progress = {});

}  // namespace invex

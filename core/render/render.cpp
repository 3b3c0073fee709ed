#include "core/render/render.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "core/support/runtime_switches.h"
#include "core/support/thread_pool.h"

namespace invex {

namespace {

std::vector<float> encode(const FrozenCppn& c, const LatentPoints& z, int k) {
  std::vector<float> e;
  for (int d = 0; d < z.dims; ++d) {
    float v = z.at(k, d);
    if (c.periodic[d]) {
      e.push_back(std::sin(v) * c.aux_dim_scale);
      e.push_back(std::cos(v) * c.aux_dim_scale);
    } else {
      e.push_back((v / static_cast<float>(M_PI) - 1.0f) * c.aux_dim_scale);
    }
  }
  return e;
}

}  // namespace

namespace {

// Pixels processed together. A layer's activations for a block are stored feature-major (width ×
// kBlock floats, under 4 KB at width 15, so they stay in L1) and every layer runs over the block's
// pixels in vectors (8 lanes with AVX2, 4 without). Each pixel still sees exactly the per-pixel
// arithmetic in the same order (bias first, then the inputs in order; separate multiply and add, no
// FMA), so the result is bit-identical to rendering one pixel at a time, whatever block or thread.
constexpr int kBlock = 64;
// Blocks handed to a thread at a time: enough work to amortise the hand-out.
constexpr long kBlocksPerTask = 16;
// Below this many pixels in all, a render runs on the calling thread alone.
constexpr long kParallelPixels = 200000;

#define INVEX_INLINE inline __attribute__((always_inline))

// W floats lane by lane (GCC/Clang vector extension): written out explicitly because the
// auto-vectoriser turns the input loop into an in-order reduction instead of vectorising over
// pixels. W = 8 for AVX2, 4 (one register) for the SSE2 baseline: an 8-lane type there compiles
// to slow code. The helpers pass vectors by reference only: a 32-byte vector passed or returned
// by value draws GCC's note (or warning) that the AVX calling convention changed.
template <int W>
struct Lanes {
  typedef float V __attribute__((vector_size(W * sizeof(float))));
};
template <int W>
using Vec = typename Lanes<W>::V;

template <int W>
INVEX_INLINE void loadv(Vec<W>& v, const float* p) {
  std::memcpy(&v, p, sizeof v);
}
template <int W>
INVEX_INLINE void storev(float* p, const Vec<W>& v) {
  std::memcpy(p, &v, sizeof v);
}
template <int W>
INVEX_INLINE void leaky(Vec<W>& y) {
  y = y > 0 ? y : kLeakyReluSlope * y;
}

struct BlockJob {
  const FrozenCppn* c;
  const float* pixel_part;  // layer 0's coordinate part, feature-major: [o][padded HW]
  size_t stride;            // padded HW
};

// Layer 0 of one block: its coordinate part plus the image's latent part `lat`, activated.
template <int W>
INVEX_INLINE void first_layer(const BlockJob& j, const float* lat, size_t p0, float* a) {
  const FrozenCppn& c = *j.c;
  const bool single = c.layers.size() == 1;
  for (int o = 0; o < c.layers.front().out; ++o) {
    const float* pp = j.pixel_part + o * j.stride + p0;
    float* dst = a + o * kBlock;
    for (int p = 0; p < kBlock; p += W) {
      Vec<W> y;
      loadv<W>(y, pp + p);
      y += lat[o];
      if (single) {
        for (int i = 0; i < W; ++i) dst[p + i] = std::tanh(y[i]);
      } else {
        leaky<W>(y);
        storev<W>(dst + p, y);
      }
    }
  }
}

// Layer l ≥ 1 of one block, from `a` into `b`, two vectors of pixels at a time.
template <int W>
INVEX_INLINE void next_layer(const FrozenCppn::Layer& L, bool last, const float* a, float* b) {
  for (int o = 0; o < L.out; ++o) {
    const float* wr = &L.weight[static_cast<size_t>(o) * L.in];
    float* dst = b + o * kBlock;
    for (int p = 0; p < kBlock; p += 2 * W) {
      Vec<W> s0 = Vec<W>{} + L.bias[o], s1 = s0, x0, x1;
      for (int q = 0; q < L.in; ++q) {
        const float* src = a + q * kBlock + p;
        loadv<W>(x0, src);
        loadv<W>(x1, src + W);
        s0 += wr[q] * x0;
        s1 += wr[q] * x1;
      }
      if (last) {
        for (int i = 0; i < W; ++i) dst[p + i] = std::tanh(s0[i]);
        for (int i = 0; i < W; ++i) dst[p + W + i] = std::tanh(s1[i]);
      } else {
        leaky<W>(s0);
        leaky<W>(s1);
        storev<W>(dst + p, s0);
        storev<W>(dst + p + W, s1);
      }
    }
  }
}

// One block of pixels of one image: `lat` is layer 0's latent part of that image, `a` and `b` are
// (max width) × kBlock scratch, the output (channel-major) goes to `out` for n pixels.
template <int W>
INVEX_INLINE void render_block(const BlockJob& j, const float* lat, size_t p0, int n, float* a,
                               float* b, float* out, size_t hw) {
  const FrozenCppn& c = *j.c;
  first_layer<W>(j, lat, p0, a);
  for (size_t l = 1; l < c.layers.size(); ++l) {
    next_layer<W>(c.layers[l], l + 1 == c.layers.size(), a, b);
    std::swap(a, b);
  }
  for (int ch = 0; ch < c.channels; ++ch)
    std::copy(a + ch * kBlock, a + ch * kBlock + n, out + ch * hw + p0);
}

// Layer 0's coordinate part of one block: dst[o·stride + p] = bias[o] + Σ_q W[o][q]·feat[q][p] for
// the block's pixels (feat: 2P × kBlock Fourier features). Same order per pixel as above.
template <int W>
INVEX_INLINE void pixel_block(const FrozenCppn& c, const float* feat, float* dst, size_t stride) {
  const auto& L = c.layers.front();
  const int F = 2 * c.positional_encoding_dim;
  for (int o = 0; o < L.out; ++o) {
    const float* wr = &L.weight[static_cast<size_t>(o) * L.in];
    for (int p = 0; p < kBlock; p += 2 * W) {
      Vec<W> s0 = Vec<W>{} + L.bias[o], s1 = s0, x0, x1;
      for (int q = 0; q < F; ++q) {
        loadv<W>(x0, feat + q * kBlock + p);
        loadv<W>(x1, feat + q * kBlock + p + W);
        s0 += wr[q] * x0;
        s1 += wr[q] * x1;
      }
      storev<W>(dst + o * stride + p, s0);
      storev<W>(dst + o * stride + p + W, s1);
    }
  }
}

using BlockFn = void (*)(const BlockJob&, const float*, size_t, int, float*, float*, float*,
                         size_t);
using PixelFn = void (*)(const FrozenCppn&, const float*, float*, size_t);
struct RenderKernels {
  BlockFn block;
  PixelFn pixel;
  const char* name;
};

// One instantiation per instruction set. AVX2 only, not FMA: a fused multiply-add would round
// differently from the one-pixel-at-a-time arithmetic.
#define INVEX_RENDER_KERNELS(suffix, target, W)                                               \
  target void render_block_##suffix(const BlockJob& j, const float* lat, size_t p0, int n,    \
                                    float* a, float* b, float* out, size_t hw) {              \
    render_block<W>(j, lat, p0, n, a, b, out, hw);                                            \
  }                                                                                           \
  target void pixel_block_##suffix(const FrozenCppn& c, const float* f, float* d, size_t s) { \
    pixel_block<W>(c, f, d, s);                                                               \
  }                                                                                           \
  const RenderKernels kRenderKernels_##suffix = {render_block_##suffix, pixel_block_##suffix, \
                                                 #suffix};

INVEX_RENDER_KERNELS(base, , 4)
#if defined(__x86_64__) && defined(__GNUC__)
INVEX_RENDER_KERNELS(avx2, __attribute__((target("avx2"))), 8)
#endif
#undef INVEX_RENDER_KERNELS

// The AVX2 kernels when the CPU has AVX2, unless the baseline is asked for: read on every render,
// so a test can hold the baseline kernels to the reference on an AVX2 machine too.
const RenderKernels& render_kernels() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool cpu = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  if (cpu && !switches::render_baseline()) return kRenderKernels_avx2;
#endif
  return kRenderKernels_base;
}

// Runs f(item) for every item in [0, count), kBlocksPerTask items per task, on the shared pool
// when there is enough work (`parallel`), else on the calling thread.
template <class F>
void for_each_item(long count, bool parallel, const F& f, const RenderProgress& progress = {}) {
  const long tasks = (count + kBlocksPerTask - 1) / kBlocksPerTask;
  const auto task = [&](long t) {
    const long end = std::min(count, (t + 1) * kBlocksPerTask);
    for (long i = t * kBlocksPerTask; i < end; ++i) f(i);
  };
  if (parallel) {
    parallel_for(tasks, task, progress);
    return;
  }
  for (long t = 0; t < tasks; ++t) {
    task(t);
    if (progress) progress(static_cast<double>(t + 1) / tasks);
  }
}

}  // namespace

namespace {

// Layer 0's coordinate part for every pixel, which does not depend on z: feature-major, one
// padded row of `stride` pixels per output (padded pixels stay 0).
std::vector<float> coordinate_part(const FrozenCppn& c, int height, int width,
                                   const CoordinateWindow& win, size_t stride, bool parallel) {
  const int P = c.positional_encoding_dim, HW = height * width;
  const long blocks = static_cast<long>(stride / kBlock);
  std::vector<float> part(stride * c.layers.front().out);
  const PixelFn kernel = render_kernels().pixel;
  for_each_item(blocks, parallel, [&](long blk) {
    thread_local std::vector<float> feat;
    feat.assign(static_cast<size_t>(2 * P) * kBlock, 0.0f);  // pixels past the end stay 0
    const int p0 = static_cast<int>(blk * kBlock);
    const int p1 = static_cast<int>(std::min<long>(HW, p0 + kBlock));
    for (int px = p0; px < p1; ++px) {
      const int i = px / width, j = px % width;
      const float u = height > 1 ? win.top + (win.bottom - win.top) * i / (height - 1) : win.top;
      const float v = width > 1 ? win.left + (win.right - win.left) * j / (width - 1) : win.left;
      for (int q = 0; q < P; ++q) {
        const float proj = u * c.fourier[q] + v * c.fourier[P + q];
        feat[static_cast<size_t>(q) * kBlock + (px - p0)] = std::sin(proj);
        feat[static_cast<size_t>(P + q) * kBlock + (px - p0)] = std::cos(proj);
      }
    }
    kernel(c, feat.data(), part.data() + p0, stride);
  });
  return part;
}

}  // namespace

std::vector<float> latent_part(const FrozenCppn& c, const LatentPoints& z) {
  const auto& first = c.layers.front();
  const int F = 2 * c.positional_encoding_dim;
  std::vector<float> lat(static_cast<size_t>(z.count) * first.out);
  for (int k = 0; k < z.count; ++k) {
    const std::vector<float> e = encode(c, z, k);
    for (int o = 0; o < first.out; ++o) {
      const float* wr = &first.weight[static_cast<size_t>(o) * first.in + F];
      float s = 0;
      for (size_t q = 0; q < e.size(); ++q) s += wr[q] * e[q];
      lat[static_cast<size_t>(k) * first.out + o] = s;
    }
  }
  return lat;
}

const char* render_instruction_set() { return render_kernels().name; }

ImageStack render_raw(const FrozenCppn& c, const LatentPoints& z, int height, int width,
                      const RenderProgress& progress) {
  return render_raw(c, z, height, width, CoordinateWindow{}, progress);
}

ImageStack render_raw(const FrozenCppn& c, const LatentPoints& z, int height, int width,
                      const CoordinateWindow& window, const RenderProgress& progress) {
  if (z.dims != c.latent_dims())
    throw std::invalid_argument("render: latent points have " + std::to_string(z.dims) +
                                " dimensions, the CPPN expects " + std::to_string(c.latent_dims()));
  const int HW = height * width;
  const long blocks = (HW + kBlock - 1) / kBlock;
  const size_t stride = static_cast<size_t>(blocks) * kBlock;
  const bool parallel = static_cast<long>(z.count) * HW >= kParallelPixels;
  const std::vector<float> pixel_part = coordinate_part(c, height, width, window, stride, parallel);
  const std::vector<float> lat = latent_part(c, z);

  int max_width = 0;
  for (auto& l : c.layers) max_width = std::max(max_width, l.out);
  const int w0 = c.layers.front().out;
  ImageStack images(z.count, c.channels, height, width);
  const BlockFn kernel = render_kernels().block;
  const BlockJob job{&c, pixel_part.data(), stride};
  // Items are (image, block) pairs, so one large image keeps every core busy too.
  struct Scratch {
    std::vector<float> a, b;
  };
  for_each_item(
      static_cast<long>(z.count) * blocks, parallel,
      [&](long item) {
        thread_local Scratch scratch;
        const size_t need = static_cast<size_t>(max_width) * kBlock;
        if (scratch.a.size() < need) {
          scratch.a.assign(need, 0.0f);
          scratch.b.assign(need, 0.0f);
        }
        const int k = static_cast<int>(item / blocks);
        const size_t p0 = static_cast<size_t>(item % blocks) * kBlock;
        const int n = static_cast<int>(std::min<size_t>(kBlock, HW - p0));
        kernel(job, &lat[static_cast<size_t>(k) * w0], p0, n, scratch.a.data(), scratch.b.data(),
               images.image(k), HW);
      },
      progress);
  return images;
}

ImageMoments image_moments(const float* x, size_t n) {
  ImageMoments m;
  for (size_t i = 0; i < n; ++i) m.mean += x[i];
  m.mean /= n;
  double ss = 0;
  for (size_t i = 0; i < n; ++i) ss += (x[i] - m.mean) * (x[i] - m.mean);
  // Unbiased std of the centred image, as torch.std.
  m.sd = std::sqrt(ss / (n > 1 ? n - 1 : 1));
  return m;
}

void apply_transform(const TransformConfig& t, float* x, size_t n, const ImageMoments& m) {
  if (t.type == "none") return;
  const double mean = m.mean, sd = m.sd;  // the reference adds 1e-12 to the std
  if (t.type == "fix-mean-std") {
    // x ← x − mean + m; then x ← s·x/(std(x) + 1e-12): std is unchanged by the shift.
    for (size_t i = 0; i < n; ++i)
      x[i] = static_cast<float>(t.std * (x[i] - mean + t.mean) / (sd + 1e-12));
  } else {
    for (size_t i = 0; i < n; ++i) {
      double v = t.std * (x[i] - mean) / (sd + 1e-12) + t.mean;
      x[i] = static_cast<float>(std::min(std::max(v, t.min), t.max));
    }
  }
}

void apply_transform(const TransformConfig& t, ImageStack& images) {
  if (t.type == "none") return;
  const size_t n = images.image_size();
  for (int k = 0; k < images.count; ++k)
    apply_transform(t, images.image(k), n, image_moments(images.image(k), n));
}

ImageStack render_images(const Snapshot& s, const LatentPoints& z, int height, int width,
                         const RenderProgress& progress) {
  ImageStack images = render_raw(s.cppn, z, height, width, progress);
  apply_transform(s.config.image.transform, images);
  return images;
}

}  // namespace invex

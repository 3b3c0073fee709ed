#include "core/render/render.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace invex {

int FrozenCppn::input_size() const {
  int L = 0;
  for (bool p : periodic) L += p ? 2 : 1;
  return 2 * positional_encoding_dim + L;
}

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

// Floats lane by lane (GCC/Clang vector extension): written out explicitly because the
// auto-vectoriser turns the input loop into an in-order reduction instead of vectorising over
// pixels. Eight lanes for AVX2, four (one register) for the SSE2 baseline: an 8-lane type there
// compiles to slow code.
typedef float V8 __attribute__((vector_size(32)));
typedef float V4 __attribute__((vector_size(16)));
// The helpers are file-local and always inlined, so no call ever passes a V8 by value: the warning
// that the AVX calling convention differs from the SSE one does not apply (GCC gives it at the end
// of the file, so it is silenced for the whole file).
#pragma GCC diagnostic ignored "-Wpsabi"

template <class V>
__attribute__((always_inline)) inline V loadv(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class V>
__attribute__((always_inline)) inline void storev(float* p, V v) {
  std::memcpy(p, &v, sizeof v);
}
template <class V>
__attribute__((always_inline)) inline V leaky(V y) {
  return y > 0 ? y : 0.01f * y;
}

struct BlockJob {
  const FrozenCppn* c;
  const float* pixel_part;  // layer 0's coordinate part, feature-major: [o][padded HW]
  size_t stride;            // padded HW
};

// One block of pixels of one image: `lat` is layer 0's latent part of that image, `a` and `b` are
// (max width) × kBlock scratch, the output (channel-major) goes to `out` for n pixels.
#define INVEX_RENDER_BLOCK(name, attr, V)                                                   \
  attr void name(const BlockJob& j, const float* lat, size_t p0, int n, float* a, float* b, \
                 float* out, size_t hw) {                                                   \
    constexpr int kV = sizeof(V) / sizeof(float);                                           \
    const FrozenCppn& c = *j.c;                                                             \
    const int w0 = c.layers.front().out;                                                    \
    const bool single = c.layers.size() == 1;                                               \
    for (int o = 0; o < w0; ++o) {                                                          \
      const float* pp = j.pixel_part + o * j.stride + p0;                                   \
      float* dst = a + o * kBlock;                                                          \
      for (int p = 0; p < kBlock; p += kV) {                                                \
        const V y = loadv<V>(pp + p) + lat[o];                                              \
        if (single)                                                                         \
          for (int i = 0; i < kV; ++i) dst[p + i] = std::tanh(y[i]);                        \
        else                                                                                \
          storev(dst + p, leaky(y));                                                        \
      }                                                                                     \
    }                                                                                       \
    for (size_t l = 1; l < c.layers.size(); ++l) {                                          \
      const auto& L = c.layers[l];                                                          \
      const bool last = l + 1 == c.layers.size();                                           \
      for (int o = 0; o < L.out; ++o) {                                                     \
        const float* wr = &L.weight[static_cast<size_t>(o) * L.in];                         \
        float* dst = b + o * kBlock;                                                        \
        for (int p = 0; p < kBlock; p += 2 * kV) {                                          \
          V s0 = V{} + L.bias[o], s1 = s0;                                                  \
          for (int q = 0; q < L.in; ++q) {                                                  \
            const float* src = a + q * kBlock + p;                                          \
            s0 += wr[q] * loadv<V>(src);                                                    \
            s1 += wr[q] * loadv<V>(src + kV);                                               \
          }                                                                                 \
          if (last) {                                                                       \
            for (int i = 0; i < kV; ++i) dst[p + i] = std::tanh(s0[i]);                     \
            for (int i = 0; i < kV; ++i) dst[p + kV + i] = std::tanh(s1[i]);                \
          } else {                                                                          \
            storev(dst + p, leaky(s0));                                                     \
            storev(dst + p + kV, leaky(s1));                                                \
          }                                                                                 \
        }                                                                                   \
      }                                                                                     \
      std::swap(a, b);                                                                      \
    }                                                                                       \
    for (int ch = 0; ch < c.channels; ++ch)                                                 \
      std::copy(a + ch * kBlock, a + ch * kBlock + n, out + ch * hw + p0);                  \
  }

// Layer 0's coordinate part of one block: dst[o·stride + p] = bias[o] + Σ_q W[o][q]·feat[q][p] for
// the block's pixels (feat: 2P × kBlock Fourier features). Same order per pixel as above.
#define INVEX_PIXEL_BLOCK(name, attr, V)                                              \
  attr void name(const FrozenCppn& c, const float* feat, float* dst, size_t stride) { \
    constexpr int kV = sizeof(V) / sizeof(float);                                     \
    const auto& L = c.layers.front();                                                 \
    const int F = 2 * c.positional_encoding_dim;                                      \
    for (int o = 0; o < L.out; ++o) {                                                 \
      const float* wr = &L.weight[static_cast<size_t>(o) * L.in];                     \
      for (int p = 0; p < kBlock; p += 2 * kV) {                                      \
        V s0 = V{} + L.bias[o], s1 = s0;                                              \
        for (int q = 0; q < F; ++q) {                                                 \
          s0 += wr[q] * loadv<V>(feat + q * kBlock + p);                              \
          s1 += wr[q] * loadv<V>(feat + q * kBlock + p + kV);                         \
        }                                                                             \
        storev(dst + o * stride + p, s0);                                             \
        storev(dst + o * stride + p + kV, s1);                                        \
      }                                                                               \
    }                                                                                 \
  }

// Baseline x86-64 (SSE2) and AVX2 builds of the same code. AVX2 only, not FMA: a fused multiply-add
// would round differently from the one-pixel-at-a-time arithmetic.
INVEX_RENDER_BLOCK(render_block_base, , V4)
INVEX_PIXEL_BLOCK(pixel_block_base, , V4)
#if defined(__x86_64__) && defined(__GNUC__)
INVEX_RENDER_BLOCK(render_block_avx2, __attribute__((target("avx2"))), V8)
INVEX_PIXEL_BLOCK(pixel_block_avx2, __attribute__((target("avx2"))), V8)
#endif
#undef INVEX_RENDER_BLOCK
#undef INVEX_PIXEL_BLOCK

using BlockFn = void (*)(const BlockJob&, const float*, size_t, int, float*, float*, float*,
                         size_t);

using PixelFn = void (*)(const FrozenCppn&, const float*, float*, size_t);

// The AVX2 kernels when the CPU has AVX2, unless INVEX_RENDER_BASELINE is set: read on every
// render, so a test can hold the baseline kernels to the reference on an AVX2 machine too.
bool use_avx2() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool cpu = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return cpu && !std::getenv("INVEX_RENDER_BASELINE");
#else
  return false;
#endif
}

BlockFn pick_block_kernel() {
#if defined(__x86_64__) && defined(__GNUC__)
  if (use_avx2()) return render_block_avx2;
#endif
  return render_block_base;
}

PixelFn pick_pixel_kernel() {
#if defined(__x86_64__) && defined(__GNUC__)
  if (use_avx2()) return pixel_block_avx2;
#endif
  return pixel_block_base;
}

// Runs f(item) for items [0, count) on up to `threads` threads, handing out runs of `grain` items
// as threads come free (a thread that shares its core with training does less).
template <class F>
void parallel_items(long count, long grain, int threads, const F& f,
                    const RenderProgress& progress = {}) {
  std::atomic<long> next{0}, done{0};
  // Only the calling thread reports progress, so the callback needs no locking and may throw.
  auto work = [&](bool caller) {
    for (long i0; (i0 = next.fetch_add(grain)) < count;) {
      const long i1 = std::min(count, i0 + grain);
      for (long i = i0; i < i1; ++i) f(i);
      done += i1 - i0;
      if (caller && progress) progress(static_cast<double>(done) / count);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, false);
  try {
    work(true);
  } catch (...) {
    next = count;  // the others finish their current run and stop
    for (auto& th : pool) th.join();
    throw;
  }
  for (auto& th : pool) th.join();
  if (progress) progress(1.0);
}

}  // namespace

ImageStack render_raw(const FrozenCppn& c, const LatentPoints& z, int height, int width,
                      const RenderProgress& progress) {
  if (z.dims != c.latent_dims())
    throw std::invalid_argument("render: latent points have " + std::to_string(z.dims) +
                                " dimensions, the CPPN expects " + std::to_string(c.latent_dims()));
  const int P = c.positional_encoding_dim, HW = height * width, C = c.channels;
  const int F = 2 * P;
  const auto& first = c.layers.front();
  const int w0 = first.out;
  int max_width = 0;
  for (auto& l : c.layers) max_width = std::max(max_width, l.out);
  const long blocks = (HW + kBlock - 1) / kBlock;
  const size_t stride = static_cast<size_t>(blocks) * kBlock;  // padded pixels stay 0
  const long work = static_cast<long>(z.count) * HW;
  const int threads =
      work < 200000 ? 1 : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));

  // The coordinate part of the first layer does not depend on z: compute it once per render.
  std::vector<float> pixel_part(stride * w0);
  const PixelFn pixel_kernel = pick_pixel_kernel();
  parallel_items(blocks, 16, threads, [&](long blk) {
    thread_local std::vector<float> feat;
    feat.assign(static_cast<size_t>(F) * kBlock, 0.0f);  // pixels past the end stay 0
    const int p0 = static_cast<int>(blk * kBlock);
    const int p1 = static_cast<int>(std::min<long>(HW, p0 + kBlock));
    for (int px = p0; px < p1; ++px) {
      const int i = px / width, j = px % width;
      const float u = height > 1 ? -1.0f + 2.0f * i / (height - 1) : -1.0f;
      const float v = width > 1 ? -1.0f + 2.0f * j / (width - 1) : -1.0f;
      for (int q = 0; q < P; ++q) {
        const float proj = u * c.fourier[q] + v * c.fourier[P + q];
        feat[static_cast<size_t>(q) * kBlock + (px - p0)] = std::sin(proj);
        feat[static_cast<size_t>(P + q) * kBlock + (px - p0)] = std::cos(proj);
      }
    }
    pixel_kernel(c, feat.data(), pixel_part.data() + p0, stride);
  });

  // Layer 0's latent part, once per image.
  std::vector<float> lat(static_cast<size_t>(z.count) * w0);
  for (int k = 0; k < z.count; ++k) {
    const std::vector<float> e = encode(c, z, k);
    for (int o = 0; o < w0; ++o) {
      const float* wr = &first.weight[static_cast<size_t>(o) * first.in + F];
      float s = 0;
      for (size_t q = 0; q < e.size(); ++q) s += wr[q] * e[q];
      lat[static_cast<size_t>(k) * w0 + o] = s;
    }
  }

  ImageStack images(z.count, C, height, width);
  const BlockFn kernel = pick_block_kernel();
  const BlockJob job{&c, pixel_part.data(), stride};
  // Items are (image, block) pairs, so one large image keeps every core busy too.
  const long items = static_cast<long>(z.count) * blocks;
  struct Scratch {
    std::vector<float> a, b;
  };
  parallel_items(
      items, 16, threads,
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

void apply_transform(const TransformConfig& t, ImageStack& images) {
  if (t.type == "none") return;
  const size_t n = images.image_size();
  for (int k = 0; k < images.count; ++k) {
    float* x = images.image(k);
    double mean = 0;
    for (size_t i = 0; i < n; ++i) mean += x[i];
    mean /= n;
    double ss = 0;
    for (size_t i = 0; i < n; ++i) ss += (x[i] - mean) * (x[i] - mean);
    // Unbiased std of the centred image, as torch.std; the reference adds 1e-12.
    double sd = std::sqrt(ss / (n > 1 ? n - 1 : 1));
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
}

ImageStack render_images(const Snapshot& s, const LatentPoints& z, int height, int width,
                         const RenderProgress& progress) {
  ImageStack images = render_raw(s.cppn, z, height, width, progress);
  apply_transform(s.config.image.transform, images);
  return images;
}

LatentPoints latent_grid(int dims, int g) {
  LatentPoints z;
  z.dims = dims;
  z.count = dims == 1 ? g : g * g;
  for (int k = 0; k < z.count; ++k) {
    if (dims == 1) {
      z.data.push_back(static_cast<float>(2 * M_PI * k / g));
    } else {
      z.data.push_back(static_cast<float>(2 * M_PI * (k / g) / g));
      z.data.push_back(static_cast<float>(2 * M_PI * (k % g) / g));
    }
  }
  return z;
}

LatentPoints canonical_sweep(const std::vector<bool>& periodic, int points) {
  const int dims = static_cast<int>(periodic.size());
  if (points <= 0) points = dims == 1 ? 100 : 20;
  auto axis = [&](int d) {
    std::vector<float> v(points);
    for (int i = 0; i < points; ++i)
      v[i] = static_cast<float>(periodic[d] ? 2 * M_PI * i / points
                                            : 2 * M_PI * i / std::max(1, points - 1));
    return v;
  };
  LatentPoints z;
  z.dims = dims;
  if (dims == 1) {
    z.data = axis(0);
    z.count = points;
  } else {
    auto a = axis(0), b = axis(1);
    for (int i = 0; i < points; ++i)
      for (int j = 0; j < points; ++j) {
        z.data.push_back(a[i]);
        z.data.push_back(b[j]);
      }
    z.count = points * points;
  }
  return z;
}

}  // namespace invex

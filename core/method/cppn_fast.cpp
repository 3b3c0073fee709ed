// The fused CPPN generator (make_fast_generator): hand-written forward and backward of method.md
// §2.
//
// Why hand-written: the network is only `width` (15) wide but runs over N·H·W ≈ 10⁵ rows, so
// LibTorch's per-op kernels (GEMMs with a 15-wide inner dimension, separate BatchNorm and
// LeakyReLU passes, autograd bookkeeping) spend their time streaming rows through memory many
// times per layer. Here each layer costs one pass over the rows:
//   forward pass l:  read layer l−1's pre-BatchNorm row, normalise + LeakyReLU, multiply by W_l,
//                    store layer l's pre-BatchNorm row and accumulate its batch statistics;
//   backward pass l: read dy_l, h_l, h_{l−1}; form dh_l (BatchNorm backward), accumulate dW_l,
//                    push through W_l and the LeakyReLU to dy_{l−1} (stored in place) and
//                    accumulate the two row sums the BatchNorm backward of layer l−1 needs.
// Layer 0 is never materialised: its Fourier part is identical for every image (an H·W table)
// and its latent part identical for every pixel (an N-row table), so its pre-BatchNorm value is
// table[pixel] + latent[image]; its statistics and its weight gradient follow in closed form.
// A hidden layer's rows are stored as W·x, without the bias: BatchNorm subtracts the batch mean,
// so the bias has no effect on the output (its gradient is 0), and adding it in float would only
// cost precision (the biases do drift: Adam turns their zero-mean rounding noise into steps).
//
// Layout: rows are image-major (r = n·HW + pixel) and every hidden row is padded to kPad = 16
// floats: one cache line, one AVX-512 register. Padded lanes have zero weights and gamma, so
// they stay exactly zero through forward and backward.
// Each pass splits the rows into contiguous chunks, run on compute_threads() threads. Sums
// over rows (batch statistics, BatchNorm backward sums, weight gradients) are formed per chunk
// in short float runs folded into double, then combined in chunk order; the chunks depend on
// the number of rows only, so results are identical whatever the thread count or scheduling.
// The row kernels are compiled for AVX-512, AVX2 + FMA and SSE2 and the widest the CPU runs
// is used (the binary must run on any x86-64).
// Not thread-safe: one generator, one caller at a time (it keeps the forward for backward).
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/method/cppn.h"
#include "core/support/runtime_switches.h"
#include "core/support/thread_pool.h"

#define INVEX_INLINE inline __attribute__((always_inline))

namespace invex {
namespace {

constexpr int kPad = 16;
static_assert(kPad >= kMaxCppnWidth, "a padded row holds the widest layer");
constexpr int kSq = kPad * kPad;
constexpr int64_t kRun = 64;                // rows summed in float before folding into double
constexpr int64_t kChunkRows = 4096;        // rows: a smaller chunk is not worth a thread wake-up
constexpr int64_t kMostChunks = 16;         // chunks of a pass
constexpr int64_t kMostPixelSumChunks = 4;  // chunks of the pass that sums dy per pixel

// 64-byte aligned storage so that a padded row never straddles two cache lines.
template <class T>
struct LineAligned {
  using value_type = T;
  LineAligned() = default;
  template <class U>
  LineAligned(const LineAligned<U>&) {}
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64)));
  }
  void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t(64)); }
  template <class U>
  bool operator==(const LineAligned<U>&) const {
    return true;
  }
  template <class U>
  bool operator!=(const LineAligned<U>&) const {
    return false;
  }
};
using FloatVec = std::vector<float, LineAligned<float>>;
using DoubleVec = std::vector<double, LineAligned<double>>;

// A padded row as kPad / W native vectors of W floats (GCC vector extensions): W = 16 for
// AVX-512, 8 for AVX2, 4 for SSE2. Written for one width and left to GCC to split, a 16-wide
// vector compiled for AVX2 or SSE2 came out as scalar code through memory, 30× slower; and
// plain loops were not auto-vectorised at all (aliasing, the LeakyReLU select).
template <int W>
struct Row {
  typedef float V __attribute__((vector_size(W * sizeof(float))));
  typedef double D __attribute__((vector_size(W * sizeof(double)), aligned(sizeof(double))));
  typedef int32_t I __attribute__((vector_size(W * sizeof(int32_t))));
  static constexpr int kParts = kPad / W;
  V p[kParts];
};

// All row pointers are 64-byte aligned (LineAligned buffers, alignas members and locals).
template <int W>
INVEX_INLINE Row<W> load(const float* src) {
  Row<W> r;
  for (int i = 0; i < Row<W>::kParts; ++i)
    r.p[i] = *reinterpret_cast<const typename Row<W>::V*>(src + i * W);
  return r;
}
template <int W>
INVEX_INLINE void store(float* dst, const Row<W>& r) {
  for (int i = 0; i < Row<W>::kParts; ++i)
    *reinterpret_cast<typename Row<W>::V*>(dst + i * W) = r.p[i];
}
// Store a row to the stack and make the compiler forget its value, so that reading lane j
// compiles to a broadcast load: left alone, GCC turns each lane read into a lane permute with a
// spilled index vector, which made the backward kernel shuffle-bound.
template <int W>
INVEX_INLINE void spill(float* dst, const Row<W>& r) {
  store(dst, r);
  asm("" : "+m"(*reinterpret_cast<float(*)[kPad]>(dst)));
}

#define INVEX_ROW_OP(op)                                                \
  template <int W>                                                      \
  INVEX_INLINE Row<W> operator op(const Row<W>& a, const Row<W>& b) {   \
    Row<W> r;                                                           \
    for (int i = 0; i < Row<W>::kParts; ++i) r.p[i] = a.p[i] op b.p[i]; \
    return r;                                                           \
  }
INVEX_ROW_OP(+)
INVEX_ROW_OP(-)
INVEX_ROW_OP(*)
#undef INVEX_ROW_OP
template <int W>
INVEX_INLINE Row<W> operator*(const Row<W>& a, float s) {
  Row<W> r;
  for (int i = 0; i < Row<W>::kParts; ++i) r.p[i] = a.p[i] * s;
  return r;
}
template <int W>
INVEX_INLINE Row<W> zero_row() {
  Row<W> r;
  for (int i = 0; i < Row<W>::kParts; ++i) r.p[i] = typename Row<W>::V{};
  return r;
}

// LeakyReLU(y), and its backward: `g` where y > 0, slope·g elsewhere (as LibTorch: 0 counts
// as negative).
template <int W>
INVEX_INLINE Row<W> leaky(const Row<W>& y) {
  Row<W> r;
  for (int i = 0; i < Row<W>::kParts; ++i)
    r.p[i] = y.p[i] > 0.f ? y.p[i] : y.p[i] * kLeakyReluSlope;
  return r;
}
template <int W>
INVEX_INLINE Row<W> leaky_backward(const Row<W>& y, const Row<W>& g) {
  Row<W> r;
  for (int i = 0; i < Row<W>::kParts; ++i)
    r.p[i] = y.p[i] > 0.f ? g.p[i] : g.p[i] * kLeakyReluSlope;
  return r;
}

template <int W>
INVEX_INLINE void add_to(double* dst, const Row<W>& r) {
  typedef typename Row<W>::D D;
  for (int i = 0; i < Row<W>::kParts; ++i)
    *reinterpret_cast<D*>(dst + i * W) += __builtin_convertvector(r.p[i], D);
}

// Horizontal sum, as a halving tree of shuffles and adds (not a 15-long dependent chain).
template <int W>
INVEX_INLINE float hsum(const Row<W>& r) {
  typedef float V4 __attribute__((vector_size(4 * sizeof(float))));
  typename Row<W>::V v = r.p[0];
  for (int i = 1; i < Row<W>::kParts; ++i) v = v + r.p[i];
  V4 q;
  if constexpr (W == 16) {
    typedef float V8 __attribute__((vector_size(8 * sizeof(float))));
    const V8 h = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
                 __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    q = __builtin_shufflevector(h, h, 0, 1, 2, 3) + __builtin_shufflevector(h, h, 4, 5, 6, 7);
  } else if constexpr (W == 8) {
    q = __builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7);
  } else {
    static_assert(W == 4, "rows are 4, 8 or 16 floats per vector");
    q = v;
  }
  return (q[0] + q[2]) + (q[1] + q[3]);
}

// tanh of a row of values: scalar tanhf cost as much as a whole hidden layer per row.
// tanh(a) = 1 − 2/(e^{2a} + 1), with e^t from Cody–Waite range reduction and the Cephes expf
// polynomial (relative error ~1e-7). The absolute error near 0 is ~1e-7 (the 1 − … cancels),
// well inside what float BatchNorm over 10⁵ rows already contributes. |2a| is clamped at 30,
// where tanh is ±1 in float.
template <int W>
INVEX_INLINE Row<W> vtanh(const Row<W>& a) {
  typedef typename Row<W>::V V;
  typedef typename Row<W>::I I;
  Row<W> out;
  for (int i = 0; i < Row<W>::kParts; ++i) {
    V t = a.p[i] + a.p[i];
    t = t > 30.f ? V{} + 30.f : t;
    t = t < -30.f ? V{} - 30.f : t;
    const float round_magic = 12582912.f;  // 1.5·2²³: adding and subtracting rounds to integer
    const V n = (t * 1.44269504088896341f + round_magic) - round_magic;
    const V r = (t - n * 0.693359375f) - n * -2.12194440e-4f;
    V q = V{} + 1.9875691500e-4f;
    q = q * r + 1.3981999507e-3f;
    q = q * r + 8.3334519073e-3f;
    q = q * r + 4.1665795894e-2f;
    q = q * r + 1.6666665459e-1f;
    q = q * r + 5.0000001201e-1f;
    const V er = 1.f + r + (r * r) * q;
    const I bits = (__builtin_convertvector(n, I) + 127) << 23;  // 2ⁿ as float bits
    const V e = er * (V)bits;
    out.p[i] = 1.f - 2.f / (e + 1.f);
  }
  return out;
}

// One hidden layer, padded, as the row kernels read it. Copied from the parameter tensors at
// every forward (the optimiser updates those in place), so backward sees the forward's values.
struct Hidden {
  alignas(64) float wt[kPad][kPad];  // wt[j][o] = W[o][j]: forward, vector over outputs
  alignas(64) float w[kPad][kPad];   // w[o][j] = W[o][j]: backward, vector over inputs
  alignas(64) float bias[kPad];
  // BatchNorm with this forward's statistics of the stored rows h = W·x (no bias):
  // x̂ = (h − mean)·inv_std, y = scale·h + shift.
  alignas(64) float mean[kPad];
  alignas(64) float inv_std[kPad];
  alignas(64) float scale[kPad];
  alignas(64) float shift[kPad];
  // Backward: dh = grad_scale·(dy − mean_dy − x̂·mean_dy_xhat) (batch statistics depend on h).
  alignas(64) float grad_scale[kPad];
  alignas(64) float mean_dy[kPad];
  alignas(64) float mean_dy_xhat[kPad];
  double gamma[kPad];
  double beta[kPad];
  double mean_d[kPad];  // mean of the stored rows, for BatchStats and layer 0's backward
  double var[kPad];
};

// Where a pass finds layer l−1's pre-BatchNorm rows: stored, or (layer 0) rebuilt from tables.
struct RowSource {
  const float* h = nullptr;       // rows×16, or null for layer 0
  const float* table = nullptr;   // HW×16: Fourier part of layer 0
  const float* latent = nullptr;  // N×16: latent part of layer 0
};

template <int W>
INVEX_INLINE Row<W> load_row(const RowSource& s, int64_t r, int64_t n, int64_t p) {
  if (s.h) return load<W>(s.h + r * kPad);
  return load<W>(s.table + p * kPad) + load<W>(s.latent + n * kPad);
}

// Σ_j cols[j]·a[j] with four partial sums: one running sum would chain 16 dependent FMAs per
// row (≈ 64 cycles of latency). `a` is in memory so each factor is a broadcast load.
template <int W>
INVEX_INLINE Row<W> combine(const float (*cols)[kPad], const float* a) {
  Row<W> s0 = load<W>(cols[0]) * a[0], s1 = load<W>(cols[1]) * a[1];
  Row<W> s2 = load<W>(cols[2]) * a[2], s3 = load<W>(cols[3]) * a[3];
  for (int j = 4; j < kPad; j += 4) {
    s0 = s0 + load<W>(cols[j]) * a[j];
    s1 = s1 + load<W>(cols[j + 1]) * a[j + 1];
    s2 = s2 + load<W>(cols[j + 2]) * a[j + 2];
    s3 = s3 + load<W>(cols[j + 3]) * a[j + 3];
  }
  return (s0 + s1) + (s2 + s3);
}

// Per-chunk sums of one pass, in double. `by_pixel`/`by_image` collect layer 0's dy.
struct ThreadSums {
  DoubleVec s1, s2;  // Σ of W·x and (W·x)² (forward) or of dy and dy·x̂ (backward)
  DoubleVec dw, db;  // weight (and, output layer, bias) gradient of the layer passed through
  DoubleVec by_pixel, by_image;  // Σ over images / over pixels of layer 0's dy
};

// Float run accumulators, folded into a ThreadSums every kRun rows so that no float sum grows
// over more than kRun terms.
template <int W>
struct RunSums {
  Row<W> s1, s2, db;
  Row<W> dw[kPad];
  void clear() {
    s1 = s2 = db = zero_row<W>();
    for (int k = 0; k < kPad; ++k) dw[k] = zero_row<W>();
  }
  void fold_into(ThreadSums& t, int dw_rows) const {
    add_to(t.s1.data(), s1);
    add_to(t.s2.data(), s2);
    add_to(t.db.data(), db);
    for (int o = 0; o < dw_rows; ++o) add_to(t.dw.data() + o * kPad, dw[o]);
  }
};

// Everything a pass over rows reads and writes (one struct so that every kernel has the same
// signature and can be picked per instruction set through one function-pointer table).
struct Pass {
  RowSource in;                  // layer l−1's pre-BatchNorm rows
  const Hidden* prev = nullptr;  // layer l−1: its BatchNorm + LeakyReLU turn `in` into x_l
  const Hidden* cur = nullptr;   // layer l, for hidden passes
  float* h_out = nullptr;        // forward: layer l's pre-BatchNorm rows
  const float* h_cur = nullptr;  // backward: the same, as stored by forward
  float* dy = nullptr;           // backward: dy_l in, dy_{l−1} out (in place), rows×16
  bool store_dy = true;          // false when layer l−1 is layer 0: sum dy instead
  const float* w_out = nullptr;  // output layer, C×16
  const float* b_out = nullptr;  // C
  int channels = 1;
  float* out_rows = nullptr;    // rows×C tanh outputs, kept for backward
  float* images = nullptr;      // N×C×H×W
  const float* grad = nullptr;  // N×C×H×W
  int64_t hw = 1;
};

// ---- forward ----

// Rows [r0, r1) of hidden layer l ≥ 1: W_l·x with x = LeakyReLU(BN_{l−1}(stored row of l−1)),
// stored, and its Σ and Σ of squares.
template <int W>
INVEX_INLINE void forward_hidden(const Pass& a, int64_t r0, int64_t r1, ThreadSums& sums) {
  const Hidden& cur = *a.cur;
  const Row<W> scale = load<W>(a.prev->scale), shift = load<W>(a.prev->shift);
  RunSums<W> run;
  int64_t n = r0 / a.hw, p = r0 - n * a.hw;
  for (int64_t rb = r0; rb < r1; rb += kRun) {
    const int64_t re = std::min(rb + kRun, r1);
    run.clear();
    for (int64_t r = rb; r < re; ++r) {
      alignas(64) float x[kPad];
      spill(x, leaky(scale * load_row<W>(a.in, r, n, p) + shift));
      // Without the bias the mean is of the order of the spread, so Σh² − (Σh)²/R does not
      // cancel badly either.
      const Row<W> wx = combine<W>(cur.wt, x);
      store(a.h_out + r * kPad, wx);
      run.s1 = run.s1 + wx;
      run.s2 = run.s2 + wx * wx;
      if (++p == a.hw) p = 0, ++n;
    }
    run.fold_into(sums, 0);
  }
}

// Rows [r0, r1) of the output layer: tanh(W·x + b), into the row buffer (kept for backward) and
// the N×C×H×W images. Pre-activations are gathered 16 rows at a time for the vector tanh.
template <int W>
INVEX_INLINE void forward_output(const Pass& a, int64_t r0, int64_t r1, ThreadSums&) {
  const Row<W> scale = load<W>(a.prev->scale), shift = load<W>(a.prev->shift);
  const int channels = a.channels;
  // [channel][row in block]; zeroed because a short block leaves lanes unwritten.
  alignas(64) float pre[kPad][kPad] = {};
  int64_t n = r0 / a.hw, p = r0 - n * a.hw;
  for (int64_t rb = r0; rb < r1; rb += kPad) {
    const int rows = static_cast<int>(std::min<int64_t>(kPad, r1 - rb));
    const int64_t n0 = n, p0 = p;
    for (int i = 0; i < rows; ++i) {
      const Row<W> x = leaky(scale * load_row<W>(a.in, rb + i, n, p) + shift);
      for (int c = 0; c < channels; ++c)
        pre[c][i] = hsum(load<W>(a.w_out + c * kPad) * x) + a.b_out[c];
      if (++p == a.hw) p = 0, ++n;
    }
    for (int c = 0; c < channels; ++c) store(pre[c], vtanh(load<W>(pre[c])));
    n = n0, p = p0;
    for (int i = 0; i < rows; ++i) {
      for (int c = 0; c < channels; ++c) {
        a.out_rows[(rb + i) * channels + c] = pre[c][i];
        a.images[(n * channels + c) * a.hw + p] = pre[c][i];
      }
      if (++p == a.hw) p = 0, ++n;
    }
  }
}

// ---- backward ----

// The end of every backward row: dx (gradient at layer l−1's LeakyReLU output) through the
// LeakyReLU to dy_{l−1}; accumulate Σdy and Σdy·x̂ for layer l−1's BatchNorm backward; hand dy
// on (stored in place, or summed per pixel and per image when layer l−1 is layer 0).
template <int W>
INVEX_INLINE void finish_row(const Pass& a, const Row<W>& h, const Row<W>& y, const Row<W>& dx,
                             const Row<W>& mean, const Row<W>& inv_std, int64_t r, int64_t n,
                             int64_t p, RunSums<W>& run, ThreadSums& sums) {
  const Row<W> dy = leaky_backward(y, dx);
  run.s1 = run.s1 + dy;
  run.s2 = run.s2 + dy * ((h - mean) * inv_std);
  if (a.store_dy) {
    store(a.dy + r * kPad, dy);
  } else {
    add_to(sums.by_pixel.data() + p * kPad, dy);
    add_to(sums.by_image.data() + n * kPad, dy);
  }
}

// Rows [r0, r1) of the output layer's backward: dz = g·(1 − out²); dW_out, db_out; then the
// last hidden layer's dy.
template <int W>
INVEX_INLINE void backward_output(const Pass& a, int64_t r0, int64_t r1, ThreadSums& sums) {
  const Hidden& prev = *a.prev;
  const Row<W> scale = load<W>(prev.scale), shift = load<W>(prev.shift);
  const Row<W> mean = load<W>(prev.mean), inv_std = load<W>(prev.inv_std);
  const int channels = a.channels;
  RunSums<W> run;
  alignas(64) float db[kPad];
  int64_t n = r0 / a.hw, p = r0 - n * a.hw;
  for (int64_t rb = r0; rb < r1; rb += kRun) {
    const int64_t re = std::min(rb + kRun, r1);
    run.clear();
    std::fill(db, db + kPad, 0.f);
    for (int64_t r = rb; r < re; ++r) {
      const Row<W> h = load_row<W>(a.in, r, n, p);
      const Row<W> y = scale * h + shift;
      const Row<W> x = leaky(y);
      Row<W> dx = zero_row<W>();
      for (int c = 0; c < channels; ++c) {
        const float o = a.out_rows[r * channels + c];
        const float dz = a.grad[(n * channels + c) * a.hw + p] * (1.f - o * o);
        db[c] += dz;
        run.dw[c] = run.dw[c] + x * dz;
        dx = dx + load<W>(a.w_out + c * kPad) * dz;
      }
      finish_row(a, h, y, dx, mean, inv_std, r, n, p, run, sums);
      if (++p == a.hw) p = 0, ++n;
    }
    run.db = load<W>(db);
    run.fold_into(sums, channels);
  }
}

// Rows [r0, r1) of hidden layer l ≥ 1's backward. dy_l is read from `a.dy` and dy_{l−1}
// written over it (or summed, when l = 1).
template <int W>
INVEX_INLINE void backward_hidden(const Pass& a, int64_t r0, int64_t r1, ThreadSums& sums) {
  const Hidden &prev = *a.prev, &cur = *a.cur;
  const Row<W> scale = load<W>(prev.scale), shift = load<W>(prev.shift);
  const Row<W> mean = load<W>(prev.mean), inv_std = load<W>(prev.inv_std);
  const Row<W> cur_mean = load<W>(cur.mean), cur_inv_std = load<W>(cur.inv_std);
  const Row<W> grad_scale = load<W>(cur.grad_scale), mean_dy = load<W>(cur.mean_dy);
  const Row<W> mean_dy_xhat = load<W>(cur.mean_dy_xhat);
  RunSums<W> run;
  // dW_l += Σ_r dh_r ⊗ x_r. With registers to spare (AVX-512: 16 rows of dW in 16 of the 32
  // registers) each row is added as it comes; otherwise (AVX2: a row of dW is two of only 16
  // registers) the run's dh and x are kept and multiplied four dW rows at a time afterwards,
  // instead of spilling dW on every row.
  constexpr bool kRowwise = W == 16;
  alignas(64) float dh_run[kRun][kPad];
  alignas(64) float x_run[kRun][kPad];
  int64_t n = r0 / a.hw, p = r0 - n * a.hw;
  for (int64_t rb = r0; rb < r1; rb += kRun) {
    const int64_t re = std::min(rb + kRun, r1);
    run.clear();
    for (int64_t r = rb; r < re; ++r) {
      const Row<W> xhat = (load<W>(a.h_cur + r * kPad) - cur_mean) * cur_inv_std;
      const Row<W> dh = grad_scale * (load<W>(a.dy + r * kPad) - mean_dy - xhat * mean_dy_xhat);
      const Row<W> h = load_row<W>(a.in, r, n, p);
      const Row<W> y = scale * h + shift;
      const Row<W> x = leaky(y);
      float* dhs = dh_run[r - rb];
      spill(dhs, dh);
      if constexpr (kRowwise) {
        for (int o = 0; o < kPad; ++o) run.dw[o] = run.dw[o] + x * dhs[o];
      } else {
        store(x_run[r - rb], x);
      }
      const Row<W> dx = combine<W>(cur.w, dhs);
      finish_row(a, h, y, dx, mean, inv_std, r, n, p, run, sums);
      if (++p == a.hw) p = 0, ++n;
    }
    if constexpr (kRowwise) {
      run.fold_into(sums, kPad);
    } else {
      run.fold_into(sums, 0);
      const int rows = static_cast<int>(re - rb);
      for (int o = 0; o < kPad; o += 4) {
        Row<W> d0 = zero_row<W>(), d1 = zero_row<W>(), d2 = zero_row<W>(), d3 = zero_row<W>();
        for (int i = 0; i < rows; ++i) {
          const Row<W> x = load<W>(x_run[i]);
          d0 = d0 + x * dh_run[i][o];
          d1 = d1 + x * dh_run[i][o + 1];
          d2 = d2 + x * dh_run[i][o + 2];
          d3 = d3 + x * dh_run[i][o + 3];
        }
        add_to(sums.dw.data() + o * kPad, d0);
        add_to(sums.dw.data() + (o + 1) * kPad, d1);
        add_to(sums.dw.data() + (o + 2) * kPad, d2);
        add_to(sums.dw.data() + (o + 3) * kPad, d3);
      }
    }
  }
}

// The kernels for one instruction set. Each entry is compiled with its own target so that the
// binary runs on any x86-64 and uses AVX-512 or AVX2 + FMA where the CPU has them.
using Kernel = void (*)(const Pass&, int64_t, int64_t, ThreadSums&);
struct Kernels {
  Kernel forward_hidden, forward_output, backward_output, backward_hidden;
  const char* name;
};

#define INVEX_KERNEL(kernel, suffix, target, W)                                         \
  target void kernel##_##suffix(const Pass& a, int64_t r0, int64_t r1, ThreadSums& s) { \
    kernel<W>(a, r0, r1, s);                                                            \
  }
#define INVEX_KERNELS(suffix, target, W)                                               \
  INVEX_KERNEL(forward_hidden, suffix, target, W)                                      \
  INVEX_KERNEL(forward_output, suffix, target, W)                                      \
  INVEX_KERNEL(backward_output, suffix, target, W)                                     \
  INVEX_KERNEL(backward_hidden, suffix, target, W)                                     \
  const Kernels kKernels_##suffix = {forward_hidden_##suffix, forward_output_##suffix, \
                                     backward_output_##suffix, backward_hidden_##suffix, #suffix};

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
INVEX_KERNELS(avx512, __attribute__((target("arch=x86-64-v4"))), 16)
INVEX_KERNELS(avx2, __attribute__((target("arch=x86-64-v3"))), 8)
INVEX_KERNELS(sse2, , 4)
// The widest kernels the CPU runs, chosen when a generator is made. INVEX_FAST_CPPN_ISA=sse2 or
// avx2 asks for a narrower set, so that the tests can hold every set to the reference.
const Kernels& kernels() {
  __builtin_cpu_init();
  const bool v4 = __builtin_cpu_supports("x86-64-v4"), v3 = __builtin_cpu_supports("x86-64-v3");
  const std::string wanted = switches::fast_cppn_isa();
  if (wanted == "sse2") return kKernels_sse2;
  if (v4 && wanted != "avx2") return kKernels_avx512;
  if (v3) return kKernels_avx2;
  return kKernels_sse2;
}
#else
INVEX_KERNELS(generic, , 4)
const Kernels& kernels() { return kKernels_generic; }
#endif
#undef INVEX_KERNELS
#undef INVEX_KERNEL

// ---- the generator ----

at::Tensor as_float(const at::Tensor& t) { return t.detach().to(at::kFloat).contiguous(); }

bool present(const std::vector<at::Tensor>& v, size_t l) { return l < v.size() && v[l].defined(); }

class FastGenerator final : public CppnGenerator {
 public:
  FastGenerator(const CppnParameters& params, int height, int width)
      : params_(params),
        kernels_(kernels()),
        height_(height),
        width_(width),
        hw_(int64_t{height} * width) {
    const size_t layers = params_.weight.size();
    if (layers < 2) throw std::invalid_argument("fast CPPN generator: needs at least 2 layers");
    // method.md §2.2: every hidden layer has BatchNorm (the kernels fold the bias into it).
    if (params_.gamma.size() + 1 < layers || params_.beta.size() + 1 < layers)
      throw std::invalid_argument("fast CPPN generator: every hidden layer needs BatchNorm");
    for (size_t l = 0; l + 1 < layers; ++l) {
      if (params_.weight[l].size(0) > kPad)
        throw std::invalid_argument("fast CPPN generator: width above " + std::to_string(kPad));
      if (l > 0 && params_.weight[l].size(1) > kPad)
        throw std::invalid_argument("fast CPPN generator: width above " + std::to_string(kPad));
    }
    // The Fourier features depend only on the pixel grid and the fixed B matrix.
    const at::Tensor f = as_float(fourier_features(params_.fourier, height, width));
    features_ = f.size(1);
    fourier_.assign(f.data_ptr<float>(), f.data_ptr<float>() + f.numel());
    hidden_.resize(layers - 1);
  }

  at::Tensor forward(const at::Tensor& latent_encoding, BatchStats* stats) override;
  CppnGradients backward(const at::Tensor& grad_images) override;

 private:
  void load_parameters();
  void layer0_forward();
  void finish_statistics(Hidden& L, const double* mean, const double* var, size_t l);
  void run_pass(int64_t rows, size_t by_pixel, size_t by_image, Kernel kernel, const Pass& pass);
  void reduce_sums(std::vector<double>& s1, std::vector<double>& s2, std::vector<double>* dw,
                   std::vector<double>* db, std::vector<double>* by_pixel,
                   std::vector<double>* by_image);
  RowSource source(size_t l) const;  // rows of hidden layer l
  void set_backward(Hidden& L, const std::vector<double>& s1, const std::vector<double>& s2);
  struct Gradients;
  void backward_output(const float* grad, Gradients& g);
  void backward_hidden(Gradients& g);
  void backward_layer0(Gradients& g);
  CppnGradients to_gradients(const Gradients& g) const;

  CppnParameters params_;  // tensor handles sharing storage with the caller's
  const Kernels& kernels_;
  int height_, width_;
  int64_t hw_;
  int64_t features_ = 0;  // 2P
  FloatVec fourier_;      // HW×2P

  // Current forward.
  int64_t images_ = 0, latent_dim_ = 0, channels_ = 0;
  std::vector<Hidden, LineAligned<Hidden>> hidden_;
  std::vector<int> out_;                    // real width of each hidden layer
  std::vector<double> w0t_;                 // layer 0 weight transposed: (2P+L)×16
  std::vector<double> latent_;              // N×L
  FloatVec table_, latent_part_;            // layer 0 in two parts: HW×16 and N×16
  std::vector<double> table_d_, latent_d_;  // the same in double, for layer 0's closed forms
  FloatVec w_out_, b_out_;                  // output layer: C×16 and C
  std::vector<FloatVec> h_;                 // pre-BatchNorm rows of hidden layers 1.., rows×16
  FloatVec dy_;                             // rows×16
  FloatVec out_rows_;                       // rows×C, tanh outputs
  bool have_forward_ = false;
  // One set of sums per row chunk, so that a pass's result does not depend on which thread ran
  // which chunk.
  std::vector<ThreadSums> sums_;
  size_t chunks_ = 1;
  ThreadPool pool_;  // last member: its threads stop before the buffers they use go away
};

void FastGenerator::load_parameters() {
  const size_t layers = params_.weight.size();
  out_.assign(layers - 1, 0);
  for (size_t l = 0; l + 1 < layers; ++l) {
    Hidden& L = hidden_[l];
    std::fill(&L.wt[0][0], &L.wt[0][0] + kSq, 0.f);
    std::fill(&L.w[0][0], &L.w[0][0] + kSq, 0.f);
    std::fill(L.bias, L.bias + kPad, 0.f);
    for (int k = 0; k < kPad; ++k) L.gamma[k] = L.beta[k] = 0.0;
    const at::Tensor w = as_float(params_.weight[l]);
    const int64_t out = w.size(0), in = w.size(1);
    out_[l] = static_cast<int>(out);
    const float* wp = w.data_ptr<float>();
    if (l == 0) {
      w0t_.assign(in * kPad, 0.0);
      for (int64_t o = 0; o < out; ++o)
        for (int64_t j = 0; j < in; ++j) w0t_[j * kPad + o] = wp[o * in + j];
    } else {
      for (int64_t o = 0; o < out; ++o)
        for (int64_t j = 0; j < in; ++j) {
          L.w[o][j] = wp[o * in + j];
          L.wt[j][o] = wp[o * in + j];
        }
    }
    if (present(params_.bias, l)) {
      const at::Tensor b = as_float(params_.bias[l]);
      for (int64_t k = 0; k < out; ++k) L.bias[k] = b.data_ptr<float>()[k];
    }
    const at::Tensor g = as_float(params_.gamma[l]), b = as_float(params_.beta[l]);
    for (int64_t k = 0; k < out; ++k) {
      L.gamma[k] = g.data_ptr<float>()[k];
      L.beta[k] = b.data_ptr<float>()[k];
    }
  }
  const at::Tensor w = as_float(params_.weight[layers - 1]);
  channels_ = w.size(0);
  if (channels_ > kPad)
    throw std::invalid_argument("fast CPPN generator: more than 16 output channels");
  const int64_t in = w.size(1);
  if (in != out_[layers - 2])
    throw std::invalid_argument("fast CPPN generator: output layer input size mismatch");
  w_out_.assign(channels_ * kPad, 0.f);
  b_out_.assign(channels_, 0.f);
  for (int64_t c = 0; c < channels_; ++c)
    for (int64_t j = 0; j < in; ++j) w_out_[c * kPad + j] = w.data_ptr<float>()[c * in + j];
  if (present(params_.bias, layers - 1)) {
    const at::Tensor b = as_float(params_.bias[layers - 1]);
    std::copy(b.data_ptr<float>(), b.data_ptr<float>() + channels_, b_out_.begin());
  }
}

// From the batch mean and biased variance of layer l's stored rows (W·x, bias left out), the
// affine that the next pass applies, y = scale·row + shift.
void FastGenerator::finish_statistics(Hidden& L, const double* mean, const double* var, size_t l) {
  for (int k = 0; k < kPad; ++k) {
    L.var[k] = k < out_[l] ? var[k] : 0.0;
    L.mean_d[k] = k < out_[l] ? mean[k] : 0.0;
    L.mean[k] = static_cast<float>(L.mean_d[k]);
    const double inv = 1.0 / std::sqrt(L.var[k] + kBatchNormEps);
    L.inv_std[k] = static_cast<float>(inv);
    L.scale[k] = static_cast<float>(L.gamma[k] * inv);
    L.shift[k] = static_cast<float>(L.beta[k] - L.gamma[k] * inv * L.mean_d[k]);
  }
}

// Layer 0's W·x = table[pixel] + latent[image]; over all (image, pixel) pairs the two parts
// are independent, so the mean is the sum of the means and the variance the sum of the
// variances.
void FastGenerator::layer0_forward() {
  const int64_t out = out_[0];
  const int64_t n_img = images_;
  table_d_.assign(hw_ * kPad, 0.0);
  latent_d_.assign(n_img * kPad, 0.0);
  // Outputs innermost (w0t_ is input-major): 16 independent sums that vectorise, where an
  // inner loop over inputs would be one dependent chain per output (H·W can be 93×93).
  for (int64_t p = 0; p < hw_; ++p) {
    double* t = &table_d_[p * kPad];
    for (int64_t j = 0; j < features_; ++j) {
      const double f = fourier_[p * features_ + j];
      const double* w = &w0t_[j * kPad];
      for (int o = 0; o < kPad; ++o) t[o] += f * w[o];
    }
  }
  for (int64_t n = 0; n < n_img; ++n) {
    double* t = &latent_d_[n * kPad];
    for (int64_t i = 0; i < latent_dim_; ++i) {
      const double z = latent_[n * latent_dim_ + i];
      const double* w = &w0t_[(features_ + i) * kPad];
      for (int o = 0; o < kPad; ++o) t[o] += z * w[o];
    }
  }
  table_.assign(table_d_.begin(), table_d_.end());
  latent_part_.assign(latent_d_.begin(), latent_d_.end());
  double mean[kPad] = {}, var[kPad] = {};
  for (int64_t o = 0; o < out; ++o) {
    double mt = 0, ml = 0, vt = 0, vl = 0;
    for (int64_t p = 0; p < hw_; ++p) mt += table_d_[p * kPad + o];
    for (int64_t n = 0; n < n_img; ++n) ml += latent_d_[n * kPad + o];
    mt /= hw_;
    ml /= n_img;
    for (int64_t p = 0; p < hw_; ++p)
      vt += (table_d_[p * kPad + o] - mt) * (table_d_[p * kPad + o] - mt);
    for (int64_t n = 0; n < n_img; ++n)
      vl += (latent_d_[n * kPad + o] - ml) * (latent_d_[n * kPad + o] - ml);
    mean[o] = mt + ml;
    var[o] = vt / hw_ + vl / n_img;
  }
  finish_statistics(hidden_[0], mean, var, 0);
}

RowSource FastGenerator::source(size_t l) const {
  RowSource s;
  if (l == 0) {
    s.table = table_.data();
    s.latent = latent_part_.data();
  } else {
    s.h = h_[l - 1].data();
  }
  return s;
}

// Runs `kernel` over all rows, split into contiguous chunks, each chunk with its own zeroed sums
// (by_pixel/by_image sized as asked).
void FastGenerator::run_pass(int64_t rows, size_t by_pixel, size_t by_image, Kernel kernel,
                             const Pass& pass) {
  // The chunks depend on the number of rows only, never on the thread count, so results are
  // the same on any number of threads. Several chunks per thread let the work balance when a
  // core is shared; the pass that sums dy per pixel uses fewer, as each of its chunks has an
  // H·W×16 array to clear and add up.
  const int64_t most = by_pixel > 0 ? kMostPixelSumChunks : kMostChunks;
  chunks_ = static_cast<size_t>(std::clamp<int64_t>(rows / kChunkRows, 1, most));
  if (sums_.size() < chunks_) sums_.resize(chunks_);
  for (size_t c = 0; c < chunks_; ++c) {
    ThreadSums& s = sums_[c];
    s.s1.assign(kPad, 0.0);
    s.s2.assign(kPad, 0.0);
    s.dw.assign(kSq, 0.0);
    s.db.assign(kPad, 0.0);
    s.by_pixel.assign(by_pixel, 0.0);
    s.by_image.assign(by_image, 0.0);
  }
  const int64_t chunks = static_cast<int64_t>(chunks_);
  pool_.run(chunks, [&](long c) {
    kernel(pass, rows * c / chunks, rows * (c + 1) / chunks, sums_[static_cast<size_t>(c)]);
  });
}

void FastGenerator::reduce_sums(std::vector<double>& s1, std::vector<double>& s2,
                                std::vector<double>* dw, std::vector<double>* db,
                                std::vector<double>* by_pixel, std::vector<double>* by_image) {
  auto add = [&](std::vector<double>* dst, DoubleVec ThreadSums::*member) {
    if (!dst) return;
    dst->assign((sums_[0].*member).size(), 0.0);
    for (size_t t = 0; t < chunks_; ++t) {
      const DoubleVec& src = sums_[t].*member;
      for (size_t i = 0; i < src.size(); ++i) (*dst)[i] += src[i];
    }
  };
  add(&s1, &ThreadSums::s1);
  add(&s2, &ThreadSums::s2);
  add(dw, &ThreadSums::dw);
  add(db, &ThreadSums::db);
  add(by_pixel, &ThreadSums::by_pixel);
  add(by_image, &ThreadSums::by_image);
}

at::Tensor FastGenerator::forward(const at::Tensor& latent_encoding, BatchStats* stats) {
  const at::Tensor z = latent_encoding.detach().to(at::kDouble).contiguous();
  if (z.dim() != 2) throw std::invalid_argument("fast CPPN generator: latent must be N×L");
  images_ = z.size(0);
  latent_dim_ = z.size(1);
  if (params_.weight[0].size(1) != features_ + latent_dim_)
    throw std::invalid_argument("fast CPPN generator: latent size does not match layer 0");
  latent_.assign(z.data_ptr<double>(), z.data_ptr<double>() + z.numel());
  load_parameters();
  layer0_forward();

  const size_t last = hidden_.size() - 1;  // last hidden layer
  const int64_t rows = images_ * hw_;
  h_.resize(last);
  for (auto& h : h_) h.resize(rows * kPad);
  std::vector<double> s1, s2;
  for (size_t l = 1; l <= last; ++l) {
    Pass pass;
    pass.in = source(l - 1);
    pass.prev = &hidden_[l - 1];
    pass.cur = &hidden_[l];
    pass.h_out = h_[l - 1].data();
    pass.hw = hw_;
    run_pass(rows, 0, 0, kernels_.forward_hidden, pass);
    reduce_sums(s1, s2, nullptr, nullptr, nullptr, nullptr);
    double mean[kPad], var[kPad];
    for (int k = 0; k < kPad; ++k) {
      mean[k] = s1[k] / rows;
      var[k] = std::max(0.0, s2[k] / rows - mean[k] * mean[k]);
    }
    finish_statistics(hidden_[l], mean, var, l);
  }

  at::Tensor images = at::empty({images_, channels_, height_, width_}, at::kFloat);
  out_rows_.resize(rows * channels_);
  {
    Pass pass;
    pass.in = source(last);
    pass.prev = &hidden_[last];
    pass.w_out = w_out_.data();
    pass.b_out = b_out_.data();
    pass.channels = static_cast<int>(channels_);
    pass.out_rows = out_rows_.data();
    pass.images = images.data_ptr<float>();
    pass.hw = hw_;
    run_pass(rows, 0, 0, kernels_.forward_output, pass);
  }

  if (stats) {
    stats->mean.clear();
    stats->var.clear();
    for (size_t l = 0; l <= last; ++l) {
      at::Tensor m = at::empty({out_[l]}, at::kFloat), v = at::empty({out_[l]}, at::kFloat);
      for (int k = 0; k < out_[l]; ++k) {
        m.data_ptr<float>()[k] = static_cast<float>(hidden_[l].bias[k] + hidden_[l].mean_d[k]);
        v.data_ptr<float>()[k] = static_cast<float>(hidden_[l].var[k]);
      }
      stats->mean.push_back(m);
      stats->var.push_back(v);
    }
  }
  have_forward_ = true;
  return images;
}

// BatchNorm backward coefficients of layer l from Σdy and Σdy·x̂ over the rows.
void FastGenerator::set_backward(Hidden& L, const std::vector<double>& s1,
                                 const std::vector<double>& s2) {
  const double rows = static_cast<double>(images_ * hw_);
  for (int k = 0; k < kPad; ++k) {
    L.grad_scale[k] = static_cast<float>(L.gamma[k] / std::sqrt(L.var[k] + kBatchNormEps));
    L.mean_dy[k] = static_cast<float>(s1[k] / rows);
    L.mean_dy_xhat[k] = static_cast<float>(s2[k] / rows);
  }
}

// A gradient from padded double sums: rows×cols read with `stride`, or a vector when rows < 0.
at::Tensor to_tensor(const std::vector<double>& v, int64_t rows, int64_t cols, int64_t stride) {
  at::Tensor t = rows < 0 ? at::empty({cols}, at::kFloat) : at::empty({rows, cols}, at::kFloat);
  float* d = t.data_ptr<float>();
  for (int64_t i = 0; i < std::max<int64_t>(rows, 1); ++i)
    for (int64_t j = 0; j < cols; ++j) d[i * cols + j] = static_cast<float>(v[i * stride + j]);
  return t;
}

// The backward passes' results, in double and padded: dw[l] is out×16 (layer 0: out×in); s1, s2
// and by_pixel / by_image are the sums the pass just finished handed on to the next one.
struct FastGenerator::Gradients {
  std::vector<std::vector<double>> dw, db, dgamma, dbeta;
  std::vector<double> s1, s2, by_pixel, by_image;
};

// The output layer: dW_out, db_out, and the last hidden layer's dy.
void FastGenerator::backward_output(const float* grad, Gradients& g) {
  const size_t last = hidden_.size() - 1, layers = params_.weight.size();
  const bool sums = last == 0;  // the last hidden layer is layer 0: sum dy instead of storing it
  Pass pass;
  pass.in = source(last);
  pass.prev = &hidden_[last];
  pass.dy = dy_.data();
  pass.store_dy = !sums;
  pass.w_out = w_out_.data();
  pass.channels = static_cast<int>(channels_);
  pass.out_rows = out_rows_.data();
  pass.grad = grad;
  pass.hw = hw_;
  run_pass(images_ * hw_, sums ? hw_ * kPad : 0, sums ? images_ * kPad : 0,
           kernels_.backward_output, pass);
  reduce_sums(g.s1, g.s2, &g.dw[layers - 1], &g.db[layers - 1], sums ? &g.by_pixel : nullptr,
              sums ? &g.by_image : nullptr);
}

// Hidden layers last..1: each pass finishes layer l's BatchNorm backward (dγ, dβ), forms dW_l
// and hands dy on to layer l − 1.
void FastGenerator::backward_hidden(Gradients& g) {
  for (size_t l = hidden_.size() - 1; l >= 1; --l) {
    Hidden& cur = hidden_[l];
    set_backward(cur, g.s1, g.s2);
    g.dgamma[l] = g.s2;
    g.dbeta[l] = g.s1;
    const bool store = l > 1;
    Pass pass;
    pass.in = source(l - 1);
    pass.prev = &hidden_[l - 1];
    pass.cur = &cur;
    pass.h_cur = h_[l - 1].data();
    pass.dy = dy_.data();
    pass.store_dy = store;
    pass.hw = hw_;
    run_pass(images_ * hw_, store ? 0 : hw_ * kPad, store ? 0 : images_ * kPad,
             kernels_.backward_hidden, pass);
    reduce_sums(g.s1, g.s2, &g.dw[l], nullptr, store ? nullptr : &g.by_pixel,
                store ? nullptr : &g.by_image);
  }
}

// Layer 0 in closed form. With dh = k·(dy − m1 − x̂·m2) and x̂ = (T[p] + Z[n] − μ)·inv,
// Σ over images of dh at pixel p and Σ over pixels of dh in image n need only the per-pixel
// and per-image sums of dy; then dW0 = [Σ_p D[p] ⊗ F[p], Σ_n E[n] ⊗ z[n]].
void FastGenerator::backward_layer0(Gradients& g) {
  Hidden& L = hidden_[0];
  set_backward(L, g.s1, g.s2);
  g.dgamma[0] = g.s2;
  g.dbeta[0] = g.s1;
  const int64_t out = out_[0], in = features_ + latent_dim_;
  const double n_img = static_cast<double>(images_), n_pix = static_cast<double>(hw_);
  std::vector<double> sum_t(kPad, 0.0), sum_z(kPad, 0.0);
  for (int64_t p = 0; p < hw_; ++p)
    for (int o = 0; o < kPad; ++o) sum_t[o] += table_d_[p * kPad + o];
  for (int64_t n = 0; n < images_; ++n)
    for (int o = 0; o < kPad; ++o) sum_z[o] += latent_d_[n * kPad + o];
  // Per output o: D[p] = Σ over images of dh at pixel p, E[n] = Σ over pixels of dh in
  // image n; accumulated input-major (outputs innermost, as in layer0_forward).
  double k[kPad] = {}, m1[kPad] = {}, m2[kPad] = {}, mu[kPad] = {}, inv[kPad] = {};
  for (int64_t o = 0; o < out; ++o) {
    m1[o] = g.s1[o] / (n_img * n_pix);
    m2[o] = g.s2[o] / (n_img * n_pix);
    mu[o] = L.mean_d[o];
    inv[o] = 1.0 / std::sqrt(L.var[o] + kBatchNormEps);
    k[o] = L.gamma[o] * inv[o];
  }
  std::vector<double> dwt(in * kPad, 0.0);
  double d[kPad];
  for (int64_t p = 0; p < hw_; ++p) {
    for (int o = 0; o < kPad; ++o) {
      const double xhat_sum = inv[o] * (n_img * (table_d_[p * kPad + o] - mu[o]) + sum_z[o]);
      d[o] = k[o] * (g.by_pixel[p * kPad + o] - n_img * m1[o] - m2[o] * xhat_sum);
    }
    for (int64_t j = 0; j < features_; ++j) {
      const double f = fourier_[p * features_ + j];
      for (int o = 0; o < kPad; ++o) dwt[j * kPad + o] += f * d[o];
    }
  }
  for (int64_t n = 0; n < images_; ++n) {
    for (int o = 0; o < kPad; ++o) {
      const double xhat_sum = inv[o] * (n_pix * (latent_d_[n * kPad + o] - mu[o]) + sum_t[o]);
      d[o] = k[o] * (g.by_image[n * kPad + o] - n_pix * m1[o] - m2[o] * xhat_sum);
    }
    for (int64_t i = 0; i < latent_dim_; ++i) {
      const double z = latent_[n * latent_dim_ + i];
      for (int o = 0; o < kPad; ++o) dwt[(features_ + i) * kPad + o] += z * d[o];
    }
  }
  g.dw[0].assign(out * in, 0.0);
  for (int64_t o = 0; o < out; ++o)
    for (int64_t j = 0; j < in; ++j) g.dw[0][o * in + j] = dwt[j * kPad + o];
}

// The padded double sums as float tensors in the parameters' layout.
CppnGradients FastGenerator::to_gradients(const Gradients& g) const {
  const size_t layers = params_.weight.size();
  CppnGradients grads;
  grads.latent_encoding_size = params_.latent_encoding_size;
  for (size_t l = 0; l < layers; ++l) {
    const bool hidden = l + 1 < layers;
    const int64_t out = hidden ? out_[l] : channels_;
    const int64_t in = params_.weight[l].size(1);
    grads.weight.push_back(to_tensor(g.dw[l], out, in, l == 0 ? in : kPad));
    // A hidden layer's bias is cancelled by its BatchNorm: its gradient is exactly 0 (LibTorch
    // returns rounding noise there, which Adam's normalisation turns into a random walk).
    grads.bias.push_back(!present(params_.bias, l) ? at::Tensor()
                         : hidden                  ? at::zeros({out}, at::kFloat)
                                                   : to_tensor(g.db[l], -1, out, out));
    if (hidden) {
      grads.gamma.push_back(to_tensor(g.dgamma[l], -1, out, out));
      grads.beta.push_back(to_tensor(g.dbeta[l], -1, out, out));
    }
  }
  return grads;
}

CppnGradients FastGenerator::backward(const at::Tensor& grad_images) {
  if (!have_forward_) throw std::logic_error("fast CPPN generator: backward before forward");
  const at::Tensor grad = as_float(grad_images);
  if (grad.numel() != images_ * channels_ * hw_)
    throw std::invalid_argument("fast CPPN generator: grad_images shape differs from forward");
  const size_t layers = params_.weight.size();
  dy_.resize(images_ * hw_ * kPad);
  Gradients g;
  g.dw.resize(layers);
  g.db.resize(layers);
  g.dgamma.resize(layers - 1);
  g.dbeta.resize(layers - 1);
  backward_output(grad.data_ptr<float>(), g);
  backward_hidden(g);
  backward_layer0(g);
  return to_gradients(g);
}

}  // namespace

const char* fast_cppn_instruction_set() { return kernels().name; }

std::unique_ptr<CppnGenerator> make_fast_generator(const CppnParameters& params, int height,
                                                   int width) {
  return std::make_unique<FastGenerator>(params, height, width);
}

}  // namespace invex

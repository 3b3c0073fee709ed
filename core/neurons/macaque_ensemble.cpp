// The fast pass computes what macaque_model.cpp's literal pass computes, rearranged:
// - BatchNorm (inference mode) is folded into the convolution before it, as a bias.
// - The three models run as one network of 96 channels: layer 0 is one 1→96 convolution, the
//   depthwise convolutions have 96 groups, the 1×1 convolutions are one batched matrix product
//   (3 blocks of 32×32; 2–3× faster than oneDNN's grouped 1×1 convolution at these sizes), and
//   the squeeze-and-excitation weights are block-diagonal. Fewer, larger ops.
// - The core runs on the four 2×2 phases of its 70×70 maps, as a batch of 35×35 maps. A 9×9
//   convolution with dilation 2 only mixes pixels of one phase, so on the phases it is a plain
//   9×9 convolution with padding 4, which oneDNN runs 15× faster than the dilated one (that
//   falls back to a slow path). 1×1 convolutions, BatchNorm, ELU and the excitation's mean do
//   not care how pixels are arranged, and layer 0 produces the phases directly: phase (p, q) is
//   the stride-2 convolution of the image cropped to start at (p, q). No map is ever permuted.
// - One neuron's readout is linear in the last layer's output: a fixed map R (96×70×70, a few
//   hundred non-zero pixels per channel) found once by differentiating the literal readout. The
//   last excitation scales R's channels instead of the map.
// - Images are independent (BatchNorm uses its running statistics), so a batch runs as chunks of
//   a few images, on the compute threads (support/thread_pool.h). Small chunks also keep each
//   tensor under glibc's 32 MB mmap ceiling: a larger one is mapped afresh and page-faulted at
//   every op, 4× slower.
// The input gradient is written out layer by layer (no autograd graph), reusing the forward's
// activations; every transposed op is again a fast one (depthwise kernels rotated by 180°, the
// 1×1 blocks transposed, a transposed stride-2 convolution for layer 0).
#include "core/neurons/macaque_ensemble.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/autograd.h>

#include <algorithm>
#include <functional>
#include <mutex>
#include <vector>

#include "core/support/thread_pool.h"

namespace invex {
namespace {

constexpr int64_t kModels = 3;
constexpr int64_t kC = kMacaqueChannels;            // channels of one model
constexpr int64_t kStacked = kModels * kC;          // channels of the three models together
constexpr int64_t kPhases = 4;                      // 2×2 phases of a 70×70 map
constexpr int64_t kSide = kMacaqueFeatureSize / 2;  // 35: a phase's side
constexpr int64_t kPhasePixels = kSide * kSide;
constexpr int64_t kCrop = 2 * (kSide - 1) + kMacaqueKernel0;  // 92: input rows one phase sees
constexpr int64_t kChunkImages = 2;
constexpr double kBatchNormEps = 1e-5;

static_assert(kMacaqueFeatureSize % 2 == 0, "the core's maps split into 2×2 phases");

// conv2d without the ambiguity between integer and string padding.
at::Tensor conv(const at::Tensor& x, const at::Tensor& w, const at::Tensor& bias, int64_t stride,
                int64_t padding, int64_t groups) {
  return at::conv2d(x, w, bias, at::IntArrayRef{stride, stride}, at::IntArrayRef{padding, padding},
                    at::IntArrayRef{1, 1}, groups);
}

// (scale, shift) with batch_norm(x) = scale·x + shift, per channel.
std::pair<at::Tensor, at::Tensor> fold(const MacaqueBatchNorm& n) {
  auto scale = n.weight / at::sqrt(n.running_var + kBatchNormEps);
  return {scale, n.bias - n.running_mean * scale};
}

// A 1×1 convolution of each model's 32 channels by its own 32×32 matrix (w: 3×32×32), on a
// (c·4)×96×35×35 map.
at::Tensor mix_channels(const at::Tensor& x, const at::Tensor& w) {
  const int64_t b = x.size(0);
  return at::matmul(w, x.view({b, kModels, kC, kPhasePixels})).view(x.sizes());
}

// N×C×70×70 → (N·4)×C×35×35, phase (p, q) = pixels (2i + p, 2j + q) at batch index 4n + 2p + q.
at::Tensor to_phases(const at::Tensor& x) {
  const int64_t n = x.size(0), c = x.size(1);
  return x.reshape({n, c, kSide, 2, kSide, 2})
      .permute({0, 3, 5, 1, 2, 4})
      .reshape({n * kPhases, c, kSide, kSide});
}

// c×1×93×93 → (c·4)×1×92×92: the crop starting at (p, q) for phase 2p + q.
at::Tensor phase_crops(const at::Tensor& images) {
  std::vector<at::Tensor> crops;
  for (int p = 0; p < 2; ++p)
    for (int q = 0; q < 2; ++q) crops.push_back(images.narrow(2, p, kCrop).narrow(3, q, kCrop));
  return at::stack(crops, 1).view({images.size(0) * kPhases, 1, kCrop, kCrop});
}

// Views a (c·4)×96×35×35 map as c×4×96×1225, so that per-image, per-channel factors broadcast.
at::Tensor by_channel(const at::Tensor& x, int64_t c) {
  return x.view({c, kPhases, kStacked, kPhasePixels});
}
at::Tensor per_channel(const at::Tensor& v, int64_t c) { return v.view({c, 1, kStacked, 1}); }

struct Excitation {
  at::Tensor hidden;  // c×6, before the ReLU
  at::Tensor scale;   // c×96, the sigmoid's output
};

}  // namespace

struct MacaqueEnsemble::Weights {
  struct Layer {
    at::Tensor in_depth, in_depth_t;              // 3×32×32, and each block transposed
    at::Tensor spatial, spatial_flipped;          // 96×1×9×9, and rotated by 180°
    at::Tensor out_depth, out_depth_t, out_bias;  // 3×32×32 with BatchNorm folded in; 96
    at::Tensor squeeze, squeeze_bias;             // 6×96 block-diagonal, 6
    at::Tensor excite, excite_bias;               // 96×6 block-diagonal, 96
  };
  at::Tensor conv0, bias0;  // 96×1×24×24, 96: BatchNorm folded in
  std::array<Layer, 2> layers;
  at::Tensor readout;       // 4×96×35×35: the readout map R, by phase
  at::Tensor readout_bias;  // 3
};

namespace {

using Weights = MacaqueEnsemble::Weights;
using Layer = Weights::Layer;

at::Tensor stack_models(const std::function<at::Tensor(int)>& part) {
  std::vector<at::Tensor> parts;
  for (int i = 0; i < kModels; ++i) parts.push_back(part(i));
  return at::cat(parts, 0).contiguous();
}

Layer stack_layer(const MacaqueModels& m, int l) {
  auto layer = [&](int i) -> const MacaqueSeparableLayer& { return m.models[i].layers[l]; };
  Layer s;
  s.in_depth = stack_models([&](int i) { return layer(i).in_depth; }).view({kModels, kC, kC});
  s.in_depth_t = s.in_depth.transpose(1, 2).contiguous();
  s.spatial = stack_models([&](int i) { return layer(i).spatial; });
  s.spatial_flipped = s.spatial.flip({2, 3}).contiguous();
  s.out_depth = stack_models([&](int i) {
                  return layer(i).out_depth * fold(layer(i).norm).first.view({kC, 1, 1, 1});
                }).view({kModels, kC, kC});
  s.out_depth_t = s.out_depth.transpose(1, 2).contiguous();
  s.out_bias = stack_models([&](int i) { return fold(layer(i).norm).second; });
  std::vector<at::Tensor> sq, ex;
  for (int i = 0; i < kModels; ++i) {
    sq.push_back(layer(i).squeeze_weight);
    ex.push_back(layer(i).excite_weight);
  }
  s.squeeze = at::block_diag(sq).contiguous();
  s.excite = at::block_diag(ex).contiguous();
  s.squeeze_bias = stack_models([&](int i) { return layer(i).squeeze_bias; });
  s.excite_bias = stack_models([&](int i) { return layer(i).excite_bias; });
  return s;
}

// d y_index / d core: the readout is linear in the core's output, so its gradient at any map
// is the map of weights it applies (grid_sample's bilinear weights times the pooling windows
// times the feature weights), 1×32×70×70.
at::Tensor readout_map(const MacaqueReadout& r, int64_t index) {
  at::AutoGradMode grad_on(true);
  auto x = at::zeros({1, kC, kMacaqueFeatureSize, kMacaqueFeatureSize}).requires_grad_(true);
  auto y = macaque_readout(r, x).select(1, index).sum();
  return torch::autograd::grad({y}, {x})[0];
}

Weights stack_weights(const MacaqueModels& m, const std::string& key, int64_t index) {
  Weights w;
  w.conv0 = stack_models([&](int i) {
    return m.models[i].conv0 * fold(m.models[i].norm0).first.view({kC, 1, 1, 1});
  });
  w.bias0 = stack_models([&](int i) { return fold(m.models[i].norm0).second; });
  for (int l = 0; l < 2; ++l) w.layers[l] = stack_layer(m, l);
  auto map = at::cat({readout_map(m.models[0].readouts.at(key), index),
                      readout_map(m.models[1].readouts.at(key), index),
                      readout_map(m.models[2].readouts.at(key), index)},
                     1);
  w.readout = to_phases(map).contiguous();
  w.readout_bias =
      stack_models([&](int i) { return m.models[i].readouts.at(key).bias.narrow(0, index, 1); });
  return w;
}

// ---- forward ----

// Depth-separable convolution → BatchNorm → ELU, on phases.
at::Tensor separable_forward(const Layer& l, const at::Tensor& x) {
  auto u = mix_channels(x, l.in_depth);
  auto v = conv(u, l.spatial, {}, 1, 4, kStacked);
  auto z = mix_channels(v, l.out_depth) + l.out_bias.view({1, kStacked, 1, 1});
  return at::elu_(z);
}

Excitation excite(const Layer& l, const at::Tensor& h, int64_t c) {
  auto mean = by_channel(h, c).mean({1, 3});
  auto hidden = at::addmm(l.squeeze_bias, mean, l.squeeze.t());
  return {hidden, at::sigmoid(at::addmm(l.excite_bias, at::relu(hidden), l.excite.t()))};
}

// The activations of a chunk of c images that the input gradient needs.
struct Chunk {
  int64_t images = 0;
  at::Tensor h0, h1, h2;  // outputs of layers 0, 1, 2 (after the ELU, before excitation)
  Excitation e1, e2;
  at::Tensor sampled;  // c×96: ⟨R_k, h2_k⟩ per channel k
  at::Tensor y;        // c×3: each model's readout before elu(·) + 1
};

Chunk forward_chunk(const Weights& w, const at::Tensor& images) {
  Chunk k;
  const int64_t c = k.images = images.size(0);
  k.h0 = conv(phase_crops(images), w.conv0, w.bias0, 2, 0, 1);
  at::elu_(k.h0);
  k.h1 = separable_forward(w.layers[0], k.h0);
  k.e1 = excite(w.layers[0], k.h1, c);
  auto x1 = (by_channel(k.h1, c) * per_channel(k.e1.scale, c)).view_as(k.h1);
  k.h2 = separable_forward(w.layers[1], x1);
  k.e2 = excite(w.layers[1], k.h2, c);
  k.sampled =
      (by_channel(k.h2, c) * w.readout.view({1, kPhases, kStacked, kPhasePixels})).sum({1, 3});
  k.y = (k.sampled * k.e2.scale).view({c, kModels, kC}).sum(2) + w.readout_bias;
  return k;
}

at::Tensor chunk_responses(const Chunk& k) { return at::elu(k.y) + 1; }

// ---- input gradient ----

// d mean / given d scale of an excitation, c×96.
at::Tensor excite_backward(const Layer& l, const Excitation& e, const at::Tensor& d_scale) {
  auto d_pre = d_scale * e.scale * (1 - e.scale);
  auto d_hidden = at::mm(d_pre, l.excite) * (e.hidden > 0);
  return at::mm(d_hidden, l.squeeze);
}

// Gradient at a separable layer's input, given the gradient at its output h.
at::Tensor separable_backward(const Layer& l, const at::Tensor& dh, const at::Tensor& h) {
  auto dz = at::elu_backward(dh, 1, 1, 1, /*is_result=*/true, h);
  auto dv = mix_channels(dz, l.out_depth_t);
  auto du = conv(dv, l.spatial_flipped, {}, 1, 4, kStacked);
  return mix_channels(du, l.in_depth_t);
}

// Gradient at h given the gradient at x = h·s (s the excitation of h's mean): the direct term
// and the one through the mean, which spreads evenly over the 70×70 pixels.
at::Tensor excitation_backward(const Layer& l, const Excitation& e, const at::Tensor& dx,
                               const at::Tensor& h, int64_t c) {
  auto d_scale = (by_channel(dx, c) * by_channel(h, c)).sum({1, 3});
  auto d_mean = excite_backward(l, e, d_scale) / (kPhases * kPhasePixels);
  return (by_channel(dx, c) * per_channel(e.scale, c) + per_channel(d_mean, c)).view_as(h);
}

// d(Σ_n weight_n · response_n)/d images for a chunk, c×1×93×93.
at::Tensor backward_chunk(const Weights& w, const Chunk& k, const at::Tensor& weights) {
  const int64_t c = k.images;
  const auto& l1 = w.layers[0];
  const auto& l2 = w.layers[1];
  // response = mean over models of elu(y) + 1; elu'(y) = 1 above 0, exp(y) below.
  auto dy = at::where(k.y > 0, at::ones_like(k.y), at::exp(k.y)) * weights.view({c, 1}) /
            static_cast<double>(kModels);
  auto dy_channel = dy.repeat_interleave(kC, 1);  // c×96: each channel's model
  auto d_mean2 = excite_backward(l2, k.e2, dy_channel * k.sampled) / (kPhases * kPhasePixels);
  auto dh2 = (w.readout.view({1, kPhases, kStacked, kPhasePixels}) *
                  per_channel(dy_channel * k.e2.scale, c) +
              per_channel(d_mean2, c))
                 .view_as(k.h2);
  auto dx1 = separable_backward(l2, dh2, k.h2);
  auto dh1 = excitation_backward(l1, k.e1, dx1, k.h1, c);
  auto dh0 = separable_backward(l1, dh1, k.h1);
  auto da0 = at::elu_backward(dh0, 1, 1, 1, /*is_result=*/true, k.h0);
  auto d_crops = at::conv_transpose2d(da0, w.conv0, {}, 2).view({c, kPhases, kCrop, kCrop});
  auto grad = at::zeros({c, 1, kMacaqueImageSize, kMacaqueImageSize}, da0.options());
  for (int p = 0; p < 2; ++p)
    for (int q = 0; q < 2; ++q)
      grad.narrow(2, p, kCrop).narrow(3, q, kCrop).add_(d_crops.select(1, 2 * p + q).unsqueeze(1));
  return grad;
}

// ---- chunks on threads ----

// task(i) for every chunk i, on the compute threads (support/thread_pool.h). Grad mode is per
// thread, and so is the OpenMP thread count LibTorch's ops read: each task sets both.
void run_chunks(int64_t tasks, const std::function<void(int64_t)>& task) {
  parallel_for(tasks, [&](long i) {
    static thread_local bool threads_set = false;
    if (!threads_set) {
      at::init_num_threads();
      threads_set = true;
    }
    at::NoGradGuard no_grad;
    task(i);
  });
}

int64_t chunk_count(int64_t n) { return (n + kChunkImages - 1) / kChunkImages; }
at::Tensor chunk_of(const at::Tensor& x, int64_t i) {
  const int64_t start = i * kChunkImages;
  return x.narrow(0, start, std::min(kChunkImages, x.size(0) - start));
}

}  // namespace

MacaqueEnsemble::MacaqueEnsemble(const MacaqueModels& models, const std::string& data_key,
                                 int64_t index) {
  models.check_neuron(data_key, index);
  height = width = kMacaqueImageSize;
  channels = 1;
  at::NoGradGuard no_grad;
  w_ = std::make_unique<Weights>(stack_weights(models, data_key, index));
}

MacaqueEnsemble::~MacaqueEnsemble() = default;

at::Tensor MacaqueEnsemble::model_responses(const at::Tensor& images) const {
  check_image_shape(*this, images, "macaque neuron input");
  auto x = images.to(at::kFloat).contiguous();
  const int64_t n = x.size(0);
  if (at::GradMode::is_enabled() && x.requires_grad()) {
    // Autograd records the graph: chunks in turn on this thread.
    std::vector<at::Tensor> parts;
    for (int64_t i = 0; i < chunk_count(n); ++i)
      parts.push_back(chunk_responses(forward_chunk(*w_, chunk_of(x, i))));
    return at::cat(parts);
  }
  auto out = at::empty({n, kModels});
  run_chunks(chunk_count(n), [&](int64_t i) {
    chunk_of(out, i).copy_(chunk_responses(forward_chunk(*w_, chunk_of(x, i))));
  });
  return out;
}

at::Tensor MacaqueEnsemble::forward(const at::Tensor& images) const {
  return model_responses(images).mean(1);
}

at::Tensor MacaqueEnsemble::forward_and_input_gradient(const at::Tensor& images,
                                                       const at::Tensor& weights,
                                                       at::Tensor* responses) const {
  check_image_shape(*this, images, "macaque neuron input");
  const int64_t n = images.size(0);
  if (weights.dim() != 1 || weights.size(0) != n)
    throw ConfigError("macaque neuron input gradient: expected " + std::to_string(n) +
                      " weights, one per image");
  auto x = images.detach().to(at::kFloat).contiguous();
  auto wt = weights.detach().to(at::kFloat).contiguous();
  auto grad = at::empty_like(x);
  auto r = at::empty({n});
  run_chunks(chunk_count(n), [&](int64_t i) {
    Chunk k = forward_chunk(*w_, chunk_of(x, i));
    chunk_of(r, i).copy_(chunk_responses(k).mean(1));
    chunk_of(grad, i).copy_(backward_chunk(*w_, k, chunk_of(wt, i)));
  });
  if (responses) *responses = r;
  return grad.to(images.scalar_type());
}

at::Tensor MacaqueEnsemble::input_gradient(const at::Tensor& images,
                                           const at::Tensor& weights) const {
  return forward_and_input_gradient(images, weights, nullptr);
}

at::Tensor MacaqueEnsemble::filters() const {
  // Computed when first asked for: evaluating images does not need it.
  std::call_once(receptive_field_once_, [this] {
    auto grey = at::zeros({1, 1, kMacaqueImageSize, kMacaqueImageSize});
    receptive_field_ = input_gradient(grey, at::ones({1})).squeeze(1);
  });
  return receptive_field_;
}

std::unique_ptr<MacaqueEnsemble> make_macaque_ensemble(const std::string& model_dir,
                                                       const std::string& data_key, int64_t index) {
  return std::make_unique<MacaqueEnsemble>(load_macaque_models(model_dir), data_key, index);
}

}  // namespace invex

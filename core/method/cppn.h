// The CPPN generator of method.md §2 in training form (internal: needs ATen).
// Two implementations share this interface: the reference one built from LibTorch ops and
// autograd, and a fused hand-written one for speed; a test holds them to the same numbers.
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/run/config.h"
#include "core/run/frozen_cppn.h"

namespace invex {

// Trainable state. Layer l has weight (out×in) and, when the config asks for biases, bias
// (out; an undefined tensor otherwise); every layer but the last also has BatchNorm gamma and
// beta (out). Float32, contiguous, CPU.
struct CppnParameters {
  at::Tensor fourier;  // B, 2×P: fixed, drawn at construction
  std::vector<at::Tensor> weight, bias, gamma, beta;
  int latent_encoding_size = 0;  // L: 2 per periodic dimension, 1 per non-periodic one

  // The trainable tensors with their names, in the one order that gradients, optimiser state
  // and saved runs use: layer0.weight, layer0.bias, layer0.gamma, layer0.beta, layer1.weight,
  // ... (no bias entries without biases; no gamma and beta on the output layer).
  std::vector<std::pair<std::string, at::Tensor>> named() const;
  std::vector<at::Tensor> list() const;  // named()'s tensors
  // A copy whose trainable tensors are `list`, in named()'s order (e.g. autograd's gradients).
  CppnParameters with_trainable(const std::vector<at::Tensor>& list) const;
  CppnParameters clone() const;
};

// Gradients of a scalar loss have the parameters' layout; `fourier` stays undefined (it is fixed).
using CppnGradients = CppnParameters;

// Draws the parameters from cfg (weights N(0, weight_std), biases 0, γ 1, β 0, B N(0,1)·scale)
// using `seed`.
CppnParameters init_cppn_parameters(const CppnConfig& cfg, const std::vector<bool>& periodic,
                                    unsigned long long seed);

// Fourier features of the H×W pixel grid: (H·W)×2P, rows in row-major pixel order.
at::Tensor fourier_features(const at::Tensor& fourier, int height, int width);

// Latent encoding (method.md §2), N×L, already multiplied by aux_dim_scale. z: N×D radians.
at::Tensor encode_latents(const at::Tensor& z, const std::vector<bool>& periodic,
                          double aux_dim_scale);

// Batch statistics of each hidden layer's pre-BatchNorm activations: mean and biased variance.
struct BatchStats {
  std::vector<at::Tensor> mean, var;
};

class CppnGenerator {
 public:
  virtual ~CppnGenerator() = default;
  // Raw images N×C×H×W in (−1, 1), BatchNorm over all N·H·W rows (training mode). When
  // `stats` is given, the batch statistics used are stored there.
  virtual at::Tensor forward(const at::Tensor& latent_encoding, BatchStats* stats = nullptr) = 0;
  // Gradients of a scalar loss with respect to every trainable parameter, given dLoss/dImages
  // for the last forward.
  virtual CppnGradients backward(const at::Tensor& grad_images) = 0;
};

std::unique_ptr<CppnGenerator> make_reference_generator(const CppnParameters& params, int height,
                                                        int width);
// The fused forward and backward (cppn_fast.cpp), the default; callers choose the reference one
// with the runtime switch INVEX_REFERENCE_CPPN (support/runtime_switches.h).
std::unique_ptr<CppnGenerator> make_fast_generator(const CppnParameters& params, int height,
                                                   int width);

// The instruction set of the kernels make_fast_generator picks now, for this CPU and the
// INVEX_FAST_CPPN_ISA switch: "avx512", "avx2", "sse2" (or "generic" off x86-64 GCC).
const char* fast_cppn_instruction_set();

// Fold BatchNorm with frozen statistics into each layer, for rendering (method.md §2.3).
FrozenCppn freeze_cppn(const CppnParameters& params, const BatchStats& stats,
                       const std::vector<bool>& periodic, double aux_dim_scale, int channels);

}  // namespace invex

// Tiny TorchScript modules for the tests of the torchscript neuron, built from TorchScript
// source in C++ (no Python, no binary in the repository): make_test_models writes them at build
// time, and the tests know their weights from the formulas below.
#pragma once

#include <string>

namespace invex::testing {

// Side of the square 1×S×S images every test module takes.
constexpr int kTestModelSide = 12;

// Weight of pixel (row i, column j) of filter k (0, 1, 2): plain formulas, so a test can compute
// a response or a gradient by hand.
inline double test_filter_weight(int k, int i, int j) {
  switch (k) {
    case 0:
      return 0.1 * (i - 5.5) + 0.05 * (j - 5.5) * (j - 5.5) / 5.0 - 0.2 * (i == j);
    case 1:
      return (i + 2 * j) % 5 == 0 ? 1.0 : -0.25;
    default:
      return 0.01 * i * j - 0.3;
  }
}

// The modules, by file name in the output folder:
//   linear_filter.pt   forward(x) = Σ_ij x[n,0,i,j]·w0[i,j]: a tensor of shape [N]
//   linear_filter_x2.pt  twice linear_filter.pt
//   three_filters.pt   forward(x, key: str, gain: float) = ("features", [N×S×S flattened x],
//                      N×3 responses gain·⟨x, w_k⟩): a tuple; fails unless key == "V1"
//   wrong_size.pt      forward(x) fails: it reshapes the images to rows of 100 pixels
//   wrong_shape.pt     forward(x) = N×3 responses (needs neuron.output)
//   constant.pt        forward(x) = zeros(N): does not depend on the images
void save_test_models(const std::string& dir);

}  // namespace invex::testing

// How a frozen CPPN reaches the GUI's fragment shader (shaders/cppn.frag.glsl): the
// architecture as #defines (the program is compiled once per architecture) and every weight in
// one uniform block (uploaded once per snapshot). Window-free, so it is tested without GL.
#pragma once

#include <string>
#include <vector>

#include "core/run/frozen_cppn.h"

namespace invex::gui {

struct ShaderArchitecture {
  int fourier = 0;       // P: 2P Fourier features
  int width = 0;         // the width of every layer but the last
  int hidden = 0;        // WIDTH → WIDTH layers between the first and the last
  int weight_vec4s = 0;  // size of the weight block
  int blocks() const { return (width + 3) / 4; }  // vec4s per layer of activations
  int first_floats() const;  // B, layer 0's coordinate columns and biases, as floats
  int hidden_offset() const { return (first_floats() + 3) / 4; }  // in vec4s
  bool operator==(const ShaderArchitecture& o) const {
    return fourier == o.fourier && width == o.width && hidden == o.hidden &&
           weight_vec4s == o.weight_vec4s;
  }
  bool operator!=(const ShaderArchitecture& o) const { return !(*this == o); }
  // The #define lines that precede the fragment shader's text.
  std::string defines() const;
};

// Empty when the shader draws this CPPN (a first layer of coordinates and latents to WIDTH,
// WIDTH → WIDTH layers, a last layer from WIDTH); else why not.
std::string shader_cannot_draw(const FrozenCppn& c);
ShaderArchitecture shader_architecture(const FrozenCppn& c);

// The weight block in the shader's order: B (2×P), layer 0's coordinate columns (WIDTH × 2P)
// and biases as floats; then, from the next whole vec4, each hidden layer as 4×4 blocks
// (column-major mat4s, block (i, j) from inputs 4j.. to outputs 4i..) and its biases as vec4s,
// and the last layer's first row as vec4s and its bias. Zero where the width is not a
// multiple of 4, so the padded lanes stay 0 through every layer.
std::vector<float> pack_shader_weights(const FrozenCppn& c);

}  // namespace invex::gui

#include "app/gui/shader_weights.h"

#include <algorithm>
#include <cstdio>

namespace invex::gui {

std::string ShaderArchitecture::defines() const {
  char text[160];
  std::snprintf(text, sizeof text,
                "#define FOURIER %d\n#define WIDTH %d\n#define HIDDEN %d\n"
                "#define WEIGHT_VEC4S %d\n#define HIDDEN_OFFSET %d\n",
                fourier, width, hidden, weight_vec4s, hidden_offset());
  return text;
}

std::string shader_cannot_draw(const FrozenCppn& c) {
  const int features = 2 * c.positional_encoding_dim;
  if (c.layers.size() < 2) return "the shader needs at least two layers";
  if (static_cast<int>(c.fourier.size()) != features) return "the Fourier matrix is not 2×P";
  const int width = c.layers.front().out;
  if (c.layers.front().in != c.input_size()) return "layer 0 does not take the CPPN's input";
  for (size_t l = 1; l < c.layers.size(); ++l) {
    const FrozenCppn::Layer& L = c.layers[l];
    const bool last = l + 1 == c.layers.size();
    if (L.in != width || (!last && L.out != width))
      return "the shader draws CPPNs whose layers all have one width";
    if (L.out < 1) return "the last layer has no output";
  }
  return {};
}

int ShaderArchitecture::first_floats() const {
  const int features = 2 * fourier;
  return features + width * features + width;
}

ShaderArchitecture shader_architecture(const FrozenCppn& c) {
  ShaderArchitecture a;
  a.fourier = c.positional_encoding_dim;
  a.width = c.layers.empty() ? 0 : c.layers.front().out;
  a.hidden = std::max(0, static_cast<int>(c.layers.size()) - 2);
  const int blocks = a.blocks();
  a.weight_vec4s = a.hidden_offset() + a.hidden * (4 * blocks * blocks + blocks) + blocks + 1;
  return a;
}

namespace {

// Layer W (out × in, row-major) as blocks × blocks column-major mat4s, block (i, j) taking
// inputs 4j.. to outputs 4i..; then its biases as `blocks` vec4s. Zero beyond the layer.
void push_blocks(const FrozenCppn::Layer& L, int blocks, std::vector<float>& w) {
  auto at = [&](int o, int q) { return o < L.out && q < L.in ? L.weight[o * L.in + q] : 0.0f; };
  for (int i = 0; i < blocks; ++i)
    for (int j = 0; j < blocks; ++j)
      for (int col = 0; col < 4; ++col)
        for (int row = 0; row < 4; ++row) w.push_back(at(4 * i + row, 4 * j + col));
  for (int r = 0; r < 4 * blocks; ++r) w.push_back(r < L.out ? L.bias[r] : 0.0f);
}

}  // namespace

std::vector<float> pack_shader_weights(const FrozenCppn& c) {
  const ShaderArchitecture a = shader_architecture(c);
  const int features = 2 * a.fourier;
  std::vector<float> w(c.fourier.begin(), c.fourier.end());
  const FrozenCppn::Layer& first = c.layers.front();
  for (int o = 0; o < first.out; ++o)
    for (int q = 0; q < features; ++q) w.push_back(first.weight[o * first.in + q]);
  w.insert(w.end(), first.bias.begin(), first.bias.end());
  w.resize(static_cast<size_t>(a.hidden_offset()) * 4, 0.0f);
  for (size_t l = 1; l + 1 < c.layers.size(); ++l) push_blocks(c.layers[l], a.blocks(), w);
  // The last layer's first row (channel 0) as vec4s, then its bias.
  const FrozenCppn::Layer& last = c.layers.back();
  for (int q = 0; q < 4 * a.blocks(); ++q) w.push_back(q < last.in ? last.weight[q] : 0.0f);
  w.insert(w.end(), {last.bias[0], 0.0f, 0.0f, 0.0f});
  w.resize(static_cast<size_t>(a.weight_vec4s) * 4, 0.0f);
  return w;
}

}  // namespace invex::gui

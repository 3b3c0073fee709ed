// The CPPN of a snapshot with its BatchNorm statistics frozen and folded into each layer
// (method.md §2), evaluated for one pixel, then the image transform (§3) and the colour map.
// It follows the CPU renderer (core/render/render.cpp): pixel coordinates, Fourier features,
// layer 0 as bias + coordinate part + latent part, LeakyReLU layers, tanh. Layers after the
// first work on blocks of 4 activations (vec4) with 4×4 weight blocks (mat4), so their sums
// are taken in another order than on the CPU; the difference stays near float rounding.
//
// The program text starts with #defines of the architecture (shader_weights.cpp):
//   FOURIER        P, the number of Fourier frequencies (2P features)
//   WIDTH          the width of every layer but the last
//   HIDDEN         the number of WIDTH → WIDTH layers between the first and the last
//   WEIGHT_VEC4S   the size of the weight block in vec4s
//   HIDDEN_OFFSET  where the hidden layers start in it, in vec4s

// Every weight in one block, in the order of shader_weights.h: B (2×P), layer 0's coordinate
// columns (WIDTH × 2P) and biases as floats; from HIDDEN_OFFSET each hidden layer's 4×4
// blocks and biases; the last layer's first row and bias.
layout(std140) uniform CppnWeights {
  vec4 weights[WEIGHT_VEC4S];
};

const int FEATURES = 2 * FOURIER;
const int OFF_LAYER0 = FEATURES;
const int OFF_BIAS0 = OFF_LAYER0 + WIDTH * FEATURES;
const int BLOCKS = (WIDTH + 3) / 4;
const int HIDDEN_SIZE = 4 * BLOCKS * BLOCKS + BLOCKS;  // vec4s per hidden layer
const int OFF_LAST = HIDDEN_OFFSET + HIDDEN * HIDDEN_SIZE;
const float LEAKY_SLOPE = 0.01;

uniform float u_latent[WIDTH];  // layer 0's latent part at this image's z
uniform vec4 u_window;          // u of the first and last rows, v of the first and last columns
uniform ivec2 u_size;           // rows, columns of the image
uniform ivec2 u_origin;         // framebuffer pixel of the image's first column and first row
uniform int u_transform;        // 0 none, 1 fix-mean-std, 2 standardize-clip
uniform vec4 u_transform_args;  // the transform's mean, std, min, max
uniform vec2 u_moments;         // the raw image's mean and std at the training resolution
uniform float u_scale;          // the manifold's symmetric colour scale
uniform sampler2D u_palette;    // 256 × 1 colours of the colour map

layout(location = 0) out vec4 o_colour;
layout(location = 1) out float o_value;  // the transformed value, for the parity test

float weight(int i) { return weights[i >> 2][i & 3]; }

float leaky(float y) { return max(y, LEAKY_SLOPE * y); }
vec4 leaky4(vec4 y) { return max(y, LEAKY_SLOPE * y); }

// tanh from one exponential, with the argument clamped so it never overflows.
float tanh_safe(float y) {
  float e = exp(2.0 * clamp(y, -15.0, 15.0));
  return (e - 1.0) / (e + 1.0);
}

// Hidden layer block (i, j): 4 inputs from 4j to 4 outputs from 4i.
mat4 block(int base, int i, int j) {
  int k = base + 4 * (i * BLOCKS + j);
  return mat4(weights[k], weights[k + 1], weights[k + 2], weights[k + 3]);
}

// Hidden layer h: WIDTH → WIDTH, LeakyReLU.
vec4[BLOCKS] hidden_layer(int h, vec4 a[BLOCKS]) {
  int base = HIDDEN_OFFSET + h * HIDDEN_SIZE;
  vec4 b[BLOCKS];
  for (int i = 0; i < BLOCKS; ++i) {
    vec4 s = weights[base + 4 * BLOCKS * BLOCKS + i];
    for (int j = 0; j < BLOCKS; ++j) s += block(base, i, j) * a[j];
    b[i] = leaky4(s);
  }
  return b;
}

// The CPPN's raw output (channel 0) at coordinate (u, v).
float cppn(float u, float v) {
  float features[FEATURES];
  for (int q = 0; q < FOURIER; ++q) {
    float proj = u * weight(q) + v * weight(FOURIER + q);
    features[q] = sin(proj);
    features[FOURIER + q] = cos(proj);
  }
  float first[4 * BLOCKS];  // lanes past WIDTH stay 0 through every layer
  for (int o = 0; o < 4 * BLOCKS; ++o) first[o] = 0.0;
  for (int o = 0; o < WIDTH; ++o) {
    float s = weight(OFF_BIAS0 + o);
    for (int q = 0; q < FEATURES; ++q) s += weight(OFF_LAYER0 + o * FEATURES + q) * features[q];
    first[o] = leaky(s + u_latent[o]);
  }
  vec4 a[BLOCKS];
  for (int i = 0; i < BLOCKS; ++i)
    a[i] = vec4(first[4 * i], first[4 * i + 1], first[4 * i + 2], first[4 * i + 3]);
  for (int h = 0; h < HIDDEN; ++h) a = hidden_layer(h, a);
  float s = weights[OFF_LAST + BLOCKS].x;
  for (int j = 0; j < BLOCKS; ++j) s += dot(weights[OFF_LAST + j], a[j]);
  return tanh_safe(s);
}

// The image transform with the statistics of the image at the training resolution.
float transformed(float x) {
  float mean = u_moments.x, sd = u_moments.y + 1e-12;
  if (u_transform == 1) return u_transform_args.y * (x - mean + u_transform_args.x) / sd;
  if (u_transform == 2)
    return clamp(u_transform_args.y * (x - mean) / sd + u_transform_args.x, u_transform_args.z,
                 u_transform_args.w);
  return x;
}

// The colour map read between its 256 entries: the exports' palette without its rounding to
// one of 256 levels, so the colour follows the value continuously.
vec3 colour(float value) {
  float t = clamp((value + u_scale) / (2.0 * u_scale), 0.0, 1.0) * 255.0;
  int i = min(int(floor(t)), 254);
  vec3 lo = texelFetch(u_palette, ivec2(i, 0), 0).rgb;
  vec3 hi = texelFetch(u_palette, ivec2(i + 1, 0), 0).rgb;
  return mix(lo, hi, t - float(i));
}

void main() {
  ivec2 pixel = ivec2(gl_FragCoord.xy) - u_origin;  // (column, row)
  float u = u_size.x > 1 ? u_window.x + (u_window.y - u_window.x) * float(pixel.y) /
                                            float(u_size.x - 1)
                         : u_window.x;
  float v = u_size.y > 1 ? u_window.z + (u_window.w - u_window.z) * float(pixel.x) /
                                            float(u_size.y - 1)
                         : u_window.z;
  float value = transformed(cppn(u, v));
  o_value = value;
  o_colour = vec4(colour(value), 1.0);
}

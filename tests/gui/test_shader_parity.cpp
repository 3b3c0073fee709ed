// The shader path draws what the CPU path draws: shaders/cppn.frag.glsl, rendered into a float
// framebuffer (Mesa llvmpipe under Xvfb in CI) and read back, against core's CPU renderer for
// the same snapshot, z, size and coordinate window, with the transform statistics of the image
// at the training resolution. Needs a display (the test runs under xvfb-run).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <glad/gl.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/gui/colormap.h"
#include "app/gui/cppn_shader.h"
#include "core/export/colormap.h"
#include "core/method/trainer.h"
#include "core/render/render.h"

using namespace invex;
using namespace invex::gui;

namespace {

SnapshotPtr trained_snapshot(const char* preset, int steps) {
  RunConfig c = load_preset(preset);
  c.mei.activation = 32.9;  // skip the MEI search
  Trainer trainer(c);
  for (int i = 0; i < steps; ++i) trainer.step();
  return trainer.snapshot(true);
}

// The CPU's picture: render_raw in the window, transformed with the training resolution's
// statistics (which cppn_image_at also computes, independently of the shader).
std::vector<float> cpu_image(const Snapshot& snap, const std::vector<float>& z, int rows, int cols,
                             const CoordinateWindow& window) {
  LatentPoints p;
  p.count = 1;
  p.dims = static_cast<int>(z.size());
  p.data = z;
  const ImageStack small =
      render_raw(snap.cppn, p, snap.config.image.height, snap.config.image.width);
  const ImageMoments m = image_moments(small.image(0), small.image_size());
  ImageStack big = render_raw(snap.cppn, p, rows, cols, window);
  apply_transform(snap.config.image.transform, big.image(0), big.image_size(), m);
  return std::vector<float>(big.image(0), big.image(0) + static_cast<size_t>(rows) * cols);
}

// The colour map read continuously between its 256 palette entries (0..1 per channel).
void palette_colour(float v, float scale, const std::vector<std::uint8_t>& pal, float rgb[3]) {
  const double t = std::clamp((v + scale) / (2.0 * scale), 0.0, 1.0) * 255.0;
  const int i = std::min(static_cast<int>(std::floor(t)), 254);
  const double f = t - i;
  for (int c = 0; c < 3; ++c)
    rgb[c] = static_cast<float>((pal[i * 3 + c] * (1 - f) + pal[(i + 1) * 3 + c] * f) / 255.0);
}

struct Parity {
  double value = 0, colour = 0;  // max absolute differences
  int level = 0;                 // max difference of the displayed 8-bit level from colorize()
};

Parity compare(CppnShader& shader, const SnapshotPtr& snap, const std::vector<float>& z, int rows,
               int cols, const CoordinateWindow& window, Colormap map) {
  REQUIRE(shader.load(snap));
  RenderTarget target(true);
  REQUIRE(target.resize(cols, rows));
  CppnImage img = cppn_image_at(*snap, z);
  img.window = window;
  img.rows = rows;
  img.cols = cols;
  const float scale = invex::gui::symmetric_scale(snap->sweep_images);
  target.bind();
  shader.draw({img}, scale, map);
  const std::vector<float> value = target.read_value();
  const std::vector<float> colour = target.read_colour();
  RenderTarget::bind_window();

  const std::vector<float> cpu = cpu_image(*snap, z, rows, cols, window);
  const std::vector<std::uint8_t> pal =
      colormap_palette(map == Colormap::Grey ? "grey" : "diverging");
  ImageStack cpu_stack(1, 1, rows, cols);
  cpu_stack.data = cpu;
  std::vector<std::uint8_t> shown;
  colorize(cpu_stack, 0, scale, map, shown);  // what the CPU path puts on screen
  Parity p;
  for (size_t i = 0; i < cpu.size(); ++i) {
    p.value = std::max(p.value, static_cast<double>(std::fabs(value[i] - cpu[i])));
    float ref[3];
    palette_colour(cpu[i], scale, pal, ref);
    for (int c = 0; c < 3; ++c) {
      p.colour = std::max(p.colour, static_cast<double>(std::fabs(colour[i * 4 + c] - ref[c])));
      const int level = static_cast<int>(std::lround(colour[i * 4 + c] * 255.0f));
      p.level = std::max(p.level, std::abs(level - shown[i * 4 + c]));
    }
  }
  return p;
}

void check_preset(const char* preset, const std::vector<std::vector<float>>& zs) {
  CppnShader shader;
  const SnapshotPtr snap = trained_snapshot(preset, 20);
  const CoordinateWindow field;                             // the stimulus field
  const CoordinateWindow wide{-3.0f, 3.0f, -2.5f, 3.5f};    // zoomed out, off centre
  const CoordinateWindow narrow{-0.3f, -0.1f, 0.2f, 0.4f};  // zoomed in
  for (Colormap map : {Colormap::Grey, Colormap::Diverging})
    for (const auto& z : zs)
      for (const CoordinateWindow& w : {field, wide, narrow}) {
        const int rows = snap->config.image.height * 4 + 7, cols = rows + 10;
        const Parity p = compare(shader, snap, z, rows, cols, w, map);
        MESSAGE(std::string(preset) << " z " << z[0] << " window [" << w.top << ", " << w.bottom
                                    << "]: value " << p.value << ", colour " << p.colour);
        CHECK(p.value <= 1e-3);
        CHECK(p.colour <= 1e-3);
        CHECK(p.level <= 1);  // the 8-bit display differs from the CPU's by rounding only
      }
  // The training resolution itself, where the statistics come from.
  const Parity p = compare(shader, snap, zs[0], snap->config.image.height, snap->config.image.width,
                           field, Colormap::Grey);
  CHECK(p.value <= 1e-3);
}

}  // namespace

TEST_CASE("shader = CPU for a 1-D preset (circle/complex), both colour maps, three windows") {
  check_preset("circle/complex", {{0.0f}, {1.3f}, {4.9f}});
}

TEST_CASE("shader = CPU for a 2-D preset (torus/complex), both colour maps, three windows") {
  check_preset("torus/complex", {{0.0f, 0.0f}, {2.1f, 5.5f}});
}

int main(int argc, char** argv) {
  if (!glfwInit()) {
    std::fprintf(stderr, "no display: run this test under xvfb-run\n");
    return 1;
  }
  glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GL_TRUE);
  GLFWwindow* window = glfwCreateWindow(64, 64, "parity", nullptr, nullptr);
  if (!window || (glfwMakeContextCurrent(window), !gladLoadGL(glfwGetProcAddress))) {
    std::fprintf(stderr, "no OpenGL 3.3 context\n");
    return 1;
  }
  std::printf("renderer: %s\n", reinterpret_cast<const char*>(glGetString(GL_RENDERER)));
  doctest::Context context(argc, argv);
  const int rc = context.run();
  glfwDestroyWindow(window);
  glfwTerminate();
  return rc;
}
#include <glad/gl.h>

// The GUI's logic that needs no window: the λ text field, the sweep geometry that maps z to
// thumbnails, heatmap cells and the XY pad, the colour scale, the render worker, whose a(z)
// must be exactly what the neuron says about the image shown, the zoom's mapping between the
// picture and the coordinate plane, the plots' axis ticks and the shader's weight layout.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <ostream>  // doctest prints shared_ptr values through operator<<
#include <thread>

#include "app/gui/app_state.h"
#include "app/gui/colormap.h"
#include "app/gui/plot_axes.h"
#include "app/gui/shader_weights.h"
#include "app/gui/sweep_axes.h"
#include "app/gui/tour.h"
#include "app/gui/view_renderer.h"
#include "app/gui/view_zoom.h"
#include "core/io/shipped_run.h"
#include "core/method/latent_grid.h"
#include "core/method/trainer.h"
#include "core/neurons/neuron.h"
#include "core/render/render.h"

using namespace invex;
using namespace invex::gui;

namespace {

RunConfig small_config(const char* preset) {
  RunConfig c = load_preset(preset);
  c.mei.activation = 32.9;  // skip the MEI search
  return c;
}

void wait_idle(const ViewRenderer& r) {
  for (int i = 0; i < 2000 && r.busy(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(!r.busy());
}

}  // namespace

TEST_CASE("the λ schedule field accepts numbers separated by commas or spaces") {
  std::vector<double> v;
  REQUIRE(parse_reg_coefs("1, 0.5", v));
  CHECK(v == std::vector<double>{1.0, 0.5});
  REQUIRE(parse_reg_coefs(" 2 1,0.25 ", v));
  CHECK(v == std::vector<double>{2.0, 1.0, 0.25});
  CHECK(!parse_reg_coefs("", v));
  CHECK(!parse_reg_coefs("1, x", v));
  CHECK(!parse_reg_coefs("nan", v));
  CHECK(format_reg_coefs({1.0, 0.5}) == "1, 0.5");
}

TEST_CASE("sweep axes map z to cells and back for periodic and non-periodic latents") {
  Snapshot s;
  s.cppn.periodic = {true};
  s.sweep_latents = canonical_sweep({true});
  SweepAxes a = sweep_axes(s);
  REQUIRE(a.valid());
  CHECK(a.n == 100);
  for (int k : {0, 1, 37, 99}) {
    const float z = s.sweep_latents.at(k, 0);
    CHECK(a.nearest(0, z) == k);
    CHECK(a.z_at(0, a.frac(0, z)) == doctest::Approx(z).epsilon(1e-4));
  }
  // Just below 2π is next to 0 on a circle.
  CHECK(a.nearest(0, kTwoPi - 0.001f) == 0);

  Snapshot t;
  t.cppn.periodic = {false, false};
  t.sweep_latents = canonical_sweep({false, false});
  SweepAxes b = sweep_axes(t);
  REQUIRE(b.valid());
  CHECK(b.n == 20);
  CHECK(b.nearest(0, kTwoPi) == 19);
  CHECK(b.nearest(1, -1.0f) == 0);
  // Grid index (i, j) is sweep point i·n + j: the last dimension is fastest.
  CHECK(t.sweep_latents.at(3 * 20 + 5, 0) == doctest::Approx(b.value(0, 3)));
  CHECK(t.sweep_latents.at(3 * 20 + 5, 1) == doctest::Approx(b.value(1, 5)));
}

TEST_CASE("one symmetric colour scale: 0 is mid grey, ±scale the ends") {
  ImageStack img(1, 1, 1, 3);
  img.data = {-0.5f, 0.0f, 0.25f};
  CHECK(symmetric_scale(img) == doctest::Approx(0.5f));
  std::uint8_t lo[4], mid[4], hi[4];
  map_value(-0.5f, 0.5f, Colormap::Grey, lo);
  map_value(0.0f, 0.5f, Colormap::Grey, mid);
  map_value(2.0f, 0.5f, Colormap::Grey, hi);  // saturates
  CHECK(lo[0] == 0);
  CHECK(std::abs(mid[0] - 128) <= 1);
  CHECK(hi[0] == 255);
}

TEST_CASE("the render worker shows the image at z and the neuron's own response to it") {
  const RunConfig cfg = small_config("circle/complex");
  Trainer trainer(cfg);
  for (int i = 0; i < 3; ++i) trainer.step();
  SnapshotPtr snap = trainer.snapshot(true);

  ViewRenderer r;
  const std::vector<float> z = {1.3f};
  r.want_view(snap, z, 64);
  wait_idle(r);
  ViewRenderer::View v;
  REQUIRE(r.take(v));
  CHECK(v.error.empty());
  CHECK(v.snap == snap);
  CHECK(v.z == z);
  CHECK(!v.preview);  // the worker refines a first preview to full size once z rests
  CHECK(v.image.height == 64);
  CHECK(v.image.width == 64);
  REQUIRE(v.has_activation);

  LatentPoints p;
  p.count = 1;
  p.dims = 1;
  p.data = z;
  const ImageStack small = render_images(*snap, p, cfg.image.height, cfg.image.width);
  const float expected = NeuronEvaluator(cfg.neuron).respond(small)[0] / snap->mei_activation;
  CHECK(v.activation == doctest::Approx(expected).epsilon(1e-6));

  ViewRenderer::Sweep sw;
  REQUIRE(r.take(sw));
  CHECK(sw.images.count == snap->sweep_latents.count);
  CHECK(sw.scale == doctest::Approx(symmetric_scale(sw.images)));

  // The sweep's activations (computed by core) agree with the worker's a(z) at a sweep point.
  const int k = 40;
  r.want_view(snap, {snap->sweep_latents.at(k, 0)}, 64);
  wait_idle(r);
  REQUIRE(r.take(v));
  CHECK(v.activation == doctest::Approx(snap->sweep_activations[k]).epsilon(1e-4));

  // A forgotten wish leaves nothing to do, and results of the old wish are below the mark.
  const std::uint64_t mark = r.forget();
  CHECK(!r.busy());
  CHECK(v.serial <= mark);
}

TEST_CASE("the render worker reports the neuron's filters for display") {
  ViewRenderer r;
  NeuronConfig n;  // the complex cell: a quadrature pair
  r.want_filters(n);
  wait_idle(r);
  ViewRenderer::Filters f;
  REQUIRE(r.take(f));
  CHECK(f.error.empty());
  CHECK(f.images.count == 2);
  CHECK(f.images.height == n.height);
}

TEST_CASE("zoom: the field at ×1, the point under the pointer stays put, pans follow the drag") {
  ViewZoom z;
  const CoordinateWindow w = z.window();
  CHECK(w.top == -1.0f);
  CHECK(w.bottom == 1.0f);
  CHECK(w.left == -1.0f);
  CHECK(w.right == 1.0f);
  CHECK(z.is_field());
  const int n = 256;
  // Pixel centres: the first at fraction 0.5/n is the first row's u, the last the last's.
  CHECK(z.u_at(0.5f / n, n) == doctest::Approx(-1.0f));
  CHECK(z.u_at(1.0f - 0.5f / n, n) == doctest::Approx(1.0f));
  CHECK(z.frac_of_u(-1.0f, n) == doctest::Approx(0.5f / n));

  const float fx = 0.3f, fy = 0.8f;
  const float u = z.u_at(fy, n), v = z.v_at(fx, n);
  z.zoom_at(fx, fy, 2.0f, n);
  CHECK(z.half == doctest::Approx(0.5f));
  CHECK(z.zoom() == doctest::Approx(2.0f));
  CHECK(z.u_at(fy, n) == doctest::Approx(u).epsilon(1e-5));
  CHECK(z.v_at(fx, n) == doctest::Approx(v).epsilon(1e-5));
  CHECK(z.frac_of_v(v, n) == doctest::Approx(fx).epsilon(1e-5));
  z.zoom_at(0.5f, 0.5f, 1e-3f, n);  // far out: held at the limit
  CHECK(z.half == ViewZoom::kMaxHalf);

  ViewZoom p;
  const float before = p.v_at(0.4f, n);
  p.pan(0.1f, 0.0f, n);  // dragged right by a tenth: what was at 0.4 is now at 0.5
  CHECK(p.v_at(0.5f, n) == doctest::Approx(before).epsilon(1e-5));
  p.reset();
  CHECK(p.is_field());
}

TEST_CASE("a render over a zoom window is the same pixels as the field render at those points") {
  const RunConfig cfg = small_config("circle/complex");
  Trainer trainer(cfg);
  trainer.step();
  const SnapshotPtr snap = trainer.snapshot(true);
  LatentPoints p;
  p.count = 1;
  p.dims = 1;
  p.data = {0.7f};
  // The field at 21 pixels has its pixels 0.1 apart; the window [−1, 0] × [0, 1] at 11 pixels
  // has the same points, the top right quarter's (u down the rows, v along the columns).
  const ImageStack field = render_raw(snap->cppn, p, 21, 21);
  ViewZoom z;
  z.centre_u = -0.5f;
  z.centre_v = 0.5f;
  z.half = 0.5f;
  const ImageStack part = render_raw(snap->cppn, p, 11, 11, z.window());
  for (int i = 0; i < 11; ++i)
    for (int j = 0; j < 11; ++j)  // the same points up to the rounding of their coordinates
      CHECK(std::fabs(part.image(0)[i * 11 + j] - field.image(0)[i * 21 + 10 + j]) <= 1e-5f);
}

TEST_CASE("axis ticks: round steps of 1, 2 or 5 × 10^k, labels with the decimals they need") {
  double step = 0;
  CHECK(nice_ticks(0, 1.1, 4, &step) == std::vector<double>{0, 0.5, 1.0});
  CHECK(step == 0.5);
  CHECK(nice_ticks(0, 200, 5, &step) == std::vector<double>{0, 50, 100, 150, 200});
  CHECK(nice_ticks(-1.37, -0.2, 3, &step) == std::vector<double>{-1.0, -0.5});
  const std::vector<double> fine = nice_ticks(0.28, 0.36, 3, &step);
  CHECK(step == doctest::Approx(0.05));
  REQUIRE(fine.size() == 2);
  CHECK(fine[0] == doctest::Approx(0.3));
  CHECK(fine[1] == doctest::Approx(0.35));
  CHECK(nice_ticks(2, 2, 4) == std::vector<double>{2});  // a flat curve: one tick
  CHECK(tick_label(0.5, 0.5) == "0.5");
  CHECK(tick_label(150, 50) == "150");
  CHECK(tick_label(0.35, 0.05) == "0.35");
  CHECK(tick_label(-1e-17, 0.5) == "0.0");  // no "-0.0"
  CHECK(tick_label(1, 0.5) == "1.0");       // the decimals of the axis's step
  CHECK(short_count(950) == "950");
  CHECK(short_count(12345) == "12.3k");
}

TEST_CASE("shader weights: the layout the fragment shader reads") {
  const RunConfig cfg = small_config("circle/complex");
  Trainer trainer(cfg);
  const SnapshotPtr snap = trainer.snapshot(true);
  const FrozenCppn& c = snap->cppn;
  REQUIRE(shader_cannot_draw(c).empty());
  const ShaderArchitecture a = shader_architecture(c);
  CHECK(a.fourier == 10);
  CHECK(a.width == 15);
  CHECK(a.hidden == 6);
  CHECK(a.blocks() == 4);
  const std::vector<float> w = pack_shader_weights(c);
  REQUIRE(w.size() == static_cast<size_t>(a.weight_vec4s) * 4);
  CHECK(w[3] == c.fourier[3]);
  // Layer 0's coordinate columns, row-major, then its biases.
  const FrozenCppn::Layer& l0 = c.layers[0];
  CHECK(w[20 + 2 * 20 + 7] == l0.weight[2 * l0.in + 7]);
  CHECK(w[20 + 15 * 20 + 4] == l0.bias[4]);
  // Hidden layer 1 (c.layers[2]), block (i, j) = (3, 1), column 2, row 2: W[14][6].
  const int layer_vec4s = 4 * a.blocks() * a.blocks() + a.blocks();
  const size_t base = (a.hidden_offset() + 1 * layer_vec4s) * 4;
  const FrozenCppn::Layer& l2 = c.layers[2];
  CHECK(w[base + ((3 * 4 + 1) * 4 + 2) * 4 + 2] == l2.weight[14 * 15 + 6]);
  CHECK(w[base + ((3 * 4 + 1) * 4 + 2) * 4 + 3] == 0.0f);  // row 15 is padding
  CHECK(w[base + 4 * 4 * 16 + 14] == l2.bias[14]);
  // The last layer's row and bias.
  const size_t last = (a.hidden_offset() + a.hidden * layer_vec4s) * 4;
  CHECK(w[last + 9] == c.layers.back().weight[9]);
  CHECK(w[last + 16] == c.layers.back().bias[0]);

  FrozenCppn one = c;
  one.layers.resize(1);
  CHECK(!shader_cannot_draw(one).empty());
}

TEST_CASE("render path: INVEX_RENDER_PATH decides, and a failing shader falls back with one line") {
  AppState s;
  setenv("INVEX_RENDER_PATH", "cpu", 1);
  choose_render_path(s);
  CHECK(!s.gpu);
  CHECK(s.render_path_why == "INVEX_RENDER_PATH=cpu");
  setenv("INVEX_RENDER_PATH", "shader", 1);
  choose_render_path(s);
  REQUIRE(s.gpu);
  unsetenv("INVEX_RENDER_PATH");

  fall_back_to_cpu(s, "fragment shader does not compile: 0:12: error\n0:13: another");
  CHECK(!s.gpu);
  CHECK(s.render_path_why == "the shader failed");
  CHECK(s.render_notice.find("0:12: error") != std::string::npos);
  CHECK(s.render_notice.find('\n') == std::string::npos);  // one line in the window
}

TEST_CASE(
    "tour steps open their runs with their view, and a shipped run trains again from scratch") {
  const std::string dir = shipped_run_of_preset("circle/orientation");
  REQUIRE_FALSE(dir.empty());
  char path[] = "/tmp/invex_tour_XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  {
    std::ofstream f(path);
    f << "# Test\n## Preset\npreset: circle/complex\nz: 1.5\nplay: yes\nspeed: 0.2\n"
         "colormap: diverging\n\nA caption.\n\n## Run\nrun: "
      << dir << "\nz: 2.5\n\nAnother.\n";
  }
  AppState s;
  setenv("INVEX_RENDER_PATH", "cpu", 1);
  REQUIRE(load_tour(s, path));
  std::remove(path);
  go_to_step(s, 0);
  CHECK(s.tour->active);
  CHECK(s.tour->error.empty());
  CHECK(s.preset == "circle/complex");
  CHECK(s.shipped_run == shipped_run_of_preset("circle/complex"));
  REQUIRE(s.run);
  CHECK(s.run->state() == RunState::Idle);  // nothing trains
  CHECK(s.cfg_dirty);                       // Start trains the preset itself
  CHECK(s.cfg.training.epochs_per_reg == load_preset("circle/complex").training.epochs_per_reg);
  CHECK(s.z == std::vector<float>{1.5f});
  CHECK(s.playing);
  CHECK(s.play_speed == doctest::Approx(0.2));
  CHECK(s.cmap == Colormap::Diverging);

  go_to_step(s, 7);  // past the end: the last step, a run directory
  CHECK(s.tour->step == 1);
  CHECK(s.tour->error.empty());
  CHECK(s.shipped_run.empty());
  CHECK(s.z == std::vector<float>{2.5f});
  CHECK_FALSE(s.playing);
  CHECK(s.cmap == Colormap::Grey);

  go_to_step(s, 0);
  const TrainingRun* shipped = s.run.get();
  train_from_scratch(s);
  CHECK(s.run.get() != shipped);
  CHECK(s.shipped_run.empty());
  CHECK(s.run->config().training.epochs_per_reg ==
        load_preset("circle/complex").training.epochs_per_reg);
  retire_run(s);
  join_retired(s);
  unsetenv("INVEX_RENDER_PATH");
}

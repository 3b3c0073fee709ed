// The GUI's logic that needs no window: the λ text field, the sweep geometry that maps z to
// thumbnails, heatmap cells and the XY pad, the colour scale, and the render worker, whose
// a(z) must be exactly what the neuron says about the image shown.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "app/gui/app_state.h"
#include "app/gui/colormap.h"
#include "app/gui/sweep_axes.h"
#include "app/gui/view_renderer.h"
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

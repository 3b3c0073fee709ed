// The 2-D manifold metrics of method.md §11.2 on synthetic sweeps built from the Gabor formulas,
// whose answers are known by construction: tori with a given winding matrix, a torn one, a
// collapsed one, a patchy one, and a sheet.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>

#include "core/method/contrastive_loss.h"
#include "core/method/expectation.h"
#include "core/method/latent_grid.h"
#include "core/method/metrics.h"
#include "core/neurons/gabor.h"
#include "core/run/config.h"
#include "tests/image_stacks.h"

using namespace invex;
using invex::testing::stack_of;

namespace {

constexpr int K = 20;  // sweep points per axis (method.md §10.1)

// The K×K sweep whose image at (i, j) is the cell's filter at image(i, j) = (θ, φ).
ImageStack gabor_sweep(const NeuronConfig& n,
                       const std::function<std::pair<double, double>(int, int)>& theta_phase) {
  std::vector<at::Tensor> images;
  for (int i = 0; i < K; ++i)
    for (int j = 0; j < K; ++j) {
      auto [theta, phase] = theta_phase(i, j);
      images.push_back(gabor_filter(n, theta, phase));
    }
  return stack_of(images);
}

InvarianceReport measure(const char* preset, const ImageStack& images) {
  const RunConfig c = load_preset(preset);
  return invariance_report(c.neuron, images, std::vector<float>(images.count, 1.0f),
                           c.latent.periodic);
}

double turn(int i) { return 2 * M_PI * i / K; }

}  // namespace

TEST_CASE("the double cover: φ along z0 and a whole turn of θ along z1, [[1,0],[0,2]] mod π") {
  // θ from 0 to 2π passes twice through the orientations mod π, which the matrix counts.
  const NeuronConfig n = load_preset("torus/phase-orientation-full").neuron;
  const auto r = measure("torus/phase-orientation-full",
                         gabor_sweep(n, [](int i, int j) { return std::pair(turn(j), turn(i)); }));
  REQUIRE(r.winding_matrix);
  const WindingMatrix& m = *r.winding_matrix;
  CHECK(m.columns == std::vector<std::string>{"phase", "orientation mod π"});
  CHECK(m.rows == std::vector<std::vector<int>>{{1, 0}, {0, 2}});
  REQUIRE(m.determinant);
  CHECK(*m.determinant == 2);
  for (const auto& v : r.variables)
    for (const auto& a : v.axes) {
      CAPTURE(v.name);
      CAPTURE(a.axis);
      CHECK(*a.agreement == 1.0);
      CHECK(a.lines == K);
    }
  const AxisChange& along_z1 = r.variable("orientation")->axes[1];
  CHECK(*along_z1.winding == 1);  // θ itself, lifted: one whole turn
  CHECK(*along_z1.mod_pi_winding == 2);
  CHECK(*along_z1.mod_pi_agreement == 1.0);
  CHECK_FALSE(r.variable("phase")->axes[1].mod_pi_winding);  // only the full cell's θ has one
  // 20 orientations 18° apart: 2θ mod 2π takes 10 values, 36° apart, in 10 of the 36 bins; the
  // 20 phases take at least 20 bins.
  CHECK(r.variable("orientation")->coverage == doctest::Approx(10.0 / 36));
  CHECK(r.variable("phase")->coverage >= 20.0 / 36);
  // A smooth map: neighbours 18° apart in phase or orientation stay well correlated.
  CHECK(*r.smoothness_min > 0.8);
}

TEST_CASE("a sheared double cover (θ turns along both axes) has winding matrix [[1,2],[0,2]]") {
  const NeuronConfig n = load_preset("torus/phase-orientation-full").neuron;
  const auto r =
      measure("torus/phase-orientation-full",
              gabor_sweep(n, [](int i, int j) { return std::pair(turn(i + j), turn(i)); }));
  REQUIRE(r.winding_matrix);
  CHECK(r.winding_matrix->rows == std::vector<std::vector<int>>{{1, 2}, {0, 2}});
  CHECK(*r.winding_matrix->determinant == 2);
  // Reversing the phase flips the determinant's sign.
  const auto flipped =
      measure("torus/phase-orientation-full",
              gabor_sweep(n, [](int i, int j) { return std::pair(turn(i + j), -turn(i)); }));
  CHECK(flipped.winding_matrix->rows == std::vector<std::vector<int>>{{-1, 2}, {0, 2}});
  CHECK(*flipped.winding_matrix->determinant == -2);
}

TEST_CASE("the Klein bottle cut open: φ winds along z0, θ half-turns along z1, one seam") {
  // θ from 0 to π along z1 closes in images only with the phase negated: g(π, φ) = g(0, −φ).
  const NeuronConfig n = load_preset("torus/phase-orientation-full").neuron;
  const auto r =
      measure("torus/phase-orientation-full",
              gabor_sweep(n, [](int i, int j) { return std::pair(turn(j) / 2, turn(i)); }));
  const AxisChange& along_z1 = r.variable("orientation")->axes[1];
  CHECK_FALSE(along_z1.winding);  // half a turn of θ: no loop closes in (θ, φ)
  CHECK(*along_z1.agreement == 0);
  CHECK(*r.variable("phase")->axes[1].agreement == 0);
  CHECK(*r.variable("phase")->axes[0].winding == 1);
  CHECK(r.variable("orientation")->coverage > 0.5);  // 20 orientations mod π, 9° apart
  CHECK(*r.smoothness_min < 0);                      // the seam: φ meets −φ
  // Once through the orientations mod π in every row: the winding matrix mod π is the identity.
  CHECK(*along_z1.mod_pi_winding == 1);
  CHECK(*along_z1.mod_pi_agreement == 1.0);
  REQUIRE(r.winding_matrix);
  CHECK(r.winding_matrix->rows == std::vector<std::vector<int>>{{1, 0}, {0, 1}});
  CHECK(*r.winding_matrix->determinant == 1);
}

TEST_CASE("a cylinder cell's torus: phase winds along z0, orientation goes up its π/2 and back") {
  // θ ∈ [0, π/2) is an interval, so along a loop it can only fold: up to 0.95 of it and back.
  const RunConfig cyl = load_preset("torus/phase-orientation-cylinder");
  const NeuronConfig& n = cyl.neuron;
  auto fold = [](int j) { return 0.95 * (M_PI / 2) * (1 - std::abs(2.0 * j / K - 1)); };
  const auto r = measure("torus/phase-orientation-cylinder",
                         gabor_sweep(n, [&](int i, int j) { return std::pair(fold(j), turn(i)); }));
  const InvariantVariable& phase = *r.variable("phase");
  CHECK(*phase.axes[0].winding == 1);
  CHECK(*phase.axes[0].agreement == 1.0);
  CHECK(*phase.axes[1].winding == 0);
  const InvariantVariable& o = *r.variable("orientation");
  CHECK_FALSE(o.circular);
  CHECK_FALSE(o.axes[1].winding);  // an interval never winds
  CHECK_FALSE(o.axes[1].agreement);
  // The energy's argmax reads a drawn θ back to within a few degrees (a broadband filter on 30
  // pixels), so the interval's range is 0.95 give or take 0.05.
  CHECK(o.axes[1].range == doctest::Approx(0.95).epsilon(0.06));
  CHECK(o.axes[1].monotonicity < 0.1);  // up and back: almost no net change
  CHECK(o.axes[0].range == doctest::Approx(0).epsilon(1e-6));
  REQUIRE(r.winding_matrix);
  CHECK(r.winding_matrix->rows == std::vector<std::vector<int>>{{1}, {0}});
  CHECK(*r.smoothness_min > 0.8);
  CHECK(check_expectation(cyl.expect, r, cyl.latent.periodic).pass());
  // Phase winding backwards in the last 8 columns: 60 % of the loops agree, and the columns
  // either side of the tear meet with phase negated, so the smoothness check fails too.
  const auto torn = measure("torus/phase-orientation-cylinder", gabor_sweep(n, [&](int i, int j) {
                              return std::pair(fold(j), j < 12 ? turn(i) : -turn(i));
                            }));
  CHECK(*torn.variable("phase")->axes[0].agreement == doctest::Approx(0.6));
  CHECK(*torn.smoothness_min < 0);
  const ExpectationResult fail = check_expectation(cyl.expect, torn, cyl.latent.periodic);
  CHECK_FALSE(fail.pass());
  char worst[16];
  std::snprintf(worst, sizeof worst, "%.3f", *torn.smoothness_min);
  CHECK(fail.failures() ==
        "phase winds along a periodic axis (axis 0: 1 in 0.60 of loops, axis 1: 0 in 1.00 of "
        "loops); worst neighbour correlation >= 0.50 (" +
            std::string(worst) + ")");
}

TEST_CASE("the contrastive term ranks the Klein bottle cut open above its double cover") {
  // The preset's own τ = 0.3 and neighbourhood on the 20×20 torus grid, on the exact filters
  // (every activation the same), against the value of method.md §5 computed independently in
  // double precision from the same formulas: cut open 0.3257, double cover 0.2714, even bands
  // 0.2200. A torus cannot cover the Klein bottle once without a seam, and the objective prefers
  // the seam to drawing every image twice (method.md §11.3).
  const RunConfig full = load_preset("torus/phase-orientation-full");
  const ContrastiveGridLoss reg(full.latent, full.loss);
  auto value = [&](const std::function<std::pair<double, double>(int, int)>& theta_phase) {
    std::vector<at::Tensor> images;
    for (int i = 0; i < K; ++i)
      for (int j = 0; j < K; ++j) {
        auto [theta, phase] = theta_phase(i, j);
        images.push_back(gabor_filter(full.neuron, theta, phase).to(at::kDouble).unsqueeze(0));
      }
    return reg(at::stack(images)).item<double>();
  };
  const double cut_open = value([](int i, int j) { return std::pair(turn(j) / 2, turn(i)); });
  const double double_cover = value([](int i, int j) { return std::pair(turn(j), turn(i)); });
  const double bands =
      value([](int i, int j) { return std::pair(turn(j) / 2, i < 12 ? M_PI : 0.0); });
  CHECK(cut_open == doctest::Approx(0.3257).epsilon(5e-4));
  CHECK(double_cover == doctest::Approx(0.2714).epsilon(5e-4));
  CHECK(bands == doctest::Approx(0.2200).epsilon(5e-4));
}

TEST_CASE("the full cell's Klein-bottle trap: rows half-turn θ at an even phase, and close") {
  // g(θ + π, π) = g(θ, π): a row that turns an even-phase bar by half a turn is a smooth closed
  // loop of images, yet it closes in (θ, φ) only with φ negated, so it has no winding; a band of
  // dark bars above a band of light ones covers orientation mod π but no phase.
  const RunConfig full = load_preset("torus/phase-orientation-full");
  const auto r = measure("torus/phase-orientation-full", gabor_sweep(full.neuron, [](int i, int j) {
                           return std::pair(turn(j) / 2, i < 12 ? M_PI : 0.0);
                         }));
  const AxisChange& rows = r.variable("orientation")->axes[1];
  CHECK_FALSE(rows.winding);
  CHECK(*rows.agreement == 0);
  CHECK(*r.variable("orientation")->axes[0].winding == 0);
  CHECK(r.variable("orientation")->coverage == doctest::Approx(20.0 / 36));
  REQUIRE(r.winding_matrix);
  CHECK(r.winding_matrix->rows[0][1] == 0);
  CHECK(r.winding_matrix->rows[1][1] == 1);  // the rows pass once through orientation mod π
  CHECK(r.winding_matrix->rows[0][0] == 0);  // but no phase winds down the columns
  CHECK(*r.winding_matrix->determinant == 0);
  CHECK(*r.smoothness_min == doctest::Approx(-1).epsilon(1e-6));  // the two bands meet
  const ExpectationResult trap = check_expectation(full.expect, r, full.latent.periodic);
  CHECK_FALSE(trap.pass());
  CHECK(trap.failures().find("|det| of the winding matrix = 1 (det 0)") != std::string::npos);
}

TEST_CASE("a torn torus: half the loops wind the phase one way, half the other") {
  const NeuronConfig n = load_preset("torus/complex").neuron;
  const auto r = measure("torus/complex", gabor_sweep(n, [&](int i, int j) {
                           return std::pair(n.theta, j < K / 2 ? turn(i) : -turn(i));
                         }));
  const InvariantVariable& phase = *r.variable("phase");
  CHECK(std::abs(*phase.axes[0].winding) == 1);
  CHECK(*phase.axes[0].agreement == doctest::Approx(0.5));
  CHECK(*phase.axes[1].winding == 0);
  // Where φ meets −φ at φ = π/2 the two images are opposite.
  CHECK(*r.smoothness_min < -0.9);
  REQUIRE(r.winding_matrix);
  CHECK(r.winding_matrix->columns == std::vector<std::string>{"phase"});
  CHECK_FALSE(r.winding_matrix->determinant);
}

TEST_CASE("a torus whose phase winds in every loop but jumps along z1 fails only smoothness") {
  // torus/complex expects phase to wind along one axis and the map to have no tear. Here every
  // column winds the phase once down z0 and every row keeps it, except that columns 5 to 14
  // are shifted by 0.9π: two tears, each between images whose correlation is about
  // cos(0.9π) = −0.951.
  const RunConfig c = load_preset("torus/complex");
  const NeuronConfig& n = c.neuron;
  REQUIRE(c.expect.smoothness_min == 0.5);
  const auto exact = measure(
      "torus/complex", gabor_sweep(n, [&](int i, int) { return std::pair(n.theta, turn(i)); }));
  CHECK(check_expectation(c.expect, exact, c.latent.periodic).pass());
  CHECK(*exact.smoothness_min == doctest::Approx(std::cos(2 * M_PI / K)).epsilon(0.02));
  const auto torn =
      measure("torus/complex", gabor_sweep(n, [&](int i, int j) {
                return std::pair(n.theta, turn(i) + (j >= 5 && j < 15 ? 0.9 * M_PI : 0));
              }));
  CHECK(*torn.variable("phase")->axes[0].agreement == 1.0);
  CHECK(*torn.variable("phase")->axes[1].winding == 0);
  CHECK(*torn.smoothness_min == doctest::Approx(std::cos(0.9 * M_PI)).epsilon(0.02));
  const ExpectationResult r = check_expectation(c.expect, torn, c.latent.periodic);
  CHECK_FALSE(r.pass());
  CHECK(r.failures().rfind("worst neighbour correlation >= 0.50 (-0.9", 0) == 0);
  CHECK(r.failures().find("; ") == std::string::npos);  // the only check that fails
}

TEST_CASE("a collapsed torus of a simple cell is one image: collapse 1, no variables") {
  const NeuronConfig n = load_preset("torus/simple").neuron;
  std::vector<at::Tensor> images;
  const at::Tensor g = gabor_filter(n, n.theta, n.phase);
  for (int k = 0; k < K * K; ++k) images.push_back(g * (1 + 0.5 * std::sin(k)));  // contrast only
  const auto r = measure("torus/simple", stack_of(images));
  CHECK(*r.collapse == doctest::Approx(1).epsilon(1e-9));
  CHECK(*r.smoothness_min == doctest::Approx(1).epsilon(1e-9));
  CHECK(r.variables.empty());
  CHECK_FALSE(r.winding_matrix);
  // A phase torus is far from collapsed: ρ ≈ cos(Δφ) averages to about 0 over all pairs.
  const NeuronConfig c = load_preset("torus/complex").neuron;
  const auto spread = measure(
      "torus/complex", gabor_sweep(c, [&](int i, int) { return std::pair(c.theta, turn(i)); }));
  CHECK(std::abs(*spread.collapse) < 0.1);
}

TEST_CASE("a patchy torus: neighbours unrelated, loops disagree") {
  const NeuronConfig n = load_preset("torus/complex").neuron;
  // Phases that jump by a pseudo-random multiple of 2π/5 from point to point.
  const auto r = measure("torus/complex", gabor_sweep(n, [&](int i, int j) {
                           return std::pair(n.theta, 2 * M_PI * ((i * 7 + j * 13 + i * j) % 5) / 5);
                         }));
  CHECK(*r.smoothness_min < -0.5);
  CHECK(*r.smoothness_mean < 0.5);
  CHECK(*r.variable("phase")->axes[0].agreement < 1.0);
}

TEST_CASE("a sheet: phase ramps half a turn along z0 and stays along z1, with no winding") {
  const NeuronConfig n = load_preset("sheet/complex").neuron;
  const auto r =
      measure("sheet/complex",
              gabor_sweep(n, [&](int i, int) { return std::pair(n.theta, M_PI * i / (K - 1)); }));
  const InvariantVariable& phase = *r.variable("phase");
  CHECK_FALSE(phase.loop_winding);
  CHECK_FALSE(r.winding_matrix);
  CHECK_FALSE(phase.axes[0].winding);
  CHECK(phase.axes[0].range == doctest::Approx(0.5).epsilon(0.05));
  CHECK(phase.axes[0].monotonicity == doctest::Approx(1));
  CHECK(phase.axes[1].range == doctest::Approx(0).epsilon(1e-6));
  CHECK(phase.axes[1].monotonicity == 0);
  // Not computed is null in the report, never 0.
  const auto j = nlohmann::json::parse(report_to_json(r));
  CHECK(j["phase"]["winding_number"].is_null());
  CHECK(j["phase"]["axes"][0]["winding"].is_null());
  CHECK(j["winding_matrix"].is_null());
  CHECK(j["orientation"].is_null());
  CHECK(j["polarity"].is_null());
  CHECK(j["midpoint_activation"]["min"].is_null());
  CHECK(j["phase"]["axes"][0]["range"].get<double>() == doctest::Approx(0.5).epsilon(0.05));
}

TEST_CASE("sweep neighbours and midpoints: wrap on periodic axes only") {
  CHECK(sweep_neighbours({true}, 4) ==
        std::vector<std::pair<int, int>>{{0, 1}, {1, 2}, {2, 3}, {3, 0}});
  CHECK(sweep_neighbours({false}, 4) == std::vector<std::pair<int, int>>{{0, 1}, {1, 2}, {2, 3}});
  // Torus 3×3: axis 0 pairs (stride 3) first, then axis 1; 9 + 9.
  const auto torus = sweep_neighbours({true, true}, 3);
  REQUIRE(torus.size() == 18);
  CHECK(torus[0] == std::pair(0, 3));
  CHECK(torus[2] == std::pair(6, 0));
  CHECK(torus[9] == std::pair(0, 1));
  CHECK(sweep_neighbours({false, true}, 3).size() == 6 + 9);
  // The wrap pair's midpoint is half a step past the last point: 2π(K − ½)/K.
  const LatentPoints mid = sweep_midpoints({true}, 4);
  REQUIRE(mid.count == 4);
  CHECK(mid.at(3, 0) == doctest::Approx(2 * M_PI * 3.5 / 4));
  const LatentPoints sheet = sweep_midpoints({false, false}, 3);
  REQUIRE(sheet.count == 12);
  CHECK(sheet.at(0, 0) == doctest::Approx(M_PI / 2));  // step 2π/(K − 1) = π, half of it
  CHECK(sheet.at(0, 1) == doctest::Approx(0));
  CHECK_THROWS_AS(sweep_points_per_dim(2, 10), std::invalid_argument);
}

TEST_CASE("expected outcomes: the cut-open torus passes, a double cover and a collapse do not") {
  // The full cell's expected outcome is the Klein bottle cut open along one seam (method.md
  // §11.3): φ once round z0, θ once through the orientations mod π along z1.
  const RunConfig full = load_preset("torus/phase-orientation-full");
  const NeuronConfig& n = full.neuron;
  const auto right =
      measure("torus/phase-orientation-full",
              gabor_sweep(n, [](int i, int j) { return std::pair(turn(j) / 2, turn(i)); }));
  const ExpectationResult pass = check_expectation(full.expect, right, full.latent.periodic);
  CHECK(pass.pass());
  CHECK(pass.failures().empty());
  // The same images with one activation below the preset's minimum: only that check fails.
  InvarianceReport dim = right;
  dim.min_activation = 0.5;
  const ExpectationResult low = check_expectation(full.expect, dim, full.latent.periodic);
  CHECK_FALSE(low.pass());
  CHECK(low.failures() == "min activation >= 0.90 (0.500)");
  // The double cover draws every image twice: θ passes twice through the orientations mod π.
  const auto twice =
      measure("torus/phase-orientation-full",
              gabor_sweep(n, [](int i, int j) { return std::pair(turn(j), turn(i)); }));
  const ExpectationResult cover = check_expectation(full.expect, twice, full.latent.periodic);
  CHECK_FALSE(cover.pass());
  CHECK(cover.failures() ==
        "orientation mod π winds once along a periodic axis (axis 0: 0 in 1.00 of loops, axis 1: "
        "2 in 1.00 of loops); |det| of the winding matrix = 1 (det 2)");
  // A simple cell's expectation is collapse: a phase torus is not one image.
  const RunConfig simple = load_preset("torus/simple");
  const auto spread =
      measure("torus/complex", gabor_sweep(load_preset("torus/complex").neuron,
                                           [](int i, int) { return std::pair(1.0, turn(i)); }));
  CHECK_FALSE(check_expectation(simple.expect, spread, simple.latent.periodic).pass());
}

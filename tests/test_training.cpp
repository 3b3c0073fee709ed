// Training end to end: a short run learns the complex cell's phase loop; saved runs resume
// exactly; the background run obeys its commands; a non-finite loss keeps the last good state.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "core/io/atomic_file.h"
#include "core/io/npy.h"
#include "core/io/run_archive.h"
#include "core/io/run_directory.h"
#include "core/io/saved_run.h"
#include "core/method/latent_grid.h"
#include "core/method/metrics.h"
#include "core/method/trainer.h"
#include "core/render/render.h"
#include "core/session/training_run.h"
#include "core/support/thread_pool.h"
#include "tests/test_support.h"

using namespace invex;
using invex::testing::TempDir;
namespace fs = std::filesystem;

namespace {
RunConfig small_circle() {
  RunConfig c = load_preset("circle/complex");
  c.latent.grid_points = 20;  // r = 2
  c.training.epochs_per_reg = 2;
  c.training.steps_per_epoch = 5;
  c.mei.activation = 32.9;  // skip the MEI search: these tests are about the trainer
  return c;
}
}  // namespace

TEST_CASE("winding number and coverage of synthetic angle sequences") {
  std::vector<float> once, twice, back, still;
  for (int i = 0; i < 100; ++i) {
    once.push_back(static_cast<float>(std::remainder(2 * M_PI * i / 100, 2 * M_PI)));
    twice.push_back(static_cast<float>(std::remainder(4 * M_PI * i / 100, 2 * M_PI)));
    back.push_back(-once.back());
    still.push_back(0.3f + 0.01f * (i % 3));
  }
  CHECK(winding_number(once) == doctest::Approx(1));
  CHECK(winding_number(twice) == doctest::Approx(2));
  CHECK(winding_number(back) == doctest::Approx(-1));
  CHECK(winding_number(still) == doctest::Approx(0));
  CHECK(circular_coverage(once) == doctest::Approx(1));
  CHECK(circular_coverage(still) == doctest::Approx(1.0 / 36));
  // A diverged run's NaN phases cover nothing; angles outside [-π, π] wrap (-7 rad is bin 31 of
  // 36: (-7 + 4π) / 2π · 36 = 31.9).
  CHECK(circular_coverage({std::nanf(""), 0.1f, -7.0f}) == doctest::Approx(2.0 / 36));
  CHECK(circular_coverage({std::nanf(""), -7.0f, -7.0f + 4 * static_cast<float>(M_PI)}) ==
        doctest::Approx(1.0 / 36));
}

TEST_CASE("a few hundred steps of circle/complex learn a phase loop") {
  set_compute_threads(0);
  RunConfig c = load_preset("circle/complex");
  c.training.epochs_per_reg = 3;
  c.training.steps_per_epoch = 50;  // 300 steps
  Trainer t(c);
  // The MEI of this cell under FixMeanStd(0, 0.2) is what the reference hard-codes (32.57),
  // or slightly above it: our pixel optimisation runs to convergence.
  CHECK(t.mei_activation() > 32.5);
  CHECK(t.mei_activation() < 33.5);
  while (!t.finished()) REQUIRE(t.step().ok);
  auto& e = t.epochs();
  REQUIRE(e.size() == 6);
  CHECK(e.front().activation < 0.9);
  CHECK(e.back().activation > e.front().activation + 0.05);
  RunSummary s = summarise(t);
  CHECK(s.invariance.mean_activation > 0.9);
  CHECK(s.invariance.min_activation > 0.8);
  REQUIRE(s.invariance.variables.size() == 1);
  const InvariantVariable& phase = s.invariance.variables[0];
  REQUIRE(phase.loop_winding);
  CHECK(std::abs(*phase.loop_winding) == doctest::Approx(1).epsilon(0.01));
  CHECK(phase.coverage >= 0.9);
  // Half-way between sweep points the loop holds up too (method.md §11.2).
  REQUIRE(s.invariance.midpoint_min_activation);
  CHECK(*s.invariance.midpoint_min_activation > 0.8);
  CHECK(*s.invariance.smoothness_min > 0.5);
  MESSAGE("300 steps: mean ", s.invariance.mean_activation, " min ", s.invariance.min_activation,
          " midpoint min ", *s.invariance.midpoint_min_activation, " winding ", *phase.loop_winding,
          " coverage ", phase.coverage);
}

TEST_CASE("a saved run resumes on the same trajectory as an uninterrupted one") {
  set_compute_threads(1);  // one thread: reductions in a fixed order
  RunConfig c = small_circle();
  Trainer a(c);
  std::vector<double> losses;
  while (!a.finished()) losses.push_back(a.step().loss);
  REQUIRE(losses.size() == 20);

  TempDir tmp;
  const std::string dir = tmp.path;
  Trainer b(c);
  for (int i = 0; i < 7; ++i) CHECK(b.step().loss == losses[i]);
  save_trainer(b, dir + "/run.invex");
  auto resumed = load_trainer(dir + "/run.invex");
  CHECK(resumed->step_index() == 7);
  for (int i = 7; i < 20; ++i) {  // crosses the λ phase boundary at step 10
    double l = resumed->step().loss;
    CHECK(l == doctest::Approx(losses[i]).epsilon(1e-6));
  }
  CHECK(resumed->finished());
  CHECK(resumed->epochs().size() == a.epochs().size());
  // Save → load → render is identical.
  auto s1 = a.snapshot(true);
  save_trainer(a, dir + "/final.invex");
  auto s2 = load_trainer(dir + "/final.invex")->snapshot(true);
  auto z = canonical_sweep({true}, 16);
  auto i1 = render_images(*s1, z, 48, 48), i2 = render_images(*s2, z, 48, 48);
  CHECK(i1.data == i2.data);
  CHECK(s1->sweep_activations == s2->sweep_activations);
}

TEST_CASE("damaged run files are refused with a clear message") {
  TempDir tmp;
  const std::string dir = tmp.path;
  Trainer t(small_circle());
  t.step();
  save_trainer(t, dir + "/run.invex");
  std::string bytes = read_file(dir + "/run.invex");
  auto expect = [&](const std::string& content, const std::string& message) {
    write_file_atomic(dir + "/bad.invex", content);
    CHECK_THROWS_WITH(load_trainer(dir + "/bad.invex"), doctest::Contains(message.c_str()));
  };
  expect(bytes.substr(0, bytes.size() / 2), "truncated");
  std::string flipped = bytes;
  flipped[flipped.size() - 100] ^= 0x40;
  expect(flipped, "checksum mismatch");
  std::string newer = bytes;
  newer[8] = 99;
  expect(newer, "written by a newer invex (format 99)");
  expect("hello, I am not a run", "not an invex run file");
  CHECK_THROWS_WITH(load_trainer(dir + "/missing.invex"), doctest::Contains("cannot read"));
  // The good file is untouched by all of this.
  CHECK(load_trainer(dir + "/run.invex")->step_index() == 1);
}

TEST_CASE("a format 1 run file still loads, every parameter in its place") {
  // Written by the first release (6 steps of circle/complex); format 1 stored its parameters by
  // position and also the folded layers, which the loader ignores: folding the loaded
  // parameters again must give those layers back, so no parameter went to the wrong name.
  const std::string path =
      std::string(INVEX_TEST_DATA_DIR) + "/format1_circle_complex_6_steps.invex";
  const RunArchive archive = read_run_archive(path);
  CHECK(archive.version == 1);
  auto t = load_trainer(path);
  CHECK(t->step_index() == 6);
  CHECK(t->finished());
  CHECK(t->config().name == "circle/complex");
  REQUIRE(t->epochs().size() == 2);
  CHECK(t->epochs()[1].step == 6);
  CHECK(t->epochs()[1].lambda == 0.5);
  CHECK(t->epochs()[0].activation == doctest::Approx(0.297398).epsilon(1e-5));
  const FrozenCppn frozen = t->snapshot(false)->cppn;
  REQUIRE(frozen.layers.size() == 8);
  for (size_t l = 0; l < frozen.layers.size(); ++l) {
    CAPTURE(l);
    const NamedArray* w = archive.find("frozen.weight." + std::to_string(l));
    const NamedArray* b = archive.find("frozen.bias." + std::to_string(l));
    REQUIRE((w && b));
    REQUIRE(w->data.size() == frozen.layers[l].weight.size());
    for (size_t i = 0; i < w->data.size(); ++i)
      CHECK(frozen.layers[l].weight[i] == doctest::Approx(w->data[i]).epsilon(1e-5));
    for (size_t i = 0; i < b->data.size(); ++i)
      CHECK(frozen.layers[l].bias[i] == doctest::Approx(b->data[i]).epsilon(1e-5));
  }
  // Saved again, it is a format 2 file that loads to the same state.
  TempDir tmp;
  save_trainer(*t, tmp / "run.invex");
  CHECK(read_run_archive(tmp / "run.invex").version == 2);
  CHECK(load_trainer(tmp / "run.invex")->snapshot(false)->cppn.layers[3].weight ==
        frozen.layers[3].weight);
}

TEST_CASE("a non-finite loss leaves the last good state and reports it") {
  RunConfig c = small_circle();
  Trainer t(c, 1e-300);  // activations / MEI overflow to infinity
  auto before = t.snapshot(false);
  StepResult r = t.step();
  CHECK_FALSE(r.ok);
  CHECK(r.message.find("non-finite") != std::string::npos);
  CHECK(t.step_index() == 0);
  auto after = t.snapshot(false);
  CHECK(after->cppn.layers[0].weight == before->cppn.layers[0].weight);
}

TEST_CASE("a diverging update is undone: the kept state is the last one with a finite loss") {
  RunConfig c = small_circle();
  c.training.lr = 1e30;  // the first update moves every weight by ~1e30: step 1 overflows
  Trainer t(c);
  Trainer untouched(c);
  REQUIRE(t.step().ok);
  const StepResult r = t.step();
  CHECK_FALSE(r.ok);
  CHECK(r.message.find("at step 1 ") != std::string::npos);
  CHECK(r.message.find("the last good state is kept (step 0)") != std::string::npos);
  CHECK(t.step_index() == 0);
  // Back at the start: the same weights as a trainer that never stepped, and a finite sweep.
  CHECK(t.snapshot(false)->cppn.layers[2].weight ==
        untouched.snapshot(false)->cppn.layers[2].weight);
  // The snapshot is held: a range-for over a member of a temporary would read freed memory.
  const SnapshotPtr kept = t.snapshot(true);
  for (float a : kept->sweep_activations) CHECK(std::isfinite(a));
  // Stepping again replays the same first step exactly, then fails the same way.
  const StepResult again = t.step();
  REQUIRE(again.ok);
  CHECK(again.loss == untouched.step().loss);
  CHECK_FALSE(t.step().ok);
}

TEST_CASE("the background run obeys start, pause, resume and stop without blocking") {
  RunConfig c = small_circle();
  c.training.epochs_per_reg = 1000;  // long enough that it is still running when stopped
  TrainingRun run(c, std::string(), 1);
  run.publish_interval_seconds = 0.01;
  auto wait_for = [&](auto pred) {
    auto t0 = std::chrono::steady_clock::now();
    while (!pred()) {
      if (std::chrono::steady_clock::now() - t0 > std::chrono::seconds(60)) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  };
  REQUIRE(wait_for([&] { return run.latest() != nullptr; }));
  CHECK(run.latest()->step == 0);
  run.start();
  REQUIRE(wait_for([&] {
    auto s = run.latest();
    return s && s->step >= 3;
  }));
  run.pause();
  REQUIRE(wait_for([&] {
    auto s = run.latest();
    return s && s->state == RunState::Paused;
  }));
  int paused_at = run.latest()->step;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(run.latest()->step == paused_at);
  run.resume();
  REQUIRE(wait_for([&] {
    auto s = run.latest();
    return s && s->step > paused_at + 2;
  }));
  TempDir tmp;
  const std::string dir = tmp.path;
  run.save(dir + "/run.invex");
  REQUIRE(wait_for([&] { return !run.last_save_message().empty(); }));
  CHECK(run.last_save_message().find("saved") == 0);
  run.stop();
  REQUIRE(wait_for([&] {
    auto s = run.latest();
    return s && s->state == RunState::Stopped;
  }));
  CHECK(run.latest()->sweep_activations.size() == 100);
  CHECK(load_trainer(dir + "/run.invex")->step_index() > paused_at);
}

TEST_CASE("commands return while the run's thread is busy: nobody waits for the trainer") {
  // The trainer is made on the run's thread; here that takes until the test lets it finish, so
  // every command below is sent while the worker is busy. Waiting for the worker would hang
  // (and CTest's timeout would fail the test).
  RunConfig c = small_circle();
  std::promise<void> let_go;
  std::shared_future<void> gate = let_go.get_future().share();
  std::atomic<bool> building{false};
  TrainingRun run(c, [&, gate] {
    building = true;
    gate.wait();
    return std::make_unique<Trainer>(c);
  });
  while (!building) std::this_thread::yield();
  run.start();
  run.pause();
  run.resume();
  run.save("/nonexistent-dir/run.invex");
  CHECK(run.latest() == nullptr);  // the worker is still making the trainer
  CHECK(run.state() == RunState::Idle);
  let_go.set_value();
  // The queued commands then apply in order: start, pause, resume → running; then the save.
  const auto t0 = std::chrono::steady_clock::now();
  while (run.last_save_message().empty() &&
         std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(run.state() == RunState::Running);
  CHECK(run.last_save_message().find("save failed") == 0);
}

TEST_CASE("a run directory holds every documented file with the documented shapes") {
  TempDir tmp;
  const std::string dir = tmp.path;
  Trainer t(small_circle());
  for (int i = 0; i < 3; ++i) t.step();
  write_run_directory(t, dir);
  for (auto f : {"config.json", "run.invex", "manifold.npy", "latents.npy", "activations.npy",
                 "report.json", "log.csv"})
    CHECK(fs::exists(fs::path(dir) / f));
  // manifold.npy: 100×1×30×30 float32 → 128-byte header + data.
  CHECK(fs::file_size(fs::path(dir) / "manifold.npy") == 128 + 100 * 900 * 4);
  CHECK(fs::file_size(fs::path(dir) / "latents.npy") == 128 + 100 * 4);
  // `invex eval` on the saved manifold gives back the saved activations times the MEI: the
  // images, the neuron and the normalisation agree across the files.
  std::string cmd = std::string(INVEX_TEST_BINARY) + " eval --config " + dir +
                    "/config.json --images " + dir + "/manifold.npy --out " + dir +
                    "/responses.npy";
  REQUIRE(std::system(cmd.c_str()) == 0);
  NpyArray responses = read_npy(dir + "/responses.npy");
  NpyArray normalised = read_npy(dir + "/activations.npy");
  REQUIRE(responses.data.size() == 100);
  REQUIRE(normalised.data.size() == 100);
  for (int k = 0; k < 100; k += 9)
    CHECK(responses.data[k] / t.mei_activation() ==
          doctest::Approx(normalised.data[k]).epsilon(1e-5));
}

TEST_CASE("live curves are smoothed without a start-up bias towards zero") {
  Trainer t(small_circle());
  StepResult first = t.step();
  REQUIRE(t.step_history().size() == 1);
  CHECK(t.step_history()[0].activation == doctest::Approx(first.activation).epsilon(1e-6));
  CHECK(t.step_history()[0].loss == doctest::Approx(first.loss).epsilon(1e-6));
  StepResult second = t.step();
  // The second point weighs the newer step a little more than the first (decay 0.95).
  double expect = (0.95 * 0.05 * first.activation + 0.05 * second.activation) / (1 - 0.95 * 0.95);
  CHECK(t.step_history()[1].activation == doctest::Approx(expect).epsilon(1e-5));
}

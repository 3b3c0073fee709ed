// The trained runs that ship in assets/runs/ (core/io/shipped_run.h): each one loads and
// reproduces the sweep activations recorded when it was written, its MEI image drives its
// neuron to the run's MEI activation, and every simulated preset (the tour's among them) has
// one. write_shipped_run itself: the same run gives the same bytes, without optimiser state or
// timings.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/io/atomic_file.h"
#include "core/io/npy.h"
#include "core/io/saved_run.h"
#include "core/io/shipped_run.h"
#include "core/io/tour_file.h"
#include "core/method/trainer.h"
#include "core/neurons/neuron.h"
#include "core/run/config.h"
#include "tests/test_support.h"

using namespace invex;
using invex::testing::TempDir;

namespace {

// The neuron's response to a run's MEI image, over the run's MEI activation: 1 when mei.npy is
// the image the MEI activation was measured on.
double normalised_mei_response(const Trainer& trainer, const std::string& dir) {
  const NpyArray mei = read_npy(dir + "/mei.npy");
  const ImageConfig& image = trainer.config().image;
  REQUIRE(mei.shape == std::vector<long>{1, image.channels, image.height, image.width});
  ImageStack stack(1, image.channels, image.height, image.width);
  stack.data = mei.data;
  const std::vector<float> r = NeuronEvaluator(trainer.config().neuron).respond(stack);
  return r.at(0) / trainer.mei_activation();
}

}  // namespace

TEST_CASE("every shipped run loads and reproduces its recorded sweep activation") {
  const std::vector<std::string> shipped = list_shipped_runs();
  for (const std::string& preset : list_presets()) {
    if (preset.rfind("macaque/", 0) == 0) continue;  // needs ../shared; not shipped
    CAPTURE(preset);
    CHECK(std::find(shipped.begin(), shipped.end(), preset) != shipped.end());
  }
  for (const TourStep& step : load_tour_file(default_tour_path()).steps) {
    CAPTURE(step.preset);
    CHECK_FALSE(shipped_run_of_preset(step.preset).empty());
  }
  for (const std::string& name : shipped) {
    CAPTURE(name);
    const std::string dir = shipped_run_of_preset(name);
    REQUIRE_FALSE(dir.empty());
    const std::unique_ptr<Trainer> trainer = load_trainer(dir + "/run.invex");
    // The run is the preset's own network, trained on a shorter schedule.
    const RunConfig preset = load_preset(name);
    CHECK(trainer->config().neuron.type == preset.neuron.type);
    CHECK(trainer->config().training.seed == preset.training.seed);
    CHECK(trainer->config().latent.periodic == preset.latent.periodic);
    CHECK(read_file(dir + "/config.json") == config_to_json(trainer->config()) + "\n");
    CHECK(trainer->step_index() > 0);

    const NpyArray recorded = read_npy(dir + "/activations.npy");
    const std::vector<float> now = trainer->snapshot(true)->sweep_activations;
    REQUIRE(recorded.data.size() == now.size());
    float worst = 0;
    for (size_t k = 0; k < now.size(); ++k)
      worst = std::max(worst, std::fabs(recorded.data[k] - now[k]));
    CHECK(worst <= 1e-5f);
    CHECK(normalised_mei_response(*trainer, dir) == doctest::Approx(1.0).epsilon(1e-3));
  }
}

TEST_CASE("write_shipped_run: the same run gives the same bytes, with no optimiser state") {
  RunConfig c = load_preset("circle/complex");
  c.neuron.height = c.neuron.width = 20;
  c.image.height = c.image.width = 20;
  c.latent.grid_points = 20;
  c.training.epochs_per_reg = 1;
  c.training.steps_per_epoch = 4;
  c.mei.steps = 60;  // a short MEI search: this test is about the files
  TempDir tmp;
  for (const std::string& out : {tmp / "a", tmp / "b"}) {
    Trainer trainer(c);
    for (int i = 0; i < 3; ++i) REQUIRE(trainer.step().ok);
    write_shipped_run(trainer, out);
  }
  for (const char* file : {"config.json", "run.invex", "activations.npy", "mei.npy"}) {
    CAPTURE(file);
    CHECK(read_file(tmp / "a" + "/" + file) == read_file(tmp / "b" + "/" + file));
  }
  const TrainerState s = read_saved_run(tmp / "a/run.invex");
  CHECK(s.progress.step == 3);
  CHECK(s.progress.wall_seconds == 0);
  CHECK(s.first_moments.empty());
  CHECK(s.second_moments.empty());
  CHECK(s.progress.epochs.empty());
  // The canonical sweep of a 1-D latent: 100 points (method.md §11), whatever the grid.
  CHECK(read_npy(tmp / "a/activations.npy").shape == std::vector<long>{100});

  // It reopens as a run that trains on, from a fresh optimiser.
  const std::unique_ptr<Trainer> again = load_trainer(tmp / "a/run.invex");
  CHECK(again->step().ok);
  CHECK(again->step_index() == 4);
  // The MEI image is the optimum the MEI activation was measured on.
  CHECK(normalised_mei_response(*again, tmp / "a") == doctest::Approx(1.0).epsilon(1e-3));
}

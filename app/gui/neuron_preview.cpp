#include "app/gui/neuron_preview.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <exception>

#include "app/gui/view_renderer.h"
#include "core/io/mei_cache.h"
#include "core/method/mei.h"
#include "core/neurons/macaque_model.h"
#include "core/neurons/torch_neuron.h"

namespace invex::gui {

namespace {

// Thrown from the MEI's progress callback when a newer wish makes the MEI in progress useless.
struct Abandoned {};

// The settings a preview depends on, serialised, so that any field that changes it counts.
std::string preview_key(const RunConfig& cfg) {
  RunConfig c;
  c.neuron = cfg.neuron;
  c.image = cfg.image;
  c.mei = cfg.mei;
  return config_to_json(c, -1);
}

// Σ over channels of |∂f/∂x|, averaged over 16 faint noise images around the mean grey (every
// pixel at the transform's mean). Exactly at the mean grey an energy model's gradient is 0/0;
// a noise of a tenth of the training contrast leaves a linear cell's map |w| unchanged and
// shows where any cell listens.
ImageStack receptive_field_map(const RunConfig& cfg) {
  auto neuron = make_torch_neuron(cfg.neuron);
  const ImageConfig& im = cfg.image;
  const auto& t = im.transform;
  const double grey = t.type == "none" ? 0.0 : t.mean;
  const double faint = 0.1 * (t.type == "none" ? 1.0 : t.std);
  const int n = 16;
  auto gen = at::detail::createCPUGenerator(5);
  auto x = at::normal(grey, faint, {n, im.channels, im.height, im.width}, gen, at::kFloat);
  auto g = neuron->input_gradient(x, at::ones({n})).abs().sum(1, true).mean(0, true).contiguous();
  ImageStack map(1, 1, im.height, im.width);
  std::copy(g.data_ptr<float>(), g.data_ptr<float>() + g.numel(), map.data.begin());
  return map;
}

}  // namespace

NeuronPreview::NeuronPreview() {
  thread_ = std::thread([this] {
    lower_this_thread_priority();
    worker();
  });
}

NeuronPreview::~NeuronPreview() {
  {
    std::lock_guard<std::mutex> lk(mutex_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void NeuronPreview::want(const RunConfig& cfg) {
  std::string key = preview_key(cfg);
  std::lock_guard<std::mutex> lk(mutex_);
  if (key == want_key_) return;
  want_key_ = std::move(key);
  want_cfg_ = cfg;
  ++want_gen_;
  cv_.notify_all();
}

void NeuronPreview::want_models(const std::string& directory) {
  std::lock_guard<std::mutex> lk(mutex_);
  if (dir_wanted_ && directory == want_dir_) return;
  want_dir_ = directory;
  dir_wanted_ = true;
  cv_.notify_all();
}

bool NeuronPreview::take(Result& have) {
  std::lock_guard<std::mutex> lk(mutex_);
  if (result_.serial <= have.serial) return false;
  have = result_;
  return true;
}

bool NeuronPreview::take(Folder& have) {
  std::lock_guard<std::mutex> lk(mutex_);
  if (folder_.serial <= have.serial) return false;
  have = folder_;
  return true;
}

bool NeuronPreview::busy() const {
  std::lock_guard<std::mutex> lk(mutex_);
  return working_ || want_gen_ != done_gen_ || (dir_wanted_ && want_dir_ != done_dir_);
}

void NeuronPreview::worker() {
  std::unique_lock<std::mutex> lk(mutex_);
  for (;;) {
    cv_.wait(lk, [this] {
      return quit_ || want_gen_ != done_gen_ || (dir_wanted_ && want_dir_ != done_dir_);
    });
    if (quit_) return;
    working_ = true;
    // The folder first: its keys fill the picker in a moment, an MEI takes much longer.
    if (dir_wanted_ && want_dir_ != done_dir_)
      read_folder(lk);
    else
      make_preview(lk);
    working_ = false;
  }
}

void NeuronPreview::read_folder(std::unique_lock<std::mutex>& lk) {
  const std::string dir = want_dir_;
  lk.unlock();
  Folder f;
  f.directory = dir;
  try {
    f.neurons = load_macaque_models(dir).neurons;
  } catch (const std::exception& e) {
    f.error = e.what();
  }
  lk.lock();
  f.serial = ++serial_;
  folder_ = std::move(f);
  done_dir_ = dir;
}

void NeuronPreview::make_preview(std::unique_lock<std::mutex>& lk) {
  const RunConfig cfg = want_cfg_;
  const std::uint64_t gen = want_gen_;
  result_ = Result{};  // the old neuron's pictures must not stay up as this one's
  result_.serial = ++serial_;
  lk.unlock();

  Result r;
  try {
    r.receptive_field = receptive_field_map(cfg);
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  lk.lock();
  if (gen != want_gen_ || quit_) return;
  r.mei_steps = mei_total_steps(cfg.mei);
  r.serial = ++serial_;
  result_ = r;
  if (!r.error.empty()) {
    done_gen_ = gen;
    return;
  }
  lk.unlock();

  // The MEI publishes its progress in whole percents and is abandoned for a newer wish.
  auto progress = [&](int step, int steps, double) {
    std::lock_guard<std::mutex> guard(mutex_);
    if (gen != want_gen_ || quit_) throw Abandoned{};
    if (step * 100 / steps != result_.mei_step * 100 / std::max(1, result_.mei_steps)) {
      result_.mei_step = step;
      result_.mei_steps = steps;
      result_.serial = ++serial_;
    }
  };
  MeiResult mei;
  std::string error;
  try {
    mei = compute_mei(cfg.neuron, cfg.image, cfg.mei, 0, progress);
    // The run of this neuron would search for the same value: it finds it in the cache.
    remember_mei_activation(cfg, mei.activation);
  } catch (const Abandoned&) {
    lk.lock();
    return;
  } catch (const std::exception& e) {
    error = e.what();
  }
  lk.lock();
  if (gen != want_gen_ || quit_) return;
  result_.mei = std::move(mei.image);
  result_.mei_activation = mei.activation;
  result_.mei_step = result_.mei_steps;
  result_.error = error;
  result_.serial = ++serial_;
  done_gen_ = gen;
}

}  // namespace invex::gui

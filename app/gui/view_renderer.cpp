#include "app/gui/view_renderer.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <memory>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "app/gui/colormap.h"
#include "app/gui/sweep_axes.h"
#include "core/neurons/neuron.h"
#include "core/render/render.h"

namespace invex::gui {

namespace {

double now_seconds() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

// Neurons are compared through their serialised config so that fields added to NeuronConfig
// later (e.g. a macaque cell's data key) are taken into account without touching this file.
std::string neuron_key(const NeuronConfig& n) {
  RunConfig c;
  c.neuron = n;
  return config_to_json(c, -1);
}

bool same_window(const CoordinateWindow& a, const CoordinateWindow& b) {
  return a.top == b.top && a.bottom == b.bottom && a.left == b.left && a.right == b.right;
}

}  // namespace

void lower_this_thread_priority() {
#ifdef __linux__
  // On Linux the nice value belongs to the thread, and new threads inherit it.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
#endif
}

ViewRenderer::ViewRenderer() {
  thread_ = std::thread([this] {
    lower_this_thread_priority();
    worker();
  });
}

ViewRenderer::~ViewRenderer() {
  {
    std::lock_guard<std::mutex> lk(mutex_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ViewRenderer::want_view(const SnapshotPtr& snap, const std::vector<float>& z, int display_size,
                             const CoordinateWindow& window) {
  if (!snap) return;
  std::lock_guard<std::mutex> lk(mutex_);
  if (snap == want_snap_ && z == want_z_ && display_size == want_size_ &&
      same_window(window, want_window_))
    return;
  if (snap != want_snap_ && sweep_wanted_since_ < 0) sweep_wanted_since_ = now_seconds();
  want_snap_ = snap;
  want_z_ = z;
  want_size_ = display_size;
  want_window_ = window;
  cv_.notify_all();
}

void ViewRenderer::want_thumbnail_moments(bool on) {
  std::lock_guard<std::mutex> lk(mutex_);
  thumb_moments_ = on;
}

void ViewRenderer::want_filters(const NeuronConfig& neuron) {
  std::lock_guard<std::mutex> lk(mutex_);
  want_neuron_ = neuron;
  ++want_neuron_gen_;
  cv_.notify_all();
}

bool ViewRenderer::take(View& have) {
  std::lock_guard<std::mutex> lk(mutex_);
  if (view_.serial <= have.serial) return false;
  have = view_;
  return true;
}

bool ViewRenderer::take(Sweep& have) {
  std::lock_guard<std::mutex> lk(mutex_);
  if (sweep_.serial <= have.serial) return false;
  have = sweep_;
  return true;
}

bool ViewRenderer::take(Filters& have) {
  std::lock_guard<std::mutex> lk(mutex_);
  if (filters_.serial <= have.serial) return false;
  have = filters_;
  return true;
}

std::uint64_t ViewRenderer::forget() {
  std::lock_guard<std::mutex> lk(mutex_);
  want_snap_.reset();
  want_z_.clear();
  done_view_snap_.reset();
  done_view_z_.clear();
  done_view_preview_ = false;
  done_sweep_snap_.reset();
  sweep_wanted_since_ = -1;
  return serial_ + (working_ ? 1 : 0);
}

bool ViewRenderer::busy() const {
  std::lock_guard<std::mutex> lk(mutex_);
  return working_ || has_work_locked();
}

bool ViewRenderer::view_stale_locked() const {
  return want_snap_ != done_view_snap_ || want_z_ != done_view_z_ ||
         want_size_ != done_view_size_ || !same_window(want_window_, done_view_window_);
}

bool ViewRenderer::has_work_locked() const {
  if (want_neuron_gen_ != done_neuron_gen_) return true;
  if (!want_snap_) return false;
  return view_stale_locked() || done_view_preview_ || want_snap_ != done_sweep_snap_;
}

// The neuron of the shown run, made again only when the run's neuron changes, so that a(z)
// is measured with the very neuron that trained the CPPN.
class ActivationProbe {
 public:
  // a(z): the image at the training resolution, through the same transform, into the same
  // neuron, divided by the same MEI activation (what the trainer measures).
  // `small`: the image at z at the training resolution, transformed.
  void measure(const Snapshot& snap, const ImageStack& small, ViewRenderer::View& v) {
    use_neuron(snap.config.neuron);
    if (!evaluator_) {
      v.error = error_;
      return;
    }
    const std::vector<float> r = evaluator_->respond(small);
    if (!r.empty() && snap.mei_activation != 0) {
      v.activation = static_cast<float>(r[0] / snap.mei_activation);
      v.has_activation = true;
    }
  }

 private:
  void use_neuron(const NeuronConfig& neuron) {
    const std::string key = neuron_key(neuron);
    if (key == key_) return;
    key_ = key;
    evaluator_.reset();
    error_.clear();
    try {
      evaluator_ = std::make_unique<NeuronEvaluator>(neuron);
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }

  std::unique_ptr<NeuronEvaluator> evaluator_;
  std::string key_, error_;
};

namespace {

// The big image at z (res rows, the training aspect ratio; none for res 0) over the window, and
// a(z). The big image takes the statistics of the image at the training resolution, so that at
// any size and zoom it shows what the neuron sees.
ViewRenderer::View render_view(const SnapshotPtr& snap, const std::vector<float>& z, int res,
                               const CoordinateWindow& window, bool preview,
                               ActivationProbe& probe) {
  ViewRenderer::View v;
  v.snap = snap;
  v.z = z;
  v.window = window;
  v.preview = preview;
  try {
    const RunConfig& cfg = snap->config;
    const LatentPoints p = one_point(z, std::max(1, snap->cppn.latent_dims()));
    ImageStack small = render_raw(snap->cppn, p, cfg.image.height, cfg.image.width);
    const ImageMoments m = image_moments(small.image(0), small.image_size());
    if (res > 0) {
      const int w = std::max(1, res * cfg.image.width / std::max(1, cfg.image.height));
      v.image = render_raw(snap->cppn, p, res, w, window);
      apply_transform(cfg.image.transform, v.image.image(0), v.image.image_size(), m);
    }
    apply_transform(cfg.image.transform, small.image(0), small.image_size(), m);
    probe.measure(*snap, small, v);
  } catch (const std::exception& e) {
    v.error = e.what();
  }
  return v;
}

// The statistics of the thumbnails' raw images at the training resolution.
std::vector<ImageMoments> thumbnail_moments(const Snapshot& snap) {
  const LatentPoints p = pick_points(snap.sweep_latents, thumbnail_indices(snap));
  const ImageStack raw =
      render_raw(snap.cppn, p, snap.config.image.height, snap.config.image.width);
  std::vector<ImageMoments> m;
  for (int i = 0; i < raw.count; ++i) m.push_back(image_moments(raw.image(i), raw.image_size()));
  return m;
}

}  // namespace

void ViewRenderer::make_filters(std::unique_lock<std::mutex>& lk) {
  const NeuronConfig neuron = want_neuron_;
  const std::uint64_t gen = want_neuron_gen_;
  lk.unlock();
  Filters f;
  try {
    f.images = NeuronEvaluator(neuron).filters_for_display();
  } catch (const std::exception& e) {
    f.error = e.what();
  }
  lk.lock();
  done_neuron_gen_ = gen;
  f.serial = ++serial_;
  filters_ = std::move(f);
}

bool ViewRenderer::sweep_turn_locked() const {
  const bool view_stale = view_stale_locked();
  const bool sweep_stale = want_snap_ != done_sweep_snap_;
  // While Play moves z every frame the view is always stale; after half a second the
  // thumbnails and the colour scale get their turn anyway.
  const bool sweep_overdue =
      sweep_stale && sweep_wanted_since_ >= 0 && now_seconds() - sweep_wanted_since_ > 0.5;
  return sweep_stale && (!view_stale || sweep_overdue);
}

void ViewRenderer::make_sweep(std::unique_lock<std::mutex>& lk) {
  const SnapshotPtr snap = want_snap_;
  const bool moments = thumb_moments_;
  lk.unlock();
  Sweep s;
  s.snap = snap;
  try {
    s.images = snap->sweep_images;  // rendered and measured by the trainer already
    s.scale = symmetric_scale(s.images);
    if (moments) s.thumb_moments = thumbnail_moments(*snap);
  } catch (const std::exception& e) {
    s.error = e.what();
  }
  lk.lock();
  done_sweep_snap_ = snap;
  sweep_wanted_since_ = want_snap_ != done_sweep_snap_ ? now_seconds() : -1;
  s.serial = ++serial_;
  sweep_ = std::move(s);
}

// While z moves (Play, a dragged slider) a new image every 1/30 s is smooth enough; rendering
// one per frame would take that CPU from training. Returns false after waiting (the wish may
// have changed meanwhile); the wait ends early only to quit.
bool ViewRenderer::pace_view(std::unique_lock<std::mutex>& lk) {
  if (want_z_ == done_view_z_ || last_view_at_ <= 0) return true;
  const double wait = last_view_at_ + 1.0 / 30.0 - now_seconds();
  if (wait <= 0) return true;
  working_ = false;
  cv_.wait_for(lk, std::chrono::duration<double>(wait), [&] { return quit_; });
  return false;
}

// The view: stale, or a preview waiting for its full-resolution render.
void ViewRenderer::make_view(std::unique_lock<std::mutex>& lk, ActivationProbe& probe) {
  const SnapshotPtr snap = want_snap_;
  const std::vector<float> z = want_z_;
  const int size = want_size_;
  const CoordinateWindow window = want_window_;
  // A moving z gets a quarter-cost render first so sweeping and Play stay fluid.
  const bool preview = view_stale_locked() && z != done_view_z_ && size > 64;
  lk.unlock();
  View v = render_view(snap, z, preview ? size / 2 : size, window, preview, probe);
  lk.lock();
  done_view_snap_ = snap;
  done_view_z_ = z;
  done_view_size_ = size;
  done_view_window_ = window;
  done_view_preview_ = preview;
  last_view_at_ = now_seconds();
  v.serial = ++serial_;
  view_ = std::move(v);
}

void ViewRenderer::worker() {
  ActivationProbe probe;
  std::unique_lock<std::mutex> lk(mutex_);
  for (;;) {
    cv_.wait(lk, [&] { return quit_ || has_work_locked(); });
    if (quit_) return;
    working_ = true;
    if (want_neuron_gen_ != done_neuron_gen_)
      make_filters(lk);
    else if (sweep_turn_locked())
      make_sweep(lk);
    else if (pace_view(lk))
      make_view(lk, probe);
    else
      continue;  // waited: decide again
    working_ = false;
  }
}

}  // namespace invex::gui

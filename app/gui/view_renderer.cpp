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

LatentPoints one_point(const std::vector<float>& z, int dims) {
  LatentPoints p;
  p.count = 1;
  p.dims = dims;
  p.data.assign(static_cast<size_t>(dims), 0.0f);
  for (int d = 0; d < dims && d < static_cast<int>(z.size()); ++d) p.data[d] = z[d];
  return p;
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

void ViewRenderer::want_view(const SnapshotPtr& snap, const std::vector<float>& z,
                             int display_size) {
  if (!snap) return;
  std::lock_guard<std::mutex> lk(mutex_);
  if (snap == want_snap_ && z == want_z_ && display_size == want_size_) return;
  if (snap != want_snap_ && sweep_wanted_since_ < 0) sweep_wanted_since_ = now_seconds();
  want_snap_ = snap;
  want_z_ = z;
  want_size_ = display_size;
  cv_.notify_all();
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

bool ViewRenderer::has_work_locked() const {
  if (want_neuron_gen_ != done_neuron_gen_) return true;
  if (!want_snap_) return false;
  const bool view_stale =
      want_snap_ != done_view_snap_ || want_z_ != done_view_z_ || want_size_ != done_view_size_;
  return view_stale || done_view_preview_ || want_snap_ != done_sweep_snap_;
}

void ViewRenderer::worker() {
  std::unique_ptr<NeuronEvaluator> evaluator;  // the shown run's neuron, for a(z)
  std::string evaluator_key, evaluator_error;

  std::unique_lock<std::mutex> lk(mutex_);
  for (;;) {
    cv_.wait(lk, [&] { return quit_ || has_work_locked(); });
    if (quit_) return;
    working_ = true;

    if (want_neuron_gen_ != done_neuron_gen_) {
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
      working_ = false;
      continue;
    }

    const bool view_stale =
        want_snap_ != done_view_snap_ || want_z_ != done_view_z_ || want_size_ != done_view_size_;
    const bool sweep_stale = want_snap_ != done_sweep_snap_;
    // While Play moves z every frame the view is always stale; after half a second the
    // thumbnails and the colour scale get their turn anyway.
    const bool sweep_overdue =
        sweep_stale && sweep_wanted_since_ >= 0 && now_seconds() - sweep_wanted_since_ > 0.5;

    if (sweep_stale && (!view_stale || sweep_overdue)) {
      const SnapshotPtr snap = want_snap_;
      lk.unlock();
      Sweep s;
      s.snap = snap;
      try {
        s.images = snap->sweep_images;  // rendered and measured by the trainer already
        s.scale = symmetric_scale(s.images);
      } catch (const std::exception& e) {
        s.error = e.what();
      }
      lk.lock();
      done_sweep_snap_ = snap;
      sweep_wanted_since_ = want_snap_ != done_sweep_snap_ ? now_seconds() : -1;
      s.serial = ++serial_;
      sweep_ = std::move(s);
      working_ = false;
      continue;
    }

    // The view: stale, or a preview waiting for its full-resolution render. While z moves
    // (Play, a dragged slider) a new image every 1/30 s is smooth enough; rendering one per
    // frame would take that CPU from training. The wait ends early only to quit.
    if (want_z_ != done_view_z_ && last_view_at_ > 0) {
      const double wait = last_view_at_ + 1.0 / 30.0 - now_seconds();
      if (wait > 0) {
        working_ = false;
        cv_.wait_for(lk, std::chrono::duration<double>(wait), [&] { return quit_; });
        continue;  // the wish may have changed meanwhile: decide again
      }
    }
    const SnapshotPtr snap = want_snap_;
    const std::vector<float> z = want_z_;
    const int size = want_size_;
    // A moving z gets a quarter-cost render first so sweeping and Play stay fluid.
    const bool preview = view_stale && z != done_view_z_ && size > 64;
    const int res = preview ? size / 2 : size;
    lk.unlock();

    View v;
    v.snap = snap;
    v.z = z;
    v.preview = preview;
    try {
      const RunConfig& cfg = snap->config;
      const int dims = std::max(1, snap->cppn.latent_dims());
      const LatentPoints p = one_point(z, dims);
      const int h = res, w = std::max(1, res * cfg.image.width / std::max(1, cfg.image.height));
      v.image = render_images(*snap, p, h, w);

      // a(z) is what the trainer measures: the image at the training resolution, through the
      // same transform, into the same neuron, divided by the same MEI activation.
      const std::string key = neuron_key(cfg.neuron);
      if (key != evaluator_key) {
        evaluator_key = key;
        evaluator.reset();
        evaluator_error.clear();
        try {
          evaluator = std::make_unique<NeuronEvaluator>(cfg.neuron);
        } catch (const std::exception& e) {
          evaluator_error = e.what();
        }
      }
      if (evaluator) {
        const ImageStack small = render_images(*snap, p, cfg.image.height, cfg.image.width);
        const std::vector<float> r = evaluator->respond(small);
        if (!r.empty() && snap->mei_activation != 0) {
          v.activation = static_cast<float>(r[0] / snap->mei_activation);
          v.has_activation = true;
        }
      } else {
        v.error = evaluator_error;
      }
    } catch (const std::exception& e) {
      v.error = e.what();
    }

    lk.lock();
    done_view_snap_ = snap;
    done_view_z_ = z;
    done_view_size_ = size;
    done_view_preview_ = preview;
    last_view_at_ = now_seconds();
    v.serial = ++serial_;
    view_ = std::move(v);
    working_ = false;
  }
}

}  // namespace invex::gui

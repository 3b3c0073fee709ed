// Everything the manifold view needs from the CPU (renders of the CPPN, the neuron's response
// at z, the neuron's filters) is computed on one worker thread, so a frame never waits for a
// render. The main thread states what it wants each frame; the worker always works on the
// newest wish and drops stale ones; the main thread picks up finished results by serial.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/render/render.h"
#include "core/run/config.h"
#include "core/run/image_stack.h"
#include "core/run/snapshot.h"

namespace invex::gui {

// Background work (training, CPU renders) yields to the thread that draws frames: on a
// 2-core machine the window must win the CPU when it needs it. Threads started afterwards by
// the calling thread inherit the lower priority.
void lower_this_thread_priority();

class ActivationProbe;  // view_renderer.cpp: the run's neuron, which measures a(z)

class ViewRenderer {
 public:
  struct View {
    std::uint64_t serial = 0;
    SnapshotPtr snap;
    std::vector<float> z;
    CoordinateWindow window;
    // 1×C×S×S over the window, transformed with the statistics of the image at the training
    // resolution (what the neuron sees, at display size); empty when only a(z) was asked for.
    ImageStack image;
    bool preview = false;  // a coarse render while z moves; the full one follows
    float activation = 0;  // normalised: response at the training resolution / MEI
    bool has_activation = false;
    std::string error;
  };
  struct Sweep {
    std::uint64_t serial = 0;
    SnapshotPtr snap;
    ImageStack images;  // the canonical sweep at the training resolution
    float scale = 1;    // max |value| over the sweep: the one colour scale of the manifold
    // For the shader path: the raw images' statistics at the training resolution, one per
    // thumbnail (thumbnail_indices order), when want_thumbnail_moments(true).
    std::vector<ImageMoments> thumb_moments;
    std::string error;
  };
  struct Filters {
    std::uint64_t serial = 0;
    ImageStack images;
    std::string error;
  };

  ViewRenderer();
  ~ViewRenderer();
  ViewRenderer(const ViewRenderer&) = delete;
  ViewRenderer& operator=(const ViewRenderer&) = delete;

  // Cheap when nothing changed; call every frame. A null snapshot clears nothing. A display
  // size of 0 asks for a(z) only (the GPU draws the image).
  void want_view(const SnapshotPtr& snap, const std::vector<float>& z, int display_size,
                 const CoordinateWindow& window = {});
  void want_thumbnail_moments(bool on);
  void want_filters(const NeuronConfig& neuron);

  // Copy the newest result into `have` when it is newer than have.serial.
  bool take(View& have);
  bool take(Sweep& have);
  bool take(Filters& have);

  // Drop the current wish (a run was replaced). Returns the serial that every result of the
  // old run is at or below, so the caller can ignore a result still in flight.
  std::uint64_t forget();

  // True while any wanted result is not finished (the test harness waits on this).
  bool busy() const;

 private:
  // The worker's loop and its steps; each step is entered and left with the lock held.
  void worker();
  bool has_work_locked() const;
  bool view_stale_locked() const;
  void make_filters(std::unique_lock<std::mutex>& lk);
  bool sweep_turn_locked() const;  // the sweep goes before a stale view
  void make_sweep(std::unique_lock<std::mutex>& lk);
  bool pace_view(std::unique_lock<std::mutex>& lk);
  void make_view(std::unique_lock<std::mutex>& lk, ActivationProbe& probe);

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool quit_ = false;

  // Wishes (main thread writes).
  SnapshotPtr want_snap_;
  std::vector<float> want_z_;
  int want_size_ = 256;
  CoordinateWindow want_window_;
  bool thumb_moments_ = false;
  NeuronConfig want_neuron_;
  std::uint64_t want_neuron_gen_ = 0;

  // What the worker last finished.
  SnapshotPtr done_view_snap_;
  std::vector<float> done_view_z_;
  int done_view_size_ = 0;
  CoordinateWindow done_view_window_;
  bool done_view_preview_ = false;
  double last_view_at_ = -1;  // when the last view render finished (seconds)
  SnapshotPtr done_sweep_snap_;
  double sweep_wanted_since_ = -1;  // seconds; stops a running Play from starving the sweep
  std::uint64_t done_neuron_gen_ = 0;
  bool working_ = false;

  View view_;
  Sweep sweep_;
  Filters filters_;
  std::uint64_t serial_ = 0;

  std::thread thread_;
};

}  // namespace invex::gui

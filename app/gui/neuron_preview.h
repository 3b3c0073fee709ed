// What a neuron likes, shown before any training: its receptive field (the gradient magnitude
// of the response at a mean-grey image) and its MEI (method.md §7), and for the macaque picker
// the recordings of a models folder with their neuron counts. All of it is computed on a worker
// thread of its own, which always works on the newest wish and abandons a stale MEI, so no frame
// waits for a model to load or an MEI to converge.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "core/run/config.h"
#include "core/run/image_stack.h"

namespace invex::gui {

class NeuronPreview {
 public:
  struct Result {
    std::uint64_t serial = 0;
    // 1×1×H×W: Σ over channels of |∂f/∂x| at the mean-grey image (pixels at the transform's
    // mean); empty until computed.
    ImageStack receptive_field;
    ImageStack mei;  // 1×C×H×W, transformed as the neuron sees it; empty until the MEI is done
    double mei_activation = 0;
    int mei_step = 0, mei_steps = 0;  // progress of the MEI's gradient ascent
    std::string error;                // the neuron could not be loaded or evaluated
  };
  struct Folder {
    std::uint64_t serial = 0;
    std::string directory;
    std::map<std::string, std::int64_t> neurons;  // data key → neurons in its readout
    std::string error;
  };

  NeuronPreview();
  ~NeuronPreview();
  NeuronPreview(const NeuronPreview&) = delete;
  NeuronPreview& operator=(const NeuronPreview&) = delete;

  // The neuron, image and MEI settings of cfg; cheap when they did not change (call every
  // frame). A change abandons the MEI in progress.
  void want(const RunConfig& cfg);
  // The data keys of the macaque models in `directory`; cheap when unchanged.
  void want_models(const std::string& directory);

  // Copy the newest result into `have` when it is newer than have.serial.
  bool take(Result& have);
  bool take(Folder& have);
  // True while a wish is not finished (the test harness waits on this).
  bool busy() const;

 private:
  void worker();
  void make_preview(std::unique_lock<std::mutex>& lk);
  void read_folder(std::unique_lock<std::mutex>& lk);

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool quit_ = false;
  bool working_ = false;

  std::string want_key_;  // the serialised settings of the wish
  RunConfig want_cfg_;
  std::uint64_t want_gen_ = 0, done_gen_ = 0;
  std::string want_dir_, done_dir_;
  bool dir_wanted_ = false;

  Result result_;
  Folder folder_;
  std::uint64_t serial_ = 0;
  std::thread thread_;
};

}  // namespace invex::gui

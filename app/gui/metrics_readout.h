// The metrics of method.md §11 for the newest snapshot, as lines of text for the Activation
// panel. Measuring takes tens of milliseconds for a 2-D sweep (and renders the points between
// it), so it runs on a helper thread; the main thread only starts it and picks up the result.
#pragma once

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "core/neurons/neuron.h"
#include "core/run/snapshot.h"

namespace invex::gui {

class MetricsReadout {
 public:
  MetricsReadout() = default;
  MetricsReadout(const MetricsReadout&) = delete;
  MetricsReadout& operator=(const MetricsReadout&) = delete;
  ~MetricsReadout();  // waits for a measurement in flight

  // Picks up a finished measurement; starts one of `snap` when none is in flight, `snap` has a
  // sweep that was not measured yet, and the last one started at least a second before `now`
  // (seconds). Never waits.
  void update(const SnapshotPtr& snap, double now);
  // The newest measurement's lines (empty before the first), and the step it was taken at.
  const std::vector<std::string>& lines() const { return lines_; }
  int step() const { return step_; }

 private:
  SnapshotPtr asked_;  // the snapshot measured last, or being measured
  double started_at_ = -1e9;
  std::future<std::vector<std::string>> pending_;
  std::vector<std::string> lines_;
  int step_ = -1, pending_step_ = -1;
  // The helper thread's neuron, kept while the neuron stays the same (only one measurement
  // runs at a time, so only one thread uses it).
  std::shared_ptr<NeuronEvaluator> neuron_;
  NeuronConfig neuron_config_;
};

}  // namespace invex::gui

#include "app/gui/metrics_readout.h"

#include <chrono>

#include "core/method/metrics.h"
#include "core/render/render.h"

namespace invex::gui {

MetricsReadout::~MetricsReadout() {
  if (pending_.valid()) pending_.wait();
}

namespace {
bool same_neuron(const NeuronConfig& a, const NeuronConfig& b) {
  RunConfig x, y;
  x.neuron = a;
  y.neuron = b;
  return config_to_json(x) == config_to_json(y);
}
}  // namespace

void MetricsReadout::update(const SnapshotPtr& snap, double now) {
  if (pending_.valid() && pending_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    try {
      lines_ = pending_.get();
    } catch (const std::exception& e) {
      lines_ = {std::string("metrics: ") + e.what()};
    }
    step_ = pending_step_;
  }
  if (pending_.valid() || !snap || snap == asked_ || snap->sweep_images.count == 0 ||
      now - started_at_ < 1.0)
    return;
  asked_ = snap;
  started_at_ = now;
  pending_step_ = snap->step;
  if (!neuron_ || !same_neuron(neuron_config_, snap->config.neuron)) {
    neuron_.reset();
    neuron_config_ = snap->config.neuron;
  }
  pending_ = std::async(std::launch::async, [snap, this]() {
    if (!neuron_) neuron_ = std::make_shared<NeuronEvaluator>(snap->config.neuron);
    const NeuronEvaluator& neuron = *neuron_;
    const auto& c = snap->config;
    const InvarianceReport r =
        measure_sweep(c.neuron, c.latent.periodic, snap->sweep_images, snap->sweep_activations,
                      [&](const LatentPoints& z) {
                        std::vector<float> a =
                            neuron.respond(render_images(*snap, z, c.image.height, c.image.width));
                        for (float& v : a) v = static_cast<float>(v / snap->mei_activation);
                        return a;
                      });
    return report_to_text(r);
  });
}

}  // namespace invex::gui

// The MEI activation (METHOD §7): gradient ascent on the pixels of one image through the same
// transform as training, cached per neuron in memory and on disk.
#pragma once

#include "core/run/config.h"
#include "core/run/image_stack.h"

namespace invex {

struct MeiResult {
  double activation = 0;
  ImageStack image;  // the transformed MEI, 1×C×H×W
  bool from_cache = false;
};

MeiResult compute_mei(const NeuronConfig& neuron, const ImageConfig& image, const MeiConfig& mei,
                      unsigned long long seed = 0);
// cfg.mei.activation when it is > 0, else the cached or computed MEI activation.
double mei_activation_for(const RunConfig& cfg);

}  // namespace invex

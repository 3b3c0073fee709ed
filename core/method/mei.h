// The MEI, the neuron's most exciting input (method.md §7): gradient ascent with Adam on the
// pixels of one image, through the same transform as training, so that the MEI obeys the same
// mean and contrast constraint as the manifold it normalises. io/mei_cache.h remembers results.
#pragma once

#include <functional>

#include "core/run/config.h"
#include "core/run/image_stack.h"

namespace invex {

struct MeiResult {
  double activation = 0;
  ImageStack image;  // the transformed MEI, 1×C×H×W
};

// Called after each ascent step with the steps done, the steps in all and the best activation
// so far (a 93×93 macaque MEI takes about a minute).
using MeiProgress = std::function<void(int step, int steps, double best)>;

// The best image over `mei.steps` Adam steps (lr `mei.lr`) from Gaussian noise drawn with `seed`;
// with `mei.starts` > 1, the best of that many such ascents, from the noise of seeds seed,
// seed + 1, ... (progress counts the steps of all of them).
MeiResult compute_mei(const NeuronConfig& neuron, const ImageConfig& image, const MeiConfig& mei,
                      unsigned long long seed = 0, const MeiProgress& progress = {});

// The ascent steps compute_mei takes in all (what its progress counts to).
int mei_total_steps(const MeiConfig& mei);

}  // namespace invex

// How to tell that a manifold is right for a neuron with a known invariance (method.md §11).
#pragma once

#include <string>
#include <vector>

#include "core/run/config.h"
#include "core/run/image_stack.h"

namespace invex {

struct CircularCoverage {
  std::string variable;       // "phase" or "orientation"
  double winding = 0;         // net turns over the loop (only meaningful for a 1-D periodic sweep)
  double coverage = 0;        // fraction of 36 equal bins visited
  std::vector<float> values;  // the variable for each image, radians in (−π, π]
};

struct InvarianceReport {
  double mean_activation = 0, min_activation = 0;  // normalised by the MEI
  std::vector<CircularCoverage> circular;          // empty for neurons without a known one
  bool has_polarity = false;
  bool both_polarities = false;
  int positive_polarity = 0, negative_polarity = 0;
};

// `images` are the transformed images of a sweep (in order), `activations` normalised.
// `closed_loop`: the sweep is one loop of a 1-D periodic latent (winding is computed).
InvarianceReport invariance_report(const NeuronConfig& neuron, const ImageStack& images,
                                   const std::vector<float>& activations, bool closed_loop);

// Winding number of a sequence of angles (radians) read as a closed loop.
double winding_number(const std::vector<float>& angles);
// Fraction of `bins` equal bins of the circle that the angles visit.
double circular_coverage(const std::vector<float>& angles, int bins = 36);

std::string report_to_json(const InvarianceReport& r, int indent = 2);

}  // namespace invex

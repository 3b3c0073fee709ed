// How to tell that a manifold is right for a neuron with a known invariance (method.md §11).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/run/config.h"
#include "core/run/image_stack.h"

namespace invex {

// How one invariant variable changes along one latent axis of the sweep (method.md §11.2),
// summarised over the sweep's parallel lines along that axis (one line for a 1-D sweep).
struct AxisChange {
  int axis = 0;
  bool periodic = false;
  // Periodic axis only (each line is a closed loop): the winding number most loops agree on
  // (each loop's rounded to an integer), the fraction of loops that agree and their number.
  // A loop without a winding (θ turns by an odd number of half turns) agrees with nothing; when
  // no loop has one, `winding` is empty and `agreement` 0.
  std::optional<int> winding;
  std::optional<double> agreement;
  // The full phase-orientation cell's orientation on a periodic axis: the same for the turns of
  // 2θ (passes through all the orientations mod π), which every loop of images has.
  std::optional<int> mod_pi_winding;
  std::optional<double> mod_pi_agreement;
  int lines = 0;
  // Every axis, the median over lines: the range the variable covers (turns of the circle, or
  // the fraction of its interval) and how monotonically it changes (|net change| / path length,
  // 1 = never turns back, 0 = no net change).
  double range = 0, monotonicity = 0;
};

// A variable the neuron is invariant to, one value per sweep image.
struct InvariantVariable {
  std::string name;      // "phase" or "orientation"
  bool circular = true;  // false: an interval (the orientation of the π/2 cell)
  // The full phase-orientation cell's orientation: an image is the same at θ and θ + π (with
  // the phase negated), so a closed loop of images turns θ by a multiple of half a turn; only
  // whole turns close in (θ, φ) and give a winding (method.md §11.2).
  bool half_turns = false;
  double coverage = 0;  // fraction of 36 equal bins visited
  // The unrounded winding of the whole sweep when it is one loop (1-D periodic latent).
  std::optional<double> loop_winding;
  std::vector<AxisChange> axes;  // one per latent axis
  // Per image, radians: circular variables in (−π, π]; an interval mapped onto [0, 2π). The
  // full phase-orientation cell's orientation is θ lifted by continuity (method.md §11.2).
  std::vector<float> values;
};

// The winding of every circular variable along every axis of a torus latent (method.md §11.2).
// The full phase-orientation cell's orientation is counted mod π (column "orientation mod π",
// the turns of 2θ), since its images form a Klein bottle that a torus cannot wind once round
// in θ and φ without drawing every image twice (method.md §11.3).
struct WindingMatrix {
  std::vector<std::string> columns;  // the circular variables
  // One per latent axis: the modal winding per column (0 where no loop has a winding).
  std::vector<std::vector<int>> rows;
  std::optional<int> determinant;  // when the matrix is 2×2
};

struct InvarianceReport {
  double mean_activation = 0, min_activation = 0;  // normalised by the MEI
  // Between adjacent sweep points (method.md §11.2); set by whoever can render them.
  std::optional<double> midpoint_mean_activation, midpoint_min_activation;
  // Correlation of adjacent sweep images (mean and worst), and of all pairs (collapse).
  std::optional<double> smoothness_mean, smoothness_min, collapse;
  std::vector<InvariantVariable> variables;  // empty for neurons without a known invariance
  std::optional<WindingMatrix> winding_matrix;
  bool has_polarity = false;
  bool both_polarities = false;
  int positive_polarity = 0, negative_polarity = 0;
  // A polarity cell on a 1-D sweep (method.md §11.1): how often ⟨x, g⟩ changes sign between
  // adjacent sweep points (round the loop when the latent is periodic), and the arcs between
  // the changes: arc_min_activation[w] is the lowest activation over the sweep points more
  // than w points from every sign change, for w = 0 (the whole sweep) up to
  // kMaxArcMargin while any point is that far. Empty and unset for other cells and sweeps.
  std::optional<int> polarity_sign_changes;
  std::vector<double> arc_min_activation;

  const InvariantVariable* variable(const std::string& name) const;
};

// `images` are the transformed images of the canonical sweep (method.md §10.1, in its order),
// `activations` normalised, `periodic` the latent's axes: K images for 1-D, K×K for 2-D (last
// axis fastest). Throws std::invalid_argument when the counts do not form such a sweep.
InvarianceReport invariance_report(const NeuronConfig& neuron, const ImageStack& images,
                                   const std::vector<float>& activations,
                                   const std::vector<bool>& periodic);

// Winding number of a sequence of angles (radians) read as a closed loop.
double winding_number(const std::vector<float>& angles);
// Fraction of `bins` equal bins of the circle that the angles visit.
double circular_coverage(const std::vector<float>& angles, int bins = 36);

// Normalised activations of a manifold's images at given latents (rendered as the sweep was).
using ActivationsAt = std::function<std::vector<float>(const LatentPoints&)>;

// invariance_report, and the activations half-way between adjacent sweep points from
// `activations_at` (method.md §11.2).
InvarianceReport measure_sweep(const NeuronConfig& neuron, const std::vector<bool>& periodic,
                               const ImageStack& images, const std::vector<float>& activations,
                               const ActivationsAt& activations_at);

// Every metric, with null for those not computed.
std::string report_to_json(const InvarianceReport& r, int indent = 2);
// The same as a few short lines of text for a figure or a panel, "n/a" for what was not
// computed.
std::vector<std::string> report_to_text(const InvarianceReport& r);

}  // namespace invex

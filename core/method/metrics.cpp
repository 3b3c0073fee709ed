#include "core/method/metrics.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/method/latent_grid.h"
#include "core/neurons/gabor.h"

namespace invex {

double winding_number(const std::vector<float>& a) {
  if (a.size() < 2) return 0;
  double total = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    double d = a[(i + 1) % a.size()] - a[i];
    d = std::remainder(d, 2 * M_PI);  // the shortest signed step
    total += d;
  }
  return total / (2 * M_PI);
}

double circular_coverage(const std::vector<float>& a, int bins) {
  if (a.empty()) return 0;
  std::vector<bool> seen(bins, false);
  for (float v : a) {
    // A NaN image (a diverged run) has no phase: it covers no bin, rather than indexing out of
    // range. Any finite angle wraps into [0, 2π).
    if (!std::isfinite(v)) continue;
    double u = v / (2 * M_PI);
    u -= std::floor(u);
    int b = std::min(bins - 1, static_cast<int>(u * bins));
    seen[b] = true;
  }
  return static_cast<double>(std::count(seen.begin(), seen.end(), true)) / bins;
}

const InvariantVariable* InvarianceReport::variable(const std::string& name) const {
  for (const auto& v : variables)
    if (v.name == name) return &v;
  return nullptr;
}

namespace {

at::Tensor as_tensor(const ImageStack& s) {
  return at::from_blob(const_cast<float*>(s.data.data()),
                       {s.count, static_cast<int64_t>(s.image_size())}, at::kFloat)
      .to(at::kDouble);
}

// The unit vectors u_k of method.md §5 (centred, normalised), one row per image.
at::Tensor unit_rows(const at::Tensor& x) {
  auto c = x - x.mean(1, true);
  return c / c.norm(2, 1, true).clamp_min(1e-300);
}

// A filter bank: one row per (θ, φ) filter, flattened.
at::Tensor bank(const NeuronConfig& n, const std::vector<double>& thetas, double phase) {
  std::vector<at::Tensor> f;
  for (double t : thetas) f.push_back(gabor_filter(n, t, phase).reshape(-1));
  return at::stack(f);
}

// The image before k in the order that lifts the full cell's orientation (method.md §11.2):
// along the sweep for 1-D; for 2-D, down the first column, then along each row. -1 for the first.
int lift_predecessor(int dims, int k, int index) {
  if (dims == 1 || index % k != 0) return index - 1;
  return index - k;  // -k for the first image
}

// The phase-orientation cell: the best orientation θ* and the phase ψ at it; for the full cell
// (A = 2π) θ* and θ* + π match equally with ψ negated, so θ is lifted by continuity and the
// orientation coverage is that of 2θ* (orientation mod π, doubled onto the circle).
void read_phase_orientation(const NeuronConfig& n, const at::Tensor& x, int dims, int k,
                            InvariantVariable& phase, InvariantVariable& orientation) {
  const auto thetas = theta_list(n);
  auto r0 = at::matmul(x, bank(n, thetas, n.phase).t());
  auto r1 = at::matmul(x, bank(n, thetas, n.phase + M_PI / 2).t());
  auto best = std::get<1>((r0.pow(2) + r1.pow(2)).max(1));
  const bool full = orientation.circular;
  std::vector<float> doubled;
  for (int64_t i = 0; i < x.size(0); ++i) {
    const int64_t b = best[i].item<int64_t>();
    double psi = std::atan2(r1[i][b].item<double>(), r0[i][b].item<double>());
    double t = thetas[b];
    if (!full) {
      orientation.values.push_back(static_cast<float>(t * 2 * M_PI / n.theta_range));
    } else {
      doubled.push_back(static_cast<float>(std::remainder(2 * t, 2 * M_PI)));
      const int prev = i == 0 ? -1 : lift_predecessor(dims, k, static_cast<int>(i));
      const double from = prev < 0 ? std::fmod(t, M_PI) : orientation.values[prev];
      if (std::abs(std::remainder(t + M_PI - from, 2 * M_PI)) <
          std::abs(std::remainder(t - from, 2 * M_PI)))
        t += M_PI, psi = -psi;
      orientation.values.push_back(static_cast<float>(std::remainder(t, 2 * M_PI)));
    }
    phase.values.push_back(static_cast<float>(std::remainder(psi, 2 * M_PI)));
  }
  orientation.coverage = circular_coverage(full ? doubled : orientation.values);
}

// The per-image angles of the cell's invariant variables (method.md §11.1, §11.2) and their
// coverage.
std::vector<InvariantVariable> read_variables(const NeuronConfig& n, const at::Tensor& x, int dims,
                                              int k) {
  const int64_t count = x.size(0);
  const bool full_circle = std::abs(n.theta_range - 2 * M_PI) < 1e-6;
  auto make = [](const char* name, bool circular) {
    InvariantVariable v;
    v.name = name;
    v.circular = circular;
    return v;
  };
  std::vector<InvariantVariable> out;
  if (n.type == "gabor-complex") {
    auto r0 = at::matmul(x, bank(n, {n.theta}, n.phase).t()).select(1, 0);
    auto r1 = at::matmul(x, bank(n, {n.theta}, n.phase + M_PI / 2).t()).select(1, 0);
    InvariantVariable phase = make("phase", true);
    for (int64_t i = 0; i < count; ++i)
      phase.values.push_back(
          static_cast<float>(std::atan2(r1[i].item<double>(), r0[i].item<double>())));
    phase.coverage = circular_coverage(phase.values);
    out.push_back(phase);
  } else if (n.type == "gabor-orientation") {
    const auto thetas = theta_list(n);
    auto best = std::get<1>(at::matmul(x, bank(n, thetas, n.phase).t()).max(1));
    InvariantVariable o = make("orientation", full_circle);
    for (int64_t i = 0; i < count; ++i) {
      const double t = thetas[best[i].item<int64_t>()] * 2 * M_PI / n.theta_range;
      o.values.push_back(static_cast<float>(full_circle ? std::remainder(t, 2 * M_PI) : t));
    }
    o.coverage = circular_coverage(o.values);
    out.push_back(o);
  } else if (n.type == "gabor-phase-orientation") {
    InvariantVariable phase = make("phase", true), o = make("orientation", full_circle);
    o.half_turns = full_circle;
    read_phase_orientation(n, x, dims, k, phase, o);
    phase.coverage = circular_coverage(phase.values);
    out.push_back(phase);
    out.push_back(o);
  }
  return out;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// The sweep indices of each line along `axis` (K lines of K points for 2-D, one for 1-D).
std::vector<std::vector<int>> lines_along(int dims, int k, int axis) {
  std::vector<std::vector<int>> lines(dims == 1 ? 1 : k);
  for (size_t line = 0; line < lines.size(); ++line)
    for (int i = 0; i < k; ++i)
      lines[line].push_back(dims == 1   ? i
                            : axis == 0 ? i * k + static_cast<int>(line)
                                        : static_cast<int>(line) * k + i);
  return lines;
}

// The turns of a closed loop of θ lifted by continuity, counted on 2θ, which an image fixes:
// half-integers are loops that close in images but not in (θ, φ).
double half_turn_winding(const std::vector<float>& theta) {
  std::vector<float> doubled;
  for (float t : theta) doubled.push_back(static_cast<float>(std::remainder(2.0 * t, 2 * M_PI)));
  return winding_number(doubled) / 2;
}

// How each line along an axis reads the full phase-orientation cell: θ lifted again by
// continuity along the line (`flip`: θ + π and −φ instead of the stored lift) and whether the
// line closes in (θ, φ): always, except a loop that turns θ by an odd number of half turns.
struct LineLift {
  bool closes = true;
  std::vector<bool> flip;
  double half_turns = 0;  // the loop's turns of θ counted on 2θ (half_turn_winding)
};

std::vector<LineLift> lift_lines(const std::vector<InvariantVariable>& vars, int dims, int k,
                                 int axis) {
  const auto lines = lines_along(dims, k, axis);
  std::vector<LineLift> lifts(lines.size());
  for (const auto& v : vars) {
    if (!v.half_turns) continue;
    for (size_t l = 0; l < lines.size(); ++l) {
      std::vector<float> theta;
      double prev = v.values[lines[l][0]];
      for (int i : lines[l]) {
        const bool flip = std::abs(std::remainder(v.values[i] + M_PI - prev, 2 * M_PI)) <
                          std::abs(std::remainder(v.values[i] - prev, 2 * M_PI));
        lifts[l].flip.push_back(flip);
        prev = v.values[i] + (flip ? M_PI : 0);
        theta.push_back(static_cast<float>(prev));
      }
      lifts[l].half_turns = half_turn_winding(theta);
      lifts[l].closes = std::abs(lifts[l].half_turns - std::round(lifts[l].half_turns)) < 0.25;
    }
  }
  return lifts;
}

// The variable along one line, with the line's own lift applied.
std::vector<float> line_values(const InvariantVariable& v, const std::vector<int>& line,
                               const LineLift& lift) {
  std::vector<float> out;
  for (size_t i = 0; i < line.size(); ++i) {
    double x = v.values[line[i]];
    if (!lift.flip.empty() && lift.flip[i]) x = v.half_turns ? x + M_PI : -x;
    out.push_back(static_cast<float>(std::remainder(x, 2 * M_PI)));
  }
  return out;
}

// The winding most loops agree on and their number; on a tie, the one nearest 0.
std::optional<std::pair<int, int>> modal(const std::map<int, int>& windings) {
  if (windings.empty()) return std::nullopt;
  auto best = windings.begin();
  for (auto it = windings.begin(); it != windings.end(); ++it)
    if (it->second > best->second ||
        (it->second == best->second && std::abs(it->first) < std::abs(best->first)))
      best = it;
  return *best;
}

AxisChange change_along(const InvariantVariable& v, int dims, int k, int axis, bool periodic,
                        const std::vector<LineLift>& lifts) {
  AxisChange a;
  a.axis = axis;
  a.periodic = periodic;
  std::vector<double> ranges, monotonic;
  std::map<int, int> windings, mod_pi;
  const auto lines = lines_along(dims, k, axis);
  for (size_t l = 0; l < lines.size(); ++l) {
    a.lines++;
    const std::vector<float> angles = line_values(v, lines[l], lifts[l]);
    // Range and monotonicity along the open path, with the circle's shortest steps.
    double pos = 0, lo = 0, hi = 0, path = 0;
    for (size_t i = 1; i < angles.size(); ++i) {
      double d = angles[i] - angles[i - 1];
      if (v.circular) d = std::remainder(d, 2 * M_PI);
      pos += d, path += std::abs(d);
      lo = std::min(lo, pos), hi = std::max(hi, pos);
    }
    ranges.push_back((hi - lo) / (2 * M_PI));
    monotonic.push_back(path > 0 ? std::abs(pos) / path : 0);
    if (periodic && v.circular && lifts[l].closes)
      windings[static_cast<int>(std::lround(winding_number(angles)))]++;
    if (periodic && v.half_turns) mod_pi[static_cast<int>(std::lround(2 * lifts[l].half_turns))]++;
  }
  a.range = median(ranges);
  a.monotonicity = median(monotonic);
  if (periodic && v.circular) a.agreement = 0.0;
  if (const auto best = modal(windings)) {
    a.winding = best->first;
    a.agreement = static_cast<double>(best->second) / a.lines;
  }
  if (const auto best = modal(mod_pi)) {
    a.mod_pi_winding = best->first;
    a.mod_pi_agreement = static_cast<double>(best->second) / a.lines;
  }
  return a;
}

// Smoothness over adjacent sweep pairs and collapse over all pairs (method.md §11.2).
void add_correlations(InvarianceReport& r, const at::Tensor& x, const std::vector<bool>& periodic,
                      int k) {
  auto u = unit_rows(x);
  const auto pairs = sweep_neighbours(periodic, k);
  if (!pairs.empty()) {
    double sum = 0, worst = 2;
    for (auto [a, b] : pairs) {
      const double rho = u[a].dot(u[b]).item<double>();
      sum += rho;
      worst = std::min(worst, rho);
    }
    r.smoothness_mean = sum / pairs.size();
    r.smoothness_min = worst;
  }
  const int64_t n = x.size(0);
  if (n >= 2) {
    // Σ_{k<l} ρ_kl = (|Σ u_k|² − Σ |u_k|²) / 2.
    const double total = u.sum(0).pow(2).sum().item<double>() - u.pow(2).sum().item<double>();
    r.collapse = total / (static_cast<double>(n) * (n - 1));
  }
}

void add_winding_matrix(InvarianceReport& r, const std::vector<bool>& periodic) {
  if (periodic.size() != 2 || !periodic[0] || !periodic[1]) return;
  WindingMatrix m;
  for (const auto& v : r.variables)
    if (v.circular) m.columns.push_back(v.half_turns ? v.name + " mod π" : v.name);
  if (m.columns.empty()) return;
  for (int axis = 0; axis < 2; ++axis) {
    std::vector<int> row;
    for (const auto& v : r.variables)
      if (v.circular)
        row.push_back(v.half_turns ? v.axes[axis].mod_pi_winding.value_or(0)
                                   : v.axes[axis].winding.value_or(0));
    m.rows.push_back(row);
  }
  if (m.columns.size() == 2)
    m.determinant = m.rows[0][0] * m.rows[1][1] - m.rows[0][1] * m.rows[1][0];
  r.winding_matrix = m;
}

// Each sweep point's distance, in points, to the nearest change of sign between adjacent
// points of a 1-D sweep (the two points either side of a change are 1 from it); K + 1 where
// there is no change. `loop`: the last point is adjacent to the first.
std::vector<int> distance_to_sign_change(const std::vector<bool>& positive, bool loop) {
  const int k = static_cast<int>(positive.size());
  std::vector<int> distance(k, k + 1);
  for (int j = 0; j < (loop ? k : k - 1); ++j) {
    if (positive[j] == positive[(j + 1) % k]) continue;  // no change between j and j + 1
    for (int i = 0; i < k; ++i) {
      const int d =
          loop ? std::min((j - i + k) % k, (i - j - 1 + k) % k) + 1 : (i <= j ? j - i + 1 : i - j);
      distance[i] = std::min(distance[i], d);
    }
  }
  return distance;
}

// Polarity counts, and on a 1-D sweep the sign changes of ⟨x, g⟩ and the activation on the
// arcs between them (method.md §11.1).
void add_polarity(InvarianceReport& r, const NeuronConfig& n, const at::Tensor& x,
                  const std::vector<float>& act, const std::vector<bool>& periodic) {
  r.has_polarity = true;
  auto resp = at::matmul(x, gabor_filter(n, n.theta, n.phase).reshape(-1));
  std::vector<bool> positive;
  for (int64_t i = 0; i < x.size(0); ++i) positive.push_back(resp[i].item<double>() > 0);
  r.positive_polarity = static_cast<int>(std::count(positive.begin(), positive.end(), true));
  r.negative_polarity = static_cast<int>(positive.size()) - r.positive_polarity;
  r.both_polarities = r.positive_polarity > 0 && r.negative_polarity > 0;
  if (periodic.size() != 1 || act.size() != positive.size()) return;
  const std::vector<int> distance = distance_to_sign_change(positive, periodic[0]);
  const size_t k = positive.size();
  int changes = 0;
  for (size_t j = 0; j < (periodic[0] ? k : k - 1); ++j)
    changes += positive[j] != positive[(j + 1) % k];
  r.polarity_sign_changes = changes;
  for (int margin = 0; margin <= kMaxArcMargin; ++margin) {
    double lowest = INFINITY;
    for (size_t i = 0; i < k; ++i)
      if (distance[i] > margin) lowest = std::min<double>(lowest, act[i]);
    if (std::isinf(lowest)) break;  // no point is that far from a change
    r.arc_min_activation.push_back(lowest);
  }
}

}  // namespace

InvarianceReport invariance_report(const NeuronConfig& n, const ImageStack& images,
                                   const std::vector<float>& act,
                                   const std::vector<bool>& periodic) {
  InvarianceReport r;
  if (!act.empty()) {
    double s = 0;
    r.min_activation = act[0];
    for (float a : act) {
      s += a;
      r.min_activation = std::min<double>(r.min_activation, a);
    }
    r.mean_activation = s / act.size();
  }
  if (images.count == 0) return r;
  const int dims = static_cast<int>(periodic.size());
  const int k = sweep_points_per_dim(dims, images.count);
  auto x = as_tensor(images);
  add_correlations(r, x, periodic, k);
  r.variables = read_variables(n, x, dims, k);
  for (auto& v : r.variables) {
    if (dims == 1 && periodic[0] && v.circular)
      v.loop_winding = v.half_turns ? half_turn_winding(v.values) : winding_number(v.values);
  }
  for (int axis = 0; axis < dims; ++axis) {
    const std::vector<LineLift> lifts = lift_lines(r.variables, dims, k, axis);
    for (auto& v : r.variables)
      v.axes.push_back(change_along(v, dims, k, axis, periodic[axis], lifts));
  }
  add_winding_matrix(r, periodic);
  if (n.type == "gabor-polarity") add_polarity(r, n, x, act, periodic);
  return r;
}

namespace {
template <typename T>
nlohmann::json or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json variable_json(const InvariantVariable& v) {
  nlohmann::json axes = nlohmann::json::array();
  for (const auto& a : v.axes)
    axes.push_back({{"axis", a.axis},
                    {"periodic", a.periodic},
                    {"winding", or_null(a.winding)},
                    {"agreement", or_null(a.agreement)},
                    {"mod_pi_winding", or_null(a.mod_pi_winding)},
                    {"mod_pi_agreement", or_null(a.mod_pi_agreement)},
                    {"lines", a.lines},
                    {"range", a.range},
                    {"monotonicity", a.monotonicity}});
  return {{"circular", v.circular},
          {"winding_number", or_null(v.loop_winding)},
          {"coverage_36_bins", v.coverage},
          {"axes", axes}};
}
}  // namespace

std::string report_to_json(const InvarianceReport& r, int indent) {
  nlohmann::json j;
  j["mean_activation"] = r.mean_activation;
  j["min_activation"] = r.min_activation;
  j["midpoint_activation"] = {{"mean", or_null(r.midpoint_mean_activation)},
                              {"min", or_null(r.midpoint_min_activation)}};
  j["smoothness"] = {{"mean", or_null(r.smoothness_mean)}, {"min", or_null(r.smoothness_min)}};
  j["collapse"] = or_null(r.collapse);
  for (const char* name : {"phase", "orientation"}) {
    const InvariantVariable* v = r.variable(name);
    j[name] = v ? variable_json(*v) : nlohmann::json(nullptr);
  }
  if (r.winding_matrix)
    j["winding_matrix"] = {{"rows", "latent axes"},
                           {"columns", r.winding_matrix->columns},
                           {"matrix", r.winding_matrix->rows},
                           {"determinant", or_null(r.winding_matrix->determinant)}};
  else
    j["winding_matrix"] = nullptr;
  if (r.has_polarity) {
    const double n = std::max(1, r.positive_polarity + r.negative_polarity);
    j["polarity"] = {
        {"both_polarities", r.both_polarities},
        {"positive_images", r.positive_polarity},
        {"negative_images", r.negative_polarity},
        {"positive_fraction", r.positive_polarity / n},
        {"negative_fraction", r.negative_polarity / n},
        {"sign_changes", or_null(r.polarity_sign_changes)},
        {"arc_min_activation",
         r.polarity_sign_changes ? nlohmann::json(r.arc_min_activation) : nlohmann::json(nullptr)}};
  } else {
    j["polarity"] = nullptr;
  }
  return j.dump(indent);
}

InvarianceReport measure_sweep(const NeuronConfig& neuron, const std::vector<bool>& periodic,
                               const ImageStack& images, const std::vector<float>& activations,
                               const ActivationsAt& activations_at) {
  InvarianceReport r = invariance_report(neuron, images, activations, periodic);
  if (images.count == 0) return r;
  const int k = sweep_points_per_dim(static_cast<int>(periodic.size()), images.count);
  const std::vector<float> mid = activations_at(sweep_midpoints(periodic, k));
  if (mid.empty()) return r;
  double sum = 0, lo = mid[0];
  for (float a : mid) sum += a, lo = std::min<double>(lo, a);
  r.midpoint_mean_activation = sum / mid.size();
  r.midpoint_min_activation = lo;
  return r;
}

namespace {
std::string text(const std::optional<double>& v, const char* format = "%.3f") {
  if (!v || !std::isfinite(*v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, *v);
  return buf;
}

// "phase: coverage 0.97, loop winding 1.00" / "phase: coverage 0.97; z0 winds 1 (95% of
// loops); z1 range 0.12 turns, monotonicity 0.40".
std::string variable_text(const InvariantVariable& v) {
  std::string out = v.name + ": coverage " + text(v.coverage, "%.2f");
  if (v.loop_winding) return out + ", loop winding " + text(v.loop_winding, "%.2f");
  for (const auto& a : v.axes) {
    out += "; z" + std::to_string(a.axis);
    if (a.periodic && v.circular) {
      out += " winds " + (a.winding ? std::to_string(*a.winding) : std::string("n/a")) + " (" +
             text(a.agreement.value_or(0) * 100, "%.0f") + "% of loops)";
      if (a.mod_pi_winding)
        out += ", mod pi " + std::to_string(*a.mod_pi_winding) + " (" +
               text(a.mod_pi_agreement.value_or(0) * 100, "%.0f") + "%)";
    } else {
      out += " range " + text(a.range, "%.2f") + ", monotonicity " + text(a.monotonicity, "%.2f");
    }
  }
  return out;
}
}  // namespace

std::vector<std::string> report_to_text(const InvarianceReport& r) {
  std::vector<std::string> lines;
  lines.push_back("between sweep points: mean " + text(r.midpoint_mean_activation) + ", min " +
                  text(r.midpoint_min_activation));
  lines.push_back("neighbour correlation: mean " + text(r.smoothness_mean) + ", worst " +
                  text(r.smoothness_min) + "; collapse " + text(r.collapse));
  for (const auto& v : r.variables) lines.push_back(variable_text(v));
  if (r.winding_matrix) {
    std::string m = "winding matrix (rows z0, z1):";
    for (const auto& row : r.winding_matrix->rows) {
      m += " [";
      for (size_t c = 0; c < row.size(); ++c) m += (c ? " " : "") + std::to_string(row[c]);
      m += "]";
    }
    m += ", det " + (r.winding_matrix->determinant ? std::to_string(*r.winding_matrix->determinant)
                                                   : std::string("n/a"));
    lines.push_back(m);
  }
  if (r.has_polarity) {
    const double n = std::max(1, r.positive_polarity + r.negative_polarity);
    lines.push_back("polarity: " + text(r.positive_polarity / n, "%.2f") + " positive, " +
                    text(r.negative_polarity / n, "%.2f") + " negative");
    if (r.polarity_sign_changes) {
      // "2 sign changes; min activation beyond 0/1/2/3 points of them: 0.02 0.41 0.93 0.97".
      std::string arcs;
      for (size_t w = 0; w < std::min<size_t>(4, r.arc_min_activation.size()); ++w)
        arcs += " " + text(r.arc_min_activation[w], "%.2f");
      lines.push_back(std::to_string(*r.polarity_sign_changes) +
                      " sign changes; min activation beyond 0/1/2/3 points of them:" + arcs);
    }
  }
  return lines;
}

}  // namespace invex

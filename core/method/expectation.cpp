#include "core/method/expectation.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

namespace invex {

bool ExpectationResult::pass() const {
  if (checks.empty()) return false;
  for (const auto& c : checks)
    if (!c.pass) return false;
  return true;
}

std::string ExpectationResult::failures() const {
  std::string out;
  for (const auto& c : checks)
    if (!c.pass) out += (out.empty() ? "" : "; ") + c.what + " (" + c.measured + ")";
  return out;
}

namespace {

std::string fixed(double v, int digits = 3) {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Whether `v` winds along some periodic axis (method.md §11.2), and the text it was judged on.
bool winds(const InvariantVariable* v, const std::vector<bool>& periodic, double agreement,
           std::string& measured) {
  if (!v) {
    measured = "n/a";
    return false;
  }
  if (periodic.size() == 1) {
    measured = v->loop_winding ? "winding " + fixed(*v->loop_winding, 2) : "n/a";
    return v->loop_winding && std::abs(*v->loop_winding) >= 0.45;
  }
  bool any = false;
  for (const auto& a : v->axes) {
    if (!a.periodic) continue;
    measured += (measured.empty() ? "" : ", ") + std::string("axis ") + std::to_string(a.axis) +
                ": " + (a.winding ? std::to_string(*a.winding) : "n/a") + " in " +
                fixed(a.agreement.value_or(0), 2) + " of loops";
    any = any || (a.winding && std::abs(*a.winding) >= 1 && *a.agreement >= agreement);
  }
  return any;
}

// Whether the full cell's orientation passes once through all its orientations mod π along
// some periodic axis in at least `agreement` of the loops (method.md §11.3).
bool winds_mod_pi(const InvariantVariable* v, double agreement, std::string& measured) {
  bool any = false;
  if (!v) {
    measured = "n/a";
    return false;
  }
  for (const auto& a : v->axes) {
    if (!a.mod_pi_winding) continue;
    measured += (measured.empty() ? "" : ", ") + std::string("axis ") + std::to_string(a.axis) +
                ": " + std::to_string(*a.mod_pi_winding) + " in " +
                fixed(a.mod_pi_agreement.value_or(0), 2) + " of loops";
    any = any || (std::abs(*a.mod_pi_winding) == 1 && *a.mod_pi_agreement >= agreement);
  }
  if (measured.empty()) measured = "n/a";
  return any;
}

// The largest median range of `v` over the latent axes (turns, or fraction of an interval).
double widest_range(const InvariantVariable* v) {
  double best = NAN;
  if (v)
    for (const auto& a : v->axes) best = std::isnan(best) ? a.range : std::max(best, a.range);
  return best;
}

}  // namespace

ExpectationResult check_expectation(const Expectation& e, const InvarianceReport& r,
                                    const std::vector<bool>& periodic) {
  ExpectationResult out;
  auto add = [&](std::string what, std::string measured, bool pass) {
    out.checks.push_back({std::move(what), std::move(measured), pass});
  };
  // A measured value (none: not computed) against its least allowed value.
  auto at_least = [&](const std::string& what, std::optional<double> measured, double least) {
    add(what + " >= " + fixed(least, 2), measured ? fixed(*measured) : "n/a",
        measured && *measured >= least);
  };
  at_least("mean activation", r.mean_activation, e.mean_activation);
  if (e.max_sign_changes > 0) {
    // A polarity loop: the minimum on the arcs between the sign changes (method.md §11.1).
    const size_t w = static_cast<size_t>(e.sign_change_margin);
    const bool have = w < r.arc_min_activation.size();
    add("min activation >= " + fixed(e.min_activation, 2) + " more than " + std::to_string(w) +
            " sweep points from a sign change",
        have ? fixed(r.arc_min_activation[w]) : "n/a",
        have && r.arc_min_activation[w] >= e.min_activation);
  } else {
    at_least("min activation", r.min_activation, e.min_activation);
  }
  for (const auto& name : e.winds) {
    std::string m;
    const bool ok = winds(r.variable(name), periodic, e.agreement, m);
    add(name + " winds along a periodic axis", m, ok);
  }
  if (!e.winds_any.empty()) {
    std::string names, all;
    bool ok = false;
    for (const auto& name : e.winds_any) {
      std::string m;
      ok = winds(r.variable(name), periodic, e.agreement, m) || ok;
      names += (names.empty() ? "" : " or ") + name;
      all += (all.empty() ? "" : "; ") + name + ": " + m;
    }
    add(names + " winds along a periodic axis", all, ok);
  }
  for (const auto& name : e.winds_mod_pi) {
    std::string m;
    const bool ok = winds_mod_pi(r.variable(name), e.agreement, m);
    add(name + " mod π winds once along a periodic axis", m, ok);
  }
  if (e.winding_determinant > 0) {
    const bool have = r.winding_matrix && r.winding_matrix->determinant;
    add("|det| of the winding matrix = " + std::to_string(e.winding_determinant),
        have ? "det " + std::to_string(*r.winding_matrix->determinant) : "n/a",
        have && std::abs(*r.winding_matrix->determinant) == e.winding_determinant);
  }
  for (const auto& [name, least] : e.coverage) {
    const InvariantVariable* v = r.variable(name);
    at_least(name + " coverage", v ? std::optional(v->coverage) : std::nullopt, least);
  }
  for (const auto& [name, least] : e.range) {
    const double widest = widest_range(r.variable(name));
    add(name + " range >= " + fixed(least, 2) + " along some axis", fixed(widest), widest >= least);
  }
  if (e.collapse) at_least("collapse (mean pairwise correlation)", r.collapse, *e.collapse);
  if (e.smoothness_min)
    at_least("worst neighbour correlation", r.smoothness_min, *e.smoothness_min);
  if (e.both_polarities)
    add("both polarities appear",
        r.has_polarity ? std::to_string(r.positive_polarity) + " positive, " +
                             std::to_string(r.negative_polarity) + " negative"
                       : "n/a",
        r.both_polarities);
  if (e.max_sign_changes > 0)
    add("<x, g> changes sign at most " + std::to_string(e.max_sign_changes) +
            " times along the sweep",
        r.polarity_sign_changes ? std::to_string(*r.polarity_sign_changes) + " sign changes"
                                : "n/a",
        r.polarity_sign_changes && *r.polarity_sign_changes <= e.max_sign_changes);
  return out;
}

std::string expectation_to_json(const ExpectationResult& result, int indent) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& c : result.checks)
    checks.push_back({{"what", c.what}, {"measured", c.measured}, {"pass", c.pass}});
  return nlohmann::json{{"pass", result.pass()}, {"checks", checks}}.dump(indent);
}

}  // namespace invex

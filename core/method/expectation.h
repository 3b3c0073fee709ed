// Whether a manifold shows what its config expects (the "expect" section, README "Config
// schema"): each threshold checked against the canonical sweep's metrics (method.md §11).
#pragma once

#include <string>
#include <vector>

#include "core/method/metrics.h"
#include "core/run/config.h"

namespace invex {

struct ExpectationCheck {
  std::string what;      // e.g. "phase winds along a periodic axis"
  std::string measured;  // the value(s) it was judged on, as text ("n/a" when not computed)
  bool pass = false;
};

struct ExpectationResult {
  std::vector<ExpectationCheck> checks;  // in the order of the "expect" fields
  bool pass() const;                     // every check passed (false when there is none)
  std::string failures() const;          // the failed checks, "; "-separated
};

// `periodic` is the latent's axes (a 1-D periodic latent is one loop).
ExpectationResult check_expectation(const Expectation& expect, const InvarianceReport& report,
                                    const std::vector<bool>& periodic);

// {"pass": bool, "checks": [{"what", "measured", "pass"}...]}.
std::string expectation_to_json(const ExpectationResult& result, int indent = 2);

}  // namespace invex

// A small option reader for the subcommands: --name value and --flag, with errors that say
// which option and what was expected.
#pragma once

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/run/config.h"

namespace invex::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  // `flags` take no value; `options` take one.
  Args(int argc, char** argv, const std::set<std::string>& flags,
       const std::set<std::string>& options);
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::string get(const std::string& name, const std::string& fallback = {}) const;
  long get_int(const std::string& name, long fallback, long min, long max) const;
  double get_double(const std::string& name, double fallback, double min, double max) const;

 private:
  std::map<std::string, std::string> values_;
};

// The run config named by --preset or --config, with the overrides train and bench share
// (--seed, --epochs-per-reg, --steps-per-epoch, --checkpoint-every, --stop-mean/--stop-min,
// --mei), validated. Defined in cli_train.cpp.
RunConfig config_from_args(const Args& a, const std::string& command);

}  // namespace invex::cli

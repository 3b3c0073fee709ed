#include "app/cli_args.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace invex::cli {

Args::Args(int argc, char** argv, const std::set<std::string>& flags,
           const std::set<std::string>& options) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    std::string value;
    bool inline_value = false;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      inline_value = true;
    }
    if (flags.count(a)) {
      values_[a] = "1";
    } else if (options.count(a)) {
      if (!inline_value) {
        if (i + 1 >= argc) throw UsageError("option " + a + " needs a value");
        value = argv[++i];
      }
      values_[a] = value;
    } else {
      throw UsageError("unknown option '" + a + "' (see --help)");
    }
  }
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

long Args::get_int(const std::string& name, long fallback, long min, long max) const {
  if (!has(name)) return fallback;
  const std::string& s = values_.at(name);
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end || errno || v < min || v > max)
    throw UsageError(name + ": expected an integer from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", got '" + s + "'");
  return v;
}

double Args::get_double(const std::string& name, double fallback, double min, double max) const {
  if (!has(name)) return fallback;
  const std::string& s = values_.at(name);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end || !std::isfinite(v) || v < min || v > max)
    throw UsageError(name + ": expected a number from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", got '" + s + "'");
  return v;
}

}  // namespace invex::cli

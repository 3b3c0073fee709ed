#include "core/support/runtime_switches.h"

#include <cstdlib>

namespace invex::switches {
namespace {

std::string text(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Set, non-empty and not "0".
bool flag(const char* name) {
  const std::string v = text(name);
  return !v.empty() && v != "0";
}

double number(const char* name) {
  const std::string v = text(name);
  if (v.empty()) return 0;
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  return *end == '\0' && d > 0 ? d : 0;
}

}  // namespace

std::string presets_dir() { return text("INVEX_PRESETS"); }

std::string models_dir() { return text("INVEX_MODELS"); }

std::string cache_dir() {
  if (auto v = text("INVEX_CACHE_DIR"); !v.empty()) return v;
  if (auto v = text("XDG_CACHE_HOME"); !v.empty()) return v + "/invex";
  if (auto v = text("HOME"); !v.empty()) return v + "/.cache/invex";
  return {};
}

bool reference_cppn() { return flag("INVEX_REFERENCE_CPPN"); }
std::string fast_cppn_isa() { return text("INVEX_FAST_CPPN_ISA"); }
bool render_baseline() { return flag("INVEX_RENDER_BASELINE"); }
float gui_scale() { return static_cast<float>(number("INVEX_GUI_SCALE")); }
double gui_trace_ms() { return number("INVEX_GUI_TRACE_MS"); }
std::string render_path() { return text("INVEX_RENDER_PATH"); }

long fail_write_after() {
  const std::string v = text("INVEX_FAIL_WRITE_AFTER");
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos) return -1;
  char* end = nullptr;
  const long n = std::strtol(v.c_str(), &end, 10);
  return *end == '\0' && n >= 0 ? n : -1;
}

}  // namespace invex::switches

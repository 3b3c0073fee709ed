#include "core/io/tour_file.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "core/io/atomic_file.h"
#include "core/run/config.h"

namespace invex {
namespace {

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return {};
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

class TourReader {
 public:
  explicit TourReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(int line, const std::string& what) const {
    throw ConfigError(source_ + ":" + std::to_string(line) + ": " + what);
  }

  // One `key: value` line of a step's settings.
  void setting(TourStep& step, const std::string& line_text, int line) {
    const auto colon = line_text.find(':');
    if (colon == std::string::npos)
      fail(line, "expected 'key: value' (keys: preset, run, z, play, speed, colormap), got '" +
                     line_text + "'");
    const std::string key = trim(line_text.substr(0, colon));
    const std::string value = trim(line_text.substr(colon + 1));
    if (key == "preset") {
      step.preset = value;
    } else if (key == "run") {
      step.run = value;
    } else if (key == "z") {
      step.z = numbers(value, line, "z");
      if (step.z.empty() || step.z.size() > 2)
        fail(line, "z: expected one or two numbers (radians), got '" + value + "'");
    } else if (key == "play") {
      if (value != "yes" && value != "no")
        fail(line, "play: expected yes or no, got '" + value + "'");
      step.play = value == "yes";
    } else if (key == "speed") {
      const auto v = numbers(value, line, "speed");
      if (v.size() != 1 || !(v[0] > 0) || v[0] > 10)
        fail(line, "speed: expected a number of loops per second in (0, 10], got '" + value + "'");
      step.speed = v[0];
    } else if (key == "colormap") {
      if (value != "grey" && value != "diverging")
        fail(line, "colormap: expected grey or diverging, got '" + value + "'");
      step.colormap = value;
    } else {
      fail(line, "unknown key '" + key + "' (keys: preset, run, z, play, speed, colormap)");
    }
  }

  std::vector<float> numbers(const std::string& value, int line, const char* key) const {
    std::vector<float> out;
    std::string item;
    std::istringstream in(value);
    while (std::getline(in, item, ',')) {
      std::istringstream words(item);
      std::string w;
      while (words >> w) {
        char* end = nullptr;
        // Finite as a float, not only as a double: 1e39 would become an infinite z.
        const float v = static_cast<float>(std::strtod(w.c_str(), &end));
        if (*end || !std::isfinite(v))
          fail(line, std::string(key) + ": expected numbers, got '" + value + "'");
        out.push_back(v);
      }
    }
    return out;
  }

  void finish(const TourStep& step) const {
    if (step.preset.empty() == step.run.empty())
      fail(step.line, "step '" + step.title + "': give exactly one of 'preset:' or 'run:'");
  }

 private:
  std::string source_;
};

}  // namespace

Tour parse_tour(const std::string& text, const std::string& source) {
  TourReader reader(source);
  Tour tour;
  std::istringstream in(text);
  std::string raw;
  int line = 0;
  bool in_caption = false;
  std::string paragraph;
  auto flush_paragraph = [&] {
    if (paragraph.empty() || tour.steps.empty()) return;
    auto& caption = tour.steps.back().caption;
    caption += (caption.empty() ? "" : "\n\n") + paragraph;
    paragraph.clear();
  };
  while (std::getline(in, raw)) {
    ++line;
    const std::string s = trim(raw);
    if (s.rfind("## ", 0) == 0) {
      flush_paragraph();
      if (!tour.steps.empty()) reader.finish(tour.steps.back());
      TourStep step;
      step.title = trim(s.substr(3));
      step.line = line;
      tour.steps.push_back(step);
      in_caption = false;
    } else if (s.rfind("# ", 0) == 0 && tour.steps.empty()) {
      tour.title = trim(s.substr(2));
    } else if (s.empty()) {
      flush_paragraph();
      if (!tour.steps.empty()) in_caption = true;
    } else if (tour.steps.empty()) {
      reader.fail(line, "expected '# Tour title' or '## Step title' before any text");
    } else if (!in_caption) {
      reader.setting(tour.steps.back(), s, line);
    } else {
      paragraph += (paragraph.empty() ? "" : " ") + s;
    }
  }
  flush_paragraph();
  if (tour.steps.empty()) reader.fail(line, "a tour needs at least one '## Step title'");
  reader.finish(tour.steps.back());
  return tour;
}

Tour load_tour_file(const std::string& path) {
  Tour t = parse_tour(read_file(path), path);
  // Run directories are relative to the tour file, so a tour travels with its runs.
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  for (auto& step : t.steps)
    if (!step.run.empty() && std::filesystem::path(step.run).is_relative())
      step.run = (dir / step.run).lexically_normal().string();
  return t;
}

std::string default_tour_path() {
  return (std::filesystem::path(preset_directory()).parent_path() / "tour" / "invariance.tour")
      .string();
}

}  // namespace invex

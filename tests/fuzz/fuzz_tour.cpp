// Tour files through parse_tour (core/io/tour_file.h): a tour read has steps that each name
// exactly one of a preset or a run, with z, speed and colours inside their documented ranges.
#include <cmath>
#include <string>

#include "core/io/tour_file.h"
#include "tests/fuzz/fuzz_support.h"

using namespace invex;
using invex::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string source = "fuzz-input.tour";
  Tour tour;
  if (!invex::fuzz::parses([&] { tour = parse_tour(text, source); }, source)) return 0;
  require(!tour.steps.empty(), "a tour without steps");
  for (const TourStep& s : tour.steps) {
    require(s.preset.empty() != s.run.empty(), "a step without exactly one of preset and run");
    require(s.z.size() <= 2, "more than two z values");
    for (float z : s.z) require(std::isfinite(z), "a z that is not finite");
    require(s.speed > 0 && s.speed <= 10, "speed outside (0, 10]");
    require(s.colormap == "grey" || s.colormap == "diverging", "an unknown colormap");
    require(s.line >= 1, "a step without a line number");
  }
  return 0;
}

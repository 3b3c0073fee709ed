// Tour files: the shipped tour parses and names real presets; a bad tour is refused with the file,
// the line and what was expected.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "core/io/tour_file.h"
#include "core/run/config.h"

using namespace invex;

namespace {
std::string error_of(const std::string& text) {
  try {
    parse_tour(text, "my.tour");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("a tour's steps carry their settings and captions") {
  const Tour t = parse_tour(
      "# Title here\n\n## First\npreset: circle/complex\nz: 1.5\nplay: yes\nspeed: 0.2\n"
      "colormap: diverging\n\nOne line\nsame paragraph.\n\nSecond paragraph.\n"
      "## Second\nrun: somewhere/run\nz: 1, 2\n",
      "t.tour");
  CHECK(t.title == "Title here");
  REQUIRE(t.steps.size() == 2);
  const TourStep& a = t.steps[0];
  CHECK(a.title == "First");
  CHECK(a.preset == "circle/complex");
  CHECK(a.run.empty());
  CHECK(a.z == std::vector<float>{1.5f});
  CHECK(a.play);
  CHECK(a.speed == doctest::Approx(0.2));
  CHECK(a.colormap == "diverging");
  CHECK(a.caption == "One line same paragraph.\n\nSecond paragraph.");
  CHECK(a.line == 3);
  const TourStep& b = t.steps[1];
  CHECK(b.run == "somewhere/run");
  CHECK(b.z == std::vector<float>{1.0f, 2.0f});
  CHECK_FALSE(b.play);
  CHECK(b.caption.empty());
}

TEST_CASE("bad tours name the file, the line and what was expected") {
  CHECK(error_of("") == "my.tour:0: a tour needs at least one '## Step title'");
  CHECK(error_of("hello\n") ==
        "my.tour:1: expected '# Tour title' or '## Step title' before any text");
  CHECK(error_of("## A\npreset: x\nplay: maybe\n") ==
        "my.tour:3: play: expected yes or no, got 'maybe'");
  CHECK(error_of("## A\npreset: x\nzoom: 2\n") ==
        "my.tour:3: unknown key 'zoom' (keys: preset, run, z, play, speed, colormap)");
  CHECK(error_of("## A\nz: 1\n") == "my.tour:1: step 'A': give exactly one of 'preset:' or 'run:'");
  CHECK(error_of("## A\npreset: a\nrun: b\n") ==
        "my.tour:1: step 'A': give exactly one of 'preset:' or 'run:'");
  CHECK(error_of("## A\npreset: a\nz: 1 2 3\n") ==
        "my.tour:3: z: expected one or two numbers (radians), got '1 2 3'");
  CHECK(error_of("## A\npreset: a\nz: one\n") == "my.tour:3: z: expected numbers, got 'one'");
  // Finite as a double but not as a float: the z would be infinite.
  CHECK(error_of("## A\npreset: a\nz: 1e39\n") == "my.tour:3: z: expected numbers, got '1e39'");
  CHECK(error_of("## A\npreset: a\nspeed: 0\n") ==
        "my.tour:3: speed: expected a number of loops per second in (0, 10], got '0'");
  CHECK(error_of("## A\npreset: a\njust words\n") ==
        "my.tour:3: expected 'key: value' (keys: preset, run, z, play, speed, colormap), got 'just "
        "words'");
}

TEST_CASE("the shipped tour parses and every step names a preset that exists") {
  const Tour t = load_tour_file(default_tour_path());
  CHECK_FALSE(t.title.empty());
  REQUIRE(t.steps.size() >= 4);
  const auto presets = list_presets();
  for (const TourStep& s : t.steps) {
    CAPTURE(s.title);
    CHECK(std::find(presets.begin(), presets.end(), s.preset) != presets.end());
    CHECK(s.caption.size() > 100);
    const RunConfig c = load_preset(s.preset);
    CHECK(s.z.size() == c.latent.periodic.size());
  }
}

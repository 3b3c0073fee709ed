// A guided tour: an ordered list of steps, each opening a run and setting the view, with a
// caption beside the manifold. Tours are plain text files a lecturer can write (the default is
// assets/tour/invariance.tour; the format is described there and in the README):
//
//   # Tour title
//   ## Step title
//   preset: circle/complex        (or  run: path/to/run-directory)
//   z: 1.57                       (one value per latent dimension, radians; default 0)
//   play: yes                     (yes | no; default no)
//   speed: 0.1                    (loops per second while playing; default 0.1)
//   colormap: grey                (grey | diverging; default grey)
//
//   Caption paragraphs follow the first blank line, up to the next "## ".
#pragma once

#include <string>
#include <vector>

namespace invex {

struct TourStep {
  std::string title;
  std::string preset;    // a preset name, or empty when `run` is given
  std::string run;       // a run directory (relative paths: to the tour file's folder)
  std::vector<float> z;  // empty: 0 in every dimension
  bool play = false;
  float speed = 0.1f;
  std::string colormap = "grey";
  std::string caption;  // paragraphs separated by blank lines
  int line = 0;         // where the step starts in its file, for messages
};

struct Tour {
  std::string title;
  std::vector<TourStep> steps;
};

// Throws ConfigError naming the file, the line and what was expected.
Tour parse_tour(const std::string& text, const std::string& source);
Tour load_tour_file(const std::string& path);
// The tour that ships with invex (assets/tour/invariance.tour beside the presets).
std::string default_tour_path();

}  // namespace invex

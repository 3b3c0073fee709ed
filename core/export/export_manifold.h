// A whole export of a learned manifold, as `invex render` and the GUI's Export panel both do it:
// render the frames along the export path at the chosen size, measure the neuron at its own
// resolution, encode, then write. Torch-free, like export.h.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/export/export_options.h"
#include "core/run/snapshot.h"

namespace invex {

struct ExportFormats {
  bool gif = true;     // manifold.gif
  bool png = true;     // frames/frame_0000.png ...
  bool npy = true;     // manifold.npy, latents.npy, activations.npy, activations.csv
  bool figure = true;  // figure.png: thumbnails of the canonical sweep above its
                       // activation
  bool any() const { return gif || png || npy || figure; }
};

struct ExportRequest {
  std::string outdir;  // created (with its parents) if missing
  ExportFormats formats;
  ExportOptions options;
};

// Where a running export is. `stage` names the piece of work ("rendering frames", ...),
// `stage_fraction` is how far that piece is and `fraction` how far the whole export is, so a caller
// can show either one line per stage or a single bar.
struct ExportStatus {
  std::string stage;
  double stage_fraction = 0;
  double fraction = 0;
};
// Called between images (often enough to redraw a bar and react to Cancel); returning false cancels
// the export.
using ExportRunProgress = std::function<bool(const ExportStatus&)>;

struct ExportSummary {
  std::string outdir;
  std::vector<std::string> files;   // every file written, relative to outdir
  std::vector<std::string> groups;  // one entry per format, e.g. "frames/ (64 PNG)"
  double seconds = 0;               // wall time of the whole export
  std::string list() const;         // the groups joined by ", "
};

// Exports `snapshot` (its frozen CPPN; a snapshot is immutable, so this may run on any thread while
// training goes on). Every option and the output directory are checked before the slow part, so bad
// input fails at once with a ConfigError (options, export path against the run's latent) or
// std::runtime_error naming the directory. All the work that can be cancelled (rendering,
// measuring, encoding) happens before the first file is written: a cancel throws ExportCancelled
// and leaves the directory as it was (an output directory this call created is removed again). The
// writes themselves are atomic per file.
ExportSummary export_manifold(const Snapshot& snapshot, const ExportRequest& request,
                              const ExportRunProgress& progress = {});

// activations.csv: "frame,z0[,z1],activation", one row per latent point.
std::string activations_csv(const LatentPoints& z, const std::vector<float>& activations);

}  // namespace invex

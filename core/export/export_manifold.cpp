#include "core/export/export_manifold.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>

#include "core/export/colormap.h"
#include "core/export/figure.h"
#include "core/export/gif.h"
#include "core/export/png.h"
#include "core/io/atomic_file.h"
#include "core/io/npy.h"
#include "core/method/latent_grid.h"
#include "core/neurons/neuron.h"
#include "core/render/render.h"
#include "core/run/config.h"

namespace invex {
namespace {

namespace fs = std::filesystem;

// Relative cost of each piece of work per output pixel (rendering a pixel through the frozen
// CPPN = 1), roughly as measured on a 64-frame 512×512 export on two cores; the figure (drawing
// and encoding it) costs about as much as rendering a fixed number of pixels. They only shape
// the overall progress bar, so that it moves at a steady pace instead of jumping when a cheap
// stage ends.
constexpr double kGifCost = 0.25;
constexpr double kPngCost = 0.5;
constexpr double kWriteCost = 0.3;
constexpr double kFigureCost = 3e6;

// The stages of one export, planned up front so `fraction` covers the whole export.
class Stages {
 public:
  explicit Stages(const ExportRunProgress& callback) : callback_(callback) {}
  void plan(double weight) { total_ += weight; }
  void begin(const std::string& name, double weight) {
    done_ += weight_;
    weight_ = weight;
    name_ = name;
    check(0.0);
  }
  // false: the caller asked to cancel.
  bool notify(double stage_fraction) {
    if (!callback_) return true;
    ExportStatus st;
    st.stage = name_;
    st.stage_fraction = std::clamp(stage_fraction, 0.0, 1.0);
    st.fraction = total_ > 0 ? std::min(1.0, (done_ + weight_ * st.stage_fraction) / total_) : 0;
    return callback_(st);
  }
  void check(double stage_fraction) {
    if (!notify(stage_fraction)) throw ExportCancelled();
  }
  // For the encoders of export.h, which throw ExportCancelled themselves on false.
  ExportProgress callback() {
    return [this](double f) { return notify(f); };
  }

 private:
  const ExportRunProgress& callback_;
  double total_ = 0, done_ = 0, weight_ = 0;
  std::string name_;
};

// Progress moves and a cancel is honoured while the frames render (every few thousand pixels). The
// pixel-coordinate part of the CPPN is computed once for the whole stack.
ImageStack render_with_progress(const Snapshot& snap, const LatentPoints& z, int h, int w,
                                Stages& stages) {
  return render_images(snap, z, h, w, [&](double f) { stages.check(f); });
}

// Activation / MEI of `images`, which are at the neuron's (= the training) resolution.
std::vector<float> normalised_activations(const Snapshot& snap, const NeuronEvaluator& neuron,
                                          const ImageStack& images) {
  std::vector<float> a = neuron.respond(images);
  if (snap.mei_activation > 0)
    for (float& v : a) v = static_cast<float>(v / snap.mei_activation);
  return a;
}

// The directories export_manifold would create for `dir` (the missing ones, deepest first), so that
// a cancelled or failed export can take them away again.
std::vector<fs::path> missing_directories(const std::string& dir) {
  std::vector<fs::path> missing;
  std::error_code ec;
  for (fs::path p = fs::path(dir).lexically_normal(); !p.empty() && !fs::exists(p, ec);
       p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  return missing;
}

void remove_if_empty(const std::vector<fs::path>& dirs) {
  std::error_code ec;
  for (const fs::path& d : dirs)
    if (fs::is_empty(d, ec)) fs::remove(d, ec);  // fs::remove on a directory is rmdir
}

}  // namespace

std::string ExportSummary::list() const {
  std::string s;
  for (const auto& g : groups) s += (s.empty() ? "" : ", ") + g;
  return s;
}

std::string activations_csv(const LatentPoints& z, const std::vector<float>& a) {
  std::string csv = "frame";
  for (int d = 0; d < z.dims; ++d) csv += ",z" + std::to_string(d);
  csv += ",activation\n";
  char buf[64];
  for (int k = 0; k < z.count; ++k) {
    csv += std::to_string(k);
    for (int d = 0; d < z.dims; ++d) {
      std::snprintf(buf, sizeof buf, ",%.7g", z.at(k, d));
      csv += buf;
    }
    std::snprintf(buf, sizeof buf, ",%.7g\n", a[k]);
    csv += buf;
  }
  return csv;
}

ExportSummary export_manifold(const Snapshot& snap, const ExportRequest& request,
                              const ExportRunProgress& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  const ExportOptions& opt = request.options;
  const ExportFormats& want = request.formats;
  const std::string& out = request.outdir;
  const std::vector<bool>& periodic = snap.config.latent.periodic;

  // Everything that can be checked is checked before anything is created on disk.
  validate_export_options(opt);
  if (!want.any()) throw ConfigError("nothing to export: choose at least one format");
  if (out.empty()) throw ConfigError("no output directory given");
  const LatentPoints z = export_path(periodic, opt.frames, opt.path);
  if ((want.gif || want.png) && snap.cppn.channels != 1)
    throw ConfigError("only 1-channel images can be exported as pictures (" +
                      std::to_string(snap.cppn.channels) + " channels; use the .npy export)");
  std::optional<NeuronEvaluator> neuron;
  if (want.npy || want.figure) neuron.emplace(snap.config.neuron);
  const std::vector<fs::path> created = missing_directories(out);
  // Fail on an unusable output directory before the slow part.
  ensure_directory(out);

  const bool want_frames = want.gif || want.png || want.npy;
  const int neuron_h = neuron ? neuron->height() : 0;
  const int neuron_w = neuron ? neuron->width() : 0;
  const double frame_px = static_cast<double>(opt.frames) * opt.size * opt.size;
  const double neuron_px = static_cast<double>(neuron_h) * neuron_w;
  // The figure shows the canonical sweep (the whole manifold), not the export path.
  const LatentPoints sweep = want.figure ? canonical_sweep(periodic) : LatentPoints();
  const int thumb = std::min(opt.size, sweep.dims == 1 ? 128 : 96);
  int rows = 0, cols = 0;
  const std::vector<int> thumb_idx =
      want.figure ? figure_thumbnail_indices(sweep, periodic, &rows, &cols) : std::vector<int>();

  Stages stages(progress);
  if (want_frames) stages.plan(frame_px);
  if (want.gif) stages.plan(kGifCost * frame_px);
  if (want.png) stages.plan(kPngCost * frame_px);
  if (want.npy) stages.plan(opt.frames * neuron_px);
  const double figure_weight = thumb_idx.size() * thumb * thumb + kFigureCost;
  if (want.figure) stages.plan(sweep.count * neuron_px + figure_weight);
  const double write_weight = kWriteCost * (want_frames ? frame_px : neuron_px);
  stages.plan(write_weight);

  // Results of the cancellable part, written only once all of them exist.
  std::string gif_bytes, figure_bytes;
  std::vector<std::string> png_frames;
  ImageStack images;
  std::vector<float> activations;
  try {
    if (want_frames) {
      stages.begin("rendering frames", frame_px);
      images = render_with_progress(snap, z, opt.size, opt.size, stages);
    }
    if (want.gif) {
      stages.begin("writing manifold.gif", kGifCost * frame_px);
      gif_bytes = encode_gif(images, opt, stages.callback());
    }
    if (want.png) {
      stages.begin("writing frames/", kPngCost * frame_px);
      png_frames = encode_png_frames(images, opt, stages.callback());
    }
    if (want.npy) {
      // The neuron only accepts its own resolution: measure images rendered at that size at the
      // same latent points (the frames themselves when they already are that size).
      stages.begin("activations", opt.frames * neuron_px);
      if (opt.size == neuron_h && opt.size == neuron_w)
        activations = normalised_activations(snap, *neuron, images);
      else
        activations = normalised_activations(
            snap, *neuron, render_with_progress(snap, z, neuron_h, neuron_w, stages));
    }
    if (want.figure) {
      stages.begin("figure activations", sweep.count * neuron_px);
      const std::vector<float> act = normalised_activations(
          snap, *neuron, render_with_progress(snap, sweep, neuron_h, neuron_w, stages));
      LatentPoints shown;
      shown.dims = sweep.dims;
      shown.count = static_cast<int>(thumb_idx.size());
      for (int i : thumb_idx)
        for (int d = 0; d < sweep.dims; ++d) shown.data.push_back(sweep.at(i, d));
      stages.begin("figure thumbnails", figure_weight);
      const ImageStack thumbs = render_with_progress(snap, shown, thumb, thumb, stages);
      const RgbImage fig = draw_figure(thumbs, thumb_idx, rows, cols, sweep, act, periodic, opt);
      figure_bytes = encode_png(fig.rgb, fig.width, fig.height);
    }
    // The last chance to cancel. Writing takes a small fraction of the time and is not interrupted:
    // once it starts, the export finishes rather than leaving some formats new and others old.
    stages.begin("writing files", write_weight);
  } catch (...) {
    remove_if_empty(created);
    throw;
  }
  ExportSummary summary;
  summary.outdir = out;
  if (want.gif) {
    write_file_atomic(out + "/manifold.gif", gif_bytes);
    summary.files.push_back("manifold.gif");
    summary.groups.push_back("manifold.gif");
  }
  if (want.png) {
    write_encoded_png_frames(out + "/frames", png_frames);
    char name[48];
    for (size_t k = 0; k < png_frames.size(); ++k) {
      std::snprintf(name, sizeof name, "frames/frame_%04zu.png", k);
      summary.files.push_back(name);
    }
    summary.groups.push_back("frames/ (" + std::to_string(png_frames.size()) + " PNG)");
  }
  stages.notify(0.5);
  if (want.npy) {
    write_npy(out + "/manifold.npy", {images.count, images.channels, images.height, images.width},
              images.data.data());
    write_npy(out + "/latents.npy", {z.count, z.dims}, z.data.data());
    write_npy(out + "/activations.npy", {static_cast<long>(activations.size())},
              activations.data());
    write_file_atomic(out + "/activations.csv", activations_csv(z, activations));
    for (const char* f : {"manifold.npy", "latents.npy", "activations.npy", "activations.csv"})
      summary.files.push_back(f);
    summary.groups.push_back("manifold.npy, latents.npy, activations.npy, activations.csv");
  }
  if (want.figure) {
    write_file_atomic(out + "/figure.png", figure_bytes);
    summary.files.push_back("figure.png");
    summary.groups.push_back("figure.png");
  }
  stages.notify(1.0);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace invex

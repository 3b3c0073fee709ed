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
#include "core/method/metrics.h"
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

namespace {

// Everything an export needs to know before it starts, checked and derived from the request.
struct ExportPlan {
  ExportPlan(const Snapshot& s, const ExportRequest& r)
      : snap(s), opt(r.options), want(r.formats), out(r.outdir) {}
  const Snapshot& snap;
  const ExportOptions& opt;
  const ExportFormats& want;
  std::string out;
  LatentPoints path;  // the frames' latent points
  std::optional<NeuronEvaluator> neuron;
  std::vector<fs::path> created;  // output directories this export made
  bool frames = false;            // the frames are rendered (GIF, PNG or npy)
  int neuron_h = 0, neuron_w = 0;
  double frame_px = 0, neuron_px = 0;
  // The figure shows the canonical sweep (the whole manifold), not the export path.
  LatentPoints sweep;
  int thumb = 0, rows = 0, cols = 0;
  std::vector<int> thumb_idx;
  double figure_weight = 0, write_weight = 0;
};

// What the cancellable part produces; written only once all of it exists.
struct EncodedExport {
  std::string gif, figure;
  std::vector<std::string> png_frames;
  ImageStack images;
  std::vector<float> activations;
};

// Everything that can be checked is checked before anything is created on disk; then the output
// directory is made, so that an unusable one fails before the slow part.
void check_and_plan(ExportPlan& p, Stages& stages) {
  const std::vector<bool>& periodic = p.snap.config.latent.periodic;
  validate_export_options(p.opt);
  if (!p.want.any()) throw ConfigError("nothing to export: choose at least one format");
  if (p.out.empty()) throw ConfigError("no output directory given");
  p.path = export_path(periodic, p.opt.frames, p.opt.path);
  if ((p.want.gif || p.want.png) && p.snap.cppn.channels != 1)
    throw ConfigError("only 1-channel images can be exported as pictures (" +
                      std::to_string(p.snap.cppn.channels) + " channels; use the .npy export)");
  if (p.want.npy || p.want.figure) p.neuron.emplace(p.snap.config.neuron);
  p.created = missing_directories(p.out);
  ensure_directory(p.out);

  p.frames = p.want.gif || p.want.png || p.want.npy;
  p.neuron_h = p.neuron ? p.neuron->height() : 0;
  p.neuron_w = p.neuron ? p.neuron->width() : 0;
  p.frame_px = static_cast<double>(p.opt.frames) * p.opt.size * p.opt.size;
  p.neuron_px = static_cast<double>(p.neuron_h) * p.neuron_w;
  if (p.want.figure) {
    p.sweep = canonical_sweep(periodic);
    p.thumb = std::min(p.opt.size, p.sweep.dims == 1 ? 128 : 96);
    p.thumb_idx = figure_thumbnail_indices(p.sweep, periodic, &p.rows, &p.cols);
  }
  if (p.frames) stages.plan(p.frame_px);
  if (p.want.gif) stages.plan(kGifCost * p.frame_px);
  if (p.want.png) stages.plan(kPngCost * p.frame_px);
  if (p.want.npy) stages.plan(p.opt.frames * p.neuron_px);
  p.figure_weight = p.thumb_idx.size() * p.thumb * p.thumb + kFigureCost;
  if (p.want.figure) stages.plan(p.sweep.count * p.neuron_px + p.figure_weight);
  p.write_weight = kWriteCost * (p.frames ? p.frame_px : p.neuron_px);
  stages.plan(p.write_weight);
}

// The metrics of method.md §11 on the sweep, with the points between it.
InvarianceReport measure(const ExportPlan& p, const ImageStack& images,
                         const std::vector<float>& act) {
  return measure_sweep(p.snap.config.neuron, p.snap.config.latent.periodic, images, act,
                       [&](const LatentPoints& z) {
                         return normalised_activations(
                             p.snap, *p.neuron, render_images(p.snap, z, p.neuron_h, p.neuron_w));
                       });
}

// The figure: activations over the whole canonical sweep, thumbnails at its chosen points,
// the metrics under them.
std::string encode_figure(const ExportPlan& p, Stages& stages) {
  stages.begin("figure activations", p.sweep.count * p.neuron_px);
  const ImageStack sweep_images =
      render_with_progress(p.snap, p.sweep, p.neuron_h, p.neuron_w, stages);
  const std::vector<float> act = normalised_activations(p.snap, *p.neuron, sweep_images);
  LatentPoints shown;
  shown.dims = p.sweep.dims;
  shown.count = static_cast<int>(p.thumb_idx.size());
  for (int i : p.thumb_idx)
    for (int d = 0; d < p.sweep.dims; ++d) shown.data.push_back(p.sweep.at(i, d));
  stages.begin("figure thumbnails", p.figure_weight);
  const ImageStack thumbs = render_with_progress(p.snap, shown, p.thumb, p.thumb, stages);
  const RgbImage fig =
      draw_figure(thumbs, p.thumb_idx, p.rows, p.cols, p.sweep, act, p.snap.config.latent.periodic,
                  p.opt, report_to_text(measure(p, sweep_images, act)));
  return encode_png(fig.rgb, fig.width, fig.height);
}

// Rendering, measuring and encoding: everything a cancel may interrupt.
EncodedExport encode_export(const ExportPlan& p, Stages& stages) {
  EncodedExport e;
  const int size = p.opt.size;
  if (p.frames) {
    stages.begin("rendering frames", p.frame_px);
    e.images = render_with_progress(p.snap, p.path, size, size, stages);
  }
  if (p.want.gif) {
    stages.begin("writing manifold.gif", kGifCost * p.frame_px);
    e.gif = encode_gif(e.images, p.opt, stages.callback());
  }
  if (p.want.png) {
    stages.begin("writing frames/", kPngCost * p.frame_px);
    e.png_frames = encode_png_frames(e.images, p.opt, stages.callback());
  }
  if (p.want.npy) {
    // The neuron only accepts its own resolution: measure images rendered at that size at the
    // same latent points (the frames themselves when they already are that size).
    stages.begin("activations", p.opt.frames * p.neuron_px);
    const bool same = size == p.neuron_h && size == p.neuron_w;
    e.activations = normalised_activations(
        p.snap, *p.neuron,
        same ? e.images : render_with_progress(p.snap, p.path, p.neuron_h, p.neuron_w, stages));
  }
  if (p.want.figure) e.figure = encode_figure(p, stages);
  // The last chance to cancel. Writing takes a small fraction of the time and is not interrupted:
  // once it starts, the export finishes rather than leaving some formats new and others old.
  stages.begin("writing files", p.write_weight);
  return e;
}

void write_export(const ExportPlan& p, const EncodedExport& e, Stages& stages,
                  ExportSummary& summary) {
  const std::string& out = p.out;
  if (p.want.gif) {
    write_file_atomic(out + "/manifold.gif", e.gif);
    summary.files.push_back("manifold.gif");
    summary.groups.push_back("manifold.gif");
  }
  if (p.want.png) {
    write_encoded_png_frames(out + "/frames", e.png_frames);
    char name[48];
    for (size_t k = 0; k < e.png_frames.size(); ++k) {
      std::snprintf(name, sizeof name, "frames/frame_%04zu.png", k);
      summary.files.push_back(name);
    }
    summary.groups.push_back("frames/ (" + std::to_string(e.png_frames.size()) + " PNG)");
  }
  stages.notify(0.5);
  if (p.want.npy) {
    const ImageStack& im = e.images;
    const LatentPoints& z = p.path;
    write_npy(out + "/manifold.npy", {im.count, im.channels, im.height, im.width}, im.data.data());
    write_npy(out + "/latents.npy", {z.count, z.dims}, z.data.data());
    write_npy(out + "/activations.npy", {static_cast<long>(e.activations.size())},
              e.activations.data());
    write_file_atomic(out + "/activations.csv", activations_csv(z, e.activations));
    for (const char* f : {"manifold.npy", "latents.npy", "activations.npy", "activations.csv"})
      summary.files.push_back(f);
    summary.groups.push_back("manifold.npy, latents.npy, activations.npy, activations.csv");
  }
  if (p.want.figure) {
    write_file_atomic(out + "/figure.png", e.figure);
    summary.files.push_back("figure.png");
    summary.groups.push_back("figure.png");
  }
  stages.notify(1.0);
}

}  // namespace

ExportSummary export_manifold(const Snapshot& snap, const ExportRequest& request,
                              const ExportRunProgress& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  ExportPlan plan(snap, request);
  Stages stages(progress);
  check_and_plan(plan, stages);
  EncodedExport encoded;
  try {
    encoded = encode_export(plan, stages);
  } catch (...) {
    remove_if_empty(plan.created);
    throw;
  }
  ExportSummary summary;
  summary.outdir = plan.out;
  write_export(plan, encoded, stages, summary);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace invex

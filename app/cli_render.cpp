// invex render: exports of a saved run (GIF, PNG frames, .npy/.csv data, a figure).
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli_args.h"
#include "app/commands.h"
#include "core/atomic_file.h"
#include "core/config.h"
#include "core/export.h"
#include "core/neuron.h"
#include "core/npy.h"
#include "core/render.h"
#include "core/trainer.h"

namespace invex::cli {
namespace {

const char* kRenderHelp =
    "usage: invex render --run DIR --out OUTDIR [options] [--gif] [--png] [--npy] [--figure]\n"
    "  --run DIR          a trained run (DIR/run.invex, or the .invex file itself)\n"
    "  --out OUTDIR       where to write (created if missing)\n"
    "  --frames N         images along the path (default 64)\n"
    "  --size PX          rendered resolution, PX x PX (default 256): the CPPN is rendered at\n"
    "                     this size, not upscaled\n"
    "  --fps F            GIF frame rate, up to 50 (default 20)\n"
    "  --colormap NAME    grey | diverging (default grey); one symmetric scale for all frames\n"
    "  --path NAME        axis0 | axis1 | loop (default axis0): 1-D latents loop around the\n"
    "                     circle (periodic) or go there and back; 2-D: sweep one coordinate with\n"
    "                     the other at pi, or a circle of radius 0.8 pi around (pi, pi)\n"
    "  --quiet            no progress line\n"
    "Outputs (all when no format flag is given):\n"
    "  --gif      OUTDIR/manifold.gif\n"
    "  --png      OUTDIR/frames/frame_0000.png ...\n"
    "  --npy      OUTDIR/manifold.npy (K x C x PX x PX, transformed images), latents.npy (K x D),\n"
    "             activations.npy (K) and activations.csv\n"
    "  --figure   OUTDIR/figure.png: thumbnails of the canonical sweep above its activation\n"
    "Activations are the neuron's response divided by its MEI activation. The neuron only\n"
    "accepts its own resolution, so they are measured on images rendered at the training\n"
    "resolution at the same latent points, whatever --size is.\n"
    "Exit codes: 0 done, 2 bad input or a file that cannot be read or written, 130 interrupted.";

std::atomic<bool> interrupted{false};
void on_signal(int) { interrupted = true; }

// One progress line on stderr, shown only once the work has taken more than a second (quick
// exports stay silent) and redrawn at most ten times a second.
class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet), start_(Clock::now()), last_(start_) {}
  ~Progress() { done(); }

  void stage(const std::string& name) {
    stage_ = name;
    update(0.0);
  }
  // The export callback: false (cancel) after Ctrl-C.
  bool update(double fraction) {
    if (interrupted) return false;
    if (quiet_) return true;
    const auto now = Clock::now();
    if (now - start_ < std::chrono::seconds(1)) return true;
    if (shown_ && now - last_ < std::chrono::milliseconds(100) && fraction < 1.0) return true;
    last_ = now;
    shown_ = true;
    std::fprintf(stderr, "\rinvex render: %-28s %3d%%", stage_.c_str(),
                 static_cast<int>(fraction * 100 + 0.5));
    std::fflush(stderr);
    return true;
  }
  void done() {
    if (shown_) std::fprintf(stderr, "\n");
    shown_ = false;
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool quiet_;
  bool shown_ = false;
  Clock::time_point start_, last_;
  std::string stage_;
};

LatentPoints slice(const LatentPoints& z, int begin, int end) {
  LatentPoints s;
  s.dims = z.dims;
  s.count = end - begin;
  s.data.assign(z.data.begin() + static_cast<size_t>(begin) * z.dims,
                z.data.begin() + static_cast<size_t>(end) * z.dims);
  return s;
}

// Renders in chunks of about a quarter megapixel so the progress line moves and Ctrl-C is
// honoured between chunks. Rendering uses frozen statistics, so chunking changes nothing.
ImageStack render_chunked(const Snapshot& snap, const LatentPoints& z, int h, int w,
                          Progress& progress, const std::string& stage) {
  progress.stage(stage);
  ImageStack out;
  const int chunk = std::max(1, (1 << 18) / std::max(1, h * w));
  for (int begin = 0; begin < z.count; begin += chunk) {
    const int end = std::min(z.count, begin + chunk);
    ImageStack part = render_images(snap, slice(z, begin, end), h, w);
    if (begin == 0) {
      out = ImageStack(z.count, part.channels, part.height, part.width);
    }
    std::copy(part.data.begin(), part.data.end(), out.image(begin));
    if (!progress.update(static_cast<double>(end) / z.count)) throw ExportCancelled();
  }
  return out;
}

// Activation / MEI of the images at `z`, measured at the neuron's (= the training) resolution.
std::vector<float> activations_at(const Snapshot& snap, const NeuronEvaluator& neuron,
                                  const LatentPoints& z, Progress& progress,
                                  const std::string& stage) {
  const ImageStack images =
      render_chunked(snap, z, neuron.height(), neuron.width(), progress, stage);
  std::vector<float> a = neuron.respond(images);
  if (snap.mei_activation > 0)
    for (float& v : a) v = static_cast<float>(v / snap.mei_activation);
  return a;
}

std::string run_file_of(const std::string& run) {
  struct stat st;
  if (::stat(run.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return run;
  const std::string file = run + "/run.invex";
  if (::stat(run.c_str(), &st) != 0) throw UsageError("--run: no such directory " + run);
  if (::stat(file.c_str(), &st) != 0)
    throw UsageError("--run: no saved run in " + run + " (expected " + file + ")");
  return file;
}

void write_csv(const std::string& path, const LatentPoints& z, const std::vector<float>& a) {
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
  write_file_atomic(path, csv);
}

}  // namespace

int run_render(int argc, char** argv) {
  ExportOptions opt;
  std::string run, out;
  bool want_gif = false, want_png = false, want_npy = false, want_figure = false, quiet = false;
  try {
    Args a(argc, argv, {"--gif", "--png", "--npy", "--figure", "--quiet", "--help"},
           {"--run", "--out", "--frames", "--size", "--fps", "--colormap", "--path"});
    if (a.has("--help")) {
      std::puts(kRenderHelp);
      return 0;
    }
    if (!a.has("--run")) throw UsageError("--run DIR is required (see --help)");
    if (!a.has("--out")) throw UsageError("--out OUTDIR is required (see --help)");
    run = a.get("--run");
    out = a.get("--out");
    opt.frames = static_cast<int>(a.get_int("--frames", opt.frames, 2, 10000));
    opt.size = static_cast<int>(a.get_int("--size", opt.size, 8, 4096));
    // Wide bounds here: validate_export_options says why fps stops at 50.
    opt.fps = a.get_double("--fps", opt.fps, -1e9, 1e9);
    opt.colormap = a.get("--colormap", opt.colormap);
    opt.path = a.get("--path", opt.path);
    validate_export_options(opt);
    const bool any = a.has("--gif") || a.has("--png") || a.has("--npy") || a.has("--figure");
    want_gif = !any || a.has("--gif");
    want_png = !any || a.has("--png");
    want_npy = !any || a.has("--npy");
    want_figure = !any || a.has("--figure");
    quiet = a.has("--quiet");
    run = run_file_of(run);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invex render: %s\n", e.what());
    return 2;
  }

  interrupted = false;
  auto old_int = std::signal(SIGINT, on_signal);
  auto old_term = std::signal(SIGTERM, on_signal);
  struct RestoreSignals {
    void (*i)(int), (*t)(int);
    ~RestoreSignals() {
      std::signal(SIGINT, i);
      std::signal(SIGTERM, t);
    }
  } restore{old_int, old_term};

  Progress progress(quiet);
  try {
    progress.stage("loading the run");
    const std::unique_ptr<Trainer> trainer = Trainer::load(run);
    const std::shared_ptr<Snapshot> snap = trainer->snapshot(false);
    const RunConfig& cfg = snap->config;
    const std::vector<bool>& periodic = cfg.latent.periodic;
    // Checked against the run's latent before anything is created on disk.
    const LatentPoints z = export_path(periodic, opt.frames, opt.path);
    // Fail on an unusable output directory before the slow part.
    ensure_directory(out);
    const NeuronEvaluator neuron(cfg.neuron);
    ExportProgress cb = [&](double f) { return progress.update(f); };
    std::vector<std::string> written;

    if (want_gif || want_png || want_npy) {
      const ImageStack images =
          render_chunked(*snap, z, opt.size, opt.size, progress, "rendering frames");
      if (want_gif) {
        progress.stage("writing manifold.gif");
        write_gif(out + "/manifold.gif", images, opt, cb);
        written.push_back("manifold.gif");
      }
      if (want_png) {
        progress.stage("writing frames/");
        write_png_frames(out + "/frames", images, opt, cb);
        written.push_back("frames/ (" + std::to_string(images.count) + " PNG)");
      }
      if (want_npy) {
        const std::vector<float> act = activations_at(*snap, neuron, z, progress, "activations");
        progress.stage("writing .npy");
        write_npy(out + "/manifold.npy",
                  {images.count, images.channels, images.height, images.width}, images.data.data());
        write_npy(out + "/latents.npy", {z.count, z.dims}, z.data.data());
        write_npy(out + "/activations.npy", {static_cast<long>(act.size())}, act.data());
        write_csv(out + "/activations.csv", z, act);
        written.push_back("manifold.npy, latents.npy, activations.npy, activations.csv");
      }
    }
    if (want_figure) {
      // The figure shows the canonical sweep (the whole manifold), not the export path.
      const LatentPoints sweep = canonical_sweep(periodic);
      const std::vector<float> act =
          activations_at(*snap, neuron, sweep, progress, "figure activations");
      int rows = 0, cols = 0;
      const std::vector<int> idx = figure_thumbnail_indices(sweep, periodic, &rows, &cols);
      LatentPoints shown;
      shown.dims = sweep.dims;
      shown.count = static_cast<int>(idx.size());
      for (int i : idx)
        for (int d = 0; d < sweep.dims; ++d) shown.data.push_back(sweep.at(i, d));
      const int thumb = std::min(opt.size, sweep.dims == 1 ? 128 : 96);
      const ImageStack thumbs =
          render_chunked(*snap, shown, thumb, thumb, progress, "figure thumbnails");
      progress.stage("writing figure.png");
      write_figure(out + "/figure.png", thumbs, idx, rows, cols, sweep, act, periodic, opt);
      written.push_back("figure.png");
    }
    progress.done();
    std::string list;
    for (const auto& w : written) list += (list.empty() ? "" : ", ") + w;
    if (!quiet) std::fprintf(stderr, "invex render: wrote %s to %s\n", list.c_str(), out.c_str());
    return 0;
  } catch (const ExportCancelled&) {
    progress.done();
    std::fprintf(stderr, "invex render: interrupted; files already complete were kept\n");
    return 130;
  } catch (const std::exception& e) {
    progress.done();
    std::fprintf(stderr, "invex render: %s\n", e.what());
    return 2;
  }
}

}  // namespace invex::cli

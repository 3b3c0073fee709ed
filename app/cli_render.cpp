// invex render: exports of a saved run (GIF, PNG frames, .npy/.csv data, a figure).
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>

#include "app/cli_args.h"
#include "app/commands.h"
#include "core/export/export_manifold.h"
#include "core/io/saved_run.h"
#include "core/method/trainer.h"
#include "core/run/config.h"

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
  const std::string& stage_name() const { return stage_; }

 private:
  using Clock = std::chrono::steady_clock;
  bool quiet_;
  bool shown_ = false;
  Clock::time_point start_, last_;
  std::string stage_;
};

std::string run_file_of(const std::string& run) {
  struct stat st;
  if (::stat(run.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return run;
  const std::string file = run + "/run.invex";
  if (::stat(run.c_str(), &st) != 0) throw UsageError("--run: no such directory " + run);
  if (::stat(file.c_str(), &st) != 0)
    throw UsageError("--run: no saved run in " + run + " (expected " + file + ")");
  return file;
}

}  // namespace

int run_render(int argc, char** argv) {
  ExportOptions opt;
  std::string run, out;
  ExportFormats formats;
  bool quiet = false;
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
    formats.gif = !any || a.has("--gif");
    formats.png = !any || a.has("--png");
    formats.npy = !any || a.has("--npy");
    formats.figure = !any || a.has("--figure");
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
    const std::unique_ptr<Trainer> trainer = load_trainer(run);
    const std::shared_ptr<Snapshot> snap = trainer->snapshot(false);
    ExportRequest request;
    request.outdir = out;
    request.formats = formats;
    request.options = opt;
    const ExportSummary summary = export_manifold(*snap, request, [&](const ExportStatus& st) {
      if (st.stage != progress.stage_name()) progress.stage(st.stage);
      return progress.update(st.stage_fraction);
    });
    progress.done();
    if (!quiet)
      std::fprintf(stderr, "invex render: wrote %s to %s\n", summary.list().c_str(), out.c_str());
    return 0;
  } catch (const ExportCancelled&) {
    progress.done();
    std::fprintf(stderr,
                 "invex render: interrupted before writing; the output directory is as it was\n");
    return 130;
  } catch (const std::exception& e) {
    progress.done();
    std::fprintf(stderr, "invex render: %s\n", e.what());
    return 2;
  }
}

}  // namespace invex::cli

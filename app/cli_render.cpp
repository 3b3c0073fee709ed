// invex render: exports of a saved run (GIF, PNG frames, .npy/.csv data, a figure).
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <string>

#include "app/cli_parser.h"
#include "app/commands.h"
#include "core/export/export_manifold.h"
#include "core/io/saved_run.h"
#include "core/method/trainer.h"
#include "core/run/config.h"

namespace invex::cli {
namespace {

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
  if (::stat(run.c_str(), &st) != 0) throw ConfigError("--run: no such directory " + run);
  if (::stat(file.c_str(), &st) != 0)
    throw ConfigError("--run: no saved run in " + run + " (expected " + file + ")");
  return file;
}

// What the command line asked for.
struct RenderRequest {
  std::string run, out;
  ExportOptions options;
  bool gif = false, png = false, npy = false, figure = false;  // the format flags given
  ExportFormats formats;                                       // what will be written
  bool quiet = false;
};

void define_options(CLI::App& app, RenderRequest& r) {
  set_up_command(app, "--run DIR --out OUTDIR [options] [--gif] [--png] [--npy] [--figure]",
                 "Outputs (all of them when no format flag is given): --gif OUTDIR/manifold.gif; "
                 "--png OUTDIR/frames/frame_0000.png ...; --npy OUTDIR/manifold.npy (K x C x PX x "
                 "PX, transformed images), latents.npy (K x D), activations.npy (K) and "
                 "activations.csv; --figure OUTDIR/figure.png.\n"
                 "Activations are the neuron's response divided by its MEI activation. The neuron "
                 "only accepts its own resolution, so they are measured on images rendered at the "
                 "training resolution at the same latent points, whatever --size is.\n"
                 "Exit codes: 0 done, 2 bad input or a file that cannot be read or written, 130 "
                 "interrupted (nothing is written).");
  add_text(app, "--run DIR", r.run, "a trained run (DIR/run.invex, or the .invex file itself)")
      ->required();
  add_text(app, "--out OUTDIR", r.out, "where to write (created if missing)")->required();
  ExportOptions& o = r.options;
  add_integer(app, "--frames N", o.frames, 2, 10000, "images along the path");
  add_integer(app, "--size PX", o.size, 8, 4096,
              "rendered resolution, PX x PX: the CPPN is rendered at this size, not upscaled");
  // Any number here: validate_export_options checks the range (for the GUI as well) and says
  // why fps stops at 50.
  describe(app.add_option("--fps", o.fps)->transform(number_in(-HUGE_VAL, HUGE_VAL)), "--fps F",
           "GIF frame rate, above 0 and at most 50 (default " + number_text(o.fps) + ")");
  add_text(app, "--colormap NAME", o.colormap,
           "grey | diverging (default " + o.colormap + "); one symmetric scale for all frames");
  add_text(app, "--path NAME", o.path,
           "axis0 | axis1 | loop (default " + o.path +
               "): 1-D latents loop around the circle (periodic) or go there and back; 2-D: "
               "sweep one coordinate with the other at pi, or a circle of radius 0.8 pi around "
               "(pi, pi)");
  app.add_flag("--quiet", r.quiet, "no progress line");
  app.add_flag("--gif", r.gif, "write OUTDIR/manifold.gif");
  app.add_flag("--png", r.png, "write OUTDIR/frames/frame_NNNN.png");
  app.add_flag("--npy", r.npy,
               "write manifold.npy, latents.npy, activations.npy and activations.csv");
  app.add_flag("--figure", r.figure,
               "write figure.png: thumbnails of the canonical sweep above its activation");
}

// Checks the request beyond what the parser does; no format flag means every format.
void complete(RenderRequest& r) {
  validate_export_options(r.options);
  const bool any = r.gif || r.png || r.npy || r.figure;
  r.formats.gif = !any || r.gif;
  r.formats.png = !any || r.png;
  r.formats.npy = !any || r.npy;
  r.formats.figure = !any || r.figure;
  r.run = run_file_of(r.run);
}

// Loads the run and exports it with a progress line; Ctrl-C or SIGTERM cancels (exit 130).
int export_run(const RenderRequest& r) {
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

  Progress progress(r.quiet);
  try {
    progress.stage("loading the run");
    const std::unique_ptr<Trainer> trainer = load_trainer(r.run);
    const std::shared_ptr<Snapshot> snap = trainer->snapshot(false);
    ExportRequest request;
    request.outdir = r.out;
    request.formats = r.formats;
    request.options = r.options;
    const ExportSummary summary = export_manifold(*snap, request, [&](const ExportStatus& st) {
      if (st.stage != progress.stage_name()) progress.stage(st.stage);
      return progress.update(st.stage_fraction);
    });
    progress.done();
    if (!r.quiet)
      std::fprintf(stderr, "invex render: wrote %s to %s\n", summary.list().c_str(), r.out.c_str());
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

}  // namespace

int run_render(int argc, char** argv) {
  RenderRequest request;
  CLI::App app(
      "Exports a trained run: a GIF, PNG frames, NumPy arrays and a figure of the "
      "manifold, rendered from the CPPN at any size.",
      "invex render");
  define_options(app, request);
  if (const int code = parse_command(app, argc, argv); code >= 0) return code;
  try {
    complete(request);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invex render: %s\n", e.what());
    return 2;
  }
  return export_run(request);
}

}  // namespace invex::cli

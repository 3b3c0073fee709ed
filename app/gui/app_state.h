// Everything the GUI knows, in one struct that the main loop and the panels share. Only the
// main thread touches it; the training and rendering threads are reached through their own
// thread-safe objects (TrainingRun, ViewRenderer).
#pragma once

#include <imgui.h>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/gui/colormap.h"
#include "app/gui/gpu_view.h"
#include "app/gui/metrics_readout.h"
#include "app/gui/neuron_preview.h"
#include "app/gui/texture.h"
#include "app/gui/view_renderer.h"
#include "app/gui/view_zoom.h"
#include "core/run/config.h"
#include "core/run/snapshot.h"
#include "core/session/training_run.h"

namespace invex::gui {

struct ExportPanel;  // export_panel.cpp: the Export section's settings and worker thread
struct TourState;    // tour.h: the guided tour
struct MeiImage;     // tour.h: the neuron's MEI image, shown beside the manifold
struct SlideExport;  // slides_export.cpp: the tour's Export for slides, running or done

// Text typed into a field that takes effect on Enter (neuron_choice.cpp), and the value it was
// last filled from.
struct CommittedText {
  std::string text, of;
};

struct AppState {
  // --- settings being edited: they become a run's config on Start (when changed) or Reset.
  std::vector<std::string> presets;
  std::string preset;  // name of the loaded preset, empty for --run / --config
  std::string source;  // what was opened instead of a preset, for the preset box
  RunConfig cfg;
  std::string reg_coefs_text;  // λ schedule as the user types it, e.g. "1, 0.5"
  int threads = 1;
  bool cfg_dirty = true;    // cfg differs from the run's config: Start makes a new run
  std::string resume_path;  // --run DIR/run.invex, used by the first run only
  std::string models_dir;   // --models DIR: replaces neuron.models of macaque neurons opened
  // The trained run that ships with the preset (assets/runs/<preset>), while it is the run
  // shown; cfg stays the preset's own, so Start trains it from scratch.
  std::string shipped_run;

  // --- the run. Retired runs are destroyed on helper threads: a destructor joins the
  // training thread, which may be in the middle of a step or an MEI computation.
  std::unique_ptr<TrainingRun> run;
  std::vector<std::thread> retired;
  SnapshotPtr latest;  // newest snapshot, taken at most 5 times a second while training
  double latest_at = -1;
  SnapshotPtr shown;  // the snapshot the view renders: newest, at most ~4 times a second
  double shown_at = -1;
  MetricsReadout metrics;  // method.md §11 for the newest snapshot, for the Activation panel

  std::string save_dir;          // where "Save run" writes; defaults to runs/gui-<preset>
  std::string save_dir_default;  // the default last filled in: follows the preset until edited
  bool save_requested = false;   // show the run's save message once one was asked for
  // Made by the Export section on first draw; its destructor cancels and joins the export.
  std::shared_ptr<ExportPanel> export_panel;

  // --- what the neuron likes, before any training (neuron_preview.h, neuron_choice.cpp)
  NeuronPreview preview;
  NeuronPreview::Result preview_result;
  NeuronPreview::Folder models_folder;  // the recordings of the macaque models folder
  Texture mei_tex, rf_tex;
  Colormap preview_colored_with = Colormap::Grey;
  CommittedText models_text, file_text, output_text, args_text;

  // --- messages
  std::string error;      // inline: bad input or a failed load; the app stays usable
  std::string cfg_error;  // what is wrong with the settings as typed (checked on each edit)
  std::string status;     // e.g. "screenshot saved to ..."
  double status_until = 0;

  // --- the view
  std::vector<float> z = {0.0f};  // the latent at the slider(s), radians
  bool playing = false;
  float play_speed = 0.1f;  // loops per second
  int play_dim = 1;         // 2-D: which latent Play moves (0: z1, 1: z2)
  float play_dir = 1.0f;    // non-periodic latents bounce at the ends
  Colormap cmap = Colormap::Grey;
  int display_size = 256;  // the CPU path's big image, in pixels: its size on screen, bounded
  ViewZoom zoom;
  int view_pixels = 0;  // > 0: the shader draws the big image at this size, not its screen size
  int view_px = 0;      // the size the shader path last drew the big image at

  // --- the render path: the GPU's shader draws the big image and the thumbnails while it
  // works; null gpu means the CPU path (INVEX_RENDER_PATH=cpu, or the shader failed).
  std::unique_ptr<GpuView> gpu;
  std::string render_notice;        // why the CPU path draws, when the shader failed
  std::string render_path_why;      // why this path: --stats and the picture's tooltip
  std::uint64_t view_pictures = 0;  // new pictures of the big image so far, on either path

  ViewRenderer renderer;
  std::uint64_t min_serial = 0;  // results at or below belong to a replaced run
  ViewRenderer::View view;
  ViewRenderer::Sweep sweep;
  ViewRenderer::Filters filters;
  Texture view_tex{true};
  Texture atlas_tex;  // the thumbnails of the canonical sweep, one tile per image
  Texture filter_tex;
  Texture heat_tex;  // 2-D activation heatmap
  int atlas_cols = 1, atlas_rows = 1;
  std::vector<int> atlas_tile;  // sweep index → tile of atlas_tex, or -1 when not shown
  int filter_count = 0;
  Colormap colored_with = Colormap::Grey;
  float colored_scale = 0;
  float heat_top = 1;   // activation at the brightest heatmap colour
  SnapshotPtr heat_of;  // snapshot the heatmap texture was built from

  // --- teaching (tour.h): the tour, if one was opened; presentation mode and its font
  std::shared_ptr<TourState> tour;
  std::shared_ptr<MeiImage> mei;
  std::shared_ptr<SlideExport> slides;
  bool presenting = false;
  ImFont* large_font = nullptr;

  // --- keyboard / test harness
  bool screenshot_requested = false;
  std::string screenshot_path;
  float ui_scale = 1.0f;
  // Screen rectangles (x, y, w, h in framebuffer pixels) of the big image and the activation
  // plot, printed by --stats so the screenshot checker knows where to look.
  ImVec4 view_rect{0, 0, 0, 0}, plot_rect{0, 0, 0, 0};
};

// --- actions (actions.cpp)
void select_preset(AppState& s, const std::string& name);
bool open_run_dir(AppState& s, const std::string& dir);
// A config file (the schema of presets) as a fresh run; resume_path: a saved run to continue.
bool open_config(AppState& s, const std::string& path, const std::string& resume_path = {});
// A run with s.cfg exists (validating first); false: the reason is in s.error.
bool ensure_run(AppState& s);
// Replaces the run by a new one of `cfg` (resume_path: continuing that saved run); false: the
// reason is in s.error.
bool create_run(AppState& s, const RunConfig& cfg, const std::string& resume_path = {});
// --- shipped runs (shipped_runs.cpp)
// Shows the trained run that ships with s.preset, ready to sweep; false when none ships or it
// fails to load (then s.error says why).
bool open_shipped_run(AppState& s);
// Replaces the shown shipped run by a fresh run of the preset and starts training it.
void train_from_scratch(AppState& s);
// The training panel's note on a shipped run and its "Train again from scratch" button.
void draw_shipped_run_note(AppState& s);
// What is wrong with s.cfg and the typed λ schedule; empty when they validate.
std::string check_settings(const AppState& s);
void start_or_toggle(AppState& s);  // the Space key
void start(AppState& s);
void reset_run(AppState& s);
void retire_run(AppState& s);
void join_retired(AppState& s);
// Saves the run as `invex train --out` lays it out (DIR/config.json + DIR/run.invex), so
// `invex gui --run DIR`, `invex render --run DIR` and `invex train --resume DIR` open it.
// run.invex is written by the training thread; its outcome: run->last_save_message().
bool save_run(AppState& s, const std::string& dir);
void step_z(AppState& s, int dim, int dir);
void advance_play(AppState& s, float dt);
int latent_dims(const AppState& s);
bool latent_periodic(const AppState& s, int dim);
void sync_view(AppState& s, double now);  // wishes to the renderer, results to textures
// The shader path on a GPU, the CPU path on a software rasteriser; INVEX_RENDER_PATH=cpu or
// =shader decides instead. Needs the GL context. fall_back_to_cpu: the shader failed (why),
// the CPU path draws from now on, and the window and stderr say so.
void choose_render_path(AppState& s);
void fall_back_to_cpu(AppState& s, const std::string& why);
std::string format_reg_coefs(const std::vector<double>& v);
bool parse_reg_coefs(const std::string& text, std::vector<double>& out);
void set_status(AppState& s, const std::string& msg);

// --- panels (panels_*.cpp); each draws one ImGui window at the given rectangle
void draw_neuron_panel(AppState& s, ImVec2 pos, ImVec2 size);
// The Neuron panel's parts (neuron_choice.cpp): a new neuron type with the image settings it
// needs; the fields of a macaque or TorchScript neuron (changed: a field took a new value); the
// MEI and receptive field of the neuron being edited.
void switch_neuron_type(AppState& s, const std::string& type);
void draw_neuron_choice(AppState& s, bool& changed);
void draw_neuron_likes(AppState& s);
void draw_training_panel(AppState& s, ImVec2 pos, ImVec2 size);
void draw_manifold_panel(AppState& s, ImVec2 pos, ImVec2 size);
void draw_activation_panel(AppState& s, ImVec2 pos, ImVec2 size);
void draw_curves_panel(AppState& s, ImVec2 pos, ImVec2 size);
// The smoothed training curves of a snapshot in the space left in the current window
// (panels_plots.cpp).
void draw_training_curves(const Snapshot& snap);
// The panels tile the window: each is a fixed window at pos/size (no move, resize or collapse).
inline void begin_panel(const char* name, ImVec2 pos, ImVec2 size, ImGuiWindowFlags extra = 0) {
  ImGui::SetNextWindowPos(pos);
  ImGui::SetNextWindowSize(size);
  ImGui::Begin(
      name, nullptr,
      ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse | extra);
}

// The Export section (export_panel.cpp), drawn at the end of the training window.
void draw_export_panel(AppState& s);
// --export DIR (the harness): the first call starts the panel's export into DIR with its
// settings; true once that export has ended. export_result: its result line.
bool export_when_ready(AppState& s, const std::string& dir);
std::string export_result(const AppState& s, bool* failed);

bool has_view(const AppState& s);   // a big image of the current run is available
bool has_sweep(const AppState& s);  // thumbnails and the colour scale are available

// A tooltip for the last item: every control explains its role in the method.
void tip(const char* text);
bool running_or_paused(const AppState& s);

}  // namespace invex::gui

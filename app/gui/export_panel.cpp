// The Export section of the Training window: the exports of `invex render` (GIF, PNG frames,
// .npy/.csv, the figure) from the newest snapshot, through the same core function
// (export_manifold). The export runs on a thread of its own; a frame only reads its progress.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "app/gui/app_state.h"
#include "core/export/export_manifold.h"

namespace invex::gui {

// The panel's settings and its worker. Lives in AppState::export_panel, so the worker is
// cancelled and joined when the app closes (the destructor), never on a frame.
struct ExportPanel {
  // --- settings
  std::string dir;
  bool dir_edited = false;  // a typed directory is kept when another preset is loaded
  int frames = 64, size = 256;
  double fps = 20;
  bool cmap_follows_view = true;  // until a map is picked here, export with the view's colours
  Colormap cmap = Colormap::Grey;
  std::string path = "axis0";
  ExportFormats formats;

  // --- the job. The worker writes `summary`, `error`, `cancelled` and then sets `finished`;
  // the main thread reads them only after seeing `finished`, then joins.
  std::thread worker;
  bool running = false;  // main thread: a worker was started and not joined yet
  std::atomic<bool> cancel{false}, finished{false};
  std::atomic<double> fraction{0};
  std::mutex stage_mutex;
  std::string stage;  // guarded by stage_mutex
  ExportSummary summary;
  std::string error;
  bool cancelled = false;

  // --- the line under the controls
  std::string result;
  bool result_failed = false;
  bool harness_started = false;   // --export DIR started its export
  bool scroll_into_view = false;  // the section sits below the fold of the Training window

  ~ExportPanel() {
    cancel = true;
    if (worker.joinable()) worker.join();
  }
};

namespace {

const ImVec4 kErrorColor(1.0f, 0.42f, 0.42f, 1.0f);

ExportPanel& panel_of(AppState& s) {
  if (!s.export_panel) s.export_panel = std::make_shared<ExportPanel>();
  return *s.export_panel;
}

std::string default_dir(const AppState& s) {
  std::string name = s.preset.empty() ? "custom" : s.preset;
  std::replace(name.begin(), name.end(), '/', '-');
  return "exports/" + name;
}

// Turns a finished worker into the result line; never waits for a running one.
void poll(ExportPanel& p) {
  if (!p.running || !p.finished) return;
  p.worker.join();
  p.running = false;
  p.result_failed = !p.error.empty();
  if (p.cancelled) {
    p.result = "export cancelled: nothing was written";
  } else if (p.result_failed) {
    p.result = "export failed: " + p.error;
  } else {
    char buf[64];
    std::snprintf(buf, sizeof buf, " in %.1f s", p.summary.seconds);
    p.result =
        "wrote " + std::to_string(p.summary.files.size()) + " files to " + p.summary.outdir + buf;
  }
}

bool start_export(AppState& s, ExportPanel& p) {
  if (p.running) return false;
  // A snapshot is immutable: the worker may keep it while training publishes newer ones.
  const SnapshotPtr snap = s.latest;
  if (!snap) {
    p.result = "export failed: no snapshot yet (start training or open a run)";
    p.result_failed = true;
    return false;
  }
  ExportRequest req;
  req.outdir = p.dir;
  req.formats = p.formats;
  req.options.frames = p.frames;
  req.options.size = p.size;
  req.options.fps = p.fps;
  req.options.colormap =
      (p.cmap_follows_view ? s.cmap : p.cmap) == Colormap::Grey ? "grey" : "diverging";
  req.options.path = p.path;
  p.cancel = false;
  p.finished = false;
  p.fraction = 0;
  p.error.clear();
  p.cancelled = false;
  p.result.clear();
  p.result_failed = false;
  {
    std::lock_guard<std::mutex> lock(p.stage_mutex);
    p.stage = "starting";
  }
  p.running = true;
  // The panel outlives the worker (its destructor joins), so the worker may hold a reference.
  p.worker = std::thread([&p, snap, req] {
    lower_this_thread_priority();
    try {
      p.summary = export_manifold(*snap, req, [&p](const ExportStatus& st) {
        p.fraction = st.fraction;
        {
          std::lock_guard<std::mutex> lock(p.stage_mutex);
          if (p.stage != st.stage) p.stage = st.stage;
        }
        return !p.cancel.load();
      });
    } catch (const ExportCancelled&) {
      p.cancelled = true;
    } catch (const std::exception& e) {
      p.error = e.what();
      if (p.error.empty()) p.error = "unknown error";
    }
    p.finished = true;
  });
  return true;
}

// A compact number field: frames and size are typed, not stepped.
bool int_field(const char* label, int* v, int lo, int hi, float width, const char* help) {
  ImGui::SetNextItemWidth(width);
  const bool changed = ImGui::InputInt(label, v, 0, 0);
  tip(help);
  *v = std::clamp(*v, lo, hi);
  return changed;
}

}  // namespace

void draw_export_panel(AppState& s) {
  ExportPanel& p = panel_of(s);
  poll(p);
  if (!p.dir_edited) p.dir = default_dir(s);
  const int dims = latent_dims(s);
  // 1-D latents have one export path; keep a 2-D choice from becoming invalid.
  if (dims < 2) p.path = "axis0";

  ImGui::Separator();
  ImGui::TextUnformatted("Export");
  tip("Export the newest snapshot as `invex render --run DIR` does: the CPPN is rendered again "
      "at the chosen size along the chosen path (not upscaled), and the neuron's activations "
      "are measured on images at the training resolution at the same latent points.");
  ImGui::SameLine();
  ImGui::BeginDisabled(p.running || !s.latest || !p.formats.any());
  if (ImGui::Button("Export")) start_export(s, p);
  ImGui::EndDisabled();
  tip(!s.latest ? "Nothing to export yet: start training or open a run."
      : !p.formats.any()
          ? "Choose at least one format below."
          : "Export the newest snapshot into the directory below on a background thread; "
            "training and the view go on. Files are written only once everything is "
            "rendered and encoded, each under a temporary name first, so a cancel or an "
            "error never leaves a partial file.");
  if (p.running) {
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) p.cancel = true;
    tip("Stop the export. Nothing it would have written is written; files of an earlier "
        "export in the directory are left as they were.");
  }

  ImGui::BeginDisabled(p.running);
  ImGui::SetNextItemWidth(-1);
  if (ImGui::InputText("##export dir", &p.dir)) p.dir_edited = true;
  tip("Output directory, created if missing. Files: manifold.gif, frames/frame_NNNN.png, "
      "manifold.npy (K×C×size×size, the transformed images the neuron sees), latents.npy, "
      "activations.npy and activations.csv (activation / MEI activation), figure.png.");

  const float num_w = ImGui::GetFontSize() * 3.2f;
  int_field("frames", &p.frames, 2, 10000, num_w,
            "Images along the export path (K). A periodic 1-D latent loops around the whole "
            "circle; a non-periodic one goes there and back, so the GIF loops without a jump.");
  ImGui::SameLine();
  int_field("px", &p.size, 8, 4096, num_w,
            "Rendered size, px × px. The CPPN is a function of pixel coordinates, so it is "
            "rendered at this resolution rather than upscaled. 512 px and up take a while.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(num_w);
  ImGui::InputDouble("fps", &p.fps, 0, 0, "%.3g");
  tip("GIF playback rate in frames per second, up to 50 (GIF delays are whole centiseconds; "
      "many viewers slow down faster GIFs).");
  p.fps = std::clamp(p.fps, 0.1, 50.0);

  const Colormap shown_cmap = p.cmap_follows_view ? s.cmap : p.cmap;
  int cmap = shown_cmap == Colormap::Grey ? 0 : 1;
  const char* cmaps[] = {"grey", "diverging"};
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6.0f);
  if (ImGui::Combo("colours", &cmap, cmaps, 2)) {
    p.cmap_follows_view = false;
    p.cmap = cmap == 0 ? Colormap::Grey : Colormap::Diverging;
  }
  tip("Colour map of the GIF, the PNG frames and the figure's thumbnails, on one symmetric "
      "scale for all frames (0 = mid grey / white). Follows the view's choice until set here.");
  ImGui::SameLine();
  const char* paths[] = {"axis0", "axis1", "loop"};
  int path = static_cast<int>(std::find(paths, paths + 3, p.path) - paths) % 3;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5.0f);
  if (ImGui::Combo("path", &path, paths, dims < 2 ? 1 : 3)) p.path = paths[path];
  tip(dims < 2 ? "The latent is 1-D: the export follows it (axis0)."
               : "axis0 / axis1: sweep z1 / z2 with the other held at π (a loop when that "
                 "dimension is periodic, else there and back); loop: a circle of radius 0.8π "
                 "around (π, π).");

  ImGui::Checkbox("GIF", &p.formats.gif);
  tip("manifold.gif: the frames as an endlessly looping animation at the chosen fps.");
  ImGui::SameLine();
  ImGui::Checkbox("PNG frames", &p.formats.png);
  tip("frames/frame_0000.png ...: one PNG per frame, same colours as the GIF. Stale frames of a "
      "longer earlier export are removed.");
  ImGui::SameLine();
  ImGui::Checkbox("NumPy", &p.formats.npy);
  tip("manifold.npy (float32 K×C×size×size), latents.npy (K×D, radians), activations.npy (K) "
      "and activations.csv: the data behind the pictures, for analysis in Python.");
  ImGui::SameLine();
  ImGui::Checkbox("Figure", &p.formats.figure);
  tip("figure.png: thumbnails of the canonical sweep above its activation curve (1-D) or "
      "heatmap (2-D), ready for a paper.");
  ImGui::EndDisabled();

  if (p.running) {
    std::string stage;
    {
      std::lock_guard<std::mutex> lock(p.stage_mutex);
      stage = p.stage;
    }
    const float f = static_cast<float>(p.fraction.load());
    char overlay[96];
    std::snprintf(overlay, sizeof overlay, "%s%s  %d%%", stage.c_str(),
                  p.cancel ? " (cancelling)" : "", static_cast<int>(f * 100 + 0.5f));
    ImGui::ProgressBar(f, ImVec2(-1, 0), overlay);
    tip("Progress of the whole export. Rendering at the chosen size dominates; writing the files "
        "comes last.");
  } else if (!p.result.empty()) {
    ImGui::PushTextWrapPos(0);
    if (p.result_failed)
      ImGui::TextColored(kErrorColor, "%s", p.result.c_str());
    else
      ImGui::TextDisabled("%s", p.result.c_str());
    ImGui::PopTextWrapPos();
  }
  // --export: show the progress bar and the result line in the harness's screenshot.
  if (p.scroll_into_view) ImGui::SetScrollHereY(1.0f);
}

bool export_when_ready(AppState& s, const std::string& dir) {
  ExportPanel& p = panel_of(s);
  poll(p);
  if (!p.harness_started) {
    p.harness_started = true;
    p.dir = dir;
    p.dir_edited = true;
    p.scroll_into_view = true;
    return !start_export(s, p);  // could not start: done, with the reason in the result
  }
  return !p.running;
}

std::string export_result(const AppState& s, bool* failed) {
  if (!s.export_panel) {
    if (failed) *failed = true;
    return "no export was made";
  }
  if (failed) *failed = s.export_panel->result_failed || s.export_panel->running;
  return s.export_panel->result;
}

}  // namespace invex::gui

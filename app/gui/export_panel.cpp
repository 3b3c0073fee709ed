// HOOK for the export engineer: the Export section of the Training window.
// Fill draw_export_panel() with the export UI (GIF / PNG sheet / npy of the manifold, ...).
// Useful state: s.latest / s.shown (SnapshotPtr: config, frozen CPPN, sweep), s.z (the
// slider's latent), s.cmap (the colour map in use), s.run (the TrainingRun, e.g. run->save()),
// set_status(s, "...") for a transient message and s.error for an inline error. It runs on the
// main thread every frame: put slow work (rendering a GIF) on a thread of its own.
#include <imgui.h>

#include "app/gui/app_state.h"

namespace invex::gui {

void draw_export_panel(AppState& s) {
  (void)s;
  ImGui::Separator();
  ImGui::TextDisabled("Export: not in the GUI yet; use `invex render` / `invex train --out`.");
}

}  // namespace invex::gui

// The guided tour (`invex tour`, the Tour button) and what a lecture shows beside the manifold:
// a tour file's steps (core/io/tour_file.h), each opening its run (the shipped run of a preset
// when there is one) and setting z, Play and the colours, with its caption; and the neuron's
// filters and MEI. Presentation mode (presentation.cpp) lays the same pieces out for a
// projector.
#pragma once

#include <imgui.h>

#include <atomic>
#include <memory>
#include <string>

#include "app/gui/texture.h"
#include "core/io/tour_file.h"
#include "core/run/config.h"
#include "core/run/image_stack.h"

namespace invex::gui {

struct AppState;

// The neuron's MEI image, from the run's mei.npy when it has one (shipped runs do), else
// computed on a background thread (method.md §7, the seed the MEI activation used).
struct MeiImage {
  struct Job {
    std::atomic<bool> done{false};
    ImageStack image;
    std::string error;
  };
  const void* run_of = nullptr;  // the run it was looked up for
  std::string key;               // the neuron, image and MEI settings it belongs to
  std::shared_ptr<Job> job;
  ImageStack image;
  std::string error;
  Texture tex;
  bool colored = false;
};

struct TourState {
  Tour tour;
  std::string file;
  int step = -1;        // the step shown, -1 before the first
  bool active = false;  // the tour's panel is shown (the Tour button and Leave tour toggle it)
  std::string error;    // the tour file could not be read, or a step could not open
  // Where the caption was drawn (x, y, w, h in framebuffer pixels), for --stats.
  ImVec4 caption_rect{0, 0, 0, 0};
};

// Reads the tour file into s.tour (created if missing); false: s.tour->error says why.
bool load_tour(AppState& s, const std::string& file);
// The Tour button: shows the tour that ships (loading it the first time), at its current step.
void open_tour(AppState& s);
// Opens step `index` (clamped to the tour): its run, z, Play, speed and colours.
void go_to_step(AppState& s, int index);
// Next / Back from the keyboard (→, PageDown: next; ←, PageUp: back) while the tour is shown.
// Returns whether a key was taken.
bool tour_keys(AppState& s);

// The Tour panel: the step's title, Back / Next, the caption, Export for slides, and the way
// out; in presentation mode only the title, Back / Next and the caption.
void draw_tour_panel(AppState& s, ImVec2 pos, ImVec2 size);
// The neuron's filters and its MEI, side by side in a panel of their own.
void draw_neuron_figures(AppState& s, ImVec2 pos, ImVec2 size);
// Keeps s.mei in step with the shown run; call every frame.
void sync_mei(AppState& s);

// --- Export for slides (slides_export.cpp): DIR/<preset>.gif and DIR/<preset>-strip.png from
// the newest snapshot, on a thread of its own. False when one is running or nothing can be
// exported yet (s.slides says why).
bool start_slide_export(AppState& s, const std::string& dir);
// The button (into slides/ of the current directory) and the outcome of the last export.
void draw_slide_export(AppState& s);
// The harness's --export-slides DIR: the first call starts the export; true once it has ended.
bool slides_when_ready(AppState& s, const std::string& dir);
// Its outcome line; `failed` when it failed or never ended.
std::string slides_result(const AppState& s, bool* failed);

// --- presentation mode (presentation.cpp)
// The panels of presentation mode: no editing panels, the view as large as the window allows,
// the caption (in a tour), the activation plot, the filters and the MEI, in a larger font.
void draw_presentation(AppState& s);
// Normal mode with the tour shown: the tour panel replaces the neuron and training panels.
void draw_tour_layout(AppState& s);
// F5 or P toggles presentation mode, Esc leaves it. Returns whether a key was taken.
bool presentation_keys(AppState& s);

}  // namespace invex::gui

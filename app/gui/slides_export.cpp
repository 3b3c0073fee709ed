// "Export for slides": the looping GIF of the shown manifold and its strip (filters, MEI, frames,
// activation plot; core/export/strip.h), named after the preset, written on a thread of its own
// from the newest snapshot.
#include <imgui.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "app/gui/app_state.h"
#include "app/gui/tour.h"
#include "core/export/export_manifold.h"
#include "core/export/png.h"
#include "core/export/strip.h"
#include "core/neurons/neuron.h"

namespace invex::gui {

struct SlideExport {
  std::atomic<bool> done{false};
  std::string message;  // "wrote ..." or why it failed
  bool failed = false;
};

namespace {

namespace fs = std::filesystem;

// "circle-complex" for circle/complex; a run opened from a directory is named after it.
std::string slide_name(const AppState& s) {
  std::string name = !s.preset.empty() ? s.preset : s.source;
  if (s.tour && s.tour->step >= 0 && s.tour->step < static_cast<int>(s.tour->tour.steps.size())) {
    const TourStep& step = s.tour->tour.steps[s.tour->step];
    name = step.preset.empty() ? fs::path(step.run).filename().string() : step.preset;
  }
  std::replace(name.begin(), name.end(), '/', '-');
  name.erase(std::remove_if(name.begin(), name.end(),
                            [](char c) { return c == ' ' || c == '(' || c == ')'; }),
             name.end());
  return name.empty() ? "manifold" : name;
}

StripContent strip_of(const Snapshot& snap, const ImageStack& mei, int play_dim,
                      const std::string& colormap) {
  StripContent c;
  c.filters = NeuronEvaluator(snap.config.neuron).filters_for_display();
  c.mei = mei;
  const int dims = snap.cppn.latent_dims();
  const int count = snap.sweep_images.count;
  const int grid = dims == 2 ? static_cast<int>(std::lround(std::sqrt(count))) : count;
  const std::vector<int> ks = strip_frame_indices(count, dims, grid, play_dim);
  const ImageStack& all = snap.sweep_images;
  c.frames = ImageStack(static_cast<int>(ks.size()), all.channels, all.height, all.width);
  for (size_t i = 0; i < ks.size(); ++i)
    std::copy(all.image(ks[i]), all.image(ks[i]) + all.image_size(),
              c.frames.image(static_cast<int>(i)));
  c.latents = snap.sweep_latents;
  c.activations = snap.sweep_activations;
  c.periodic = snap.cppn.periodic;
  c.colormap = colormap;
  return c;
}

// The GIF through export_manifold into a scratch folder, then renamed into place.
void export_gif(const Snapshot& snap, const std::string& dir, const std::string& name, int play_dim,
                const std::string& colormap) {
  ExportRequest request;
  request.outdir = dir + "/." + name + ".export";
  request.formats = {true, false, false, false};
  request.options.colormap = colormap;
  request.options.path = snap.cppn.latent_dims() == 2 && play_dim == 1 ? "axis1" : "axis0";
  export_manifold(snap, request);
  fs::rename(request.outdir + "/manifold.gif", dir + "/" + name + ".gif");
  fs::remove_all(request.outdir);
}

}  // namespace

bool start_slide_export(AppState& s, const std::string& dir) {
  if (s.slides && !s.slides->done) return false;  // one at a time
  auto job = std::make_shared<SlideExport>();
  s.slides = job;
  if (!s.latest || s.latest->sweep_images.count == 0) {
    job->message = "nothing to export yet: the manifold has no snapshot";
    job->failed = true;
    job->done = true;
    return false;
  }
  const SnapshotPtr snap = s.latest;
  const ImageStack mei = s.mei ? s.mei->image : ImageStack();
  const std::string name = slide_name(s),
                    colormap = s.cmap == Colormap::Grey ? "grey" : "diverging";
  const int play_dim = s.play_dim;
  s.retired.emplace_back([job, snap, mei, name, colormap, play_dim, dir] {
    lower_this_thread_priority();
    try {
      fs::create_directories(dir);
      export_gif(*snap, dir, name, play_dim, colormap);
      const RgbImage strip = draw_strip(strip_of(*snap, mei, play_dim, colormap));
      write_png(dir + "/" + name + "-strip.png", strip.rgb, strip.width, strip.height);
      job->message = "wrote " + dir + "/" + name + ".gif and " + dir + "/" + name + "-strip.png";
    } catch (const std::exception& e) {
      job->message = std::string("export failed: ") + e.what();
      job->failed = true;
    }
    job->done = true;
  });
  return true;
}

bool slides_when_ready(AppState& s, const std::string& dir) {
  if (!s.slides) start_slide_export(s, dir);
  return s.slides->done;
}

std::string slides_result(const AppState& s, bool* failed) {
  *failed = !s.slides || s.slides->failed || !s.slides->done;
  return s.slides ? s.slides->message : "no slides were exported";
}

void draw_slide_export(AppState& s) {
  const bool running = s.slides && !s.slides->done;
  ImGui::BeginDisabled(running);
  if (ImGui::Button(running ? "Exporting…" : "Export for slides")) start_slide_export(s, "slides");
  ImGui::EndDisabled();
  tip("Write the looping GIF of this manifold and a strip of its filters, MEI, frames along "
      "the manifold and activation plot (one PNG) into slides/ of the current directory, named "
      "after the preset (e.g. slides/circle-complex.gif, slides/circle-complex-strip.png).");
  if (s.slides && s.slides->done) {
    ImGui::PushTextWrapPos(0);
    if (s.slides->failed)
      ImGui::TextColored(ImVec4(1.0f, 0.42f, 0.42f, 1.0f), "%s", s.slides->message.c_str());
    else
      ImGui::TextDisabled("%s", s.slides->message.c_str());
    ImGui::PopTextWrapPos();
  }
}

}  // namespace invex::gui

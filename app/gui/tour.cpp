// The guided tour: steps of a tour file, each opening its run with its view settings and
// caption; and the neuron's filters and MEI beside the manifold.
#include "app/gui/tour.h"

#include <imgui.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <string>
#include <thread>

#include "app/gui/app_state.h"
#include "core/io/npy.h"
#include "core/method/mei.h"

namespace invex::gui {
namespace {

const ImVec4 kErrorColor(1.0f, 0.42f, 0.42f, 1.0f);

void error_line(const std::string& text) {
  ImGui::PushTextWrapPos(0);
  ImGui::TextColored(kErrorColor, "%s", text.c_str());
  ImGui::PopTextWrapPos();
}

// Opens the run of a step: a run directory, or a preset (its shipped run when one ships; else
// a fresh run that starts training, so the manifold appears). False: s.error says why.
bool open_step_run(AppState& s, const TourStep& step) {
  if (!step.run.empty()) return open_run_dir(s, step.run);
  select_preset(s, step.preset);
  if (s.preset != step.preset) return false;
  if (s.shipped_run.empty()) start(s);
  return s.run != nullptr;
}

// The caption: paragraphs separated by blank lines, wrapped to the panel.
void caption_text(const std::string& caption) {
  ImGui::PushTextWrapPos(0);
  size_t begin = 0;
  while (begin < caption.size()) {
    size_t end = caption.find("\n\n", begin);
    if (end == std::string::npos) end = caption.size();
    std::string paragraph = caption.substr(begin, end - begin);
    std::replace(paragraph.begin(), paragraph.end(), '\n', ' ');
    if (!paragraph.empty()) {
      ImGui::TextUnformatted(paragraph.c_str());
      ImGui::Spacing();
    }
    begin = end + 2;
  }
  ImGui::PopTextWrapPos();
}

// Back / Next.
void step_buttons(AppState& s) {
  const TourState& t = *s.tour;
  const int n = static_cast<int>(t.tour.steps.size());
  ImGui::BeginDisabled(t.step <= 0);
  if (ImGui::Button("< Back")) go_to_step(s, t.step - 1);
  ImGui::EndDisabled();
  tip("The previous step (← or PageUp).");
  ImGui::SameLine();
  ImGui::BeginDisabled(t.step + 1 >= n);
  if (ImGui::Button("Next >")) go_to_step(s, t.step + 1);
  ImGui::EndDisabled();
  tip("The next step (→ or PageDown).");
}

// Where the shown run keeps its MEI image, if it has one (shipped runs do).
std::string mei_file(const AppState& s) {
  if (!s.shipped_run.empty()) return s.shipped_run + "/mei.npy";
  if (s.tour && s.tour->step >= 0 && s.tour->step < static_cast<int>(s.tour->tour.steps.size())) {
    const TourStep& step = s.tour->tour.steps[s.tour->step];
    if (!step.run.empty()) return step.run + "/mei.npy";
  }
  return {};
}

bool read_mei_file(const std::string& path, const RunConfig& cfg, ImageStack& out) {
  std::error_code ec;
  if (path.empty() || !std::filesystem::is_regular_file(path, ec)) return false;
  try {
    const NpyArray a = read_npy(path);
    const ImageConfig& im = cfg.image;
    if (a.shape != std::vector<long>{1, im.channels, im.height, im.width}) return false;
    out = ImageStack(1, im.channels, im.height, im.width);
    out.data = a.data;
    return true;
  } catch (const std::exception&) {
    return false;  // computed instead
  }
}

// A filter or MEI tile with a frame.
void framed_image(ImTextureID tex, ImVec2 size, ImVec2 uv0, ImVec2 uv1) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::Image(tex, size, uv0, uv1);
  ImGui::GetWindowDrawList()->AddRect(p, ImVec2(p.x + size.x, p.y + size.y),
                                      IM_COL32(90, 90, 100, 255));
}

// Takes a finished MEI search and colours the image (again after a colour map change).
void finish_mei(AppState& s, MeiImage& m) {
  if (m.job && m.job->done) {
    m.image = std::move(m.job->image);
    m.error = m.job->error;
    m.job.reset();
  }
  if (m.image.count > 0 && (!m.colored || s.cmap != s.colored_with)) {
    std::vector<std::uint8_t> rgba;
    colorize(m.image, 0, symmetric_scale(m.image), s.cmap, rgba);
    m.tex.upload(rgba.data(), m.image.width, m.image.height);
    m.colored = true;
  }
}

}  // namespace

bool load_tour(AppState& s, const std::string& file) {
  if (!s.tour) s.tour = std::make_shared<TourState>();
  TourState& t = *s.tour;
  t.file = file;
  try {
    t.tour = load_tour_file(file);
    t.error.clear();
  } catch (const std::exception& e) {
    t.tour = Tour{};
    t.error = e.what();
  }
  t.step = -1;
  return t.error.empty();
}

void open_tour(AppState& s) {
  if (!s.tour || s.tour->tour.steps.empty()) load_tour(s, default_tour_path());
  TourState& t = *s.tour;
  t.active = true;  // shows the file's error when it has no steps
  if (t.step < 0) go_to_step(s, 0);
}

void go_to_step(AppState& s, int index) {
  if (!s.tour || s.tour->tour.steps.empty()) return;
  TourState& t = *s.tour;
  index = std::clamp(index, 0, static_cast<int>(t.tour.steps.size()) - 1);
  const TourStep& step = t.tour.steps[index];
  t.step = index;
  t.active = true;
  s.error.clear();
  t.error = open_step_run(s, step) ? std::string() : s.error;
  s.z.assign(static_cast<size_t>(latent_dims(s)), 0.0f);
  for (size_t d = 0; d < s.z.size() && d < step.z.size(); ++d) s.z[d] = step.z[d];
  s.playing = step.play;
  s.play_speed = step.speed;
  s.play_dir = 1;
  s.cmap = step.colormap == "diverging" ? Colormap::Diverging : Colormap::Grey;
  s.zoom.reset();
}

bool tour_keys(AppState& s) {
  if (!s.tour || !s.tour->active) return false;
  auto pressed = [](int key) { return ImGui::IsKeyPressed(key, false); };
  const int left = ImGui::GetKeyIndex(ImGuiKey_LeftArrow);
  const int right = ImGui::GetKeyIndex(ImGuiKey_RightArrow);
  const int up = ImGui::GetKeyIndex(ImGuiKey_PageUp);
  const int down = ImGui::GetKeyIndex(ImGuiKey_PageDown);
  if (pressed(right) || pressed(down)) {
    go_to_step(s, s.tour->step + 1);
    return true;
  }
  if (pressed(left) || pressed(up)) {
    go_to_step(s, s.tour->step - 1);
    return true;
  }
  // Held arrows must not fall through to stepping z either.
  return ImGui::IsKeyDown(left) || ImGui::IsKeyDown(right);
}

void sync_mei(AppState& s) {
  if (!s.mei) s.mei = std::make_shared<MeiImage>();
  MeiImage& m = *s.mei;
  if (!s.run || s.run.get() == m.run_of) {
    finish_mei(s, m);
    return;
  }
  m.run_of = s.run.get();
  const RunConfig& cfg = s.run->config();
  RunConfig just_neuron;
  just_neuron.neuron = cfg.neuron;
  just_neuron.image = cfg.image;
  just_neuron.mei = cfg.mei;
  const std::string key = config_to_json(just_neuron, -1);
  if (key != m.key) {
    m.key = key;
    m.image = ImageStack();
    m.error.clear();
    m.colored = false;
    m.job.reset();
    if (!read_mei_file(mei_file(s), cfg, m.image)) {
      // The same search (and seed) that gave the run its MEI activation, at a low priority;
      // joined with the retired runs at exit.
      auto job = std::make_shared<MeiImage::Job>();
      m.job = job;
      s.retired.emplace_back([job, cfg] {
        lower_this_thread_priority();
        try {
          job->image = compute_mei(cfg.neuron, cfg.image, cfg.mei).image;
        } catch (const std::exception& e) {
          job->error = e.what();
        }
        job->done = true;
      });
    }
  }
  finish_mei(s, m);
}

void draw_tour_panel(AppState& s, ImVec2 pos, ImVec2 size) {
  begin_panel("Tour", pos, size);
  TourState& t = *s.tour;
  const int n = static_cast<int>(t.tour.steps.size());
  ImGui::PushTextWrapPos(0);
  if (!t.tour.title.empty()) ImGui::TextDisabled("%s", t.tour.title.c_str());
  ImGui::PopTextWrapPos();
  if (t.step >= 0 && t.step < n) {
    const TourStep& step = t.tour.steps[t.step];
    ImGui::TextDisabled("Step %d of %d", t.step + 1, n);
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(step.title.c_str());
    ImGui::PopTextWrapPos();
    step_buttons(s);
    ImGui::Separator();
    const ImVec2 top = ImGui::GetCursorScreenPos();
    caption_text(step.caption);
    const ImVec2 fb = ImGui::GetIO().DisplayFramebufferScale;
    t.caption_rect = ImVec4(top.x * fb.x, top.y * fb.y, ImGui::GetContentRegionAvail().x * fb.x,
                            (ImGui::GetCursorScreenPos().y - top.y) * fb.y);
  }
  if (!t.error.empty()) error_line(t.error);
  if (!s.presenting) {
    ImGui::Separator();
    draw_slide_export(s);
    if (ImGui::Button("Present (F5)")) s.presenting = true;
    tip("Presentation mode: no editing panels, larger text, the view as large as the window "
        "allows. F5, P or Esc to leave.");
    ImGui::SameLine();
    if (ImGui::Button("Leave tour")) t.active = false;
    tip("Back to the editing panels, keeping the run of this step.");
  }
  ImGui::End();
}

void draw_neuron_figures(AppState& s, ImVec2 pos, ImVec2 size) {
  begin_panel("The neuron", pos, size,
              ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  const float gap = ImGui::GetStyle().ItemSpacing.x;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float label_h = ImGui::GetTextLineHeightWithSpacing();
  // Filters above, the MEI below, each as large as the panel allows.
  const int count = std::max(1, s.filter_count);
  const float tile = std::max(
      8.0f, std::min((avail.x - gap * (count - 1)) / count, (avail.y - 2 * label_h) * 0.4f));
  ImGui::TextUnformatted(s.filter_count > 1 ? "Its filters" : "Its filter");
  tip("The neuron's filters at the training resolution (a phase-orientation cell shows a few "
      "of its hundreds). The manifold's images all match them in some way.");
  if (s.filter_tex.valid() && s.filter_count > 0) {
    for (int i = 0; i < s.filter_count; ++i) {
      if (i) ImGui::SameLine(0, gap);
      const float u0 = static_cast<float>(i) / s.filter_count;
      const float u1 = static_cast<float>(i + 1) / s.filter_count;
      framed_image(s.filter_tex.imgui_id(), ImVec2(tile, tile), ImVec2(u0, 0), ImVec2(u1, 1));
    }
  } else {
    ImGui::Dummy(ImVec2(tile, tile));
  }
  ImGui::TextUnformatted("Its MEI (activation 1)");
  tip("The most exciting input: the single image that drives the neuron hardest under the same "
      "mean and contrast as the manifold (method.md §7). Every activation is a fraction of "
      "its response.");
  const float left = ImGui::GetContentRegionAvail().y;
  const float side = std::max(8.0f, std::min(avail.x, left));
  if (s.mei && s.mei->tex.valid() && s.mei->image.count > 0) {
    framed_image(s.mei->tex.imgui_id(), ImVec2(side, side), ImVec2(0, 0), ImVec2(1, 1));
  } else if (s.mei && !s.mei->error.empty()) {
    error_line("MEI: " + s.mei->error);
  } else {
    ImGui::TextDisabled("Finding the MEI…");
  }
  ImGui::End();
}

}  // namespace invex::gui

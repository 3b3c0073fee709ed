// `invex gui`: the desktop window. One short main loop in the style of Dear ImGui's examples;
// training runs on TrainingRun's thread and CPU renders on ViewRenderer's, so a frame only
// polls, draws and uploads finished images.

// glad provides the GL declarations; GLFW must not pull in the system's gl.h as well.
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <glad/gl.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/cli_parser.h"
#include "app/commands.h"
#include "app/config_options.h"
#include "app/gui/app_state.h"
#include "app/gui/tour.h"
#include "core/io/tour_file.h"
#include "core/support/runtime_switches.h"

namespace invex::gui {
namespace {

struct Options {
  std::string preset = "circle/complex";
  std::string run_dir, config, save_dir;
  std::string models;      // --models DIR: the model folder of the macaque neurons opened
  std::string export_dir;  // --export DIR: the Export panel's export once the picture is final
  std::string slides_dir;  // invex tour --export-slides DIR: Export for slides, likewise
  int train_steps = 0;     // > 0: start at once and stop after this many steps
  int frames = 0;
  int threads = 0;
  std::string screenshot;
  bool stats = false, exit = false, play = false;
  double timeout = 600;  // --exit, --screenshot: stop waiting for training/renders after this long
  float mouse_x = -1, mouse_y = -1;  // --mouse X,Y: where the pointer rests in --exit runs
  int view_pixels = 0;               // --view-pixels N: the big image's resolution (0: default)
  double zoom = 1;                   // --zoom F: the big image zoomed about the field's centre
  int window_w = 1280, window_h = 800;
  bool present = false;   // --present: presentation mode from the first frame
  bool tour = false;      // invex tour
  std::string tour_file;  // invex tour --file (default: the tour that ships)
  int tour_step = 1;      // invex tour --step N, from 1
};

// When the command started, for --stats' "first picture" time.
const auto g_started = std::chrono::steady_clock::now();

// Reads "WxH" (two positive integers).
bool read_size(const std::string& text, int& w, int& h) {
  char end = 0;
  return std::sscanf(text.c_str(), "%dx%d%c", &w, &h, &end) == 2 && w > 0 && h > 0;
}

// Reads "X,Y" (two non-negative numbers) into x and y.
bool read_point(const std::string& text, float& x, float& y) {
  char end = 0;
  return std::sscanf(text.c_str(), "%f,%f%c", &x, &y, &end) == 2 && x >= 0 && y >= 0;
}

// The options that drive the window without a person, shared by invex gui and invex tour.
void add_harness_options(CLI::App& app, Options& o) {
  const std::string unattended = "Without a person";
  cli::add_integer(app, "--frames M", o.frames, 0, 1000000000,
                   "draw at least M frames before --exit or --screenshot")
      ->group(unattended);
  cli::add_text(app, "--screenshot FILE", o.screenshot,
                "save a PNG of the window once the picture is final (training stopped, every "
                "render done)")
      ->group(unattended);
  app.add_flag("--stats", o.stats,
               "print frame-time statistics, the layout, the snapshot's step and MEI activation, "
               "a(z) and when the first picture was shown at exit")
      ->group(unattended);
  app.add_flag("--exit", o.exit, "leave once the picture is final (and --frames are drawn)")
      ->group(unattended);
  app.add_option_function<std::string>(
         "--mouse", [&o](const std::string& v) { read_point(v, o.mouse_x, o.mouse_y); },
         "with --exit, rest the pointer at X,Y (window pixels), e.g. to show a tooltip in the "
         "screenshot (default: away from the window)")
      ->type_name("X,Y")
      ->check(CLI::Validator(
          [](std::string& v) {
            float x, y;
            return read_point(v, x, y)
                       ? std::string()
                       : "expected X,Y in pixels (two numbers >= 0), got '" + v + "'";
          },
          ""))
      ->group(unattended);
  app.add_option_function<std::string>(
         "--window", [&o](const std::string& v) { read_size(v, o.window_w, o.window_h); },
         "open the window at WxH pixels (default 1280x800)")
      ->type_name("WxH")
      ->check(CLI::Validator(
          [](std::string& v) {
            int w, h;
            return read_size(v, w, h) ? std::string()
                                      : "expected WxH in pixels, e.g. 1920x1080, got '" + v + "'";
          },
          ""))
      ->group(unattended);
  cli::add_integer(app, "--timeout SECONDS", o.timeout, 0, 1000000000,
                   "--exit and --screenshot stop waiting for training and renders after this "
                   "long")
      ->group(unattended);
}

void add_present_option(CLI::App& app, Options& o) {
  app.add_flag("--present", o.present,
               "start in presentation mode: no editing panels, larger text, the view as large "
               "as the window allows (F5 or P toggles it, Esc leaves it)");
}

// Returns -1 to continue, else an exit code.
int parse_options(int argc, char** argv, Options& o) {
  CLI::App app("Opens the invariance-manifold explorer.", "invex gui");
  cli::set_up_command(app, "[--preset NAME | --run DIR | --config FILE] [--threads N] [options]",
                      "The options \"without a person\" drive the window for tests and "
                      "scripts, e.g. invex gui --train-steps 50 --exit --screenshot shot.png "
                      "--stats");
  cli::add_text(app, "--preset NAME", o.preset,
                "open this preset (default " + o.preset +
                    "): its trained run from assets/runs/ when one ships, else a fresh run");
  cli::add_text(app, "--run DIR", o.run_dir, "open the run saved in DIR (DIR/run.invex)");
  cli::add_text(app, "--config FILE", o.config, "open this config file");
  cli::add_models_option(app, o.models);
  cli::add_threads(app, o.threads, "all cores but one");
  add_present_option(app, o);
  const std::string unattended = "Without a person";
  cli::add_integer(app, "--train-steps N", o.train_steps, 0, 1000000000,
                   "start training the preset from scratch at once and stop it once a snapshot "
                   "reaches step N; 0: do not start")
      ->group(unattended);
  add_harness_options(app, o);
  app.add_flag("--play", o.play, "animate z")->group(unattended);
  cli::add_text(app, "--save-run DIR", o.save_dir,
                "save the run at exit, as the Save run button does")
      ->group(unattended);
  cli::add_text(app, "--export DIR", o.export_dir,
                "once the picture is final, export into DIR with the Export panel's settings, "
                "as its button does, and wait for the export to end")
      ->group(unattended);
  cli::add_integer(app, "--view-pixels N", o.view_pixels, 0, 4096,
                   "draw the big image at N×N pixels, shown scaled to its place (default: its "
                   "size on screen; on the CPU path at most 640); for measuring")
      ->group(unattended);
  cli::add_number(app, "--zoom F", o.zoom, 0.125, 32,
                  "show the big image zoomed by F about the centre of the stimulus field (< 1: "
                  "out, beyond the field; > 1: in), as the mouse wheel does")
      ->group(unattended);
  return cli::parse_command(app, argc, argv);
}

// invex tour's options; also reads the tour file, so that a bad one is bad input (exit 2).
int parse_tour_options(int argc, char** argv, Options& o) {
  CLI::App app(
      "Opens the guided tour: a sequence of steps, each a trained run (the runs that ship in "
      "assets/runs/ open without training) with its view settings and a caption beside the "
      "manifold, the neuron's filters and its MEI. Next / Back: the buttons, → / ← or "
      "PageDown / PageUp; Space plays and pauses; F5 or P: presentation mode.",
      "invex tour");
  cli::set_up_command(app, "[--file FILE] [--step N] [--present] [options]",
                      "A tour file is plain text: '# title', then per step '## step title', "
                      "'preset: NAME' or 'run: DIR' (relative to the file), optionally 'z:', "
                      "'play:', 'speed:' and 'colormap:', a blank line and the caption "
                      "(assets/tour/invariance.tour is the example; README, \"Teaching\").");
  o.tour = true;
  o.tour_file = default_tour_path();
  cli::add_text(app, "--file FILE", o.tour_file,
                "the tour to show (default: the one that ships, " + o.tour_file + ")");
  cli::add_integer(app, "--step N", o.tour_step, 1, 1000, "open at step N");
  cli::add_threads(app, o.threads, "all cores but one");
  add_present_option(app, o);
  add_harness_options(app, o);
  cli::add_text(app, "--export-slides DIR", o.slides_dir,
                "once the picture is final, export for slides into DIR as the button does "
                "(DIR/<preset>.gif, DIR/<preset>-strip.png) and wait for the export to end")
      ->group("Without a person");
  if (const int code = cli::parse_command(app, argc, argv); code >= 0) return code;
  try {
    const Tour tour = load_tour_file(o.tour_file);
    if (tour.steps.empty()) throw ConfigError(o.tour_file + ": the tour has no steps ('## ')");
    if (o.tour_step > static_cast<int>(tour.steps.size()))
      throw ConfigError("--step: expected 1 to " + std::to_string(tour.steps.size()) +
                        " (the steps of " + o.tour_file + "), got " + std::to_string(o.tour_step));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invex tour: %s\n", e.what());
    return 2;
  }
  return -1;
}

bool save_screenshot(const std::string& path, int w, int h) {
  std::vector<unsigned char> px(static_cast<size_t>(w) * h * 3);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, px.data());
  // GL's first row is the bottom of the window; PNG's is the top.
  const size_t row = static_cast<size_t>(w) * 3;
  std::vector<unsigned char> tmp(row);
  for (int y = 0; y < h / 2; ++y) {
    unsigned char* a = px.data() + y * row;
    unsigned char* b = px.data() + (h - 1 - y) * row;
    std::memcpy(tmp.data(), a, row);
    std::memcpy(a, b, row);
    std::memcpy(b, tmp.data(), row);
  }
  return stbi_write_png(path.c_str(), w, h, 3, px.data(), static_cast<int>(row)) != 0;
}

// The text font at 15 pixels (times the content scale), then presentation mode's at 22; both
// with the glyphs below. Returns presentation mode's font.
ImFont* load_fonts(float scale) {
  ImGuiIO& io = ImGui::GetIO();
  // Greek letters and a few math symbols: the controls are named as in the method (τ, λ, θ).
  static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0370, 0x03FF, 0x2010, 0x2027, 0x2070, 0x209F,
                                   0x2190, 0x2193, 0x2200, 0x22FF, 0x27E8, 0x27E9, 0};
  const char* candidates[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                              "/usr/share/fonts/TTF/DejaVuSans.ttf",
                              "/usr/share/fonts/dejavu/DejaVuSans.ttf"};
  for (const char* path : candidates) {
    if (FILE* f = std::fopen(path, "rb")) {
      std::fclose(f);
      if (io.Fonts->AddFontFromFileTTF(path, 15.0f * scale, nullptr, ranges))
        return io.Fonts->AddFontFromFileTTF(path, 22.0f * scale, nullptr, ranges);
    }
  }
  ImFontConfig cfg;
  cfg.SizePixels = 13.0f * scale;
  io.Fonts->AddFontDefault(&cfg);
  cfg.SizePixels = 20.0f * scale;
  return io.Fonts->AddFontDefault(&cfg);
}

// A fingerprint of everything a frame would draw. When it matches the previous frame the
// picture on screen is already right, and a software rasteriser (Xvfb, remote sessions) is
// spared a full-window redraw: the CPU goes to training instead.
std::uint64_t frame_fingerprint(const ImDrawData* d, std::uint64_t textures) {
  std::uint64_t h = 1469598103934665603ull ^ textures;
  auto mix = [&h](const void* data, size_t bytes) {
    const unsigned char* p = static_cast<const unsigned char*>(data);
    size_t i = 0;
    for (; i + 8 <= bytes; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      h = (h ^ w) * 1099511628211ull;
      h ^= h >> 29;
    }
    for (; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  mix(&d->DisplaySize, sizeof d->DisplaySize);
  for (int n = 0; n < d->CmdListsCount; ++n) {
    const ImDrawList* l = d->CmdLists[n];
    mix(l->VtxBuffer.Data, l->VtxBuffer.Size * sizeof(ImDrawVert));
    mix(l->IdxBuffer.Data, l->IdxBuffer.Size * sizeof(ImDrawIdx));
    for (const ImDrawCmd& c : l->CmdBuffer) {
      mix(&c.ClipRect, sizeof c.ClipRect);
      mix(&c.TextureId, sizeof c.TextureId);
      mix(&c.ElemCount, sizeof c.ElemCount);
    }
  }
  return h;
}

bool g_window_damaged = true;
float g_new_scale = 0;           // set when the window moves to a monitor of another content scale
ImFont* g_large_font = nullptr;  // presentation mode's font, rebuilt with the others

// Style and fonts for a content scale; returns the window background colour for glClear.
ImVec4 apply_scale(float scale) {
  ImGuiStyle& style = ImGui::GetStyle();
  style = ImGuiStyle();
  ImGui::StyleColorsDark(&style);
  // The panels tile the window, so glClear paints their background. Drawing it again as
  // blended quads doubles the fill work, which dominates a frame on a software rasteriser.
  const ImVec4 bg = style.Colors[ImGuiCol_WindowBg];
  style.Colors[ImGuiCol_WindowBg].w = 0.0f;
  style.ScaleAllSizes(scale);
  ImGui::GetIO().Fonts->Clear();
  g_large_font = load_fonts(scale);
  return bg;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(q * (v.size() - 1) + 0.5));
  return v[i];
}

// --exit waits until the picture is the final one: training stopped and every render done.
bool settled(AppState& s, const Options& o) {
  if (o.train_steps > 0) {
    if (s.run && s.run->state() == RunState::Running) return false;
    if (s.run && s.run->state() == RunState::Idle && !s.latest) return false;
  }
  // Without a snapshot wait for the first one, unless the run failed before publishing any.
  if (!s.latest) return !s.run || s.run->state() == RunState::Failed;
  // The state changes before the final snapshot is published: wait for that snapshot.
  if (s.run && s.latest->state != s.run->state()) return false;
  if (s.shown != s.latest) return false;
  // While Play moves z the renders never catch up; any current image will do.
  // The thumbnails (or the reason there are none) belong to the picture too.
  if (s.playing)
    return has_view(s) && s.view.snap == s.latest && s.sweep.serial > s.min_serial &&
           (!s.gpu || s.gpu->has_view_of(s.latest));
  if (s.renderer.busy() || s.preview.busy()) return false;
  if (s.gpu && (!s.gpu->has_view_of(s.latest) || s.gpu->drawing())) return false;
  return has_view(s) && !s.view.preview;
}

// A software rasteriser (llvmpipe) compiles a shader variant the first time it samples a
// texture with a new filter or a new power-of-two-ness, which takes tens of milliseconds. Draw
// each kind once, hidden behind the panels, during the warm-up frames instead of in the frame
// that shows the first image.
void warm_up_textures(AppState& s) {
  static const std::uint8_t grey[4 * 9] = {};
  if (!s.view_tex.valid()) s.view_tex.upload(grey, 2, 2);    // smooth, power of two
  if (!s.atlas_tex.valid()) s.atlas_tex.upload(grey, 3, 3);  // nearest, not a power of two
  if (!s.heat_tex.valid()) s.heat_tex.upload(grey, 3, 3);
  ImDrawList* dl = ImGui::GetBackgroundDrawList();
  float x = 0;
  for (const Texture* t : {&s.view_tex, &s.atlas_tex, &s.heat_tex, &s.filter_tex}) {
    if (t->valid()) dl->AddImage(t->imgui_id(), ImVec2(x, 0), ImVec2(x + 1, 1));
    x += 1;
  }
  // The shader path: its program (compiled per CPPN shape) and its textures.
  if (s.gpu && !s.gpu->warm_up(s.cfg)) fall_back_to_cpu(s, s.gpu->failure());
}

// --save-run: what the Save run button does, then wait for the training thread to write it.
int save_at_exit(AppState& s, const std::string& dir) {
  if (!s.run || !save_run(s, dir)) {
    std::fprintf(stderr, "invex gui: could not save the run to %s: %s\n", dir.c_str(),
                 s.run ? s.error.c_str() : "no run");
    return 1;
  }
  for (int i = 0; i < 6000 && s.run->last_save_message().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const std::string msg = s.run->last_save_message();
  std::printf("save: %s\n", msg.empty() ? "no answer from the training thread" : msg.c_str());
  return msg.rfind("saved", 0) == 0 ? 0 : 1;
}

void handle_keys(AppState& s) {
  ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  presentation_keys(s);
  const bool teaching = s.presenting || (s.tour && s.tour->active);
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) {
    // In front of a class Space plays and pauses the manifold; it never discards a trained run.
    if (teaching)
      s.playing = !s.playing;
    else
      start_or_toggle(s);
  }
  if (tour_keys(s)) return;  // ← and → go through the tour's steps
  const int dims = latent_dims(s);
  const int horizontal = dims == 2 ? 1 : 0;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow))) step_z(s, horizontal, -1);
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow))) step_z(s, horizontal, 1);
  if (dims == 2 && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_UpArrow))) step_z(s, 0, -1);
  if (dims == 2 && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_DownArrow))) step_z(s, 0, 1);
  if (ImGui::IsKeyPressed(GLFW_KEY_S, false)) {
    char name[64];
    const std::time_t t = std::time(nullptr);
    std::strftime(name, sizeof name, "invex-screenshot-%Y%m%d-%H%M%S.png", std::localtime(&t));
    s.screenshot_path = name;
    s.screenshot_requested = true;
  }
}

void draw_status(AppState& s) {
  if (s.status.empty() || ImGui::GetTime() > s.status_until) return;
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(d.x * 0.5f, d.y - 10), ImGuiCond_Always, ImVec2(0.5f, 1.0f));
  ImGui::SetNextWindowBgAlpha(0.85f);
  ImGui::Begin("##status", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                   ImGuiWindowFlags_NoInputs | ImGuiWindowFlags_NoFocusOnAppearing |
                   ImGuiWindowFlags_NoNav);
  ImGui::TextUnformatted(s.status.c_str());
  ImGui::End();
}

void draw_panels(AppState& s) {
  if (s.presenting || (s.tour && s.tour->active)) {
    if (s.presenting)
      draw_presentation(s);
    else
      draw_tour_layout(s);
    draw_status(s);
    return;
  }
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  const float left = std::clamp(d.x * 0.3f, 300.0f * s.ui_scale, 480.0f * s.ui_scale);
  const float neuron_h = std::floor(d.y * 0.48f);
  draw_neuron_panel(s, ImVec2(0, 0), ImVec2(left, neuron_h));
  draw_training_panel(s, ImVec2(0, neuron_h), ImVec2(left, d.y - neuron_h));
  const float right = d.x - left;
  const float view_w = std::floor(right * 0.56f);
  const float plot_h = std::floor(d.y * 0.56f);
  draw_manifold_panel(s, ImVec2(left, 0), ImVec2(view_w, d.y));
  draw_activation_panel(s, ImVec2(left + view_w, 0), ImVec2(right - view_w, plot_h));
  draw_curves_panel(s, ImVec2(left + view_w, plot_h), ImVec2(right - view_w, d.y - plot_h));
  draw_status(s);
}

// Draws a frame's ImGui data, unless it is the same picture as the last one drawn: then the
// screen is already right, and a software rasteriser (Xvfb, remote sessions) is spared a
// full-window fill whose CPU is better spent on training.
class Painter {
 public:
  bool paint(ImDrawData* d, int fb_w, int fb_h, ImVec4 bg, bool must) {
    const std::uint64_t print = frame_fingerprint(d, Texture::upload_count());
    const double now = ImGui::GetTime();
    // A redraw now and then in case the window system lost the picture without saying so.
    if (!must && print == last_print_ && now - last_redraw_ < 1.0) return false;
    last_print_ = print;
    last_redraw_ = now;
    glViewport(0, 0, fb_w, fb_h);
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(d);
    return true;
  }

 private:
  std::uint64_t last_print_ = 0;
  double last_redraw_ = -1;
};

// What the loop does for the options that run it without a person: stop training after N
// steps, leave after M frames once the picture is final, measure frame times.
class Harness {
 public:
  using clock = std::chrono::steady_clock;
  explicit Harness(const Options& o) : o_(o), begin_(clock::now()), last_start_(begin_) {
    // INVEX_GUI_TRACE_MS=N reports every frame slower than N ms, for performance work.
    trace_ms_ = switches::gui_trace_ms();
  }

  clock::time_point frame_started() {
    const auto t = clock::now();
    if (frame_ > kWarmupFrames) interval_ms_.push_back(ms(last_start_, t));
    last_start_ = t;
    uploads_before_ = Texture::upload_count();
    return t;
  }
  // The first frames compile shaders and build the font atlas (a software rasteriser JITs
  // each shader on first use); they say nothing about the steady state.
  bool warming_up() const { return frame_ < kWarmupFrames; }

  // Nobody is at the screen in --exit runs: a pointer parked over a control (Xvfb puts it in
  // the middle) would pop a tooltip into the screenshot. --mouse puts it somewhere on purpose.
  void park_pointer(ImGuiIO& io) const {
    if (o_.exit)
      io.MousePos = o_.mouse_x >= 0 ? ImVec2(o_.mouse_x, o_.mouse_y) : ImVec2(-FLT_MAX, -FLT_MAX);
  }

  // Returns false when the loop must end.
  bool frame_done(AppState& s, clock::time_point start, bool redraw, bool saved) {
    ++frame_;
    // The frame just shown was the first with the big image and the thumbnails.
    if (first_picture_ms_ < 0 && has_view(s) && has_sweep(s))
      first_picture_ms_ = ms(g_started, clock::now());
    if (frame_ == kWarmupFrames) {
      pictures_at_warm_ = s.view_pictures;
      warm_at_ = clock::now();
    }
    const double t = ms(start, clock::now());
    if (frame_ > kWarmupFrames && !saved) work_ms_.push_back(t);  // a PNG encode is no frame
    if (trace_ms_ > 0 && t > trace_ms_)
      std::fprintf(stderr, "slow frame %d: %.1f ms (redraw %d, texture uploads %d)\n", frame_, t,
                   redraw ? 1 : 0, static_cast<int>(Texture::upload_count() - uploads_before_));
    if (final_frame) return false;

    // The run's newest snapshot, not the display's (which trails by up to 0.2 s).
    if (o_.train_steps > 0 && s.run && s.run->state() == RunState::Running) {
      const SnapshotPtr newest = s.run->latest();
      if (newest && newest->step >= o_.train_steps) s.run->stop();
    }
    if (frame_ >= o_.frames && (o_.exit || !o_.screenshot.empty())) {
      // --export starts once the picture is final and keeps the loop (and its progress bar)
      // going until the export has ended.
      const bool ready = settled(s, o_) &&
                         (o_.export_dir.empty() || export_when_ready(s, o_.export_dir)) &&
                         (o_.slides_dir.empty() || slides_when_ready(s, o_.slides_dir));
      if (!ready && ms(begin_, clock::now()) > o_.timeout * 1000) timed_out = true;
      if (ready || timed_out) {
        if (o_.exit) {
          final_frame = true;  // the next frame is drawn, saved and is the last
        } else if (!o_.screenshot.empty() && !screenshot_taken_) {
          screenshot_taken_ = true;
          s.screenshot_path = o_.screenshot;
          s.screenshot_requested = true;
        }
      }
    }
    return true;
  }

  void print_stats(const AppState& s, GLFWwindow* window) const {
    std::printf("frames %d (statistics exclude the first %d)\n", frame_, kWarmupFrames);
    std::printf("frame time (work) median %.2f ms p99 %.2f ms max %.2f ms\n",
                percentile(work_ms_, 0.5), percentile(work_ms_, 0.99), percentile(work_ms_, 1.0));
    std::printf("frame interval median %.2f ms p99 %.2f ms\n", percentile(interval_ms_, 0.5),
                percentile(interval_ms_, 0.99));
    int fb_w = 0, fb_h = 0;
    glfwGetFramebufferSize(window, &fb_w, &fb_h);
    std::printf("window %d %d\n", fb_w, fb_h);
    std::printf("render path: %s\n", s.gpu ? "shader" : "cpu");
    std::printf("render path chosen for: %s\n", s.render_path_why.c_str());
    // New pictures of the big image per second after the warm-up: the view's frame rate while
    // z moves (--play), else how often training changed it.
    const double seconds = std::chrono::duration<double>(clock::now() - warm_at_).count();
    if (frame_ > kWarmupFrames && seconds > 0)
      std::printf("view fps %.1f (%llu pictures in %.1f s)\n",
                  (s.view_pictures - pictures_at_warm_) / seconds,
                  static_cast<unsigned long long>(s.view_pictures - pictures_at_warm_), seconds);
    std::printf("view_rect %.0f %.0f %.0f %.0f\n", s.view_rect.x, s.view_rect.y, s.view_rect.z,
                s.view_rect.w);
    std::printf("plot_rect %.0f %.0f %.0f %.0f\n", s.plot_rect.x, s.plot_rect.y, s.plot_rect.z,
                s.plot_rect.w);
    if (s.latest) {
      std::printf("snapshot step %d state %s\n", s.latest->step, to_string(s.latest->state));
      std::printf("mei activation %.9g\n", s.latest->mei_activation);
    } else
      std::printf("snapshot none\n");
    if (has_view(s) && s.view.has_activation)
      std::printf("activation at z %.4f\n", s.view.activation);
    if (s.tour && s.tour->active) {
      std::printf("tour step %d of %zu\n", s.tour->step + 1, s.tour->tour.steps.size());
      const ImVec4& c = s.tour->caption_rect;
      std::printf("caption_rect %.0f %.0f %.0f %.0f\n", c.x, c.y, c.z, c.w);
    }
    const ImFont* text_font = ImGui::GetIO().Fonts->Fonts[0];
    std::printf("presentation %s, text %.0f px\n", s.presenting ? "on" : "off",
                s.presenting && s.large_font ? s.large_font->FontSize : text_font->FontSize);
    if (first_picture_ms_ >= 0)
      std::printf("first picture %.0f ms after start\n", first_picture_ms_);
    if (timed_out) std::printf("timed out waiting for training/renders\n");
    std::fflush(stdout);
  }

  bool final_frame = false, timed_out = false, screenshot_ok = true;
  std::string final_screenshot() const { return o_.screenshot; }

 private:
  static constexpr int kWarmupFrames = 5;
  static double ms(clock::time_point a, clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
  }
  const Options& o_;
  clock::time_point begin_, last_start_;
  std::vector<double> work_ms_, interval_ms_;
  int frame_ = 0;
  double trace_ms_ = 0;
  double first_picture_ms_ = -1;
  std::uint64_t uploads_before_ = 0;
  std::uint64_t pictures_at_warm_ = 0;
  clock::time_point warm_at_;
  bool screenshot_taken_ = false;
};

// The S key's screenshot and the harness's last one; true when a PNG was encoded this frame.
bool take_screenshots(AppState& s, Harness& h, int fb_w, int fb_h) {
  bool saved = false;
  if (s.screenshot_requested) {
    s.screenshot_requested = false;
    saved = true;
    if (save_screenshot(s.screenshot_path, fb_w, fb_h))
      set_status(s, "Screenshot saved to " + s.screenshot_path);
    else
      set_status(s, "Could not write " + s.screenshot_path);
  }
  if (h.final_frame && !h.final_screenshot().empty()) {
    saved = true;
    h.screenshot_ok = save_screenshot(h.final_screenshot(), fb_w, fb_h);
    if (!h.screenshot_ok)
      std::fprintf(stderr, "invex gui: could not write %s\n", h.final_screenshot().c_str());
  }
  return saved;
}

// An OpenGL 3.3 core window of w×h (times INVEX_GUI_SCALE), or null with a message. `scale`:
// the content scale to draw with.
GLFWwindow* open_window(int w, int h, float& scale) {
  glfwSetErrorCallback(
      [](int code, const char* msg) { std::fprintf(stderr, "GLFW error %d: %s\n", code, msg); });
  if (!glfwInit()) {
    std::fprintf(stderr,
                 "invex gui: cannot open a window (no display?). The subcommands "
                 "(train, render, ...) work without one.\n");
    return nullptr;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GL_TRUE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
  GLFWwindow* window = glfwCreateWindow(w, h, "invex: invariance manifolds", nullptr, nullptr);
  if (!window) {
    std::fprintf(stderr, "invex gui: could not create an OpenGL 3.3 window\n");
    glfwTerminate();
    return nullptr;
  }
  glfwMakeContextCurrent(window);
  if (!gladLoadGL(glfwGetProcAddress)) {
    std::fprintf(stderr, "invex gui: could not load OpenGL 3.3\n");
    glfwDestroyWindow(window);
    glfwTerminate();
    return nullptr;
  }
  glfwSwapInterval(1);
  glfwSetWindowRefreshCallback(window, [](GLFWwindow*) { g_window_damaged = true; });

  float yscale = 1;
  glfwGetWindowContentScale(window, &scale, &yscale);
  // INVEX_GUI_SCALE overrides a content scale the desktop reports wrongly (or not at all).
  if (const float forced = switches::gui_scale(); forced >= 0.5f && forced <= 4.0f) {
    glfwSetWindowSize(window, static_cast<int>(w * forced), static_cast<int>(h * forced));
    scale = forced;
  }
  glfwSetWindowContentScaleCallback(window, [](GLFWwindow*, float x, float) { g_new_scale = x; });
  return window;
}

// Dear ImGui on the window; returns the window background colour for glClear.
ImVec4 init_imgui(GLFWwindow* window, float scale) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // the layout is computed from the window size every frame
  const ImVec4 bg = apply_scale(scale);
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
  return bg;
}

// The run the window opens with: --run, else --config, else the preset (circle/complex when
// the preset cannot be loaded); errors go inline and to stderr.
void open_first_run(AppState& s, const Options& o) {
  s.models_dir = o.models;
  s.threads = o.threads > 0
                  ? o.threads
                  : std::max(1, static_cast<int>(std::thread::hardware_concurrency()) - 1);
  try {
    s.presets = list_presets();
  } catch (const std::exception& e) {
    s.error = std::string("could not list presets: ") + e.what();
  }
  s.presenting = o.present;
  if (o.tour) {
    // parse_tour_options has read the file and checked --step already.
    load_tour(s, o.tour_file);
    go_to_step(s, o.tour_step - 1);
    if (!s.tour->error.empty()) std::fprintf(stderr, "invex tour: %s\n", s.tour->error.c_str());
    return;
  }
  bool opened = false;
  if (!o.run_dir.empty()) opened = open_run_dir(s, o.run_dir);
  if (!opened && !o.config.empty()) opened = open_config(s, o.config);
  if (!opened) {
    const std::string keep = s.error;
    select_preset(s, o.preset);
    if (s.preset.empty() && o.preset != "circle/complex") {
      const std::string why = s.error;
      select_preset(s, "circle/complex");
      s.error = why;
    }
    if (!keep.empty()) s.error = keep + (s.error.empty() ? "" : "\n" + s.error);
  }
  if (!s.error.empty()) std::fprintf(stderr, "invex gui: %s\n", s.error.c_str());
  if (o.train_steps > 0) start(s);  // from scratch, even when a trained run shipped
  if (o.play) s.playing = true;
}

// Events, a new content scale, and the start of an ImGui frame.
void begin_frame(AppState& s, const Harness& h) {
  glfwPollEvents();
  if (g_new_scale > 0 && g_new_scale != s.ui_scale) {
    s.ui_scale = g_new_scale;
    apply_scale(s.ui_scale);
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
  s.large_font = g_large_font;
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  h.park_pointer(ImGui::GetIO());
  ImGui::NewFrame();
}

// What a frame does to the app: keys, Play, news from the threads, then the panels.
void update_and_draw(AppState& s, const Harness& h) {
  if (h.warming_up()) warm_up_textures(s);
  if (s.gpu) s.gpu->begin_frame();
  handle_keys(s);
  advance_play(s, ImGui::GetIO().DeltaTime);
  sync_view(s, ImGui::GetTime());
  if (s.presenting || (s.tour && s.tour->active)) sync_mei(s);
  draw_panels(s);
  ImGui::Render();
}

// Paints the frame when it changed, takes the screenshots asked for and shows the frame.
// Returns whether it was redrawn; `saved`: a PNG was encoded this frame.
bool present(GLFWwindow* window, AppState& s, Harness& h, Painter& painter, ImVec4 bg,
             bool& saved) {
  int fb_w = 0, fb_h = 0;
  glfwGetFramebufferSize(window, &fb_w, &fb_h);
  const bool must = g_window_damaged || s.screenshot_requested || h.final_frame;
  const bool redraw = painter.paint(ImGui::GetDrawData(), fb_w, fb_h, bg, must);
  g_window_damaged = false;
  saved = take_screenshots(s, h, fb_w, fb_h);
  if (redraw) glfwSwapBuffers(window);
  return redraw;
}

// Without vsync (e.g. Xvfb) the loop would spin and take CPU from training: at most 60
// frames a second.
void pace_frame(std::chrono::steady_clock::time_point frame_start) {
  const auto next = frame_start + std::chrono::microseconds(16667);
  if (std::chrono::steady_clock::now() < next) std::this_thread::sleep_until(next);
}

// --save-run and --export at exit; returns the exit status they ask for.
int finish_harness_work(AppState& s, const Options& o) {
  int rc = 0;
  if (!o.save_dir.empty()) rc = save_at_exit(s, o.save_dir);
  if (!o.export_dir.empty()) {
    bool failed = true;
    std::printf("%s\n", export_result(s, &failed).c_str());  // "wrote ..." or "export failed: ..."
    if (failed) rc = 1;
  }
  if (!o.slides_dir.empty()) {
    bool failed = true;
    std::printf("%s\n", slides_result(s, &failed).c_str());
    if (failed) rc = 1;
  }
  return rc;
}

// Stops the run, then takes down the textures, ImGui and the window, in that order (textures
// need the GL context).
void close_window(GLFWwindow* window, std::unique_ptr<AppState> state) {
  retire_run(*state);
  join_retired(*state);
  state.reset();
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
}

int run(const Options& o) {
  float scale = 1;
  GLFWwindow* window = open_window(o.window_w, o.window_h, scale);
  if (!window) return 1;
  const ImVec4 bg = init_imgui(window, scale);
  auto state = std::make_unique<AppState>();
  AppState& s = *state;
  s.ui_scale = scale;
  s.view_pixels = o.view_pixels;
  if (o.view_pixels > 0) s.display_size = o.view_pixels;
  s.zoom.half = std::clamp(static_cast<float>(1 / o.zoom), ViewZoom::kMinHalf, ViewZoom::kMaxHalf);
  choose_render_path(s);
  open_first_run(s, o);

  Painter painter;
  Harness h(o);
  while (!glfwWindowShouldClose(window)) {
    const auto frame_start = h.frame_started();
    begin_frame(s, h);
    update_and_draw(s, h);
    bool saved = false;
    const bool redraw = present(window, s, h, painter, bg, saved);
    if (!h.frame_done(s, frame_start, redraw, saved)) break;
    pace_frame(frame_start);
  }
  if (o.stats) h.print_stats(s, window);
  const int rc = finish_harness_work(s, o);
  close_window(window, std::move(state));
  if (!h.screenshot_ok || h.timed_out) return 1;
  return rc;
}

}  // namespace
}  // namespace invex::gui

int invex::cli::run_gui(int argc, char** argv) {
  invex::gui::Options o;
  const int rc = invex::gui::parse_options(argc, argv, o);
  if (rc >= 0) return rc;
  return invex::gui::run(o);
}

int invex::cli::run_tour(int argc, char** argv) {
  invex::gui::Options o;
  const int rc = invex::gui::parse_tour_options(argc, argv, o);
  if (rc >= 0) return rc;
  return invex::gui::run(o);
}

// What the buttons, keys and the main loop do to the app state.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <sstream>

#include "app/config_options.h"
#include "app/gui/app_state.h"
#include "app/gui/cppn_shader.h"
#include "app/gui/sweep_axes.h"
#include "core/io/atomic_file.h"
#include "core/render/render.h"
#include "core/support/runtime_switches.h"

namespace invex::gui {

void tip(const char* text) {
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0f);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

bool running_or_paused(const AppState& s) {
  if (!s.run) return false;
  const RunState st = s.run->state();
  return st == RunState::Running || st == RunState::Paused;
}

bool has_view(const AppState& s) { return s.view.serial > s.min_serial && s.view.snap; }
bool has_sweep(const AppState& s) {
  return s.sweep.serial > s.min_serial && s.sweep.snap && s.sweep.error.empty();
}

void set_status(AppState& s, const std::string& msg) {
  s.status = msg;
  s.status_until = ImGui::GetTime() + 5.0;
}

std::string format_reg_coefs(const std::vector<double>& v) {
  std::ostringstream os;
  for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  return os.str();
}

bool parse_reg_coefs(const std::string& text, std::vector<double>& out) {
  std::vector<double> v;
  const char* p = text.c_str();
  for (;;) {
    while (*p == ' ' || *p == ',' || *p == '\t') ++p;
    if (!*p) break;
    char* end = nullptr;
    const double x = std::strtod(p, &end);
    if (end == p || !std::isfinite(x)) return false;
    v.push_back(x);
    p = end;
  }
  if (v.empty()) return false;
  out = v;
  return true;
}

int latent_dims(const AppState& s) {
  const RunConfig& c = s.run ? s.run->config() : s.cfg;
  return std::max(1, c.latent.dims());
}

bool latent_periodic(const AppState& s, int dim) {
  const RunConfig& c = s.run ? s.run->config() : s.cfg;
  return dim < c.latent.dims() ? c.latent.periodic[dim] : true;
}

void join_retired(AppState& s) {
  for (std::thread& t : s.retired)
    if (t.joinable()) t.join();
  s.retired.clear();
}

void retire_run(AppState& s) {
  if (s.run) {
    // The destructor joins the training thread; doing that here would freeze the window
    // for as long as the current step (or MEI search) takes.
    s.retired.emplace_back([r = std::move(s.run)]() mutable {
      r->stop();
      r.reset();
    });
  }
  s.run.reset();
  s.latest.reset();
  s.shown.reset();
  s.heat_of.reset();
  s.playing = false;
  s.min_serial = s.renderer.forget();
}

std::string check_settings(const AppState& s) {
  RunConfig c = s.cfg;
  if (!parse_reg_coefs(s.reg_coefs_text, c.training.reg_coefs))
    return "λ schedule: expected numbers separated by commas, e.g. \"1, 0.5\"";
  try {
    validate(c, "GUI settings");
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

bool create_run(AppState& s, const RunConfig& cfg, const std::string& resume_path) {
  retire_run(s);
  s.shipped_run.clear();
  std::string failure;
  // Created from a thread of lower priority so the training thread (and the compute threads
  // it starts) inherit it: on a 2-core machine the window must win the CPU when it needs it.
  // The constructor is light (the trainer is built on its own thread), so the join is short.
  std::thread([&] {
    lower_this_thread_priority();
    try {
      s.run = std::make_unique<TrainingRun>(cfg, resume_path, s.threads);
    } catch (const std::exception& e) {
      failure = e.what();
    }
  }).join();
  if (!s.run) s.error = "could not create the run: " + failure;
  return s.run != nullptr;
}

bool ensure_run(AppState& s) {
  if (s.run && !s.cfg_dirty) return true;
  std::vector<double> coefs;
  if (!parse_reg_coefs(s.reg_coefs_text, coefs)) {
    s.error = "λ schedule: expected numbers separated by commas, e.g. \"1, 0.5\"";
    return false;
  }
  s.cfg.training.reg_coefs = coefs;
  try {
    validate(s.cfg, "GUI settings");
  } catch (const std::exception& e) {
    s.error = e.what();
    return false;
  }
  if (!create_run(s, s.cfg, s.resume_path)) return false;
  s.resume_path.clear();
  s.cfg_dirty = false;
  s.error.clear();
  s.cfg_error.clear();
  s.z.assign(static_cast<size_t>(std::max(1, s.cfg.latent.dims())), 0.0f);
  return true;
}

void start(AppState& s) {
  if (s.run) {
    const RunState st = s.run->state();
    if (st == RunState::Paused && !s.cfg_dirty) {
      s.run->resume();
      return;
    }
    if (st == RunState::Running) return;
    // A finished or failed run cannot continue: Start means a fresh run of the same settings.
    if (st == RunState::Finished || st == RunState::Failed) s.cfg_dirty = true;
  }
  if (!ensure_run(s)) return;
  s.run->start();
}

void start_or_toggle(AppState& s) {
  if (s.run && s.run->state() == RunState::Running) {
    s.run->pause();
  } else if (s.run && s.run->state() == RunState::Paused) {
    s.run->resume();
  } else {
    start(s);
  }
}

void reset_run(AppState& s) {
  retire_run(s);
  s.cfg_dirty = true;
  s.error.clear();
  ensure_run(s);
}

namespace {
// --models DIR, for a macaque neuron.
void use_models_dir(const AppState& s, RunConfig& cfg) {
  if (!s.models_dir.empty() && cfg.neuron.type == "macaque-ensemble")
    cli::use_models_folder(cfg, s.models_dir);
}
}  // namespace

void select_preset(AppState& s, const std::string& name) {
  RunConfig cfg;
  try {
    cfg = load_preset(name);
    use_models_dir(s, cfg);
  } catch (const std::exception& e) {
    s.error = "could not load preset " + name + ": " + e.what();
    return;
  }
  s.preset = name;
  s.cfg = cfg;
  s.reg_coefs_text = format_reg_coefs(cfg.training.reg_coefs);
  s.resume_path.clear();
  s.renderer.want_filters(cfg.neuron);
  if (open_shipped_run(s)) return;
  reset_run(s);
}

bool open_config(AppState& s, const std::string& path, const std::string& resume_path) {
  RunConfig cfg;
  try {
    cfg = load_config_file(path);
    use_models_dir(s, cfg);
  } catch (const std::exception& e) {
    s.error = "could not open " + path + ": " + e.what();
    return false;
  }
  s.preset.clear();
  s.source = resume_path.empty() ? "(config " + path + ")" : "(saved run " + resume_path + ")";
  s.cfg = cfg;
  s.reg_coefs_text = format_reg_coefs(cfg.training.reg_coefs);
  s.resume_path = resume_path;
  s.renderer.want_filters(cfg.neuron);
  retire_run(s);
  s.cfg_dirty = true;
  return ensure_run(s);
}

bool open_run_dir(AppState& s, const std::string& dir) {
  return open_config(s, dir + "/config.json", dir + "/run.invex");
}

bool save_run(AppState& s, const std::string& dir) {
  if (!s.run) return false;
  try {
    ensure_directory(dir);
    write_file_atomic(dir + "/config.json", config_to_json(s.run->config()));
  } catch (const std::exception& e) {
    s.error = std::string("save failed: ") + e.what();
    return false;
  }
  s.run->save(dir + "/run.invex");  // after the current step, on the training thread
  s.save_requested = true;
  return true;
}

void step_z(AppState& s, int dim, int dir) {
  const int dims = latent_dims(s);
  if (dim >= dims) return;
  if (static_cast<int>(s.z.size()) != dims) s.z.resize(dims, 0.0f);
  // One step of the canonical sweep, so the arrows visit exactly the thumbnail images.
  float step = kTwoPi / (dims == 1 ? 100.0f : 20.0f);
  if (s.shown) {
    const SweepAxes axes = sweep_axes(*s.shown);
    if (axes.valid() && dim < axes.dims) step = std::fabs(axes.step[dim]);
  }
  float v = s.z[dim] + dir * step;
  if (latent_periodic(s, dim)) {
    v = std::fmod(v, kTwoPi);
    if (v < 0) v += kTwoPi;
  } else {
    v = std::clamp(v, 0.0f, kTwoPi);
  }
  s.z[dim] = v;
}

void advance_play(AppState& s, float dt) {
  if (!s.playing) return;
  const int dims = latent_dims(s);
  if (static_cast<int>(s.z.size()) != dims) s.z.resize(dims, 0.0f);
  const int d = dims == 1 ? 0 : std::clamp(s.play_dim, 0, dims - 1);
  float v = s.z[d] + s.play_dir * s.play_speed * kTwoPi * dt;
  if (latent_periodic(s, d)) {
    v = std::fmod(v, kTwoPi);
    if (v < 0) v += kTwoPi;
  } else if (v > kTwoPi) {
    v = 2 * kTwoPi - v;
    s.play_dir = -1;
  } else if (v < 0) {
    v = -v;
    s.play_dir = 1;
  }
  s.z[d] = std::clamp(v, 0.0f, kTwoPi);
}

void choose_render_path(AppState& s) {
  const std::string wish = switches::render_path();
  if (wish == "cpu") {
    s.render_path_why = "INVEX_RENDER_PATH=cpu";
    return;
  }
  if (wish != "shader") {
    // A software rasteriser evaluates the network per pixel several times slower than the
    // CPU renderer's vector kernels, and on the same cores as training.
    const std::string soft = software_rasteriser();
    if (!soft.empty()) {
      s.render_path_why =
          "software rasteriser (" + soft + "); INVEX_RENDER_PATH=shader forces the shader";
      return;
    }
  }
  s.render_path_why = wish == "shader" ? "INVEX_RENDER_PATH=shader" : "a GPU";
  s.gpu = std::make_unique<GpuView>();
  s.renderer.want_thumbnail_moments(true);
}

void fall_back_to_cpu(AppState& s, const std::string& why) {
  s.render_notice = "Shader unavailable, drawing on the CPU: " + why;
  s.render_path_why = "the shader failed";
  // One line: a driver's compile log may run over several.
  std::replace(s.render_notice.begin(), s.render_notice.end(), '\n', ' ');
  std::fprintf(stderr, "invex gui: %s\n", s.render_notice.c_str());
  s.gpu.reset();
  s.renderer.want_thumbnail_moments(false);
  s.colored_scale = 0;  // colour the CPU's textures afresh
}

void sync_view(AppState& s, double now) {
  // Progress, curves and plot follow training 5 times a second: a new snapshot redraws the
  // whole window, and on a software rasteriser every redraw takes CPU from training.
  if (s.run) {
    SnapshotPtr l = s.run->latest();
    if (l && l != s.latest) {
      const bool both_running =
          s.latest && s.latest->state == RunState::Running && l->state == RunState::Running;
      if (!both_running || now - s.latest_at >= 0.2) {
        s.latest = l;
        s.latest_at = now;
      }
    }
  }
  // The view follows training at a few frames a second: each change costs CPU renders that
  // would otherwise be taken from the trainer, and a flickering image teaches nothing.
  if (s.latest && s.latest != s.shown) {
    const bool running = s.latest->state == RunState::Running;
    if (!s.shown || !running || now - s.shown_at >= 0.25) {
      s.shown = s.latest;
      s.shown_at = now;
    }
  }
  if (s.shown) {
    const int dims = std::max(1, s.shown->cppn.latent_dims());
    if (static_cast<int>(s.z.size()) != dims) s.z.resize(dims, 0.0f);
    // The shader draws the image itself; the worker then measures a(z) only.
    if (s.gpu)
      s.renderer.want_view(s.shown, s.z, 0);
    else
      s.renderer.want_view(s.shown, s.z, s.display_size, s.zoom.window());
  }

  const bool new_view = s.renderer.take(s.view) && has_view(s);
  const bool new_sweep = s.renderer.take(s.sweep) && has_sweep(s);
  const bool new_filters = s.renderer.take(s.filters);

  float scale = 1.0f;
  if (has_sweep(s))
    scale = s.sweep.scale;
  else if (has_view(s))
    scale = symmetric_scale(s.view.image);
  const bool recolor = scale != s.colored_scale || s.cmap != s.colored_with;
  std::vector<std::uint8_t> rgba;
  if (!s.gpu && has_view(s) && s.view.image.count > 0 && (new_view || recolor)) {
    colorize(s.view.image, 0, scale, s.cmap, rgba);
    s.view_tex.upload(rgba.data(), s.view.image.width, s.view.image.height);
    if (new_view) ++s.view_pictures;
  }
  if (has_sweep(s) && s.sweep.images.count > 0 && (new_sweep || recolor)) {
    // Only the thumbnails on screen are coloured and uploaded (a 2-D sweep has 400 images);
    // the shader path draws the same tiles itself (panels_manifold.cpp).
    const ImageStack& all = s.sweep.images;
    const std::vector<int> ks = thumbnail_indices(*s.sweep.snap);
    ImageStack tiles(static_cast<int>(ks.size()), all.channels, all.height, all.width);
    s.atlas_tile.assign(all.count, -1);
    for (size_t i = 0; i < ks.size(); ++i) {
      if (ks[i] >= all.count) continue;
      std::copy(all.image(ks[i]), all.image(ks[i]) + all.image_size(), tiles.image(i));
      s.atlas_tile[ks[i]] = static_cast<int>(i);
    }
    s.atlas_cols = std::max(1, static_cast<int>(std::ceil(std::sqrt(tiles.count))));
    s.atlas_rows = (tiles.count + s.atlas_cols - 1) / s.atlas_cols;
    if (!s.gpu) {
      int w = 0, h = 0;
      colorize_atlas(tiles, s.atlas_cols, s.sweep.scale, s.cmap, rgba, w, h);
      s.atlas_tex.upload(rgba.data(), w, h);
    }
  }
  if (s.filters.images.count > 0 && (new_filters || s.cmap != s.colored_with)) {
    // A phase-orientation cell has hundreds of filters; a handful shows what it prefers.
    ImageStack shown = s.filters.images;
    const int max_shown = 8;
    if (shown.count > max_shown) {
      ImageStack pick(max_shown, shown.channels, shown.height, shown.width);
      for (int i = 0; i < max_shown; ++i) {
        const int k = i * shown.count / max_shown;
        std::copy(shown.image(k), shown.image(k) + shown.image_size(), pick.image(i));
      }
      shown = std::move(pick);
    }
    s.filter_count = shown.count;
    int w = 0, h = 0;
    colorize_atlas(shown, shown.count, symmetric_scale(shown), s.cmap, rgba, w, h);
    s.filter_tex.upload(rgba.data(), w, h);
  }
  s.colored_scale = scale;
  s.colored_with = s.cmap;

  if (s.latest && s.latest != s.heat_of && s.latest->cppn.latent_dims() == 2) {
    const auto& a = s.latest->sweep_activations;
    const int n = static_cast<int>(std::lround(std::sqrt(static_cast<double>(a.size()))));
    if (n > 0 && n * n == static_cast<int>(a.size())) {
      float top = 1.0f;
      for (float v : a)
        if (std::isfinite(v)) top = std::max(top, v);
      rgba.resize(a.size() * 4);
      for (size_t i = 0; i < a.size(); ++i) heat_value(a[i] / top, &rgba[i * 4]);
      s.heat_tex.upload(rgba.data(), n, n);
      s.heat_of = s.latest;
      s.heat_top = top;
    }
  }
}

}  // namespace invex::gui

// The Neuron panel's parts for neurons that are not Gabor models: the macaque V1 ensemble
// (models folder, recording, index) and a TorchScript file, and for every neuron what it likes
// (its MEI and receptive field, from neuron_preview.h).
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "app/gui/app_state.h"
#include "app/gui/colormap.h"

namespace invex::gui {

namespace {

// An image config from the schema's own defaults for the JSON given, so that this file repeats
// no number of config.cpp.
ImageConfig image_config(const std::string& json) {
  return parse_config(R"({"image": )" + json + "}", "GUI").image;
}

std::string output_text(const std::vector<int>& path) {
  std::string s;
  for (int i : path) s += (s.empty() ? "" : ", ") + std::to_string(i);
  return s;
}

// "0, 3" → {0, 3}; false for anything but indices >= 0 separated by commas.
bool parse_output(const std::string& text, std::vector<int>& out) {
  try {
    auto j = nlohmann::json::parse("[" + text + "]");
    std::vector<int> v;
    for (auto& e : j) {
      if (!e.is_number_integer() || e.get<long long>() < 0) return false;
      v.push_back(e.get<int>());
    }
    out = v;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// The args as the config schema reads them: "\"V1\", 2.5" → a string and a number.
bool parse_args(const std::string& text, std::vector<ScriptArgument>& out) {
  try {
    RunConfig c =
        parse_config(R"({"neuron": {"type": "torchscript", "args": [)" + text + "]}}", "GUI");
    out = c.neuron.args;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::string args_text(const std::vector<ScriptArgument>& args) {
  RunConfig c;
  c.neuron.type = "torchscript";
  c.neuron.args = args;
  const auto j = nlohmann::json::parse(config_to_json(c, -1))["neuron"]["args"];
  std::string s;
  for (auto& a : j) s += (s.empty() ? "" : ", ") + a.dump();
  return s;
}

// A text field whose text takes effect on Enter: true then, with the text in t.text. The text
// being typed follows `current` whenever that changes elsewhere (another preset, a parse).
bool input_on_enter(const char* label, const std::string& current, CommittedText& t) {
  if (t.of != current) t.text = t.of = current;
  if (!ImGui::InputText(label, &t.text, ImGuiInputTextFlags_EnterReturnsTrue)) return false;
  t.of.clear();  // show what the value becomes
  return true;
}

void draw_macaque_fields(AppState& s, bool& changed) {
  NeuronConfig& n = s.cfg.neuron;
  if (input_on_enter("models folder", n.models, s.models_text)) {
    n.models = s.models_text.text;
    changed = true;
  }
  tip("The folder holding monkey_model3.pt, monkey_model10.pt and monkey_model12.pt (the "
      "macaque V1 models of the reference code). Press Enter to read it.");
  s.preview.want_models(n.models);
  s.preview.take(s.models_folder);
  const NeuronPreview::Folder& f = s.models_folder;
  if (f.directory != n.models || (f.neurons.empty() && f.error.empty())) {
    ImGui::TextDisabled("reading the models folder...");
    return;
  }
  if (!f.error.empty()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", f.error.c_str());
    ImGui::PopTextWrapPos();
    return;
  }
  auto label = [](const std::string& key, std::int64_t count) {
    return key + " (" + std::to_string(count) + " neurons)";
  };
  auto current = f.neurons.find(n.data_key);
  if (current == f.neurons.end()) {  // a key from elsewhere: the folder's first
    n.data_key = f.neurons.begin()->first;
    current = f.neurons.begin();
    changed = true;
  }
  if (ImGui::BeginCombo("recording", label(current->first, current->second).c_str())) {
    for (const auto& [key, count] : f.neurons)
      if (ImGui::Selectable(label(key, count).c_str(), key == n.data_key) && key != n.data_key) {
        n.data_key = key;
        changed = true;
      }
    ImGui::EndCombo();
  }
  tip("The recording session (data key) whose readout is used, with its number of neurons.");
  const int last = static_cast<int>(current->second) - 1;
  const int before = n.index;
  ImGui::InputInt("neuron index", &n.index);
  n.index = std::clamp(n.index, 0, last);
  if (n.index != before) changed = true;
  tip("Which neuron of the recording, from 0.");
}

void draw_torchscript_fields(AppState& s, bool& changed) {
  NeuronConfig& n = s.cfg.neuron;
  if (input_on_enter("module file", n.file, s.file_text)) {
    n.file = s.file_text.text;
    changed = true;
  }
  tip("A module saved by torch.jit.save (README \"Your own model\"). Press Enter to load it: "
      "it runs once on two mean-grey images, and what is wrong shows below.");
  if (input_on_enter("output", output_text(n.output), s.output_text)) {
    if (parse_output(s.output_text.text, n.output))
      changed = true;
    else
      s.cfg_error = "output: expected indices >= 0 separated by commas, e.g. 0, 3";
  }
  tip("Which output is the response: an index, or a path of indices into nested outputs (an "
      "element of a tuple or list, or a column of a tensor). Empty: the output itself.");
  if (input_on_enter("args", args_text(n.args), s.args_text)) {
    if (parse_args(s.args_text.text, n.args))
      changed = true;
    else
      s.cfg_error = "args: expected constants separated by commas, e.g. \"V1\", 2.5";
  }
  tip("Constants passed to forward() after the images, e.g. a data key in quotes.");
  int size[2] = {s.cfg.image.height, s.cfg.image.width};
  if (ImGui::InputInt2("image H, W", size, ImGuiInputTextFlags_EnterReturnsTrue)) {
    s.cfg.image.height = std::clamp(size[0], 2, 1024);
    s.cfg.image.width = std::clamp(size[1], 2, 1024);
    changed = true;
  }
  tip("The image size the module takes (neuron.input_shape is [1, H, W]).");
  n.input_shape = {s.cfg.image.channels, s.cfg.image.height, s.cfg.image.width};
}

}  // namespace

void switch_neuron_type(AppState& s, const std::string& type) {
  NeuronConfig& n = s.cfg.neuron;
  const bool was_gabor = n.is_gabor();
  n.type = type;
  if (type == "macaque-ensemble") {
    // The model's units: 93×93 images under the macaque presets' transform.
    s.cfg.image = image_config(R"({"height": 93, "width": 93,
                                   "transform": {"type": "standardize-clip"}})");
    if (n.models.empty()) n.models = s.models_dir.empty() ? find_macaque_models() : s.models_dir;
  } else if (type == "torchscript") {
    n.input_shape = {s.cfg.image.channels, s.cfg.image.height, s.cfg.image.width};
  } else if (!was_gabor) {
    s.cfg.image = ImageConfig{};
    n.height = s.cfg.image.height;
    n.width = s.cfg.image.width;
  }
}

void draw_neuron_choice(AppState& s, bool& changed) {
  if (s.cfg.neuron.type == "macaque-ensemble") draw_macaque_fields(s, changed);
  if (s.cfg.neuron.type == "torchscript") draw_torchscript_fields(s, changed);
}

void draw_neuron_likes(AppState& s) {
  if (!s.cfg_error.empty()) {
    ImGui::TextDisabled("(shown once the settings are valid)");
    return;
  }
  s.preview.want(s.cfg);
  NeuronPreview::Result& r = s.preview_result;
  if (s.preview.take(r) || s.cmap != s.preview_colored_with) {
    std::vector<std::uint8_t> rgba;
    if (r.mei.count > 0) {
      colorize(r.mei, 0, symmetric_scale(r.mei), s.cmap, rgba);
      s.mei_tex.upload(rgba.data(), r.mei.width, r.mei.height);
    }
    if (r.receptive_field.count > 0) {
      const ImageStack& m = r.receptive_field;
      const float top = std::max(1e-30f, *std::max_element(m.data.begin(), m.data.end()));
      rgba.resize(4 * m.data.size());
      for (size_t i = 0; i < m.data.size(); ++i) heat_value(m.data[i] / top, &rgba[4 * i]);
      s.rf_tex.upload(rgba.data(), m.width, m.height);
    }
    s.preview_colored_with = s.cmap;
  }
  if (!r.error.empty()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", r.error.c_str());
    ImGui::PopTextWrapPos();
    return;
  }
  const float side = std::min(96.0f * s.ui_scale, ImGui::GetContentRegionAvail().x / 2 - 8);
  const ImVec2 tile(side, side);
  ImGui::BeginGroup();
  if (r.mei.count > 0 && s.mei_tex.valid()) {
    ImGui::Image(s.mei_tex.imgui_id(), tile);
  } else {
    const float f = r.mei_steps > 0 ? static_cast<float>(r.mei_step) / r.mei_steps : 0.0f;
    char overlay[32];
    std::snprintf(overlay, sizeof overlay, "MEI %d%%", static_cast<int>(100 * f));
    ImGui::ProgressBar(f, tile, overlay);
  }
  ImGui::TextDisabled("MEI");
  ImGui::EndGroup();
  tip("The MEI: the image that excites the neuron most under the training's mean and contrast "
      "(gradient ascent on the pixels, method.md §7), in the colour map of the view. Computed "
      "from the neuron alone, before any training.");
  ImGui::SameLine();
  ImGui::BeginGroup();
  if (r.receptive_field.count > 0 && s.rf_tex.valid())
    ImGui::Image(s.rf_tex.imgui_id(), tile);
  else
    ImGui::Dummy(tile);
  ImGui::TextDisabled("receptive field");
  ImGui::EndGroup();
  tip("The receptive field: how strongly each pixel moves the response (|∂f/∂x|, averaged "
      "over faint noise around a mean-grey image). Bright: where the cell listens.");
  if (r.mei.count > 0) {
    ImGui::SameLine();
    ImGui::TextDisabled("f(MEI)\n%.4g", r.mei_activation);
    tip("The neuron's response to its MEI: the 1 of the normalised activations (a run "
        "computes the same value, or takes it from the cache).");
  }
}

}  // namespace invex::gui

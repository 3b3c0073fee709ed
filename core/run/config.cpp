#include "core/run/config.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/run/frozen_cppn.h"
#include "core/support/runtime_switches.h"

namespace invex {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& source, const std::string& field,
                       const std::string& what) {
  throw ConfigError(source + ": " + field + ": " + what);
}

// Reads fields of one JSON object, remembering which were consumed so leftovers (typos) can be
// reported with their full path.
class ObjectReader {
 public:
  ObjectReader(
      const json& j, std::string source, std::string path,
      std::string unknown = "unknown field (check the spelling; see README 'Config schema')")
      : j_(j), source_(std::move(source)), path_(std::move(path)), unknown_(std::move(unknown)) {
    if (!j_.is_object()) fail(source_, path_.empty() ? "(top level)" : path_, "expected an object");
  }
  ~ObjectReader() noexcept(false) {
    if (std::uncaught_exceptions()) return;
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!used_.count(it.key())) fail(source_, name(it.key()), unknown_);
  }
  std::string name(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const json* get(const std::string& key) {
    used_.insert(key);
    auto it = j_.find(key);
    return it == j_.end() || it->is_null() ? nullptr : &*it;
  }
  void number(const std::string& key, double& out) {
    if (auto v = get(key)) {
      if (!v->is_number()) fail(source_, name(key), "expected a number, got " + v->dump());
      out = v->get<double>();
      if (!std::isfinite(out)) fail(source_, name(key), "expected a finite number");
    }
  }
  void number(const std::string& key, std::optional<double>& out) {
    double v = 0;
    if (get(key)) {
      number(key, v);
      out = v;
    }
  }
  void integer(const std::string& key, int& out) {
    if (auto v = get(key)) {
      if (!v->is_number_integer() &&
          !(v->is_number() && std::floor(v->get<double>()) == v->get<double>()))
        fail(source_, name(key), "expected an integer, got " + v->dump());
      // Converting a double outside int's range is undefined: refuse it first.
      const double d = v->get<double>();
      if (!(d >= std::numeric_limits<int>::min() && d <= std::numeric_limits<int>::max()))
        fail(source_, name(key),
             "expected an integer from -2147483648 to 2147483647, got " + v->dump());
      out = static_cast<int>(d);
    }
  }
  void boolean(const std::string& key, bool& out) {
    if (auto v = get(key)) {
      if (!v->is_boolean()) fail(source_, name(key), "expected true or false, got " + v->dump());
      out = v->get<bool>();
    }
  }
  void string(const std::string& key, std::string& out) {
    if (auto v = get(key)) {
      if (!v->is_string()) fail(source_, name(key), "expected a string, got " + v->dump());
      out = v->get<std::string>();
    }
  }
  const std::string& source() const { return source_; }

 private:
  const json& j_;
  std::string source_, path_, unknown_;
  std::set<std::string> used_;
};

void read_macaque_fields(ObjectReader& r, NeuronConfig& n) {
  r.string("models", n.models);
  if (auto key = r.get("data_key")) {
    // A key written as a number is the same recording.
    if (key->is_number_unsigned())
      n.data_key = std::to_string(key->get<unsigned long long>());
    else if (key->is_string())
      n.data_key = key->get<std::string>();
    else
      fail(r.source(), "neuron.data_key", "expected a string, got " + key->dump());
  }
  r.integer("index", n.index);
}

// A list of integers, each at least `min`.
std::vector<int> integer_list(const json& v, const std::string& src, const std::string& field,
                              int min, const char* expected) {
  std::vector<int> out;
  if (v.is_array())
    for (auto& e : v) {
      if (!e.is_number_integer() || e.get<long long>() < min || e.get<long long>() > 1 << 30) break;
      out.push_back(e.get<int>());
    }
  if (!v.is_array() || out.size() != v.size())
    fail(src, field, std::string("expected ") + expected + ", got " + v.dump());
  return out;
}

void read_torchscript_fields(ObjectReader& r, NeuronConfig& n) {
  const std::string& src = r.source();
  r.string("file", n.file);
  if (auto shape = r.get("input_shape")) {
    n.input_shape = integer_list(*shape, src, "neuron.input_shape", 1,
                                 "[channels, height, width] of the images the module takes");
    if (n.input_shape.size() != 3)
      fail(src, "neuron.input_shape",
           "expected [channels, height, width] of the images the module takes, got " +
               shape->dump());
  }
  if (auto out = r.get("output")) {
    // One index is a path of length one.
    n.output = integer_list(out->is_array() ? *out : json::array({*out}), src, "neuron.output", 0,
                            "an index >= 0 or a list of them, e.g. 3 or [0, 3]");
  }
  if (auto args = r.get("args")) {
    if (!args->is_array())
      fail(src, "neuron.args",
           "expected a list of constants, e.g. [\"3639406161189\"], got " + args->dump());
    for (auto& a : *args) {
      ScriptArgument arg;
      using Kind = ScriptArgument::Kind;
      if (a.is_string()) {
        arg.kind = Kind::String;
        arg.text = a.get<std::string>();
      } else if (a.is_boolean()) {
        arg.kind = Kind::Boolean;
        arg.number = a.get<bool>();
      } else if (a.is_number_integer()) {
        arg.kind = Kind::Integer;
        arg.number = a.get<double>();
      } else if (a.is_number()) {
        arg.kind = Kind::Number;
        arg.number = a.get<double>();
      } else {
        fail(src, "neuron.args",
             "expected strings, numbers or true/false (passed to forward() after the images), "
             "got " +
                 a.dump());
      }
      n.args.push_back(arg);
    }
  }
}

void read_gabor_fields(ObjectReader& r, NeuronConfig& n) {
  const std::string& src = r.source();
  // Per-type defaults of method.md §8 before explicit fields override them.
  if (n.type == "gabor-simple" || n.type == "gabor-polarity") n.theta = 0.0;
  if (n.type == "gabor-orientation") n.phase = M_PI / 2;
  if (auto pos = r.get("pos")) {
    if (!pos->is_array() || pos->size() != 2 || !(*pos)[0].is_number() || !(*pos)[1].is_number())
      fail(src, "neuron.pos", "expected [x, y], got " + pos->dump());
    n.pos_x = (*pos)[0].get<double>();
    n.pos_y = (*pos)[1].get<double>();
  }
  r.number("sigma_x", n.sigma_x);
  r.number("sigma_y", n.sigma_y);
  double sigma = -1;
  r.number("sigma", sigma);
  if (sigma > 0) n.sigma_x = n.sigma_y = sigma;
  r.number("sf", n.sf);
  r.number("theta", n.theta);
  r.number("phase", n.phase);
  r.integer("n_theta", n.n_theta);
  r.number("theta_range", n.theta_range);
  if (auto res = r.get("resolution")) {
    if (!res->is_array() || res->size() != 2 || !(*res)[0].is_number_integer() ||
        !(*res)[1].is_number_integer())
      fail(src, "neuron.resolution", "expected [height, width], got " + res->dump());
    n.height = (*res)[0].get<int>();
    n.width = (*res)[1].get<int>();
  }
}

void read_neuron(const json& j, const std::string& src, NeuronConfig& n) {
  std::string type = n.type;
  if (j.is_object() && j.contains("type") && j["type"].is_string()) type = j["type"];
  const bool gabor = type.rfind("gabor-", 0) == 0;
  // Fields of another neuron type are a mistake, not something to ignore.
  ObjectReader r(j, src, "neuron",
                 gabor ? "unknown field (check the spelling; see README 'Config schema')"
                       : "not a field of " + type + " neurons (see README 'Config schema')");
  r.string("type", n.type);
  if (n.type == "macaque-ensemble")
    read_macaque_fields(r, n);
  else if (n.type == "torchscript")
    read_torchscript_fields(r, n);
  else
    read_gabor_fields(r, n);
}

void read_transform(const json& j, const std::string& src, TransformConfig& t) {
  ObjectReader r(j, src, "image.transform");
  r.string("type", t.type);
  if (t.type == "standardize-clip") {
    t.mean = 0.2022;
    t.std = 0.15;
  }
  r.number("mean", t.mean);
  r.number("std", t.std);
  r.number("min", t.min);
  r.number("max", t.max);
}

std::vector<double> number_list(const json& v, const std::string& src, const std::string& field) {
  if (!v.is_array() || v.empty()) fail(src, field, "expected a non-empty list of numbers");
  std::vector<double> out;
  for (auto& e : v) {
    if (!e.is_number()) fail(src, field, "expected numbers, got " + e.dump());
    out.push_back(e.get<double>());
  }
  return out;
}

}  // namespace

int neighbour_radius(double neighbor_size, int grid_points) {
  const double r = std::floor(neighbor_size * grid_points + 1e-9);
  // A radius past every grid point is as good as any larger one, and converting a double
  // outside int's range is undefined: cap it (validate refuses r >= G/2 either way).
  if (!(r < std::numeric_limits<int>::max())) return std::numeric_limits<int>::max();
  return r > std::numeric_limits<int>::min() ? static_cast<int>(r)
                                             : std::numeric_limits<int>::min();
}

std::string one_line(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if ((u < 0x20 && c != '\t') || u == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    } else {
      out += c;
    }
  }
  return out;
}

int RunConfig::neighbour_radius() const {
  return invex::neighbour_radius(loss.neighbor_size, latent.grid_points);
}

namespace {

const char* const kInvariantVariables[] = {"phase", "orientation"};

std::string checked_variable(const json& v, const std::string& src, const std::string& field) {
  if (v.is_string())
    for (const char* name : kInvariantVariables)
      if (v.get<std::string>() == name) return name;
  fail(src, field, "expected \"phase\" or \"orientation\", got " + v.dump());
}

std::vector<std::string> variable_list(const json& j, const std::string& src,
                                       const std::string& field) {
  if (!j.is_array()) fail(src, field, "expected a list of \"phase\" / \"orientation\"");
  std::vector<std::string> out;
  for (const auto& v : j) out.push_back(checked_variable(v, src, field));
  return out;
}

// {"phase": 0.9, ...}: a threshold per invariant variable, in [0, max].
std::vector<std::pair<std::string, double>> variable_thresholds(const json& j,
                                                                const std::string& src,
                                                                const std::string& field,
                                                                double max) {
  if (!j.is_object()) fail(src, field, "expected an object such as {\"phase\": 0.9}");
  std::vector<std::pair<std::string, double>> out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string name = checked_variable(json(it.key()), src, field);
    if (!it->is_number() || !(it->get<double>() >= 0 && it->get<double>() <= max))
      fail(src, field + "." + name,
           "expected a number from 0 to " + json(max).dump() + ", got " + it->dump());
    out.emplace_back(name, it->get<double>());
  }
  return out;
}

void read_expectation(const json& j, const std::string& src, Expectation& e) {
  ObjectReader r(j, src, "expect");
  e.enabled = true;
  r.number("mean_activation", e.mean_activation);
  r.number("min_activation", e.min_activation);
  if (auto w = r.get("winds")) e.winds = variable_list(*w, src, "expect.winds");
  if (auto w = r.get("winds_any")) e.winds_any = variable_list(*w, src, "expect.winds_any");
  if (auto w = r.get("winds_mod_pi"))
    e.winds_mod_pi = variable_list(*w, src, "expect.winds_mod_pi");
  r.number("agreement", e.agreement);
  r.integer("winding_determinant", e.winding_determinant);
  if (auto c = r.get("coverage")) e.coverage = variable_thresholds(*c, src, "expect.coverage", 1);
  if (auto c = r.get("range")) e.range = variable_thresholds(*c, src, "expect.range", 100);
  r.number("collapse", e.collapse);
  r.number("smoothness_min", e.smoothness_min);
  r.boolean("both_polarities", e.both_polarities);
  if (auto f = r.get("sign_changes")) {
    ObjectReader flips(*f, src, "expect.sign_changes");
    flips.integer("at_most", e.max_sign_changes);
    flips.integer("margin", e.sign_change_margin);
    if (e.max_sign_changes < 1)
      fail(src, "expect.sign_changes.at_most", "expected a positive integer");
    if (e.sign_change_margin < 0 || e.sign_change_margin > kMaxArcMargin)
      fail(src, "expect.sign_changes.margin",
           "expected an integer from 0 to " + std::to_string(kMaxArcMargin));
  }
}

}  // namespace

RunConfig parse_config(const std::string& text, const std::string& source) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    // Translate the byte offset into the line and column a person can find in an editor.
    size_t byte = e.byte > 0 ? e.byte - 1 : 0;
    int line = 1, col = 1;
    for (size_t i = 0; i < byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    auto pos = what.find("syntax error");
    throw ConfigError(source + ":" + std::to_string(line) + ":" + std::to_string(col) +
                      ": malformed JSON: " + (pos == std::string::npos ? what : what.substr(pos)));
  } catch (const json::exception& e) {
    // Not a syntax error but a value JSON can write and a double cannot hold (1e999).
    throw ConfigError(source + ": malformed JSON: " + e.what());
  }
  RunConfig cfg;
  ObjectReader top(j, source, "");
  top.string("name", cfg.name);
  top.string("description", cfg.description);
  if (auto n = top.get("neuron")) read_neuron(*n, source, cfg.neuron);
  if (auto im = top.get("image")) {
    ObjectReader r(*im, source, "image");
    r.integer("height", cfg.image.height);
    r.integer("width", cfg.image.width);
    r.integer("channels", cfg.image.channels);
    if (auto t = r.get("transform")) read_transform(*t, source, cfg.image.transform);
  }
  if (auto c = top.get("cppn")) {
    ObjectReader r(*c, source, "cppn");
    r.integer("positional_encoding_dim", cfg.cppn.positional_encoding_dim);
    r.number("scale", cfg.cppn.scale);
    r.integer("layers", cfg.cppn.layers);
    r.integer("width", cfg.cppn.width);
    r.number("aux_dim_scale", cfg.cppn.aux_dim_scale);
    r.number("weight_std", cfg.cppn.weight_std);
    r.boolean("bias", cfg.cppn.bias);
    r.boolean("batchnorm", cfg.cppn.batchnorm);
  }
  if (auto l = top.get("latent")) {
    ObjectReader r(*l, source, "latent");
    if (auto p = r.get("periodic")) {
      if (!p->is_array() || p->empty())
        fail(source, "latent.periodic", "expected a list of true/false, one per latent dimension");
      cfg.latent.periodic.clear();
      for (auto& e : *p) {
        if (!e.is_boolean())
          fail(source, "latent.periodic", "expected true or false, got " + e.dump());
        cfg.latent.periodic.push_back(e.get<bool>());
      }
    }
    r.integer("grid_points", cfg.latent.grid_points);
  }
  if (auto l = top.get("loss")) {
    ObjectReader r(*l, source, "loss");
    r.number("tau", cfg.loss.tau);
    r.number("neighbor_size", cfg.loss.neighbor_size);
    r.boolean("round_neighbourhood", cfg.loss.round_neighbourhood);
  }
  if (auto t = top.get("training")) {
    ObjectReader r(*t, source, "training");
    if (auto rc = r.get("reg_coefs"))
      cfg.training.reg_coefs = number_list(*rc, source, "training.reg_coefs");
    r.integer("epochs_per_reg", cfg.training.epochs_per_reg);
    r.integer("steps_per_epoch", cfg.training.steps_per_epoch);
    r.number("lr", cfg.training.lr);
    if (auto s = r.get("seed")) {
      if (!s->is_number_integer() || s->get<long long>() < 0)
        fail(source, "training.seed", "expected a non-negative integer, got " + s->dump());
      cfg.training.seed = s->get<unsigned long long>();
    }
    r.integer("checkpoint_every", cfg.training.checkpoint_every);
    if (auto s = r.get("stop_when")) {
      ObjectReader sr(*s, source, "training.stop_when");
      cfg.training.stop.enabled = true;
      sr.number("mean", cfg.training.stop.mean);
      sr.number("min", cfg.training.stop.min);
    }
  }
  if (auto e = top.get("expect")) read_expectation(*e, source, cfg.expect);
  if (auto m = top.get("mei")) {
    ObjectReader r(*m, source, "mei");
    r.number("activation", cfg.mei.activation);
    r.integer("steps", cfg.mei.steps);
    r.number("lr", cfg.mei.lr);
    r.integer("starts", cfg.mei.starts);
  }
  return cfg;
}

namespace {

void positive(double v, const std::string& src, const char* field) {
  if (!(v > 0)) fail(src, field, "expected a positive number, got " + std::to_string(v));
}

void validate_gabor(const RunConfig& c, const std::string& src) {
  positive(c.neuron.sigma_x, src, "neuron.sigma_x");
  positive(c.neuron.sigma_y, src, "neuron.sigma_y");
  if (c.neuron.sf < 0) fail(src, "neuron.sf", "expected a non-negative spatial frequency");
  if (c.neuron.n_theta < 1 || c.neuron.n_theta > 3600)
    fail(src, "neuron.n_theta", "expected 1 to 3600 orientations");
  positive(c.neuron.theta_range, src, "neuron.theta_range");
  if (c.neuron.height != c.image.height || c.neuron.width != c.image.width)
    fail(src, "neuron.resolution",
         "the neuron expects " + std::to_string(c.neuron.height) + "x" +
             std::to_string(c.neuron.width) + " images but image is " +
             std::to_string(c.image.height) + "x" + std::to_string(c.image.width));
}

void validate_macaque(const RunConfig& c, const std::string& src) {
  if (c.neuron.data_key.empty())
    fail(src, "neuron.data_key",
         "a macaque-ensemble neuron needs the recording's data key, e.g. \"3639406161189\"");
  if (c.neuron.index < 0)
    fail(src, "neuron.index",
         "expected a neuron index >= 0, got " + std::to_string(c.neuron.index));
  const int side = kMacaqueImageSize;
  if (c.image.height != side || c.image.width != side)
    fail(src, "image.height/width",
         "the macaque-ensemble neuron takes " + std::to_string(side) + "x" + std::to_string(side) +
             " images but image is " + std::to_string(c.image.height) + "x" +
             std::to_string(c.image.width));
}

void validate_torchscript(const RunConfig& c, const std::string& src) {
  if (c.neuron.file.empty())
    fail(src, "neuron.file", "a torchscript neuron needs the file saved by torch.jit.save");
  const std::vector<int> image = {c.image.channels, c.image.height, c.image.width};
  auto dims = [](const std::vector<int>& v) {
    std::string s;
    for (int d : v) s += (s.empty() ? "[" : ", ") + std::to_string(d);
    return s + "]";
  };
  if (c.neuron.input_shape.empty())
    fail(src, "neuron.input_shape",
         "a torchscript neuron needs the [channels, height, width] its module takes, here " +
             dims(image) + " (image.channels, image.height, image.width)");
  if (c.neuron.input_shape != image)
    fail(src, "neuron.input_shape",
         "the module takes " + dims(c.neuron.input_shape) + " but the images are " + dims(image) +
             " (image.channels, image.height, image.width)");
}

}  // namespace

const char* const kNeuronTypes[] = {
    "gabor-simple",   "gabor-complex",    "gabor-orientation", "gabor-phase-orientation",
    "gabor-polarity", "macaque-ensemble", "torchscript"};
const int kNeuronTypeCount = sizeof kNeuronTypes / sizeof kNeuronTypes[0];

namespace {
// The invariant variables a neuron's metrics measure (method.md §11.1).
std::vector<std::string> measured_variables(const NeuronConfig& n) {
  if (n.type == "gabor-complex") return {"phase"};
  if (n.type == "gabor-orientation") return {"orientation"};
  if (n.type == "gabor-phase-orientation") return {"phase", "orientation"};
  return {};
}

void validate_expectation(const RunConfig& c, const std::string& src) {
  const Expectation& e = c.expect;
  const auto has = measured_variables(c.neuron);
  auto check = [&](const std::string& name, const std::string& field) {
    if (std::find(has.begin(), has.end(), name) == has.end())
      fail(src, field, "a " + c.neuron.type + " neuron has no measured " + name);
  };
  for (auto& v : e.winds) check(v, "expect.winds");
  for (auto& v : e.winds_any) check(v, "expect.winds_any");
  for (auto& [v, t] : e.coverage) check(v, "expect.coverage." + v);
  for (auto& [v, t] : e.range) check(v, "expect.range." + v);
  bool periodic = false;
  for (bool p : c.latent.periodic) periodic = periodic || p;
  if (!periodic && (!e.winds.empty() || !e.winds_any.empty()))
    fail(src, "expect.winds", "winding needs a periodic latent axis");
  if (!(e.agreement >= 0 && e.agreement <= 1))
    fail(src, "expect.agreement", "expected a fraction from 0 to 1");
  const bool torus = c.latent.dims() == 2 && c.latent.periodic[0] && c.latent.periodic[1];
  const bool full_cell = c.neuron.type == "gabor-phase-orientation" &&
                         std::abs(c.neuron.theta_range - 2 * M_PI) <= 1e-6;
  for (auto& v : e.winds_mod_pi)
    if (v != "orientation" || !full_cell || !periodic)
      fail(src, "expect.winds_mod_pi",
           "expected [\"orientation\"], for a full phase-orientation cell on a periodic latent");
  if (e.winding_determinant != 0 && (!torus || !full_cell || e.winding_determinant < 0))
    fail(src, "expect.winding_determinant",
         "expected a positive integer, for a full phase-orientation cell on a torus");
  if (e.both_polarities && c.neuron.type != "gabor-polarity")
    fail(src, "expect.both_polarities", "only a gabor-polarity neuron has polarities");
  if (e.max_sign_changes > 0 && (c.neuron.type != "gabor-polarity" || c.latent.dims() != 1))
    fail(src, "expect.sign_changes", "only a gabor-polarity neuron on a 1-D latent has them");
  for (const auto& [field, least] :
       {std::pair("collapse", e.collapse), std::pair("smoothness_min", e.smoothness_min)})
    if (least && !(*least >= -1 && *least <= 1))
      fail(src, std::string("expect.") + field, "expected a correlation from -1 to 1");
}
}  // namespace

void validate(const RunConfig& c, const std::string& src) {
  const auto* end = kNeuronTypes + kNeuronTypeCount;
  if (std::find(kNeuronTypes, end, c.neuron.type) == end) {
    std::string all;
    for (const char* t : kNeuronTypes) all += (all.empty() ? "" : ", ") + std::string(t);
    fail(src, "neuron.type",
         "unknown neuron type '" + c.neuron.type + "' (expected one of " + all + ")");
  }
  auto positive = [&](double v, const char* field) { invex::positive(v, src, field); };
  if (c.image.height < 2 || c.image.width < 2 || c.image.height > 1024 || c.image.width > 1024)
    fail(src, "image.height/width", "expected 2 to 1024 pixels");
  if (c.image.channels != 1)
    fail(src, "image.channels", "only 1 channel is supported (invex draws grey images)");
  if (c.neuron.is_gabor()) validate_gabor(c, src);
  if (c.neuron.type == "macaque-ensemble") validate_macaque(c, src);
  if (c.neuron.type == "torchscript") validate_torchscript(c, src);
  if (c.expect.enabled) validate_expectation(c, src);
  const auto& t = c.image.transform;
  if (t.type != "fix-mean-std" && t.type != "standardize-clip" && t.type != "none")
    fail(src, "image.transform.type",
         "unknown transform '" + t.type + "' (expected fix-mean-std, standardize-clip or none)");
  if (t.type != "none") positive(t.std, "image.transform.std");
  if (t.type == "standardize-clip" && !(t.min < t.max))
    fail(src, "image.transform.min/max", "expected min < max");
  if (c.cppn.positional_encoding_dim < 1 || c.cppn.positional_encoding_dim > 256)
    fail(src, "cppn.positional_encoding_dim", "expected 1 to 256");
  if (c.cppn.layers < 2 || c.cppn.layers > 32) fail(src, "cppn.layers", "expected 2 to 32 layers");
  if (c.cppn.width < 1 || c.cppn.width > kMaxCppnWidth)
    fail(src, "cppn.width", "expected 1 to " + std::to_string(kMaxCppnWidth));
  if (!c.cppn.batchnorm) fail(src, "cppn.batchnorm", "only true is supported (method.md §2)");
  positive(c.cppn.weight_std, "cppn.weight_std");
  int d = c.latent.dims();
  if (d < 1 || d > 2) fail(src, "latent.periodic", "expected 1 or 2 latent dimensions");
  int g = c.latent.grid_points;
  if (g < 3) fail(src, "latent.grid_points", "expected G >= 3, got " + std::to_string(g));
  long n = 1;
  for (int i = 0; i < d; ++i) n *= g;
  if (n > 4096)
    fail(src, "latent.grid_points",
         "G^D = " + std::to_string(n) + " images per step is too many (max 4096)");
  positive(c.loss.tau, "loss.tau");
  int r = c.neighbour_radius();
  if (r < 1)
    fail(src, "loss.neighbor_size",
         "floor(neighbor_size * G) = 0: no point has a neighbour (need neighbor_size >= 1/G = " +
             std::to_string(1.0 / g) + ")");
  // Every point needs a negative, or its neg_k is 0/0. The point with the nearest farthest
  // neighbour (the middle of a line, any point of a circle) reaches G/2 in that dimension, so
  // negatives exist for all points when some dimension has G/2 > r.
  if (g / 2 <= r)
    fail(src, "loss.neighbor_size",
         "r = floor(neighbor_size * G) = " + std::to_string(r) +
             " reaches every grid point from some point: no negatives (need r < G/2)");
  if (c.training.reg_coefs.empty()) fail(src, "training.reg_coefs", "expected at least one λ");
  if (c.training.epochs_per_reg < 1) fail(src, "training.epochs_per_reg", "expected >= 1");
  if (c.training.steps_per_epoch < 1) fail(src, "training.steps_per_epoch", "expected >= 1");
  // total_steps() counts in int, as the trainer does.
  const long long total = static_cast<long long>(c.training.reg_coefs.size()) *
                          c.training.epochs_per_reg * c.training.steps_per_epoch;
  if (total > std::numeric_limits<int>::max())
    fail(src, "training.steps_per_epoch",
         "λ phases × epochs_per_reg × steps_per_epoch = " + std::to_string(total) +
             " steps; at most " + std::to_string(std::numeric_limits<int>::max()));
  positive(c.training.lr, "training.lr");
  if (c.training.checkpoint_every < 0) fail(src, "training.checkpoint_every", "expected >= 0");
  if (c.mei.activation < 0)
    fail(src, "mei.activation", "expected > 0 (or omit it to compute the MEI)");
  if (c.mei.steps < 1) fail(src, "mei.steps", "expected >= 1");
  positive(c.mei.lr, "mei.lr");
  if (c.mei.starts < 1 || c.mei.starts > kMaxMeiStarts)
    fail(
        src, "mei.starts",
        "expected 1 to " + std::to_string(kMaxMeiStarts) + ", got " + std::to_string(c.mei.starts));
}

namespace {

// The fields of the neuron's own type only: those are what parse_config accepts for it.
json neuron_to_json(const NeuronConfig& n) {
  if (n.type == "macaque-ensemble")
    return {{"type", n.type}, {"models", n.models}, {"data_key", n.data_key}, {"index", n.index}};
  if (n.type == "torchscript") {
    json args = json::array();
    for (const ScriptArgument& a : n.args) switch (a.kind) {
        case ScriptArgument::Kind::String:
          args.push_back(a.text);
          break;
        case ScriptArgument::Kind::Integer:
          args.push_back(static_cast<long long>(a.number));
          break;
        case ScriptArgument::Kind::Number:
          args.push_back(a.number);
          break;
        case ScriptArgument::Kind::Boolean:
          args.push_back(a.number != 0);
          break;
      }
    return {{"type", n.type},
            {"file", n.file},
            {"input_shape", n.input_shape},
            {"output", n.output},
            {"args", args}};
  }
  return {{"type", n.type},
          {"pos", {n.pos_x, n.pos_y}},
          {"sigma_x", n.sigma_x},
          {"sigma_y", n.sigma_y},
          {"sf", n.sf},
          {"theta", n.theta},
          {"phase", n.phase},
          {"n_theta", n.n_theta},
          {"theta_range", n.theta_range},
          {"resolution", {n.height, n.width}}};
}

// A path of a config file, relative to the file's folder, made absolute.
std::string resolve_path(const std::string& path, const std::string& config_file) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  std::error_code ec;
  const fs::path base = fs::absolute(fs::path(config_file), ec).parent_path();
  return (base / path).lexically_normal().string();
}

bool holds_macaque_models(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "monkey_model3.pt", ec);
}

}  // namespace

namespace {
json expect_section_json(const Expectation& e) {
  json j = {{"mean_activation", e.mean_activation}, {"min_activation", e.min_activation}};
  if (!e.winds.empty()) j["winds"] = e.winds;
  if (!e.winds_any.empty()) j["winds_any"] = e.winds_any;
  if (!e.winds_mod_pi.empty()) j["winds_mod_pi"] = e.winds_mod_pi;
  if (!e.winds.empty() || !e.winds_any.empty() || !e.winds_mod_pi.empty())
    j["agreement"] = e.agreement;
  if (e.winding_determinant > 0) j["winding_determinant"] = e.winding_determinant;
  for (auto* list : {&e.coverage, &e.range}) {
    if (list->empty()) continue;
    json t = json::object();
    for (auto& [name, v] : *list) t[name] = v;
    j[list == &e.coverage ? "coverage" : "range"] = t;
  }
  if (e.collapse) j["collapse"] = *e.collapse;
  if (e.smoothness_min) j["smoothness_min"] = *e.smoothness_min;
  if (e.both_polarities) j["both_polarities"] = true;
  if (e.max_sign_changes > 0)
    j["sign_changes"] = {{"at_most", e.max_sign_changes}, {"margin", e.sign_change_margin}};
  return j;
}
}  // namespace

std::string config_to_json(const RunConfig& c, int indent) {
  json j;
  j["name"] = c.name;
  if (!c.description.empty()) j["description"] = c.description;
  j["neuron"] = neuron_to_json(c.neuron);
  const auto& t = c.image.transform;
  json tj = {{"type", t.type}, {"mean", t.mean}, {"std", t.std}};
  if (t.type == "standardize-clip") {
    tj["min"] = t.min;
    tj["max"] = t.max;
  }
  j["image"] = {{"height", c.image.height},
                {"width", c.image.width},
                {"channels", c.image.channels},
                {"transform", tj}};
  j["cppn"] = {{"positional_encoding_dim", c.cppn.positional_encoding_dim},
               {"scale", c.cppn.scale},
               {"layers", c.cppn.layers},
               {"width", c.cppn.width},
               {"aux_dim_scale", c.cppn.aux_dim_scale},
               {"weight_std", c.cppn.weight_std},
               {"bias", c.cppn.bias},
               {"batchnorm", c.cppn.batchnorm}};
  json periodic = json::array();
  for (bool p : c.latent.periodic) periodic.push_back(p);
  j["latent"] = {{"periodic", periodic}, {"grid_points", c.latent.grid_points}};
  j["loss"] = {{"tau", c.loss.tau},
               {"neighbor_size", c.loss.neighbor_size},
               {"round_neighbourhood", c.loss.round_neighbourhood}};
  j["training"] = {{"reg_coefs", c.training.reg_coefs},
                   {"epochs_per_reg", c.training.epochs_per_reg},
                   {"steps_per_epoch", c.training.steps_per_epoch},
                   {"lr", c.training.lr},
                   {"seed", c.training.seed},
                   {"checkpoint_every", c.training.checkpoint_every}};
  if (c.training.stop.enabled)
    j["training"]["stop_when"] = {{"mean", c.training.stop.mean}, {"min", c.training.stop.min}};
  if (c.expect.enabled) j["expect"] = expect_section_json(c.expect);
  j["mei"] = {{"steps", c.mei.steps}, {"lr", c.mei.lr}};
  // Written only when not 1, so that configs and MEI cache keys from before the field stay as
  // they were.
  if (c.mei.starts != 1) j["mei"]["starts"] = c.mei.starts;
  if (c.mei.activation > 0) j["mei"]["activation"] = c.mei.activation;
  return j.dump(indent);
}

RunConfig load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read the config file (" + std::strerror(errno) + ")");
  // A directory opens like a file and then reads as nothing: say what it is, not "malformed JSON".
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ConfigError(path + ": cannot read the config file (" + std::strerror(EISDIR) + ")");
  std::stringstream ss;
  ss << in.rdbuf();
  RunConfig cfg = parse_config(ss.str(), path);
  validate(cfg, path);
  cfg.neuron.models = resolve_path(cfg.neuron.models, path);
  cfg.neuron.file = resolve_path(cfg.neuron.file, path);
  if (cfg.neuron.type == "macaque-ensemble" && cfg.neuron.models.empty())
    cfg.neuron.models = find_macaque_models();
  return cfg;
}

std::string find_macaque_models() {
  std::error_code ec;
  std::vector<fs::path> places;
  if (const std::string env = switches::models_dir(); !env.empty())
    places = {env, fs::path(env) / "macaque_v1"};
  places.push_back(fs::path(INVEX_SOURCE_ASSETS) / "../../shared/models/macaque_v1");
  for (const fs::path& p : places)
    if (holds_macaque_models(p)) return fs::absolute(p, ec).lexically_normal().string();
  return {};
}

std::string macaque_models_not_found() {
  const std::string env = switches::models_dir();
  const std::string source =
      (fs::path(INVEX_SOURCE_ASSETS) / "../../shared/models/macaque_v1").lexically_normal();
  return "neuron.models: no folder of macaque V1 model files given, and none found (looked in " +
         (env.empty() ? std::string("$INVEX_MODELS, which is not set") : "INVEX_MODELS=" + env) +
         ", and in " + source +
         "); pass --models DIR, DIR being the folder that holds monkey_model3.pt, "
         "monkey_model10.pt and monkey_model12.pt";
}

std::string preset_directory() {
  if (auto dir = switches::presets_dir(); !dir.empty()) return dir;
  // Next to an installed binary first, then the source tree this binary was built from.
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path p :
         {exe.parent_path() / "../share/invex/presets", exe.parent_path() / "assets/presets"})
      if (fs::is_directory(p, ec)) return fs::canonical(p, ec).string();
  }
  return std::string(INVEX_SOURCE_ASSETS) + "/presets";
}

std::vector<std::string> list_presets() {
  std::vector<std::string> names;
  fs::path root = preset_directory();
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->path().extension() != ".json") continue;
    auto rel = fs::relative(it->path(), root).replace_extension("").generic_string();
    names.push_back(rel);
  }
  std::sort(names.begin(), names.end());
  return names;
}

RunConfig load_preset(const std::string& name) {
  fs::path path = fs::path(preset_directory()) / (name + ".json");
  std::error_code ec;
  if (name.find("..") != std::string::npos || !fs::is_regular_file(path, ec)) {
    std::string all;
    for (auto& n : list_presets()) all += (all.empty() ? "" : ", ") + n;
    throw ConfigError("unknown preset '" + name + "' (available: " + all + ")");
  }
  RunConfig cfg = load_config_file(path.string());
  return cfg;
}

}  // namespace invex

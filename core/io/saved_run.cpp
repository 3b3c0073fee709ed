#include "core/io/saved_run.h"

#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/io/run_archive.h"

namespace invex {
namespace {

using nlohmann::json;

// Tensor names in the archive: "param.<name>", "adam_m.<name>", "adam_v.<name>".
constexpr const char* kParameter = "param.";
constexpr const char* kFirstMoment = "adam_m.";
constexpr const char* kSecondMoment = "adam_v.";

void add_arrays(RunArchive& a, const std::vector<NamedArray>& arrays, const std::string& prefix) {
  for (auto& t : arrays) a.tensors.push_back({prefix + t.name, t.shape, t.data});
}

std::vector<NamedArray> arrays_with_prefix(const RunArchive& a, const std::string& prefix) {
  std::vector<NamedArray> out;
  for (auto& t : a.tensors)
    if (t.name.rfind(prefix, 0) == 0)
      out.push_back({t.name.substr(prefix.size()), t.shape, t.data});
  return out;
}

// History is stored as columns, one JSON array per field: compact like an array of arrays,
// readable like named fields.
template <class Record>
struct Column {
  const char* name;
  std::function<json(const Record&)> get;
  std::function<void(Record&, const json&)> set;
};

template <class Record, class T>
Column<Record> column(const char* name, T Record::*field) {
  return {name, [field](const Record& r) { return json(r.*field); },
          [field](Record& r, const json& v) { r.*field = v.get<T>(); }};
}

const std::vector<Column<EpochRecord>>& epoch_columns() {
  static const std::vector<Column<EpochRecord>> columns = {
      column("phase", &EpochRecord::phase),
      column("epoch", &EpochRecord::epoch),
      column("step", &EpochRecord::step),
      column("lambda", &EpochRecord::lambda),
      column("activation", &EpochRecord::activation),
      column("min_activation", &EpochRecord::min_activation),
      column("regulariser", &EpochRecord::regulariser),
      column("loss", &EpochRecord::loss)};
  return columns;
}

const std::vector<Column<StepRecord>>& step_columns() {
  static const std::vector<Column<StepRecord>> columns = {
      column("step", &StepRecord::step), column("activation", &StepRecord::activation),
      column("regulariser", &StepRecord::regulariser), column("loss", &StepRecord::loss)};
  return columns;
}

template <class Record>
json to_columns(const std::vector<Record>& rows, const std::vector<Column<Record>>& columns) {
  json j = json::object();
  for (auto& c : columns) {
    json values = json::array();
    for (auto& r : rows) values.push_back(c.get(r));
    j[c.name] = std::move(values);
  }
  return j;
}

template <class Record>
std::vector<Record> from_columns(const json& j, const std::vector<Column<Record>>& columns) {
  std::vector<Record> rows(j.at(columns.front().name).size());
  for (auto& c : columns) {
    const json& values = j.at(c.name);
    if (values.size() != rows.size())
      throw std::runtime_error(std::string("history column '") + c.name + "' has the wrong length");
    for (size_t i = 0; i < rows.size(); ++i) c.set(rows[i], values[i]);
  }
  return rows;
}

void read_metadata(const json& meta, const std::string& path, TrainerState& s) {
  s.config = parse_config(meta.at("config").dump(), path + " (config)");
  s.mei_activation = meta.at("mei_activation").get<double>();
  s.progress.step = meta.at("step").get<int>();
  s.progress.stopped_by_rule = meta.at("stopped_by_rule").get<bool>();
  s.progress.wall_seconds = meta.at("wall_seconds").get<double>();
  s.rng = meta.at("rng").get<std::string>();
}

// Format 2: named keys and tensors.
void read_v2(const RunArchive& a, const json& meta, TrainerState& s) {
  const json& opt = meta.at("optimiser");
  s.optimiser_phase = opt.at("phase").get<int>();
  s.optimiser_steps = opt.at("steps").get<long>();
  TrainerProgress& p = s.progress;
  const json& ep = meta.at("epoch_sums");
  p.epoch_activation = ep.at("activation");
  p.epoch_regulariser = ep.at("regulariser");
  p.epoch_loss = ep.at("loss");
  p.epoch_steps = ep.at("steps");
  const json& ema = meta.at("ema");
  p.ema_weight = ema.at("weight");
  p.ema = {ema.at("step"), ema.at("activation"), ema.at("regulariser"), ema.at("loss")};
  p.epochs = from_columns(meta.at("epochs"), epoch_columns());
  p.steps = from_columns(meta.at("steps"), step_columns());
  s.parameters = arrays_with_prefix(a, kParameter);
  s.first_moments = arrays_with_prefix(a, kFirstMoment);
  s.second_moments = arrays_with_prefix(a, kSecondMoment);
}

// Format 1 kept its parameters, optimiser moments and history positionally, in the order
// W, b, γ, β of each layer (b always present; γ, β on hidden layers).
void read_v1(const RunArchive& a, const json& meta, TrainerState& s) {
  s.optimiser_phase = meta.at("adam_phase").get<int>();
  s.optimiser_steps = meta.at("adam_t").get<long>();
  TrainerProgress& p = s.progress;
  const json& es = meta.at("epoch_sums");
  p.epoch_activation = es.at(0);
  p.epoch_regulariser = es.at(1);
  p.epoch_loss = es.at(2);
  p.epoch_steps = es.at(3);
  const json& ema = meta.at("ema");
  p.ema_weight = ema.at(0);
  p.ema = {ema.at(1), ema.at(2), ema.at(3), ema.at(4)};
  // Rows in EpochRecord's and StepRecord's field order.
  for (auto& e : meta.at("epochs"))
    p.epochs.push_back({e.at(0), e.at(1), e.at(2), e.at(3), e.at(4), e.at(5), e.at(6), e.at(7)});
  for (auto& e : meta.at("steps")) p.steps.push_back({e.at(0), e.at(1), e.at(2), e.at(3)});
  std::vector<std::string> names;
  for (int l = 0; l < s.config.cppn.layers; ++l) {
    const std::string layer = "layer" + std::to_string(l) + ".";
    names.push_back(layer + "weight");
    names.push_back(layer + "bias");
    if (l + 1 < s.config.cppn.layers) {
      names.push_back(layer + "gamma");
      names.push_back(layer + "beta");
    }
  }
  auto take = [&](const std::string& old_name, const std::string& name) {
    const NamedArray* t = a.find(old_name);
    if (!t) throw std::runtime_error("tensor '" + old_name + "' missing");
    return NamedArray{name, t->shape, t->data};
  };
  s.parameters.push_back(take("fourier", "fourier"));
  const size_t moments = meta.at("adam_count").get<size_t>();
  for (size_t i = 0; i < names.size(); ++i) {
    // Without biases in the config, format 1's zero biases are not parameters any more.
    if (!s.config.cppn.bias && names[i].find(".bias") != std::string::npos) continue;
    s.parameters.push_back(take("param." + std::to_string(i), names[i]));
    if (i < moments) {
      s.first_moments.push_back(take("adam_m." + std::to_string(i), names[i]));
      s.second_moments.push_back(take("adam_v." + std::to_string(i), names[i]));
    }
  }
}

}  // namespace

void write_saved_run(const std::string& path, const TrainerState& s,
                     const SavedRunOptions& options) {
  json meta;
  meta["config"] = json::parse(config_to_json(s.config, -1));
  const TrainerProgress& p = s.progress;
  meta["mei_activation"] = s.mei_activation;
  meta["step"] = p.step;
  meta["stopped_by_rule"] = p.stopped_by_rule;
  meta["wall_seconds"] = p.wall_seconds;
  meta["rng"] = s.rng;
  const bool optimiser = options.optimiser_state;
  meta["optimiser"] = {{"phase", optimiser ? s.optimiser_phase : -1},
                       {"steps", optimiser ? s.optimiser_steps : 0}};
  meta["epoch_sums"] = {{"activation", p.epoch_activation},
                        {"regulariser", p.epoch_regulariser},
                        {"loss", p.epoch_loss},
                        {"steps", p.epoch_steps}};
  meta["ema"] = {{"weight", p.ema_weight},
                 {"step", p.ema.step},
                 {"activation", p.ema.activation},
                 {"regulariser", p.ema.regulariser},
                 {"loss", p.ema.loss}};
  meta["epochs"] =
      to_columns(options.history ? p.epochs : std::vector<EpochRecord>{}, epoch_columns());
  meta["steps"] = to_columns(options.history ? p.steps : std::vector<StepRecord>{}, step_columns());
  RunArchive a;
  a.metadata_json = meta.dump();
  add_arrays(a, s.parameters, kParameter);
  if (optimiser) {
    add_arrays(a, s.first_moments, kFirstMoment);
    add_arrays(a, s.second_moments, kSecondMoment);
  }
  write_run_archive(path, a);
}

TrainerState read_saved_run(const std::string& path) {
  const RunArchive a = read_run_archive(path);
  TrainerState s;
  try {
    const json meta = json::parse(a.metadata_json);
    read_metadata(meta, path, s);
    if (a.version == 1)
      read_v1(a, meta, s);
    else
      read_v2(a, meta, s);
  } catch (const json::exception& e) {
    throw std::runtime_error(path + ": corrupted run file (metadata: " + e.what() + ")");
  } catch (const ConfigError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": corrupted run file (" + e.what() + ")");
  }
  return s;
}

}  // namespace invex

#include "core/io/saved_run.h"

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

// History as columns: compact like arrays, readable like names.
json epochs_to_json(const std::vector<EpochRecord>& epochs) {
  json j = {{"phase", json::array()},       {"epoch", json::array()},
            {"step", json::array()},        {"lambda", json::array()},
            {"activation", json::array()},  {"min_activation", json::array()},
            {"regulariser", json::array()}, {"loss", json::array()}};
  for (auto& e : epochs) {
    j["phase"].push_back(e.phase);
    j["epoch"].push_back(e.epoch);
    j["step"].push_back(e.step);
    j["lambda"].push_back(e.lambda);
    j["activation"].push_back(e.activation);
    j["min_activation"].push_back(e.min_activation);
    j["regulariser"].push_back(e.regulariser);
    j["loss"].push_back(e.loss);
  }
  return j;
}

std::vector<EpochRecord> epochs_from_json(const json& j) {
  std::vector<EpochRecord> out(j.at("phase").size());
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = {j.at("phase").at(i),  j.at("epoch").at(i),         j.at("step").at(i),
              j.at("lambda").at(i), j.at("activation").at(i),    j.at("regulariser").at(i),
              j.at("loss").at(i),   j.at("min_activation").at(i)};
  return out;
}

json steps_to_json(const std::vector<StepRecord>& steps) {
  json j = {{"step", json::array()},
            {"activation", json::array()},
            {"regulariser", json::array()},
            {"loss", json::array()}};
  for (auto& s : steps) {
    j["step"].push_back(s.step);
    j["activation"].push_back(s.activation);
    j["regulariser"].push_back(s.regulariser);
    j["loss"].push_back(s.loss);
  }
  return j;
}

std::vector<StepRecord> steps_from_json(const json& j) {
  std::vector<StepRecord> out(j.at("step").size());
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = {j.at("step").at(i), j.at("activation").at(i), j.at("regulariser").at(i),
              j.at("loss").at(i)};
  return out;
}

void read_metadata(const json& meta, const std::string& path, TrainerState& s) {
  s.config = parse_config(meta.at("config").dump(), path + " (config)");
  s.mei_activation = meta.at("mei_activation").get<double>();
  s.step = meta.at("step").get<int>();
  s.stopped_by_rule = meta.at("stopped_by_rule").get<bool>();
  s.wall_seconds = meta.at("wall_seconds").get<double>();
  s.rng = meta.at("rng").get<std::string>();
}

// Format 2: named keys and tensors.
void read_v2(const RunArchive& a, const json& meta, TrainerState& s) {
  const json& opt = meta.at("optimiser");
  s.optimiser_phase = opt.at("phase").get<int>();
  s.optimiser_steps = opt.at("steps").get<long>();
  const json& ep = meta.at("epoch_sums");
  s.epoch_activation = ep.at("activation");
  s.epoch_regulariser = ep.at("regulariser");
  s.epoch_loss = ep.at("loss");
  s.epoch_steps = ep.at("steps");
  const json& ema = meta.at("ema");
  s.ema_weight = ema.at("weight");
  s.ema = {ema.at("step"), ema.at("activation"), ema.at("regulariser"), ema.at("loss")};
  s.epochs = epochs_from_json(meta.at("epochs"));
  s.steps = steps_from_json(meta.at("steps"));
  s.parameters = arrays_with_prefix(a, kParameter);
  s.first_moments = arrays_with_prefix(a, kFirstMoment);
  s.second_moments = arrays_with_prefix(a, kSecondMoment);
}

// Format 1 kept its parameters, optimiser moments and history positionally, in the order
// W, b, γ, β of each layer (b always present; γ, β on hidden layers).
void read_v1(const RunArchive& a, const json& meta, TrainerState& s) {
  s.optimiser_phase = meta.at("adam_phase").get<int>();
  s.optimiser_steps = meta.at("adam_t").get<long>();
  const json& es = meta.at("epoch_sums");
  s.epoch_activation = es.at(0);
  s.epoch_regulariser = es.at(1);
  s.epoch_loss = es.at(2);
  s.epoch_steps = es.at(3);
  const json& ema = meta.at("ema");
  s.ema_weight = ema.at(0);
  s.ema = {ema.at(1), ema.at(2), ema.at(3), ema.at(4)};
  for (auto& e : meta.at("epochs"))
    s.epochs.push_back({e.at(0), e.at(1), e.at(2), e.at(3), e.at(4), e.at(5), e.at(6), e.at(7)});
  for (auto& e : meta.at("steps")) s.steps.push_back({e.at(0), e.at(1), e.at(2), e.at(3)});
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
  meta["mei_activation"] = s.mei_activation;
  meta["step"] = s.step;
  meta["stopped_by_rule"] = s.stopped_by_rule;
  meta["wall_seconds"] = s.wall_seconds;
  meta["rng"] = s.rng;
  const bool optimiser = options.optimiser_state;
  meta["optimiser"] = {{"phase", optimiser ? s.optimiser_phase : -1},
                       {"steps", optimiser ? s.optimiser_steps : 0}};
  meta["epoch_sums"] = {{"activation", s.epoch_activation},
                        {"regulariser", s.epoch_regulariser},
                        {"loss", s.epoch_loss},
                        {"steps", s.epoch_steps}};
  meta["ema"] = {{"weight", s.ema_weight},
                 {"step", s.ema.step},
                 {"activation", s.ema.activation},
                 {"regulariser", s.ema.regulariser},
                 {"loss", s.ema.loss}};
  meta["epochs"] = epochs_to_json(options.history ? s.epochs : std::vector<EpochRecord>{});
  meta["steps"] = steps_to_json(options.history ? s.steps : std::vector<StepRecord>{});
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

void save_trainer(const Trainer& trainer, const std::string& path, const SavedRunOptions& options) {
  write_saved_run(path, trainer.state(), options);
}

std::unique_ptr<Trainer> load_trainer(const std::string& path) {
  TrainerState s = read_saved_run(path);
  validate(s.config, path + " (config)");
  try {
    return Trainer::restore(s);
  } catch (const ConfigError&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": corrupted run file (" + e.what() + ")");
  }
}

}  // namespace invex

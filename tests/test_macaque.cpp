// The macaque V1 ensemble: the state-dict reader, the model loader's checks, parity with the
// reference vectors of the original implementation, and the input gradient.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <caffe2/serialize/inline_container.h>
#include <doctest/doctest.h>
#include <stdlib.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/io/atomic_file.h"
#include "core/io/mei_cache.h"
#include "core/io/npy.h"
#include "core/neurons/macaque_ensemble.h"
#include "core/neurons/torch_state_dict.h"
#include "core/support/thread_pool.h"
#include "tests/test_support.h"

namespace invex {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

const std::string kModelDir = testing::kMacaqueModelDir;
const std::string kReferenceDir = testing::kMacaqueReferenceDir;
const std::string kKeyAC = "3639406161189", kKeyB = "3631807112901";

bool have_shared_data() { return testing::have_macaque_data(); }

const MacaqueModels& originals() {
  static const MacaqueModels models = load_macaque_models(kModelDir);
  return models;
}

at::Tensor reference(const std::string& name) {
  NpyArray a = read_npy(kReferenceDir + "/" + name);
  std::vector<int64_t> shape(a.shape.begin(), a.shape.end());
  return at::from_blob(a.data.data(), shape, at::kFloat).clone();
}

// Relative error of a against the reference b: max_i |a_i − b_i| / max(|b_i|, 1% of max |b|).
// Pointwise relative where values are not tiny; near zero (ELU outputs, sparse maps) measured
// against 1% of the array's scale rather than against the value itself.
double relative_error(const at::Tensor& a, const at::Tensor& b) {
  const double floor = 0.01 * b.abs().max().item<double>();
  return ((a.to(at::kDouble) - b.to(at::kDouble)).abs() / b.abs().to(at::kDouble).clamp_min(floor))
      .max()
      .item<double>();
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

void write_state_dict(const std::string& path, const std::map<std::string, at::Tensor>& tensors) {
  c10::Dict<std::string, at::Tensor> d;
  for (const auto& [k, v] : tensors) d.insert(k, v);
  const std::vector<char> bytes = torch::jit::pickle_save(d);
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A copy of the model directory, each file re-saved as torch::pickle_save writes a dict, with
// `edit` applied to the tensors of `file`.
void write_model_dir(const TempDir& dir, const std::string& file,
                     const std::function<void(std::map<std::string, at::Tensor>&)>& edit) {
  for (const char* name : kMacaqueModelFiles) {
    auto tensors = read_torch_state_dict(kModelDir + "/" + name);
    if (name == file) edit(tensors);
    write_state_dict(dir / name, tensors);
  }
}

std::vector<char> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("read_torch_state_dict reads GPU-saved OrderedDicts and agrees with LibTorch's reader") {
  if (!have_shared_data()) return;
  for (const char* name : kMacaqueModelFiles) {
    CAPTURE(name);
    auto original = read_torch_state_dict(kModelDir + "/" + name);
    auto plain = read_torch_state_dict(kModelDir + "/plain/" + name);
    // torch::pickle_load reads the plain copies (a dict saved on the CPU): an independent reader.
    auto libtorch =
        torch::jit::pickle_load(file_bytes(kModelDir + "/plain/" + name)).toGenericDict();
    CHECK(original.size() == 127);
    CHECK(plain.size() == 127);
    CHECK(libtorch.size() == 127);
    for (const auto& item : libtorch) {
      const std::string key = item.key().toStringRef();
      CAPTURE(key);
      REQUIRE(original.count(key) == 1);
      CHECK(original[key].device().is_cpu());
      CHECK((original[key].scalar_type() == item.value().toTensor().scalar_type()));
      CHECK(at::equal(original[key], item.value().toTensor()));
      CHECK(at::equal(plain[key], item.value().toTensor()));
    }
  }
  auto m10 = read_torch_state_dict(kModelDir + "/monkey_model10.pt");
  CHECK(m10.at("core.features.layer0.conv.weight").sum().item<double>() ==
        doctest::Approx(17.1574).epsilon(1e-5));
  CHECK((m10.at("core.features.layer0.norm.num_batches_tracked").scalar_type() == at::kLong));
}

TEST_CASE("read_torch_state_dict: strided and shared storages, C++-saved dicts, bad files") {
  TempDir dir;
  auto base = at::arange(12, at::kFloat).view({3, 4});
  write_state_dict(dir / "views.pt", {{"t", base.t()},
                                      {"row", base.select(0, 1)},
                                      {"ints", at::arange(5, at::kLong)},
                                      {"half", at::ones({2}, at::kDouble)}});
  auto read = read_torch_state_dict(dir / "views.pt");
  REQUIRE(read.size() == 4);
  CHECK(at::equal(read.at("t"), base.t()));
  CHECK(at::equal(read.at("row"), base.select(0, 1)));
  CHECK(at::equal(read.at("ints"), at::arange(5, at::kLong)));
  CHECK((read.at("half").scalar_type() == at::kDouble));

  auto message = error_of([&] { read_torch_state_dict(dir / "absent.pt"); });
  CHECK(message == dir / "absent.pt" + ": no such file");
  std::ofstream(dir / "text.pt") << "not a zip archive\n";
  message = error_of([&] { read_torch_state_dict(dir / "text.pt"); });
  CHECK(message.find(dir / "text.pt" + ": not a PyTorch zip archive") == 0);
  CHECK(message.find('\n') == std::string::npos);
  {
    caffe2::serialize::PyTorchStreamWriter writer(dir / "nopickle.pt");
    writer.writeRecord("other", "x", 1);
  }
  CHECK(error_of([&] { read_torch_state_dict(dir / "nopickle.pt"); }) ==
        dir / "nopickle.pt" + ": a zip archive without data.pkl, not saved by torch.save");
  auto bytes = torch::jit::pickle_save(at::ones({2}));
  std::ofstream(dir / "tensor.pt", std::ios::binary).write(bytes.data(), bytes.size());
  CHECK(error_of([&] { read_torch_state_dict(dir / "tensor.pt"); }) ==
        dir / "tensor.pt" + ": holds a tensor, not a state dict");
}

TEST_CASE("load_macaque_models names the file, the tensor and the shapes of bad input") {
  if (!have_shared_data()) return;
  TempDir dir;
  CHECK(error_of([&] { load_macaque_models(dir / "none"); }) ==
        dir / "none" +
            ": no such directory (expected the macaque V1 model files monkey_model3.pt, "
            "monkey_model10.pt, monkey_model12.pt)");
  CHECK(error_of([&] { load_macaque_models(dir.path); }) == dir / "monkey_model3.pt: no such file");

  const std::string conv = "core.features.layer1.ds_conv.spatial_conv.weight";
  write_model_dir(dir, "monkey_model10.pt", [&](auto& t) { t.erase(conv); });
  CHECK(error_of([&] { load_macaque_models(dir.path); }) ==
        dir / "monkey_model10.pt: tensor " + conv +
            " is missing (expected shape (32, 1, 9, 9)); not a macaque V1 model file");

  write_model_dir(dir, "monkey_model12.pt", [&](auto& t) { t[conv] = at::zeros({32, 1, 7, 7}); });
  CHECK(error_of([&] { load_macaque_models(dir.path); }) ==
        dir / "monkey_model12.pt: tensor " + conv +
            " has shape (32, 1, 7, 7) Float, expected (32, 1, 9, 9) float");

  const std::string features = "readout." + kKeyB + ".features";
  write_model_dir(dir, "monkey_model3.pt", [&](auto& t) {
    t[features] = at::zeros({1, 96, 1, 28});
  });
  CHECK(error_of([&] { load_macaque_models(dir.path); }) ==
        dir / "monkey_model3.pt: tensor " + features +
            " has shape (1, 96, 1, 28) Float, expected (1, 96, 1, 29) float");

  write_model_dir(dir, "monkey_model3.pt", [&](auto& t) {
    for (auto it = t.begin(); it != t.end();)
      it = it->first.rfind("readout.", 0) == 0 ? t.erase(it) : ++it;
  });
  CHECK(error_of([&] { load_macaque_models(dir.path); }) ==
        dir /
            "monkey_model3.pt: no readout (tensors readout.<data key>.bias); not a macaque V1 "
            "model file");
}

TEST_CASE("a neuron is chosen by a data key of the files and an index in range") {
  if (!have_shared_data()) return;
  const auto& models = originals();
  CHECK(models.neurons.size() == 32);
  CHECK(models.neurons.at(kKeyAC) == 14);
  CHECK(models.neurons.at(kKeyB) == 29);
  auto message = error_of([&] { MacaqueEnsemble(models, "123", 0); });
  CHECK(message.find("neuron.data_key: '123' is not a data key of " + kModelDir +
                     "; valid keys (neurons): 3631807112901 (29) 3631896544452 (32)") == 0);
  CHECK(message.find(" 3639406161189 (14) ") != std::string::npos);
  CHECK(message.find('\n') == std::string::npos);
  CHECK(error_of([&] { MacaqueEnsemble(models, kKeyAC, 14); }) ==
        "neuron.index: 14 is out of range for data key 3639406161189, which has neurons 0..13");
  CHECK(error_of([&] { MacaqueEnsemble(models, kKeyAC, -1); }).find("out of range") !=
        std::string::npos);
  MacaqueEnsemble cell(models, kKeyAC, 11);
  CHECK(error_of([&] {
          cell.forward(at::zeros({2, 1, 92, 93}));
        }) == "macaque neuron input: the neuron expects N×1×93×93 images, got [2, 1, 92, 93]");
}

TEST_CASE("the literal pass reproduces the reference layer by layer") {
  if (!have_shared_data()) return;
  const auto& models = originals();
  at::NoGradGuard no_grad;
  auto x = reference("inputs.npy");
  const MacaqueModel& m10 = models.models[1];
  REQUIRE(m10.path.find("monkey_model10.pt") != std::string::npos);
  double e = relative_error(macaque_layer0(m10, x), reference("model10_layer0_eval.npy"));
  MESSAGE("model10_layer0_eval: relative error " << e);
  CHECK(e < 1e-4);
  e = relative_error(macaque_core(m10, x), reference("model10_core_eval.npy"));
  MESSAGE("model10_core_eval: relative error " << e);
  CHECK(e < 1e-4);
  const std::pair<int, const char*> files[] = {{0, "model3"}, {1, "model10"}, {2, "model12"}};
  for (const auto& [i, name] : files) {
    const std::string file = std::string(name) + "_eval_" + kKeyAC + ".npy";
    e = relative_error(macaque_responses(models.models[i], x, kKeyAC), reference(file));
    MESSAGE(file << ": relative error " << e);
    CHECK(e < 1e-4);
  }
}

TEST_CASE("the neuron reproduces the reference ensemble for every neuron of both keys") {
  if (!have_shared_data()) return;
  const auto& models = originals();
  at::NoGradGuard no_grad;
  auto x = reference("inputs.npy");
  for (const std::string& key : {kKeyAC, kKeyB}) {
    auto expected = reference("ens_eval_" + key + ".npy");
    std::vector<at::Tensor> got;
    for (int64_t i = 0; i < models.neurons.at(key); ++i)
      got.push_back(MacaqueEnsemble(models, key, i).forward(x));
    const double e = relative_error(at::stack(got, 1), expected);
    MESSAGE("ens_eval_" << key << ": relative error " << e);
    CHECK(e < 1e-4);
  }
  // Each model alone, through the neuron's fast pass.
  std::vector<at::Tensor> per_model;
  for (int64_t i = 0; i < 14; ++i)
    per_model.push_back(MacaqueEnsemble(models, kKeyAC, i).model_responses(x));
  auto all = at::stack(per_model, 2);  // images × models × neurons
  const std::pair<int, const char*> files[] = {{0, "model3"}, {1, "model10"}, {2, "model12"}};
  for (const auto& [i, name] : files) {
    const std::string file = std::string(name) + "_eval_" + kKeyAC + ".npy";
    const double e = relative_error(all.select(1, i), reference(file));
    MESSAGE(file << " (fast pass, each model alone): relative error " << e);
    CHECK(e < 1e-4);
  }
  // Cell A, as the reference README quotes it.
  auto a = MacaqueEnsemble(models, kKeyAC, 11).forward(x);
  const double quoted[] = {0.501, 1.723, 0.158, 2.110};
  for (int i = 0; i < 4; ++i)
    CHECK(a[i].item<double>() == doctest::Approx(quoted[i]).epsilon(1e-3));
}

TEST_CASE("the neuron's results do not depend on chunks or threads") {
  if (!have_shared_data()) return;
  MacaqueEnsemble cell(originals(), kKeyB, 27);
  at::manual_seed(3);
  auto x = at::randn({5, 1, 93, 93}).clamp(-1.7876, 2.1919);
  auto w = at::randn({5});
  at::Tensor r1, r2;
  const int threads = compute_threads();
  set_compute_threads(1);
  auto g1 = cell.forward_and_input_gradient(x, w, &r1);
  set_compute_threads(2);
  auto g2 = cell.forward_and_input_gradient(x, w, &r2);
  set_compute_threads(threads);
  CHECK(at::equal(g1, g2));
  CHECK(at::equal(r1, r2));
  at::NoGradGuard no_grad;
  CHECK(at::allclose(cell.forward(x), r1, 1e-6, 1e-6));
  for (int64_t i = 0; i < 5; ++i) {  // one image at a time, alone in its chunk
    auto xi = x.narrow(0, i, 1);
    CHECK(at::allclose(cell.forward(xi), r1.narrow(0, i, 1), 1e-5, 1e-6));
    CHECK(at::allclose(cell.input_gradient(xi, w.narrow(0, i, 1)), g1.narrow(0, i, 1), 1e-4, 1e-7));
  }
}

namespace {

MacaqueModel to_double(MacaqueModel m) {
  auto d = [](at::Tensor& t) { t = t.to(at::kDouble); };
  auto norm = [&](MacaqueBatchNorm& n) {
    d(n.weight), d(n.bias), d(n.running_mean), d(n.running_var);
  };
  d(m.conv0);
  norm(m.norm0);
  for (auto& l : m.layers) {
    d(l.in_depth), d(l.spatial), d(l.out_depth), norm(l.norm);
    d(l.squeeze_weight), d(l.squeeze_bias), d(l.excite_weight), d(l.excite_bias);
  }
  for (auto& [k, r] : m.readouts) d(r.grid), d(r.features), d(r.bias);
  return m;
}

// The literal ensemble response of one neuron, in the models' dtype.
at::Tensor literal_response(const std::vector<MacaqueModel>& models, const at::Tensor& x,
                            const std::string& key, int64_t index) {
  at::Tensor sum;
  for (const auto& m : models) {
    auto r = macaque_responses(m, x, key).select(1, index);
    sum = sum.defined() ? sum + r : r;
  }
  return sum / 3.0;
}

at::Tensor autograd_gradient(const std::function<at::Tensor(const at::Tensor&)>& f,
                             const at::Tensor& x, const at::Tensor& w) {
  at::AutoGradMode on(true);
  auto v = x.detach().clone().requires_grad_(true);
  return torch::autograd::grad({f(v)}, {v}, {w})[0];
}

}  // namespace

TEST_CASE("the input gradient agrees with autograd, and autograd with finite differences") {
  if (!have_shared_data()) return;
  const auto& models = originals();
  auto x = reference("inputs.npy");
  auto w = at::tensor({0.7, -1.3, 2.0, 0.4}, at::kFloat);
  for (int64_t index : {11, 13}) {
    CAPTURE(index);
    MacaqueEnsemble cell(models, kKeyAC, index);
    auto hand = cell.input_gradient(x, w);
    auto fast = autograd_gradient([&](const at::Tensor& v) { return cell.forward(v); }, x, w);
    auto literal = autograd_gradient(
        [&](const at::Tensor& v) { return literal_response(models.models, v, kKeyAC, index); }, x,
        w);
    const double scale = literal.abs().max().item<double>();
    const double e_fast = (hand - fast).abs().max().item<double>() / scale;
    const double e_literal = (hand - literal).abs().max().item<double>() / scale;
    MESSAGE("cell " << index << ": hand-written vs autograd of forward " << e_fast
                    << ", vs autograd of the literal pass " << e_literal
                    << " (max difference / max |gradient|)");
    CHECK(e_fast < 1e-5);
    CHECK(e_literal < 1e-5);
  }
  // Central differences in double on the literal pass, at pixels where cell A's gradient is
  // largest (the receptive field) and at a few others.
  std::vector<MacaqueModel> doubles;
  for (const auto& m : models.models) doubles.push_back(to_double(m));
  auto xd = x.narrow(0, 0, 2).to(at::kDouble);
  auto wd = at::tensor({1.0, -0.5}, at::kDouble);
  auto f = [&](const at::Tensor& v) { return literal_response(doubles, v, kKeyAC, 11); };
  auto g = autograd_gradient(f, xd, wd);
  const int64_t top = g.abs().flatten().argmax().item<int64_t>();
  const int64_t pixels = 93 * 93;
  at::NoGradGuard no_grad;
  for (int64_t flat : {top, top + 3, top + 93, pixels + 46 * 93 + 46, int64_t{50}}) {
    CAPTURE(flat);
    const double h = 1e-4;
    auto up = xd.clone(), down = xd.clone();
    up.view(-1)[flat] += h;
    down.view(-1)[flat] -= h;
    const double fd = ((f(up) - f(down)) * wd).sum().item<double>() / (2 * h);
    const double ad = g.view(-1)[flat].item<double>();
    CHECK(fd == doctest::Approx(ad).epsilon(1e-6).scale(g.abs().max().item<double>()));
  }
}

TEST_CASE("filters() is the receptive field: the gradient at a mean-grey image") {
  if (!have_shared_data()) return;
  const auto& models = originals();
  MacaqueEnsemble cell(models, kKeyAC, 11);
  auto f = cell.filters();
  REQUIRE(f.sizes() == at::IntArrayRef({1, 93, 93}));
  auto grey = at::zeros({1, 1, 93, 93});
  auto literal = autograd_gradient(
      [&](const at::Tensor& v) { return literal_response(models.models, v, kKeyAC, 11); }, grey,
      at::ones({1}));
  CHECK((f - literal.squeeze(1)).abs().max().item<double>() <
        1e-5 * literal.abs().max().item<double>());
}

}  // namespace invex

namespace invex {

TEST_CASE("a macaque MEI: progress at every step, cached by the model files' content") {
  if (!have_shared_data()) return;
  testing::CacheDirForTest cache;
  TempDir dir;
  // Two folders with the same files, then one with model 3 re-saved as a CPU dict (other bytes,
  // same tensors).
  for (const char* folder : {"a", "b", "c"}) {
    fs::create_directories(dir / folder);
    for (const char* f : kMacaqueModelFiles)
      fs::copy_file(fs::path(kModelDir) / f, dir / folder + "/" + f);
  }
  fs::copy_file(fs::path(kModelDir) / "plain" / kMacaqueModelFiles[0],
                dir / "c/" + kMacaqueModelFiles[0], fs::copy_options::overwrite_existing);
  RunConfig c = load_preset("macaque/cell-A");
  c.mei.steps = 3;
  c.neuron.models = dir / "a";
  int calls = 0;
  double last_best = -1e30;
  const double a = mei_activation_for(c, [&](int step, int steps, double best) {
    CHECK(step == ++calls);
    CHECK(steps == 3);
    CHECK(best >= last_best);
    last_best = best;
  });
  CHECK(calls == 3);
  CHECK(a == last_best);
  CHECK(a > 0);
  const std::string file = cache.dir / "mei.json";
  CHECK(nlohmann::json::parse(read_file(file)).size() == 1);
  c.neuron.models = dir / "b";
  calls = 0;
  CHECK(mei_activation_for(c, [&](int, int, double) { ++calls; }) == a);
  CHECK(calls == 0);  // the same files elsewhere: the same entry
  c.neuron.models = dir / "c";
  CHECK(mei_activation_for(c, [&](int, int, double) { ++calls; }) == doctest::Approx(a));
  CHECK(calls == 3);  // other bytes: computed again (the same tensors give the same value)
  CHECK(nlohmann::json::parse(read_file(file)).size() == 2);
  c.neuron.models.clear();
  CHECK_THROWS_WITH_AS(mei_activation_for(c), doctest::Contains("pass --models DIR"), ConfigError);
}

}  // namespace invex

namespace invex {

TEST_CASE("read_torch_state_dict reads bytes in memory as from a file, and damage is one line") {
  TempDir dir;
  write_state_dict(dir / "d.pt", {{"a", at::arange(6, at::kFloat).view({2, 3})},
                                  {"b", at::ones({4}, at::kDouble)}});
  const std::vector<char> bytes = file_bytes(dir / "d.pt");
  auto from_file = read_torch_state_dict(dir / "d.pt");
  auto from_memory = read_torch_state_dict(bytes.data(), bytes.size(), "d.pt in memory");
  REQUIRE(from_memory.size() == 2);
  CHECK(at::equal(from_memory.at("a"), from_file.at("a")));
  CHECK(at::equal(from_memory.at("b"), from_file.at("b")));
  // Every truncation and a flipped byte anywhere: a ConfigError of one line, never a crash.
  for (size_t cut : {size_t{0}, size_t{10}, bytes.size() / 2, bytes.size() - 1}) {
    CAPTURE(cut);
    const std::string m = error_of([&] { read_torch_state_dict(bytes.data(), cut, "cut.pt"); });
    CHECK(m.rfind("cut.pt: ", 0) == 0);
    CHECK(m.find('\n') == std::string::npos);
  }
  int errors = 0;
  for (size_t at = 0; at < bytes.size(); at += 7) {
    std::vector<char> damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5a);
    try {
      read_torch_state_dict(damaged.data(), damaged.size(), "damaged.pt");
    } catch (const ConfigError& e) {
      ++errors;
      CHECK(std::string(e.what()).find('\n') == std::string::npos);
    }
  }
  MESSAGE(errors << " of " << (bytes.size() + 6) / 7 << " one-byte damages were reported");
  CHECK(errors > 0);
}

}  // namespace invex

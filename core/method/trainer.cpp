#include "core/method/trainer.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "core/method/cppn.h"
#include "core/method/mei.h"
#include "core/method/objective.h"
#include "core/render/render.h"
#include "core/io/run_archive.h"
#include "core/neurons/torch_neuron.h"

namespace invex {

namespace {
std::atomic<int> g_compute_threads{1};
}

int set_compute_threads(int n) {
  if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  g_compute_threads = n;
  at::set_num_threads(1);
  return n;
}

int compute_threads() { return g_compute_threads.load(); }

const char* to_string(RunState s) {
  switch (s) {
    case RunState::Idle:
      return "idle";
    case RunState::Running:
      return "running";
    case RunState::Paused:
      return "paused";
    case RunState::Stopped:
      return "stopped";
    case RunState::Finished:
      return "finished";
    case RunState::Failed:
      return "failed";
  }
  return "?";
}

namespace {
using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}
at::Tensor to_tensor(const LatentPoints& z) {
  return at::from_blob(const_cast<float*>(z.data.data()), {z.count, z.dims}, at::kFloat).clone();
}
constexpr double kEmaDecay = 0.95;  // ~20-step memory for the live curves
constexpr size_t kMaxStepRecords = 4000;
}  // namespace

struct Trainer::Impl {
  RunConfig cfg;
  double mei = 1.0;
  CppnParameters params;
  std::unique_ptr<CppnGenerator> generator;
  std::unique_ptr<TorchNeuron> neuron;
  std::unique_ptr<ContrastiveGridLoss> loss;
  at::Tensor grid;  // N×D canonical grid, no jitter
  // Adam state, one per parameter in CppnParameters::list() order; reset at each λ phase.
  std::vector<at::Tensor> adam_m, adam_v;
  long adam_t = 0;
  int adam_phase = -1;
  std::mt19937_64 rng;
  int step = 0;
  bool stopped_by_rule = false;
  double wall = 0;
  // Current epoch's running sums.
  double epoch_act = 0, epoch_reg = 0, epoch_loss = 0;
  int epoch_steps = 0;
  std::vector<EpochRecord> epochs;
  std::vector<StepRecord> steps;
  // Exponential moving averages started from zero; dividing by ema_weight = 1 − decay^n removes
  // the start-up bias, so the first points of a curve are not dragged towards 0.
  StepRecord ema;
  double ema_weight = 0;

  int steps_per_phase() const { return cfg.training.epochs_per_reg * cfg.training.steps_per_epoch; }

  void build() {
    // The fused generator is the default; INVEX_REFERENCE_CPPN=1 selects the LibTorch-autograd
    // one it is tested against (for benchmarks and for checking a suspicious result).
    const char* ref = std::getenv("INVEX_REFERENCE_CPPN");
    generator = ref && *ref && *ref != '0'
                    ? make_reference_generator(params, cfg.image.height, cfg.image.width)
                    : make_fast_generator(params, cfg.image.height, cfg.image.width);
    neuron = make_torch_neuron(cfg.neuron);
    loss = std::make_unique<ContrastiveGridLoss>(cfg.latent, cfg.loss);
    grid = to_tensor(latent_grid(cfg.latent.dims(), cfg.latent.grid_points));
  }

  void reset_adam() {
    adam_m.clear();
    adam_v.clear();
    for (auto& p : params.list()) {
      adam_m.push_back(at::zeros_like(p, at::MemoryFormat::Contiguous).detach());
      adam_v.push_back(at::zeros_like(p, at::MemoryFormat::Contiguous).detach());
    }
    adam_t = 0;
  }

  // torch.optim.Adam with default betas (0.9, 0.999), eps 1e-8, no weight decay.
  void adam_update(const std::vector<at::Tensor>& grads) {
    c10::NoGradGuard no_grad;
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8, lr = cfg.training.lr;
    ++adam_t;
    const double bc1 = 1 - std::pow(b1, adam_t), bc2 = 1 - std::pow(b2, adam_t);
    auto list = params.list();
    for (size_t i = 0; i < list.size(); ++i) {
      if (!grads[i].defined()) continue;
      adam_m[i].mul_(b1).add_(grads[i], 1 - b1);
      adam_v[i].mul_(b2).addcmul_(grads[i], grads[i], 1 - b2);
      auto denom = (adam_v[i].sqrt() / std::sqrt(bc2)).add_(eps);
      list[i].addcdiv_(adam_m[i], denom, -lr / bc1);
    }
  }

  at::Tensor jittered_grid() {
    const int d = cfg.latent.dims();
    const double sigma = 2 * M_PI / cfg.latent.grid_points;
    std::uniform_real_distribution<double> u(-sigma / 2, sigma / 2);
    auto j = at::empty({1, d}, at::kFloat);
    for (int i = 0; i < d; ++i) j[0][i] = static_cast<float>(u(rng));
    return grid + j;
  }

  at::Tensor encode(const at::Tensor& z) const {
    return encode_latents(z, cfg.latent.periodic, cfg.cppn.aux_dim_scale);
  }
};

Trainer::Trainer() : impl_(std::make_unique<Impl>()) {}

Trainer::Trainer(const RunConfig& cfg, double mei) : impl_(std::make_unique<Impl>()) {
  validate(cfg, "config");
  auto& m = *impl_;
  m.cfg = cfg;
  m.mei = mei > 0 ? mei : mei_activation_for(cfg);
  m.params = init_cppn_parameters(cfg.cppn, cfg.latent.periodic, cfg.training.seed);
  m.rng.seed(cfg.training.seed * 2654435761ull + 12345);
  m.build();
}

Trainer::~Trainer() = default;

const RunConfig& Trainer::config() const { return impl_->cfg; }
double Trainer::mei_activation() const { return impl_->mei; }
int Trainer::step_index() const { return impl_->step; }
int Trainer::phase() const {
  return std::min<int>(impl_->step / impl_->steps_per_phase(),
                       static_cast<int>(impl_->cfg.training.reg_coefs.size()) - 1);
}
int Trainer::epoch_in_phase() const {
  return (impl_->step % impl_->steps_per_phase()) / impl_->cfg.training.steps_per_epoch;
}
bool Trainer::finished() const {
  return impl_->stopped_by_rule || impl_->step >= impl_->cfg.total_steps();
}
const std::vector<EpochRecord>& Trainer::epochs() const { return impl_->epochs; }
const std::vector<StepRecord>& Trainer::step_history() const { return impl_->steps; }
double Trainer::wall_seconds() const { return impl_->wall; }

StepResult Trainer::step(StepTimings* timings) {
  auto& m = *impl_;
  StepResult r;
  if (finished()) {
    r.finished = true;
    return r;
  }
  const auto t_start = Clock::now();
  const int phase = m.step / m.steps_per_phase();
  if (phase != m.adam_phase) {
    // A fresh optimiser for every λ phase, as the reference does.
    m.reset_adam();
    m.adam_phase = phase;
  }
  r.lambda = m.cfg.training.reg_coefs[phase];

  auto t0 = Clock::now();
  auto raw = m.generator->forward(m.encode(m.jittered_grid()));
  if (timings) timings->generate = ms_since(t0);

  // Chain rule by hand across the pieces, so each can use its cheapest gradient: autograd for
  // the (elementwise) transform, the neuron's own input gradient, the loss's hand-written one.
  t0 = Clock::now();
  auto x = raw.detach().requires_grad_(true);
  auto images = transform_images(m.cfg.image.transform, x);
  auto seen = images.detach();
  at::Tensor act;
  {
    c10::NoGradGuard no_grad;
    act = m.neuron->forward(seen) / m.mei;
  }
  const int64_t n = act.size(0);
  auto grad_seen = m.neuron->input_gradient(seen, at::full({n}, -1.0 / n, act.options()) / m.mei);
  if (timings) timings->transform_and_neuron = ms_since(t0);
  t0 = Clock::now();
  auto [reg, grad_reg] = m.loss->value_and_gradient(seen);
  grad_seen.sub_(grad_reg, r.lambda);
  const double loss = -act.mean().item<double>() - r.lambda * reg;
  if (timings) timings->loss = ms_since(t0);

  t0 = Clock::now();
  auto grad_images = torch::autograd::grad({images}, {x}, {grad_seen})[0];
  auto grads = m.generator->backward(grad_images);
  if (!m.cfg.cppn.bias)
    for (size_t l = 0, i = 0; l < m.params.weight.size(); ++l) {
      grads[i + 1].zero_();
      i += l + 1 < m.params.weight.size() ? 4 : 2;
    }
  if (timings) timings->backward = ms_since(t0);

  r.loss = loss;
  r.activation = act.mean().item<double>();
  r.min_activation = act.min().item<double>();
  r.regulariser = reg;
  bool finite = std::isfinite(r.loss);
  for (auto& g : grads)
    if (finite && g.defined() && !at::isfinite(g).all().item<bool>()) finite = false;
  if (!finite) {
    r.ok = false;
    r.message = "non-finite loss or gradient at step " + std::to_string(m.step) + " (loss " +
                std::to_string(r.loss) + "); the last good state is kept";
    m.wall += ms_since(t_start) / 1000;
    return r;
  }
  t0 = Clock::now();
  m.adam_update(grads);
  if (timings) timings->update = ms_since(t0);

  ++m.step;
  m.epoch_act += r.activation;
  m.epoch_reg += r.regulariser;
  m.epoch_loss += r.loss;
  ++m.epoch_steps;
  StepRecord cur{m.step, static_cast<float>(r.activation), static_cast<float>(r.regulariser),
                 static_cast<float>(r.loss)};
  m.ema.step = m.step;
  m.ema.activation = kEmaDecay * m.ema.activation + (1 - kEmaDecay) * cur.activation;
  m.ema.regulariser = kEmaDecay * m.ema.regulariser + (1 - kEmaDecay) * cur.regulariser;
  m.ema.loss = kEmaDecay * m.ema.loss + (1 - kEmaDecay) * cur.loss;
  m.ema_weight = kEmaDecay * m.ema_weight + (1 - kEmaDecay);
  const float w = static_cast<float>(m.ema_weight);
  m.steps.push_back({m.step, m.ema.activation / w, m.ema.regulariser / w, m.ema.loss / w});
  if (m.steps.size() > kMaxStepRecords) {
    // Thin the older half so a long run keeps its whole shape at bounded memory.
    std::vector<StepRecord> thinned;
    for (size_t i = 0; i < m.steps.size(); ++i)
      if (i % 2 == 0 || i >= m.steps.size() / 2) thinned.push_back(m.steps[i]);
    m.steps.swap(thinned);
  }

  if (m.step % m.cfg.training.steps_per_epoch == 0) {
    EpochRecord e;
    e.phase = phase;
    e.epoch = static_cast<int>(m.epochs.size());
    e.step = m.step;
    e.lambda = r.lambda;
    e.activation = m.epoch_act / m.epoch_steps;
    e.regulariser = m.epoch_reg / m.epoch_steps;
    e.loss = m.epoch_loss / m.epoch_steps;
    e.min_activation = r.min_activation;
    m.epochs.push_back(e);
    m.epoch_act = m.epoch_reg = m.epoch_loss = 0;
    m.epoch_steps = 0;
    r.epoch_finished = true;
    if (m.cfg.training.stop.enabled) {
      auto s = snapshot(true);
      double mean = 0, mn = 1e30;
      for (float a : s->sweep_activations) {
        mean += a;
        mn = std::min<double>(mn, a);
      }
      mean /= std::max<size_t>(1, s->sweep_activations.size());
      if (mean >= m.cfg.training.stop.mean && mn >= m.cfg.training.stop.min)
        m.stopped_by_rule = true;
    }
  }
  m.wall += ms_since(t_start) / 1000;
  r.finished = finished();
  return r;
}

std::shared_ptr<Snapshot> Trainer::snapshot(bool with_sweep) const {
  auto& m = *impl_;
  c10::NoGradGuard no_grad;
  auto s = std::make_shared<Snapshot>();
  s->config = m.cfg;
  s->mei_activation = m.mei;
  BatchStats stats;
  m.generator->forward(m.encode(m.grid), &stats);
  s->cppn = freeze_cppn(m.params, stats, m.cfg.latent.periodic, m.cfg.cppn.aux_dim_scale,
                        m.cfg.image.channels);
  s->step = m.step;
  s->total_steps = m.cfg.total_steps();
  s->phase = phase();
  s->epoch = epoch_in_phase();
  s->state = finished() ? RunState::Finished : RunState::Idle;
  if (m.stopped_by_rule) s->message = "stop rule met";
  s->wall_seconds = m.wall;
  s->steps_per_second = m.wall > 0 ? m.step / m.wall : 0;
  s->steps = m.steps;
  s->epochs = m.epochs;
  if (with_sweep) {
    s->sweep_latents = canonical_sweep(m.cfg.latent.periodic);
    s->sweep_images = render_images(*s, s->sweep_latents, m.cfg.image.height, m.cfg.image.width);
    auto& images = s->sweep_images;
    auto t =
        at::from_blob(images.data.data(),
                      {images.count, images.channels, images.height, images.width}, at::kFloat);
    auto a = (m.neuron->forward(t) / m.mei).contiguous();
    s->sweep_activations.assign(a.data_ptr<float>(), a.data_ptr<float>() + a.numel());
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Saved runs

namespace {
ArchiveTensor pack(const std::string& name, const at::Tensor& t) {
  auto c = t.detach().to(at::kFloat).contiguous();
  ArchiveTensor a;
  a.name = name;
  for (auto s : c.sizes()) a.shape.push_back(s);
  a.data.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  return a;
}
at::Tensor unpack(const RunArchive& a, const std::string& name, const std::string& path) {
  auto* t = a.find(name);
  if (!t) throw std::runtime_error(path + ": corrupted run file (tensor '" + name + "' missing)");
  std::vector<int64_t> shape(t->shape.begin(), t->shape.end());
  return at::from_blob(const_cast<float*>(t->data.data()), shape, at::kFloat).clone();
}
}  // namespace

void Trainer::save(const std::string& path) const {
  auto& m = *impl_;
  auto s = snapshot(false);
  nlohmann::json meta;
  meta["config"] = nlohmann::json::parse(config_to_json(m.cfg, -1));
  meta["mei_activation"] = m.mei;
  meta["step"] = m.step;
  meta["adam_t"] = m.adam_t;
  meta["adam_phase"] = m.adam_phase;
  meta["stopped_by_rule"] = m.stopped_by_rule;
  meta["wall_seconds"] = m.wall;
  std::ostringstream rng;
  rng << m.rng;
  meta["rng"] = rng.str();
  meta["epoch_sums"] = {m.epoch_act, m.epoch_reg, m.epoch_loss, m.epoch_steps};
  meta["ema"] = {m.ema_weight, m.ema.step, m.ema.activation, m.ema.regulariser, m.ema.loss};
  nlohmann::json ep = nlohmann::json::array();
  for (auto& e : m.epochs)
    ep.push_back({e.phase, e.epoch, e.step, e.lambda, e.activation, e.regulariser, e.loss,
                  e.min_activation});
  meta["epochs"] = ep;
  nlohmann::json st = nlohmann::json::array();
  for (auto& e : m.steps) st.push_back({e.step, e.activation, e.regulariser, e.loss});
  meta["steps"] = st;

  RunArchive a;
  a.tensors.push_back(pack("fourier", m.params.fourier));
  auto list = m.params.list();
  for (size_t i = 0; i < list.size(); ++i)
    a.tensors.push_back(pack("param." + std::to_string(i), list[i]));
  for (size_t i = 0; i < m.adam_m.size(); ++i) {
    a.tensors.push_back(pack("adam_m." + std::to_string(i), m.adam_m[i]));
    a.tensors.push_back(pack("adam_v." + std::to_string(i), m.adam_v[i]));
  }
  // The folded layers with frozen statistics, so a render needs no forward pass.
  for (size_t l = 0; l < s->cppn.layers.size(); ++l) {
    auto& L = s->cppn.layers[l];
    a.tensors.push_back({"frozen.weight." + std::to_string(l), {L.out, L.in}, L.weight});
    a.tensors.push_back({"frozen.bias." + std::to_string(l), {L.out}, L.bias});
  }
  meta["adam_count"] = m.adam_m.size();
  a.metadata_json = meta.dump();
  write_run_archive(path, a);
}

std::unique_ptr<Trainer> Trainer::load(const std::string& path) {
  RunArchive a = read_run_archive(path);
  std::unique_ptr<Trainer> t(new Trainer());
  auto& m = *t->impl_;
  try {
    auto meta = nlohmann::json::parse(a.metadata_json);
    m.cfg = parse_config(meta.at("config").dump(), path + " (config)");
    validate(m.cfg, path + " (config)");
    m.mei = meta.at("mei_activation").get<double>();
    m.step = meta.at("step").get<int>();
    m.adam_t = meta.at("adam_t").get<long>();
    m.adam_phase = meta.at("adam_phase").get<int>();
    m.stopped_by_rule = meta.at("stopped_by_rule").get<bool>();
    m.wall = meta.at("wall_seconds").get<double>();
    std::istringstream rng(meta.at("rng").get<std::string>());
    rng >> m.rng;
    auto es = meta.at("epoch_sums");
    m.epoch_act = es[0];
    m.epoch_reg = es[1];
    m.epoch_loss = es[2];
    m.epoch_steps = es[3];
    auto ema = meta.at("ema");
    m.ema_weight = ema[0].get<double>();
    m.ema = {ema[1].get<int>(), ema[2].get<float>(), ema[3].get<float>(), ema[4].get<float>()};
    for (auto& e : meta.at("epochs"))
      m.epochs.push_back({e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]});
    for (auto& e : meta.at("steps")) m.steps.push_back({e[0], e[1], e[2], e[3]});
    m.params = init_cppn_parameters(m.cfg.cppn, m.cfg.latent.periodic, m.cfg.training.seed);
    m.params.fourier = unpack(a, "fourier", path);
    auto list = m.params.list();
    for (size_t i = 0; i < list.size(); ++i) {
      auto v = unpack(a, "param." + std::to_string(i), path);
      if (!v.sizes().equals(list[i].sizes()))
        throw std::runtime_error(path + ": corrupted run file (parameter " + std::to_string(i) +
                                 " has the wrong shape for its config)");
      list[i].detach().copy_(v);
    }
    size_t count = meta.at("adam_count").get<size_t>();
    for (size_t i = 0; i < count; ++i) {
      m.adam_m.push_back(unpack(a, "adam_m." + std::to_string(i), path));
      m.adam_v.push_back(unpack(a, "adam_v." + std::to_string(i), path));
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": corrupted run file (metadata: " + e.what() + ")");
  }
  m.build();
  return t;
}

}  // namespace invex

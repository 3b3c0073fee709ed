#include "core/method/trainer.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <sstream>
#include <stdexcept>

#include "core/method/adam.h"
#include "core/method/contrastive_loss.h"
#include "core/method/cppn.h"
#include "core/method/image_transform.h"
#include "core/method/latent_grid.h"
#include "core/method/mei.h"
#include "core/neurons/torch_neuron.h"
#include "core/render/render.h"
#include "core/support/runtime_switches.h"

namespace invex {

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

NamedArray to_array(const std::string& name, const at::Tensor& t) {
  auto c = t.detach().to(at::kFloat).contiguous();
  NamedArray a{name, {}, {}};
  for (auto s : c.sizes()) a.shape.push_back(s);
  a.data.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  return a;
}

const NamedArray& find_array(const std::vector<NamedArray>& arrays, const std::string& name,
                             const char* what) {
  for (auto& a : arrays)
    if (a.name == name) return a;
  throw std::runtime_error(std::string(what) + " '" + name + "' is missing");
}

// The array as a tensor of `like`'s shape; throws when the shapes differ.
at::Tensor from_array(const NamedArray& a, const at::Tensor& like, const char* what) {
  const std::vector<int64_t> shape(a.shape.begin(), a.shape.end());
  if (!like.sizes().equals(shape) || static_cast<int64_t>(a.data.size()) != like.numel())
    throw std::runtime_error(std::string(what) + " '" + a.name +
                             "' has the wrong shape for its config");
  return at::from_blob(const_cast<float*>(a.data.data()), shape, at::kFloat).clone();
}

// The value and the image gradient of the loss −mean a − λ·reg (method.md §6) for one batch.
struct Objective {
  double loss = 0, activation = 0, min_activation = 0, regulariser = 0;
  at::Tensor grad_raw;  // dLoss / d(raw CPPN images)
};

}  // namespace

struct Trainer::Impl {
  RunConfig cfg;
  double mei = 1.0;
  CppnParameters params;
  std::unique_ptr<CppnGenerator> generator;
  std::unique_ptr<TorchNeuron> neuron;
  std::unique_ptr<ContrastiveGridLoss> loss;
  at::Tensor grid;  // N×D canonical grid, no jitter
  // A fresh optimiser for every λ phase, as the reference does.
  std::unique_ptr<Adam> adam;
  int adam_phase = -1;
  std::mt19937_64 rng;
  // The live curves are exponential moving averages started from zero; dividing by
  // progress.ema_weight = 1 − decay^n removes the start-up bias, so the first points of a curve
  // are not dragged towards 0.
  TrainerProgress progress;

  // Everything a step changes, as it was when a step started. A step whose loss is not finite
  // returns to the start of the last step that was finite: the update that step made is what
  // diverged (a finite but enormous weight only shows as a non-finite loss one step later).
  struct Rollback {
    std::vector<at::Tensor> params, first, second;
    long adam_steps = 0;
    int adam_phase = -1;
    TrainerProgress progress;
    std::mt19937_64 rng;
    bool valid = false;
  };
  Rollback this_step, last_good;

  void capture(Rollback& b) const {
    auto copy = [](std::vector<at::Tensor>& dst, const std::vector<at::Tensor>& src) {
      if (dst.size() != src.size()) {
        dst.clear();
        for (auto& t : src) dst.push_back(t.detach().clone());
      } else {
        for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i].detach());
      }
    };
    copy(b.params, params.list());
    copy(b.first, adam->first_moments());
    copy(b.second, adam->second_moments());
    b.adam_steps = adam->steps();
    b.adam_phase = adam_phase;
    b.progress = progress;
    b.rng = rng;
    b.valid = true;
  }

  void restore(const Rollback& b) {
    c10::NoGradGuard no_grad;
    auto list = params.list();
    for (size_t i = 0; i < list.size(); ++i) list[i].detach().copy_(b.params[i]);
    std::vector<at::Tensor> first, second;
    for (auto& t : b.first) first.push_back(t.clone());
    for (auto& t : b.second) second.push_back(t.clone());
    adam->restore(b.adam_steps, std::move(first), std::move(second));
    adam_phase = b.adam_phase;
    progress = b.progress;
    rng = b.rng;
  }

  int steps_per_phase() const { return cfg.training.epochs_per_reg * cfg.training.steps_per_epoch; }

  void build() {
    // The fused generator is the default; the runtime switch selects the LibTorch-autograd one
    // it is tested against (for benchmarks and for checking a suspicious result).
    generator = switches::reference_cppn()
                    ? make_reference_generator(params, cfg.image.height, cfg.image.width)
                    : make_fast_generator(params, cfg.image.height, cfg.image.width);
    neuron = make_torch_neuron(cfg.neuron);
    loss = std::make_unique<ContrastiveGridLoss>(cfg.latent, cfg.loss);
    grid = to_tensor(latent_grid(cfg.latent.dims(), cfg.latent.grid_points));
    adam = std::make_unique<Adam>(params.list(), cfg.training.lr);
  }

  void start_phase(int phase) {
    if (phase == adam_phase) return;
    adam->reset();
    adam_phase = phase;
  }

  // The whole grid shifted by one jitter vector shared by all points (method.md §4).
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

  Objective objective(const at::Tensor& raw, double lambda, StepTimings& time) const;
  void record(const StepResult& r);
  void finish_epoch(int phase, StepResult& r, const Trainer& trainer);
};

// Chain rule by hand across the pieces, so each can use its cheapest gradient: autograd for the
// (elementwise) transform, the neuron's own input gradient, the loss's hand-written one.
Objective Trainer::Impl::objective(const at::Tensor& raw, double lambda, StepTimings& time) const {
  Objective o;
  auto t0 = Clock::now();
  auto x = raw.detach().requires_grad_(true);
  auto images = transform_images(cfg.image.transform, x);
  auto seen = images.detach();
  // The loss is linear in the activations, so the weights of their gradient are known before
  // the forward pass and the neuron can do both in one.
  const int64_t n = seen.size(0);
  at::Tensor responses;
  auto grad_seen = neuron->forward_and_input_gradient(
      seen, at::full({n}, -1.0 / n, seen.options()) / mei, &responses);
  const at::Tensor act = responses / mei;
  time.transform_and_neuron = ms_since(t0);

  t0 = Clock::now();
  auto [reg, grad_reg] = loss->value_and_gradient(seen);
  grad_seen.sub_(grad_reg, lambda);
  o.activation = act.mean().item<double>();
  o.min_activation = act.min().item<double>();
  o.regulariser = reg;
  o.loss = -o.activation - lambda * reg;
  time.loss = ms_since(t0);

  t0 = Clock::now();
  o.grad_raw = torch::autograd::grad({images}, {x}, {grad_seen})[0];
  time.backward = ms_since(t0);
  return o;
}

// The running sums of the epoch and the live curves' moving averages.
void Trainer::Impl::record(const StepResult& r) {
  progress.epoch_activation += r.activation;
  progress.epoch_regulariser += r.regulariser;
  progress.epoch_loss += r.loss;
  ++progress.epoch_steps;
  progress.ema.step = progress.step;
  progress.ema.activation = kEmaDecay * progress.ema.activation + (1 - kEmaDecay) * r.activation;
  progress.ema.regulariser = kEmaDecay * progress.ema.regulariser + (1 - kEmaDecay) * r.regulariser;
  progress.ema.loss = kEmaDecay * progress.ema.loss + (1 - kEmaDecay) * r.loss;
  progress.ema_weight = kEmaDecay * progress.ema_weight + (1 - kEmaDecay);
  const float w = static_cast<float>(progress.ema_weight);
  progress.steps.push_back({progress.step, progress.ema.activation / w,
                            progress.ema.regulariser / w, progress.ema.loss / w});
  if (progress.steps.size() > kMaxStepRecords) {
    // Thin the older half so a long run keeps its whole shape at bounded memory.
    std::vector<StepRecord> thinned;
    for (size_t i = 0; i < progress.steps.size(); ++i)
      if (i % 2 == 0 || i >= progress.steps.size() / 2) thinned.push_back(progress.steps[i]);
    progress.steps.swap(thinned);
  }
}

// The epoch's record, then the stop rule on the canonical sweep (method.md §6).
void Trainer::Impl::finish_epoch(int phase, StepResult& r, const Trainer& trainer) {
  EpochRecord e;
  e.phase = phase;
  e.epoch = static_cast<int>(progress.epochs.size());
  e.step = progress.step;
  e.lambda = r.lambda;
  e.activation = progress.epoch_activation / progress.epoch_steps;
  e.regulariser = progress.epoch_regulariser / progress.epoch_steps;
  e.loss = progress.epoch_loss / progress.epoch_steps;
  e.min_activation = r.min_activation;
  progress.epochs.push_back(e);
  progress.epoch_activation = progress.epoch_regulariser = progress.epoch_loss = 0;
  progress.epoch_steps = 0;
  r.epoch_finished = true;
  if (!cfg.training.stop.enabled) return;
  auto s = trainer.snapshot(true);
  double mean = 0, mn = 1e30;
  for (float a : s->sweep_activations) {
    mean += a;
    mn = std::min<double>(mn, a);
  }
  mean /= std::max<size_t>(1, s->sweep_activations.size());
  if (mean >= cfg.training.stop.mean && mn >= cfg.training.stop.min)
    progress.stopped_by_rule = true;
}

Trainer::Trainer() : impl_(std::make_unique<Impl>()) {}

Trainer::Trainer(const RunConfig& cfg, double mei) : impl_(std::make_unique<Impl>()) {
  validate(cfg, "config");
  auto& m = *impl_;
  m.cfg = cfg;
  m.mei = mei > 0                  ? mei
          : cfg.mei.activation > 0 ? cfg.mei.activation
                                   : compute_mei(cfg.neuron, cfg.image, cfg.mei).activation;
  m.params = init_cppn_parameters(cfg.cppn, cfg.latent.periodic, cfg.training.seed);
  m.rng.seed(cfg.training.seed * 2654435761ull + 12345);
  m.build();
}

Trainer::~Trainer() = default;

const RunConfig& Trainer::config() const { return impl_->cfg; }
double Trainer::mei_activation() const { return impl_->mei; }
int Trainer::step_index() const { return impl_->progress.step; }
int Trainer::phase() const {
  return std::min<int>(impl_->progress.step / impl_->steps_per_phase(),
                       static_cast<int>(impl_->cfg.training.reg_coefs.size()) - 1);
}
int Trainer::epoch_in_phase() const {
  return (impl_->progress.step % impl_->steps_per_phase()) / impl_->cfg.training.steps_per_epoch;
}
bool Trainer::finished() const {
  return impl_->progress.stopped_by_rule || impl_->progress.step >= impl_->cfg.total_steps();
}
const std::vector<EpochRecord>& Trainer::epochs() const { return impl_->progress.epochs; }
const std::vector<StepRecord>& Trainer::step_history() const { return impl_->progress.steps; }
double Trainer::wall_seconds() const { return impl_->progress.wall_seconds; }

StepResult Trainer::step(StepTimings* timings) {
  auto& m = *impl_;
  StepResult r;
  if (finished()) {
    r.finished = true;
    return r;
  }
  const auto t_start = Clock::now();
  StepTimings local;
  StepTimings& time = timings ? *timings : local;
  m.capture(m.this_step);
  const int phase = m.progress.step / m.steps_per_phase();
  m.start_phase(phase);
  r.lambda = m.cfg.training.reg_coefs[phase];

  auto t0 = Clock::now();
  auto raw = m.generator->forward(m.encode(m.jittered_grid()));
  time.generate = ms_since(t0);
  const Objective o = m.objective(raw, r.lambda, time);
  t0 = Clock::now();
  const CppnGradients grads = m.generator->backward(o.grad_raw);
  time.backward += ms_since(t0);
  r.loss = o.loss;
  r.activation = o.activation;
  r.min_activation = o.min_activation;
  r.regulariser = o.regulariser;

  bool finite = std::isfinite(r.loss);
  for (auto& g : grads.list())
    if (finite && !at::isfinite(g).all().item<bool>()) finite = false;
  if (!finite) {
    r.ok = false;
    const int failed = m.progress.step;
    if (m.last_good.valid) m.restore(m.last_good);
    r.message = "non-finite loss or gradient at step " + std::to_string(failed) + " (loss " +
                std::to_string(r.loss) + "); the last good state is kept (step " +
                std::to_string(m.progress.step) + ")";
    m.progress.wall_seconds += ms_since(t_start) / 1000;
    return r;
  }
  t0 = Clock::now();
  m.adam->step(grads.list());
  time.update = ms_since(t0);

  std::swap(m.this_step, m.last_good);
  ++m.progress.step;
  m.record(r);
  if (m.progress.step % m.cfg.training.steps_per_epoch == 0) m.finish_epoch(phase, r, *this);
  m.progress.wall_seconds += ms_since(t_start) / 1000;
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
  s->step = m.progress.step;
  s->total_steps = m.cfg.total_steps();
  s->phase = phase();
  s->epoch = epoch_in_phase();
  s->state = finished() ? RunState::Finished : RunState::Idle;
  if (m.progress.stopped_by_rule) s->message = "stop rule met";
  s->wall_seconds = m.progress.wall_seconds;
  s->steps_per_second = m.progress.wall_seconds > 0 ? m.progress.step / m.progress.wall_seconds : 0;
  s->steps = m.progress.steps;
  s->epochs = m.progress.epochs;
  if (with_sweep) {
    s->sweep_latents = canonical_sweep(m.cfg.latent.periodic);
    s->sweep_activations = activations_at(*s, s->sweep_latents, &s->sweep_images);
  }
  return s;
}

std::vector<float> Trainer::activations_at(const Snapshot& s, const LatentPoints& z,
                                           ImageStack* images_out) const {
  auto& m = *impl_;
  c10::NoGradGuard no_grad;
  ImageStack images = render_images(s, z, m.cfg.image.height, m.cfg.image.width);
  auto t = at::from_blob(images.data.data(),
                         {images.count, images.channels, images.height, images.width}, at::kFloat);
  auto a = (m.neuron->forward(t) / m.mei).contiguous();
  std::vector<float> out(a.data_ptr<float>(), a.data_ptr<float>() + a.numel());
  if (images_out) *images_out = std::move(images);
  return out;
}

TrainerState Trainer::state() const {
  const auto& m = *impl_;
  TrainerState s;
  s.config = m.cfg;
  s.mei_activation = m.mei;
  s.progress = m.progress;
  std::ostringstream rng;
  rng << m.rng;
  s.rng = rng.str();
  s.parameters.push_back(to_array("fourier", m.params.fourier));
  const auto named = m.params.named();
  for (auto& [name, tensor] : named) s.parameters.push_back(to_array(name, tensor));
  s.optimiser_phase = m.adam_phase;
  s.optimiser_steps = m.adam->steps();
  for (size_t i = 0; i < named.size(); ++i) {
    s.first_moments.push_back(to_array(named[i].first, m.adam->first_moments()[i]));
    s.second_moments.push_back(to_array(named[i].first, m.adam->second_moments()[i]));
  }
  return s;
}

std::unique_ptr<Trainer> Trainer::restore(const TrainerState& s) {
  validate(s.config, "saved run (config)");
  std::unique_ptr<Trainer> t(new Trainer());
  auto& m = *t->impl_;
  m.cfg = s.config;
  m.mei = s.mei_activation;
  m.progress = s.progress;
  std::istringstream rng(s.rng);
  rng >> m.rng;
  if (!rng) throw std::runtime_error("the random generator's state does not parse");
  m.params = init_cppn_parameters(m.cfg.cppn, m.cfg.latent.periodic, m.cfg.training.seed);
  m.params.fourier =
      from_array(find_array(s.parameters, "fourier", "parameter"), m.params.fourier, "parameter");
  std::vector<at::Tensor> first, second;
  for (auto& [name, tensor] : m.params.named()) {
    tensor.detach().copy_(
        from_array(find_array(s.parameters, name, "parameter"), tensor, "parameter"));
    if (s.optimiser_phase >= 0) {
      first.push_back(from_array(find_array(s.first_moments, name, "optimiser state"), tensor,
                                 "optimiser state"));
      second.push_back(from_array(find_array(s.second_moments, name, "optimiser state"), tensor,
                                  "optimiser state"));
    }
  }
  m.build();
  m.adam_phase = s.optimiser_phase;
  if (s.optimiser_phase >= 0) m.adam->restore(s.optimiser_steps, first, second);
  return t;
}

}  // namespace invex

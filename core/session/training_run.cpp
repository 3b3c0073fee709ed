#include "core/session/training_run.h"

#include <chrono>

#include "core/io/mei_cache.h"
#include "core/io/saved_run.h"
#include "core/method/trainer.h"
#include "core/support/thread_pool.h"

namespace invex {

TrainerSource fresh_trainer(const RunConfig& cfg) {
  return [cfg] { return std::make_unique<Trainer>(cfg, mei_activation_for(cfg)); };
}

TrainerSource saved_trainer(const std::string& run_file) {
  return [run_file] { return load_trainer(run_file); };
}

TrainingRun::TrainingRun(RunConfig cfg, TrainerSource source, int threads)
    : config_(std::move(cfg)), source_(std::move(source)), threads_(threads) {
  thread_ = std::thread(&TrainingRun::worker, this);
}

TrainingRun::TrainingRun(RunConfig cfg, const std::string& resume_path, int threads)
    : TrainingRun(cfg, resume_path.empty() ? fresh_trainer(cfg) : saved_trainer(resume_path),
                  threads) {}

TrainingRun::~TrainingRun() {
  enqueue(Command::Quit);
  if (thread_.joinable()) thread_.join();
}

void TrainingRun::enqueue(Command c, std::string arg) {
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.emplace_back(c, std::move(arg));
  cv_.notify_all();
}
void TrainingRun::start() { enqueue(Command::Start); }
void TrainingRun::pause() { enqueue(Command::Pause); }
void TrainingRun::resume() { enqueue(Command::Resume); }
void TrainingRun::stop() { enqueue(Command::Stop); }
void TrainingRun::save(const std::string& path) { enqueue(Command::Save, path); }

SnapshotPtr TrainingRun::latest() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return latest_;
}
std::string TrainingRun::last_error() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return error_;
}
std::string TrainingRun::last_save_message() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return save_message_;
}

void TrainingRun::publish() {
  if (!trainer_) return;
  auto s = trainer_->snapshot(true);
  RunState st = state_.load();
  if (st != RunState::Finished || s->state != RunState::Finished) s->state = st;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!error_.empty()) s->message = error_;
  latest_ = std::move(s);
}

// Applies queued commands. Returns false when the run must end.
bool TrainingRun::take_commands(bool block) {
  std::deque<std::pair<Command, std::string>> todo;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (block) cv_.wait(lock, [&] { return !queue_.empty(); });
    todo.swap(queue_);
  }
  for (auto& [cmd, arg] : todo) {
    RunState s = state_.load();
    switch (cmd) {
      case Command::Quit:
        return false;
      case Command::Start:
      case Command::Resume:
        if (trainer_ && s != RunState::Finished && s != RunState::Failed)
          state_ = RunState::Running;
        break;
      case Command::Pause:
        if (s == RunState::Running) {
          state_ = RunState::Paused;
          publish();
        }
        break;
      case Command::Stop:
        if (s == RunState::Running || s == RunState::Paused) {
          state_ = RunState::Stopped;
          publish();
        }
        break;
      case Command::Save: {
        std::string msg;
        try {
          if (!trainer_) throw std::runtime_error("nothing to save: the run did not start");
          save_trainer(*trainer_, arg);
          msg = "saved " + arg;
        } catch (const std::exception& e) {
          msg = std::string("save failed: ") + e.what();
        }
        std::lock_guard<std::mutex> lock(mutex_);
        save_message_ = msg;
        break;
      }
    }
  }
  return true;
}

void TrainingRun::worker() {
  try {
    set_compute_threads(threads_);
    trainer_ = source_();
    if (trainer_->finished()) state_ = RunState::Finished;
    publish();
  } catch (const std::exception& e) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      error_ = e.what();
    }
    state_ = RunState::Failed;
    trainer_.reset();
  }
  using Clock = std::chrono::steady_clock;
  auto last_publish = Clock::now();
  for (;;) {
    if (!take_commands(state_.load() != RunState::Running)) break;
    if (state_.load() != RunState::Running) continue;
    StepResult r;
    try {
      r = trainer_->step();
    } catch (const std::exception& e) {
      r.ok = false;
      r.message = e.what();
    }
    if (!r.ok) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        error_ = r.message;
      }
      state_ = RunState::Failed;
      publish();
      continue;
    }
    if (r.finished) {
      state_ = RunState::Finished;
      publish();
      continue;
    }
    if (Clock::now() - last_publish >= std::chrono::duration<double>(publish_interval_seconds)) {
      publish();
      last_publish = Clock::now();
    }
  }
}

}  // namespace invex

// One object owns a training run on a background thread. Other threads send it commands
// through a queue and read the newest immutable snapshot; nobody ever waits for a step.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/run/config.h"
#include "core/run/snapshot.h"

namespace invex {

class Trainer;

// Makes the run's trainer; called once, on the run's own thread. Throws to fail the run.
using TrainerSource = std::function<std::unique_ptr<Trainer>()>;
// A fresh trainer for `cfg` (its MEI from io/mei_cache.h), or one continuing a saved run.
TrainerSource fresh_trainer(const RunConfig& cfg);
TrainerSource saved_trainer(const std::string& run_file);

class TrainingRun {
 public:
  // Builds nothing heavy on the caller's thread: the trainer (and its MEI) is made by `source`
  // on the worker, so the GUI stays responsive.
  TrainingRun(RunConfig cfg, TrainerSource source, int threads = 0);
  // A fresh run of `cfg`, or (`resume_path` not empty) the saved run at that path.
  explicit TrainingRun(RunConfig cfg, const std::string& resume_path = {}, int threads = 0);
  ~TrainingRun();  // stops and joins

  void start();  // from Idle, Paused or Stopped
  void pause();
  void resume();
  void stop();  // finishes the current step, publishes, keeps the state (can start again)
  // Asks the worker to save the run after the current step; result via last_save_message().
  void save(const std::string& path);

  SnapshotPtr latest() const;  // never blocks on training
  RunState state() const { return state_.load(); }
  const RunConfig& config() const { return config_; }
  std::string last_error() const;
  std::string last_save_message() const;
  double publish_interval_seconds = 0.1;

 private:
  enum class Command { Start, Pause, Resume, Stop, Save, Quit };
  void enqueue(Command c, std::string arg = {});
  void worker();
  void publish();
  bool take_commands(bool block);

  RunConfig config_;
  TrainerSource source_;
  int threads_;
  std::unique_ptr<Trainer> trainer_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::pair<Command, std::string>> queue_;
  std::atomic<RunState> state_{RunState::Idle};
  SnapshotPtr latest_;
  std::string error_, save_message_;
};

}  // namespace invex

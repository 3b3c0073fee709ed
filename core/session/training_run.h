// One object owns a training run on a background thread. Other threads send it commands
// through a queue and read the newest immutable snapshot; nobody ever waits for a step.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/run/config.h"
#include "core/run/snapshot.h"

namespace invex {

class Trainer;

class TrainingRun {
 public:
  // Builds nothing heavy on the caller's thread: the trainer (and its MEI) is set up on the
  // worker, so the GUI stays responsive. `resume_path`: a saved run to continue instead.
  explicit TrainingRun(RunConfig cfg, std::string resume_path = {}, int threads = 0);
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
  std::string resume_path_;
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

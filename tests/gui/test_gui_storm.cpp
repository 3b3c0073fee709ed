// The GUI's run controls under a storm: hundreds of Start, Pause, Resume, Stop, Reset and
// preset switches in random order with random small delays, as a person hammering the buttons
// would send them, through the same actions the buttons call. The app must not hang or crash,
// every retired run's thread must end, and the run must settle in the state the commands ask for.
// Run under ThreadSanitizer too (tests/sanitizers/run.sh).
#include <dirent.h>
#include <doctest/doctest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include "app/gui/app_state.h"
#include "core/run/config.h"
#include "tests/test_support.h"

using namespace invex;
using namespace invex::gui;
using invex::testing::TempDir;

namespace {

// Threads of this process, from /proc/self/task.
int thread_count() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (const dirent* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
  }
  return n;
}

// The thread count once it has held still for 200 ms. A thread that pthread_join has returned
// for can stay listed for a moment while the kernel finishes its exit, and under a sanitizer
// that moment is long enough to be counted.
int settled_thread_count() {
  int last = thread_count(), same = 0;
  for (int i = 0; i < 200 && same < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const int now = thread_count();
    same = now == last ? same + 1 : 0;
    last = now;
  }
  return last;
}

// Two presets that start at once (the MEI given) and never finish during the test.
void write_presets(const std::string& dir) {
  for (const char* name : {"circle/complex", "circle/orientation"}) {
    RunConfig c = load_preset(name);
    c.name = std::string("storm/") + (name + 7);
    c.mei.activation = 30;
    c.latent.grid_points = 20;
    std::filesystem::create_directories(dir + "/storm");
    std::ofstream(dir + "/" + c.name + ".json") << config_to_json(c);
  }
}

enum class Command { Start, Pause, Resume, Stop, Reset, SwitchPreset };

// What a command leaves the run in, after every earlier one has been applied in order
// (TrainingRun applies its queue in order; Reset and a preset switch make a fresh, idle run).
RunState after(Command c, RunState s) {
  switch (c) {
    case Command::Start:
    case Command::Resume:
      return RunState::Running;
    case Command::Pause:
      return s == RunState::Running ? RunState::Paused : s;
    case Command::Stop:
      return s == RunState::Running || s == RunState::Paused ? RunState::Stopped : s;
    case Command::Reset:
    case Command::SwitchPreset:
      return RunState::Idle;
  }
  return s;
}

// The button's action for each command (the Pause and Resume buttons call the run directly).
void send(AppState& s, Command c, std::mt19937& rng) {
  switch (c) {
    case Command::Start:
      if (s.run) s.run->start();
      break;
    case Command::Pause:
      if (s.run) s.run->pause();
      break;
    case Command::Resume:
      if (s.run) s.run->resume();
      break;
    case Command::Stop:
      if (s.run) s.run->stop();
      break;
    case Command::Reset:
      reset_run(s);
      break;
    case Command::SwitchPreset:
      select_preset(s, rng() % 2 ? "storm/complex" : "storm/orientation");
      break;
  }
}

}  // namespace

TEST_CASE("a storm of run commands ends in the last command's state, with no thread left over") {
  TempDir presets;
  write_presets(presets.path);
  setenv("INVEX_PRESETS", presets.path.c_str(), 1);
  AppState s;
  s.threads = 1;
  // A run of each preset started, stopped and retired first: the threads that stay for the
  // process (LibTorch's, the render worker's) exist before the count is taken.
  for (const char* preset : {"storm/orientation", "storm/complex"}) {
    select_preset(s, preset);
    REQUIRE(s.run);
    s.run->start();
    const auto t0 = std::chrono::steady_clock::now();
    while ((!s.run->latest() || s.run->latest()->step < 2) &&
           std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60))
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  retire_run(s);
  join_retired(s);
  const int threads_before = settled_thread_count();  // no run at all, as at the end
  select_preset(s, "storm/complex");

  std::mt19937 rng(20261203);
  RunState expected = RunState::Idle;
  int sent = 0;
  for (; sent < 400; ++sent) {
    // Run commands most of the time; a fresh run one time in ten.
    const unsigned pick = rng() % 20;
    const Command c = pick < 4    ? Command::Start
                      : pick < 8  ? Command::Pause
                      : pick < 12 ? Command::Resume
                      : pick < 16 ? Command::Stop
                      : pick < 18 ? Command::Reset
                                  : Command::SwitchPreset;
    send(s, c, rng);
    REQUIRE_MESSAGE(s.run, "command " << sent << " left no run: " << s.error);
    expected = after(c, expected);
    // What a frame does meanwhile: take the newest snapshot, never waiting for training.
    s.latest = s.run->latest();
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 8000));
  }

  const auto t0 = std::chrono::steady_clock::now();
  while (s.run->state() != expected &&
         std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(s.run->state() == expected);
  CHECK(s.run->last_error().empty());

  // Retire the last run as closing the window does: every thread the storm made has ended.
  retire_run(s);
  join_retired(s);
  CHECK(settled_thread_count() == threads_before);
  unsetenv("INVEX_PRESETS");
}

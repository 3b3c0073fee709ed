// Training a run into its directory: the loop behind `invex train` and `invex reproduce`
// (progress line, checkpoints, the stop rules, SIGINT/SIGTERM, the files of README "What
// `invex train --out DIR` writes").
#pragma once

#include <memory>
#include <string>

#include "core/io/run_directory.h"
#include "core/method/trainer.h"

namespace invex::cli {

// Makes SIGINT and SIGTERM end the loop cleanly (the run is saved) instead of the process.
void catch_interrupts();

// A fresh trainer for `cfg` whose run goes to `out`: checks that the neuron can be built and
// `out` is writable, and writes config.json there before the MEI is looked up (minutes the
// first time, then cached).
std::unique_ptr<Trainer> fresh_trainer(const RunConfig& cfg, const std::string& out,
                                       const std::string& command, bool quiet);

struct LoopOptions {
  std::string out;                      // the run directory (checkpoints)
  std::string command = "invex train";  // starts error lines
  bool quiet = false;                   // no progress line
  std::string label;  // starts the progress line, e.g. "[2/12 circle/orientation]"
  // Stop at the end of the first epoch whose canonical sweep meets the config's "expect".
  bool stop_when_expected = false;
  double time_limit_seconds = 0;  // > 0: stop once training has taken this long
};

struct LoopOutcome {
  int code = 0;         // the exit code: 0, 3 (non-finite loss) or 130 (signal)
  std::string stopped;  // why the run ended before its last step ("" if it did not)
  bool out_of_time = false;
};

// Steps until the schedule ends, a stop rule is met, time is up, a step fails or a signal
// arrives, writing checkpoints along the way.
LoopOutcome train_loop(Trainer& trainer, const LoopOptions& options);

// Writes the run directory and returns what report.json holds.
RunSummary finish_run(const Trainer& trainer, const std::string& out, LoopOutcome& outcome,
                      int threads);

// "mm:ss" or "h:mm:ss"; "--:--" for a negative or absurd time.
std::string clock_text(double seconds);

}  // namespace invex::cli

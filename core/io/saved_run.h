// A saved run (`run.invex`): a TrainerState in the run archive, so that `invex train --resume`,
// `invex render`, `invex gui --run` and the GUI's Save run all read and write the same file.
#pragma once

#include <memory>
#include <string>

#include "core/method/trainer.h"
#include "core/run/trainer_state.h"

namespace invex {

struct SavedRunOptions {
  bool optimiser_state = true;  // false: a smaller file that resumes with a fresh Adam
  bool history = true;          // false: no epoch records or live curves
};

// Written atomically; throws std::runtime_error naming the path and the OS reason.
void write_saved_run(const std::string& path, const TrainerState& state,
                     const SavedRunOptions& options = {});
// Throws std::runtime_error naming the file and what is wrong (not a run file, written by a
// newer invex, truncated, corrupted, a config that no longer validates). Reads format 1 too.
TrainerState read_saved_run(const std::string& path);

// The two above with a Trainer at either end.
void save_trainer(const Trainer& trainer, const std::string& path,
                  const SavedRunOptions& options = {});
std::unique_ptr<Trainer> load_trainer(const std::string& path);

}  // namespace invex

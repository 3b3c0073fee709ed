// save_trainer and load_trainer (io/saved_run.h): the saved-run file with a Trainer at either
// end. Kept apart from saved_run.cpp so the file format itself builds without LibTorch (the
// fuzz targets of tests/fuzz link it alone).
#include <stdexcept>

#include "core/io/saved_run.h"

namespace invex {

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

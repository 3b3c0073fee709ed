#include "core/run/run_state.h"

namespace invex {

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

}  // namespace invex

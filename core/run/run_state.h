// Where a run is in its life, as TrainingRun reports it.
#pragma once

namespace invex {

enum class RunState { Idle, Running, Paused, Stopped, Finished, Failed };

const char* to_string(RunState s);  // "idle", "running", ...

}  // namespace invex

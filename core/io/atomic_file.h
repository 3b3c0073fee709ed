// Every file the app writes goes to a temporary name in the same directory, then is renamed:
// a crash, a full disk or a kill never leaves a half-written file under the final name.
#pragma once

#include <string>

namespace invex {

// Throws std::runtime_error with the path and the OS reason on failure; the temporary file
// is removed and any existing file at `path` is left untouched.
void write_file_atomic(const std::string& path, const std::string& bytes);
void write_file_atomic(const std::string& path, const void* data, size_t size);
// How many writes this process has begun: with INVEX_FAIL_WRITE_AFTER (runtime_switches.h),
// write number N+1 onward fails with ENOSPC, so a test can choose which write meets a full disk.
long file_writes_attempted();
std::string read_file(const std::string& path);  // throws with the path and reason
// Creates the directory and its parents; throws with the path when it cannot.
void ensure_directory(const std::string& path);

}  // namespace invex

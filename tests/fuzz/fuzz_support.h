// What every fuzz target checks: a parse either succeeds with values in their documented ranges,
// or fails with a one-line message that names the file. Anything else (a crash, a sanitizer
// report, an exception of another kind, a message without the file) aborts, which libFuzzer
// records as a finding with the input that caused it.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <string>

namespace invex::fuzz {

[[noreturn]] inline void violated(const std::string& what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what.c_str());
  std::abort();
}

inline void require(bool holds, const std::string& what) {
  if (!holds) violated(what);
}

// The bytes libFuzzer gives, in a file of this process's own: the parsers under test read paths.
inline std::string input_file(const uint8_t* data, size_t size, const std::string& name) {
  static const std::string dir = [] {
    std::string d = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                    "/invex-fuzz-" + std::to_string(::getpid());
    ::mkdir(d.c_str(), 0700);
    return d;
  }();
  const std::string path = dir + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  require(f != nullptr, "cannot create " + path);
  require(std::fwrite(data, 1, size, f) == size, "cannot write " + path);
  std::fclose(f);
  return path;
}

// Runs `parse`; a failure must be a std::exception whose message is one line naming `file`.
// Returns whether the parse succeeded.
inline bool parses(const std::function<void()>& parse, const std::string& file) {
  try {
    parse();
    return true;
  } catch (const std::exception& e) {
    const std::string msg = e.what();
    require(msg.find('\n') == std::string::npos, "a message of more than one line: " + msg);
    require(msg.find(file) != std::string::npos,
            "a message that does not name " + file + ": " + msg);
    return false;
  }
}

}  // namespace invex::fuzz

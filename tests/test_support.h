// Helpers shared by the test files.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace invex::testing {

// The project's shared data folder, ../shared from the project root: the macaque V1 model files
// and the reference vectors of the original implementation.
inline const std::string kSharedDir = INVEX_SHARED_DIR;
inline const std::string kMacaqueModelDir = kSharedDir + "/models/macaque_v1";
inline const std::string kMacaqueReferenceDir = kSharedDir + "/reference/macaque";

// Whether the macaque V1 models and reference vectors are there. In CI (CI=true) their absence
// fails the test; elsewhere the test is skipped with a message saying where the files come from.
inline bool have_macaque_data() {
  namespace fs = std::filesystem;
  if (fs::exists(kMacaqueModelDir + "/monkey_model3.pt") && fs::exists(kMacaqueReferenceDir))
    return true;
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") {
    FAIL("the shared data (" << kMacaqueModelDir << ", " << kMacaqueReferenceDir
                             << ") is missing in CI");
  }
  MESSAGE("skipped: needs the shared data folder ../shared beside the repository ("
          << kSharedDir
          << "): models/macaque_v1/monkey_model{3,10,12}.pt (the macaque V1 models of the "
             "reference code, github.com/sinzlab/cppn_for_invariances) and reference/macaque/");
  return false;
}

// What `f` throws (an exception's message), or "(no exception)".
inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

// A fresh directory under /tmp, removed with everything in it when the test ends.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/invex_test_XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return path + "/" + name; }
  // Every file and directory below, relative and sorted.
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(path))
      out.push_back(e.path().lexically_relative(path).string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

// Points INVEX_CACHE_DIR at a fresh directory for the test, and back afterwards.
struct CacheDirForTest {
  TempDir dir;
  std::string before;
  bool had = false;
  CacheDirForTest() {
    if (const char* v = std::getenv("INVEX_CACHE_DIR")) had = true, before = v;
    setenv("INVEX_CACHE_DIR", dir.path.c_str(), 1);
  }
  ~CacheDirForTest() {
    if (had)
      setenv("INVEX_CACHE_DIR", before.c_str(), 1);
    else
      unsetenv("INVEX_CACHE_DIR");
  }
};

}  // namespace invex::testing

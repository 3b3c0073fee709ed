// Saved runs (`run.invex`) through read_saved_run and the config validation that load_trainer
// applies (core/io/run_archive.h, saved_run.h). The input's first byte chooses whether the
// archive's checksum is fixed up, so the fuzzer reaches the header and tensor table behind it as
// well as the checksum test itself. A run read holds a valid config and a step inside it.
#include <cstring>
#include <string>

#include "core/io/saved_run.h"
#include "tests/fuzz/fuzz_support.h"

using namespace invex;
using invex::fuzz::require;

namespace {

// The archive's checksum (run_archive.h): 64-bit FNV-1a of everything before it.
uint64_t fnv1a(const uint8_t* p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    const uint64_t sum = fnv1a(data + 1, size - 1);
    bytes.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  }
  const std::string path = invex::fuzz::input_file(reinterpret_cast<const uint8_t*>(bytes.data()),
                                                   bytes.size(), "run.invex");
  TrainerState s;
  const bool ok = invex::fuzz::parses(
      [&] {
        s = read_saved_run(path);
        validate(s.config, path + " (config)");
      },
      path);
  if (!ok) return 0;
  require(s.progress.step >= 0 && s.progress.step <= s.config.total_steps(),
          "a step outside the run's schedule");
  for (const NamedArray& a : s.parameters) {
    size_t count = 1;
    for (long d : a.shape) {
      require(d >= 0, "a negative dimension in " + a.name);
      count *= static_cast<size_t>(d);
    }
    require(count == a.data.size(), "tensor " + a.name + ": shape and values differ");
  }
  return 0;
}

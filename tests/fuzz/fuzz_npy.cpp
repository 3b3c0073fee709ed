// .npy headers and data through read_npy (core/io/npy.h): an array read has non-negative
// dimensions whose product is the number of values; anything else is refused naming the file.
#include <string>

#include "core/io/npy.h"
#include "tests/fuzz/fuzz_support.h"

using namespace invex;
using invex::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = invex::fuzz::input_file(data, size, "input.npy");
  NpyArray a;
  if (!invex::fuzz::parses([&] { a = read_npy(path); }, path)) return 0;
  size_t count = 1;
  for (long d : a.shape) {
    require(d >= 0, "a negative dimension");
    count *= static_cast<size_t>(d);
  }
  require(count == a.data.size(), "the shape's product differs from the number of values");
  require(size >= 10 + a.data.size() * 4, "more values than the file's bytes can hold");
  return 0;
}

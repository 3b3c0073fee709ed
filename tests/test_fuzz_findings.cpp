// Inputs found by fuzzing the parsers (tests/fuzz; their seed folders in tests/data/fuzz replay
// them under the fuzzer too). Each was undefined behaviour, a message without the file, or a
// message broken over lines; each is now refused with one line naming the file and the field.
#include <doctest/doctest.h>

#include <limits>
#include <string>

#include "core/io/atomic_file.h"
#include "core/io/npy.h"
#include "core/io/run_archive.h"
#include "core/run/config.h"
#include "tests/test_support.h"

using namespace invex;
using invex::testing::message_of;
using invex::testing::TempDir;

TEST_CASE("fuzz finding: a number too large for a double is malformed JSON, naming the file") {
  CHECK(message_of([] { parse_config(R"({"loss": {"tau": 30e2404}})", "c.json"); }) ==
        "c.json: malformed JSON: [json.exception.out_of_range.406] number overflow parsing "
        "'30e2404'");
}

TEST_CASE("fuzz finding: an integer field beyond int's range is refused, not converted") {
  CHECK(message_of(
            [] { parse_config(R"({"training": {"epochs_per_reg": 10000000000}})", "c.json"); }) ==
        "c.json: training.epochs_per_reg: expected an integer from -2147483648 to "
        "2147483647, got 10000000000");
}

TEST_CASE("fuzz finding: a schedule of more steps than an int counts is refused") {
  const RunConfig c = parse_config(
      R"({"training": {"reg_coefs": [1, 0.5, 0.2], "epochs_per_reg": 100000,
                       "steps_per_epoch": 100000}})",
      "c.json");
  CHECK(message_of([&] { validate(c, "c.json"); }) ==
        "c.json: training.steps_per_epoch: λ phases × epochs_per_reg × steps_per_epoch = "
        "30000000000 steps; at most 2147483647");
}

TEST_CASE("fuzz finding: a huge neighbourhood caps the radius instead of overflowing it") {
  CHECK(neighbour_radius(1e300, 10) == std::numeric_limits<int>::max());
  CHECK(neighbour_radius(0.1, 100) == 10);  // the usual case is untouched
  const RunConfig c = parse_config(R"({"loss": {"neighbor_size": 1e300}})", "c.json");
  CHECK(message_of([&] { validate(c, "c.json"); }).find("c.json: loss.neighbor_size: r = ") == 0);
}

TEST_CASE("fuzz finding: an npy header with control characters gives a one-line message") {
  TempDir dir;
  // Format 3.3 with a 3-byte header "Y\x03\n": no descr, fortran_order or shape in it.
  write_file_atomic(dir / "a.npy", std::string("\x93NUMPY\x03\x03\x03\x00\x00\x00Y\x03\n", 15));
  CHECK(message_of([&] { read_npy(dir / "a.npy"); }) ==
        dir / "a.npy" + ": malformed npy header: Y\\x03\\n");
  CHECK(one_line("a\tb\r\nc\x7f") == "a\tb\\r\\nc\\x7f");
}

namespace {

// A run archive written by hand (run_archive.h's layout), so its tensor table can say anything.
std::string archive_bytes(const std::string& header, const std::string& data) {
  std::string b = "INVEXRUN";
  const uint32_t version = kRunFormatVersion;
  const uint64_t hlen = header.size();
  b.append(reinterpret_cast<const char*>(&version), 4);
  b.append(reinterpret_cast<const char*>(&hlen), 8);
  b += header + data;
  uint64_t h = 1469598103934665603ull;  // FNV-1a, 64 bit
  for (unsigned char c : b) h = (h ^ c) * 1099511628211ull;
  b.append(reinterpret_cast<const char*>(&h), 8);
  return b;
}

}  // namespace

TEST_CASE("fuzz finding: a run file's empty tensor reads as empty, a huge count as truncated") {
  TempDir dir;
  // An empty tensor used to reach memcpy with a null destination.
  write_file_atomic(dir / "empty.invex", archive_bytes(R"({"metadata": {}, "tensors": [
                                       {"name": "e", "shape": [0], "count": 0},
                                       {"name": "x", "shape": [1], "count": 1}]})",
                                                       std::string("\0\0\x80\x3f", 4)));
  const RunArchive a = read_run_archive(dir / "empty.invex");
  REQUIRE(a.tensors.size() == 2);
  CHECK(a.tensors[0].data.empty());
  CHECK(a.tensors[1].data == std::vector<float>{1.0f});
  // 2^62 floats: count × 4 wraps to 0 in 64-bit bytes, which used to pass the length check.
  write_file_atomic(dir / "huge.invex", archive_bytes(R"({"metadata": {}, "tensors": [
                                       {"name": "h", "shape": [1], "count": 4611686018427387904}]})",
                                                      ""));
  CHECK(message_of([&] {
          read_run_archive(dir / "huge.invex");
        }).find("truncated run file (tensor 'h' runs past the end)") != std::string::npos);
}

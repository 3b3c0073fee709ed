// The saved-run file (`run.invex`): a small container of named float32 tensors plus JSON
// metadata, versioned and checksummed so that truncated, corrupted or newer files are refused
// with a clear message instead of being half-read.
#pragma once

#include <string>
#include <vector>

namespace invex {

constexpr int kRunFormatVersion = 1;

struct ArchiveTensor {
  std::string name;
  std::vector<long> shape;
  std::vector<float> data;
};

struct RunArchive {
  std::string metadata_json;
  std::vector<ArchiveTensor> tensors;
  const ArchiveTensor* find(const std::string& name) const;
};

// Layout: "INVEXRUN" | u32 version | u64 header length | header JSON (metadata + tensor table)
// | raw little-endian float32 data | u64 FNV-1a checksum of everything before it.
void write_run_archive(const std::string& path, const RunArchive& archive);
// Throws std::runtime_error naming the file and what is wrong (not a run file, written by a
// newer invex, truncated, checksum mismatch).
RunArchive read_run_archive(const std::string& path);

}  // namespace invex

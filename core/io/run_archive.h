// The container of the saved-run file (`run.invex`): named float32 arrays plus JSON metadata,
// versioned and checksummed so that truncated, corrupted or newer files are refused with a clear
// message instead of being half-read. What goes in it is io/saved_run.h's business.
#pragma once

#include <string>
#include <vector>

#include "core/run/named_array.h"

namespace invex {

// 2: named parameters and history (io/saved_run.cpp); 1: positional (still read).
constexpr int kRunFormatVersion = 2;

struct RunArchive {
  int version = kRunFormatVersion;  // of the file read; writes always use kRunFormatVersion
  std::string metadata_json;
  std::vector<NamedArray> tensors;
  const NamedArray* find(const std::string& name) const;
};

// Layout: "INVEXRUN" | u32 version | u64 header length | header JSON (metadata + tensor table)
// | raw little-endian float32 data | u64 FNV-1a checksum of everything before it.
void write_run_archive(const std::string& path, const RunArchive& archive);
// Throws std::runtime_error naming the file and what is wrong (not a run file, written by a
// newer invex, truncated, checksum mismatch).
RunArchive read_run_archive(const std::string& path);

}  // namespace invex

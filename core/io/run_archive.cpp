#include "core/io/run_archive.h"

#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/io/atomic_file.h"
#include "core/run/config.h"

namespace invex {
namespace {

constexpr char kMagic[8] = {'I', 'N', 'V', 'E', 'X', 'R', 'U', 'N'};

uint64_t fnv1a(const char* p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(p[i]);
    h *= 1099511628211ull;
  }
  return h;
}

template <typename T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

}  // namespace

const NamedArray* RunArchive::find(const std::string& name) const {
  for (auto& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

void write_run_archive(const std::string& path, const RunArchive& a) {
  nlohmann::json table = nlohmann::json::array();
  for (auto& t : a.tensors)
    table.push_back({{"name", t.name}, {"shape", t.shape}, {"count", t.data.size()}});
  nlohmann::json header = {{"metadata", nlohmann::json::parse(a.metadata_json)},
                           {"tensors", table}};
  std::string h = header.dump();
  std::string out(kMagic, sizeof kMagic);
  put<uint32_t>(out, kRunFormatVersion);
  put<uint64_t>(out, h.size());
  out += h;
  for (auto& t : a.tensors)
    out.append(reinterpret_cast<const char*>(t.data.data()), t.data.size() * sizeof(float));
  put<uint64_t>(out, fnv1a(out.data(), out.size()));
  write_file_atomic(path, out);
}

RunArchive read_run_archive(const std::string& path) {
  std::string bytes = read_file(path);
  // Tensor names come from the file: one_line keeps a damaged one from breaking the message.
  auto bad = [&](const std::string& why) {
    return std::runtime_error(one_line(path + ": " + why));
  };
  if (bytes.size() < sizeof kMagic + 12 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw bad("not an invex run file (expected a file written by invex train or the GUI)");
  uint32_t version;
  std::memcpy(&version, bytes.data() + 8, 4);
  if (version == 0) throw bad("corrupted run file (format 0)");
  if (version > static_cast<uint32_t>(kRunFormatVersion))
    throw bad("written by a newer invex (format " + std::to_string(version) +
              "); this build reads format " + std::to_string(kRunFormatVersion) + " and older");
  uint64_t hlen;
  std::memcpy(&hlen, bytes.data() + 12, 8);
  const size_t start = 20;
  if (bytes.size() < start + 8 || hlen > bytes.size() - start - 8)
    throw bad("truncated run file (" + std::to_string(bytes.size()) + " bytes)");
  uint64_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.substr(start, hlen));
  } catch (const std::exception&) {
    throw bad("corrupted run file (its header does not parse)");
  }
  RunArchive a;
  a.version = static_cast<int>(version);
  size_t offset = start + hlen;
  try {
    a.metadata_json = header.at("metadata").dump();
    for (auto& t : header.at("tensors")) {
      NamedArray at;
      at.name = t.at("name").get<std::string>();
      at.shape = t.at("shape").get<std::vector<long>>();
      size_t count = t.at("count").get<size_t>();
      // Compared as a count of floats, so a huge count cannot wrap the byte arithmetic.
      if (count > (bytes.size() - offset - 8) / sizeof(float))
        throw bad("truncated run file (tensor '" + at.name + "' runs past the end)");
      at.data.resize(count);
      // An empty tensor has no storage: memcpy's pointers must not be null even for 0 bytes.
      if (count > 0) std::memcpy(at.data.data(), bytes.data() + offset, count * sizeof(float));
      offset += count * sizeof(float);
      a.tensors.push_back(std::move(at));
    }
  } catch (const nlohmann::json::exception&) {
    throw bad("corrupted run file (its tensor table is malformed)");
  }
  if (offset + 8 != bytes.size())
    throw bad("truncated or padded run file (size does not match its table)");
  if (fnv1a(bytes.data(), bytes.size() - 8) != stored)
    throw bad("corrupted run file (checksum mismatch)");
  return a;
}

}  // namespace invex

#include "core/io/npy.h"

#include <cctype>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "core/io/atomic_file.h"
#include "core/run/config.h"

// The byte layout below is copied straight to and from memory.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "npy I/O assumes a little-endian host");

namespace invex {
namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

ConfigError npy_error(const std::string& path, const std::string& what) {
  return ConfigError(path + ": " + what);
}

std::string shape_tuple(const std::vector<long>& shape) {
  // NumPy's own spelling: "()" for a scalar, "(n,)" for one dimension.
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

// The value that follows 'key': in the header dict, as raw text up to its end.
std::string dict_value(const std::string& header, const std::string& key) {
  const std::string quoted[] = {"'" + key + "'", "\"" + key + "\""};
  size_t pos = std::string::npos;
  for (const auto& q : quoted) {
    pos = header.find(q);
    if (pos != std::string::npos) {
      pos += q.size();
      break;
    }
  }
  if (pos == std::string::npos) return {};
  pos = header.find(':', pos);
  if (pos == std::string::npos) return {};
  ++pos;
  while (pos < header.size() && std::isspace(static_cast<unsigned char>(header[pos]))) ++pos;
  if (pos >= header.size()) return {};
  const char open = header[pos];
  if (open == '\'' || open == '"') {
    const size_t end = header.find(open, pos + 1);
    if (end == std::string::npos) return {};
    return header.substr(pos + 1, end - pos - 1);
  }
  if (open == '(') {
    const size_t end = header.find(')', pos);
    if (end == std::string::npos) return {};
    return header.substr(pos, end - pos + 1);
  }
  size_t end = pos;
  while (end < header.size() && std::isalnum(static_cast<unsigned char>(header[end]))) ++end;
  return header.substr(pos, end - pos);
}

std::vector<long> parse_shape(const std::string& path, const std::string& tuple) {
  if (tuple.size() < 2 || tuple.front() != '(' || tuple.back() != ')')
    throw npy_error(path, "malformed shape in the npy header");
  std::vector<long> shape;
  size_t i = 1;
  while (i < tuple.size() - 1) {
    const char c = tuple[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
      ++i;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c)))
      throw npy_error(path, "malformed shape " + tuple + " in the npy header");
    long v = 0;
    while (i < tuple.size() - 1 && std::isdigit(static_cast<unsigned char>(tuple[i]))) {
      v = v * 10 + (tuple[i] - '0');
      if (v > (1L << 40)) throw npy_error(path, "shape " + tuple + " is too large");
      ++i;
    }
    shape.push_back(v);
  }
  return shape;
}

}  // namespace

void write_npy(const std::string& path, const std::vector<long>& shape, const float* data) {
  size_t count = 1;
  for (long d : shape) {
    if (d < 0) throw std::invalid_argument("write_npy: negative dimension for " + path);
    count *= static_cast<size_t>(d);
  }
  std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape_tuple(shape) + ", }";
  // NumPy pads magic + version + length + dict + '\n' to a multiple of 64 bytes so that the
  // data that follows is aligned for memory mapping.
  const size_t preamble = kMagicSize + 2 + 2;
  const size_t unpadded = preamble + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 65535) throw std::invalid_argument("write_npy: header too long for " + path);

  std::string bytes;
  bytes.reserve(preamble + header.size() + count * sizeof(float));
  bytes.append(kMagic, kMagicSize);
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>((header.size() >> 8) & 0xff);
  bytes += header;
  if (count) bytes.append(reinterpret_cast<const char*>(data), count * sizeof(float));
  write_file_atomic(path, bytes);
}

NpyArray read_npy(const std::string& path) {
  std::string bytes;
  try {
    bytes = read_file(path);
  } catch (const std::runtime_error& e) {
    throw ConfigError(e.what());
  }
  if (bytes.size() < kMagicSize + 4 || std::memcmp(bytes.data(), kMagic, kMagicSize) != 0)
    throw npy_error(path, "not an npy file (missing the \\x93NUMPY magic)");
  const auto byte = [&](size_t i) { return static_cast<size_t>(static_cast<uint8_t>(bytes[i])); };
  const int major = static_cast<int>(byte(6));
  size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = byte(8) | byte(9) << 8;
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw npy_error(path, "truncated npy header");
    header_len = byte(8) | byte(9) << 8 | byte(10) << 16 | byte(11) << 24;
    header_start = 12;
  } else {
    throw npy_error(path, "unsupported npy format version " + std::to_string(major));
  }
  if (bytes.size() < header_start + header_len) throw npy_error(path, "truncated npy header");
  const std::string header = bytes.substr(header_start, header_len);

  const std::string descr = dict_value(header, "descr");
  const std::string fortran = dict_value(header, "fortran_order");
  const std::string shape_text = dict_value(header, "shape");
  if (descr.empty() || fortran.empty() || shape_text.empty())
    throw npy_error(path, "malformed npy header: " + header);
  if (fortran == "True")
    throw npy_error(path, "Fortran-order arrays are not supported (save with C order)");
  if (fortran != "False") throw npy_error(path, "malformed fortran_order in the npy header");
  size_t item = 0;
  if (descr == "<f4") {
    item = 4;
  } else if (descr == "<f8") {
    item = 8;
  } else {
    throw npy_error(path, "unsupported dtype '" + descr + "' (expected '<f4' or '<f8')");
  }

  NpyArray out;
  out.shape = parse_shape(path, shape_text);
  size_t count = 1;
  for (long d : out.shape) {
    count *= static_cast<size_t>(d);
    if (count > (size_t{1} << 40)) throw npy_error(path, "array too large");
  }
  const size_t offset = header_start + header_len;
  const size_t need = count * item, have = bytes.size() - offset;
  if (have < need)
    throw npy_error(path, "truncated data: expected " + std::to_string(need) + " bytes, found " +
                              std::to_string(have));
  out.data.resize(count);
  if (item == 4) {
    if (count) std::memcpy(out.data.data(), bytes.data() + offset, need);
  } else {
    for (size_t i = 0; i < count; ++i) {
      double v;
      std::memcpy(&v, bytes.data() + offset + i * 8, 8);
      out.data[i] = static_cast<float>(v);
    }
  }
  return out;
}

}  // namespace invex

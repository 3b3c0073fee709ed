// NumPy .npy files (format 1.0, little-endian float32, C order), written atomically.
#pragma once

#include <string>
#include <vector>

namespace invex {

struct NpyArray {
  std::vector<long> shape;
  std::vector<float> data;
};

void write_npy(const std::string& path, const std::vector<long>& shape, const float* data);
// Reads float32 ('<f4') or float64 ('<f8', converted) arrays in C order; throws ConfigError
// naming the file and what is wrong.
NpyArray read_npy(const std::string& path);

}  // namespace invex

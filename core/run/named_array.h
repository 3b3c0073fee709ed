// A float32 array with a name and a shape (C order): how saved runs hold tensors.
#pragma once

#include <string>
#include <vector>

namespace invex {

struct NamedArray {
  std::string name;
  std::vector<long> shape;
  std::vector<float> data;
};

}  // namespace invex

// Test images as an ImageStack (needs ATen).
#pragma once

#include <ATen/ATen.h>

#include <algorithm>
#include <vector>

#include "core/run/image_stack.h"

namespace invex::testing {

// One H×W image per tensor, in order, as float.
inline ImageStack stack_of(const std::vector<at::Tensor>& images) {
  ImageStack s(static_cast<int>(images.size()), 1, static_cast<int>(images[0].size(0)),
               static_cast<int>(images[0].size(1)));
  for (size_t k = 0; k < images.size(); ++k) {
    auto f = images[k].to(at::kFloat).contiguous();
    std::copy(f.data_ptr<float>(), f.data_ptr<float>() + f.numel(), s.image(static_cast<int>(k)));
  }
  return s;
}

}  // namespace invex::testing

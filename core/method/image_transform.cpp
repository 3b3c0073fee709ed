#include "core/method/image_transform.h"

#include <ATen/ATen.h>

namespace invex {

at::Tensor transform_images(const TransformConfig& t, const at::Tensor& x) {
  if (t.type == "none") return x;
  const int64_t n = x.size(0);
  auto flat = x.reshape({n, -1});
  auto mean = flat.mean(1, true);
  auto centred = flat - mean;
  auto sd = centred.std(1, /*unbiased=*/true, /*keepdim=*/true);
  at::Tensor out;
  if (t.type == "fix-mean-std") {
    // As the reference: shift to mean m, then scale around 0 (not around m) to std s.
    out = t.std * (centred + t.mean) / (sd + 1e-12);
  } else {
    out = (t.std * centred / (sd + 1e-12) + t.mean).clamp(t.min, t.max);
  }
  return out.view(x.sizes());
}

}  // namespace invex

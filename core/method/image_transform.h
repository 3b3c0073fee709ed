// The image transforms of method.md §3 in training form (internal: needs ATen). The CPU copy
// that renders use is render/render.h's apply_transform; a test holds the two to each other.
#pragma once

#include <ATen/core/Tensor.h>

#include "core/run/config.h"

namespace invex {

// Per-image transform of N×C×H×W images, differentiable.
at::Tensor transform_images(const TransformConfig& t, const at::Tensor& images);

}  // namespace invex

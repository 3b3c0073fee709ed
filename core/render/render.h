// CPU rendering of a frozen CPPN at any resolution and any latent points (no torch).
#pragma once

#include <functional>

#include "core/run/config.h"
#include "core/run/image_stack.h"
#include "core/run/snapshot.h"

namespace invex {

// Called on the calling thread while a render runs, with the fraction of pixels done, often (every
// few thousand pixels). It may throw to abandon the render: the other threads stop and are joined
// before the exception leaves render_raw.
using RenderProgress = std::function<void(double fraction)>;

// Raw CPPN output in (−1, 1), K×C×H×W. Large renders use every core, split by blocks of pixels, so
// even a single large image is rendered in parallel.
ImageStack render_raw(const FrozenCppn& cppn, const LatentPoints& z, int height, int width,
                      const RenderProgress& progress = {});

// The instruction set of the kernels render_raw uses now: "avx2" or "base" (SSE2), for this CPU
// and the INVEX_RENDER_BASELINE switch.
const char* render_instruction_set();

// The image transform of method.md §3, per image, in place.
void apply_transform(const TransformConfig& t, ImageStack& images);

// render_raw followed by the run's transform: the images the neuron sees.
ImageStack render_images(const Snapshot& s, const LatentPoints& z, int height, int width,
                         const RenderProgress& progress = {});

}  // namespace invex

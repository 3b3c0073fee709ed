// Every environment variable invex reads, in one place (the README's "Runtime switches" lists
// them too). Each is read when asked, so a test can change one between calls.
//
//   INVEX_PRESETS          directory of preset JSON files (default: the source tree's
//                          assets/presets)
//   INVEX_MODELS           the folder of the macaque V1 model files (or a folder holding it as
//                          macaque_v1/), used when a config does not name one
//   INVEX_CACHE_DIR        where the MEI cache lives (default $XDG_CACHE_HOME/invex, else
//                          ~/.cache/invex)
//   INVEX_REFERENCE_CPPN=1 train with the LibTorch-autograd CPPN instead of the fused one
//                          (to check a suspicious result; slower)
//   INVEX_FAST_CPPN_ISA    sse2 | avx2: narrower fused-CPPN kernels than the CPU allows
//   INVEX_RENDER_BASELINE=1  the SSE2 render kernels even on an AVX2 CPU
//   INVEX_GUI_SCALE        GUI content scale (e.g. 1.5), instead of the monitor's
//   INVEX_GUI_TRACE_MS     print every GUI frame slower than this many milliseconds
//   INVEX_RENDER_PATH      cpu | shader: how the GUI draws the manifold (default: its shader
//                          on a GPU, CPU renders on a software rasteriser such as llvmpipe)
//   INVEX_FAIL_WRITE_AFTER=N  fault injection: the first N file writes of the process succeed,
//                          every later one fails as on a full disk (ENOSPC); for tests
#pragma once

#include <string>

namespace invex::switches {

std::string presets_dir();  // empty when not set
std::string models_dir();   // empty when not set
std::string cache_dir();    // empty when neither INVEX_CACHE_DIR, XDG_CACHE_HOME nor HOME is set
bool reference_cppn();
std::string fast_cppn_isa();  // empty when not set
bool render_baseline();
float gui_scale();          // 0 when not set or not a positive number
double gui_trace_ms();      // 0 when not set
std::string render_path();  // empty when not set
long fail_write_after();    // -1 when not set or not a whole number >= 0

}  // namespace invex::switches

// The GLSL of shaders/, embedded at build time (cmake/embed_shaders.cmake), so the binary
// finds its shaders wherever it runs from.
#pragma once

namespace invex::gui::shader_sources {

extern const char* const cppn_vert;  // shaders/cppn.vert.glsl
extern const char* const cppn_frag;  // shaders/cppn.frag.glsl

}  // namespace invex::gui::shader_sources

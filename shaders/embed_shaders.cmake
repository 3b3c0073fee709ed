# Turns every shaders/*.glsl into a C++ string literal of a generated source, so the binary
# carries its shaders and runs from any directory. Run as a script:
#   cmake -DSHADER_DIR=<shaders> -DOUT=<file.cpp> -P embed_shaders.cmake
# shaders/name.stage.glsl becomes invex::gui::shader_sources::name_stage (shader_sources.h).
file(GLOB shaders ${SHADER_DIR}/*.glsl)
list(SORT shaders)
set(out "// Generated at build time from shaders/*.glsl by shaders/embed_shaders.cmake.\n")
string(APPEND out "#include \"app/gui/shader_sources.h\"\n\nnamespace invex::gui::shader_sources {\n")
foreach(path ${shaders})
  get_filename_component(name ${path} NAME)
  string(REGEX REPLACE "\\.glsl$" "" name "${name}")
  string(REPLACE "." "_" name "${name}")
  file(READ ${path} text)
  string(APPEND out "const char* const ${name} = R\"invex_glsl(${text})invex_glsl\";\n")
endforeach()
string(APPEND out "}  // namespace invex::gui::shader_sources\n")
# Rewritten only when it changes, so an unchanged shader rebuilds nothing.
file(WRITE ${OUT}.new "${out}")
file(COPY_FILE ${OUT}.new ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.new)

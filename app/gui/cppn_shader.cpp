#include "app/gui/cppn_shader.h"

#include <glad/gl.h>

#include <algorithm>

#include "app/gui/shader_sources.h"
#include "app/gui/sweep_axes.h"
#include "core/export/colormap.h"

namespace invex::gui {

namespace {

constexpr GLuint kWeightsBinding = 0;

// Compiles one stage; 0 and the driver's log in `error` on failure.
GLuint compile(GLenum stage, const std::string& text, std::string& error) {
  const GLuint shader = glCreateShader(stage);
  const char* src = text.c_str();
  glShaderSource(shader, 1, &src, nullptr);
  glCompileShader(shader);
  GLint ok = GL_FALSE;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (ok == GL_TRUE) return shader;
  char log[1024] = {};
  glGetShaderInfoLog(shader, sizeof log, nullptr, log);
  error = std::string(stage == GL_VERTEX_SHADER ? "vertex" : "fragment") +
          " shader does not compile: " + log;
  glDeleteShader(shader);
  return 0;
}

int transform_code(const TransformConfig& t) {
  if (t.type == "fix-mean-std") return 1;
  if (t.type == "standardize-clip") return 2;
  return 0;
}

}  // namespace

std::string software_rasteriser() {
  const char* name = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  const std::string renderer = name ? name : "";
  for (const char* soft : {"llvmpipe", "softpipe", "swrast"})
    if (renderer.find(soft) != std::string::npos) return renderer;
  return {};
}

CppnImage cppn_image_at(const Snapshot& snap, const std::vector<float>& z) {
  const LatentPoints p = one_point(z, std::max(1, snap.cppn.latent_dims()));
  const ImageStack raw =
      render_raw(snap.cppn, p, snap.config.image.height, snap.config.image.width);
  CppnImage img;
  img.moments = image_moments(raw.image(0), raw.image_size());
  img.latent = latent_part(snap.cppn, p);
  return img;
}

CppnShader::~CppnShader() {
  release_program();
  if (vao_) glDeleteVertexArrays(1, &vao_);
  if (weights_) glDeleteBuffers(1, &weights_);
  if (palettes_[0]) glDeleteTextures(2, palettes_);
}

void CppnShader::release_program() {
  if (program_) glDeleteProgram(program_);
  program_ = 0;
  arch_ = ShaderArchitecture{};
}

bool CppnShader::build_program(const ShaderArchitecture& arch) {
  release_program();
  GLint max_block = 0;
  glGetIntegerv(GL_MAX_UNIFORM_BLOCK_SIZE, &max_block);
  if (arch.weight_vec4s * 16 > max_block) {
    failure_ = "the CPPN's " + std::to_string(arch.weight_vec4s * 4) +
               " weights exceed this driver's uniform block of " + std::to_string(max_block / 4);
    return false;
  }
  const std::string head = "#version 330 core\n";
  const GLuint vs = compile(GL_VERTEX_SHADER, head + shader_sources::cppn_vert, failure_);
  if (!vs) return false;
  const GLuint fs =
      compile(GL_FRAGMENT_SHADER, head + arch.defines() + shader_sources::cppn_frag, failure_);
  if (!fs) {
    glDeleteShader(vs);
    return false;
  }
  program_ = glCreateProgram();
  glAttachShader(program_, vs);
  glAttachShader(program_, fs);
  glBindFragDataLocation(program_, 0, "o_colour");
  glBindFragDataLocation(program_, 1, "o_value");
  glLinkProgram(program_);
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = GL_FALSE;
  glGetProgramiv(program_, GL_LINK_STATUS, &ok);
  if (ok != GL_TRUE) {
    char log[1024] = {};
    glGetProgramInfoLog(program_, sizeof log, nullptr, log);
    failure_ = std::string("the CPPN shader does not link: ") + log;
    release_program();
    return false;
  }
  glUniformBlockBinding(program_, glGetUniformBlockIndex(program_, "CppnWeights"), kWeightsBinding);
  latent_ = glGetUniformLocation(program_, "u_latent");
  window_ = glGetUniformLocation(program_, "u_window");
  size_ = glGetUniformLocation(program_, "u_size");
  origin_ = glGetUniformLocation(program_, "u_origin");
  transform_ = glGetUniformLocation(program_, "u_transform");
  args_ = glGetUniformLocation(program_, "u_transform_args");
  moments_ = glGetUniformLocation(program_, "u_moments");
  scale_ = glGetUniformLocation(program_, "u_scale");
  palette_ = glGetUniformLocation(program_, "u_palette");
  arch_ = arch;
  return true;
}

void CppnShader::upload_palettes() {
  glGenTextures(2, palettes_);
  const char* names[2] = {"grey", "diverging"};  // in the order of Colormap
  for (int m = 0; m < 2; ++m) {
    const std::vector<std::uint8_t> rgb = colormap_palette(names[m]);
    std::vector<float> rgba(256 * 4, 1.0f);
    for (int i = 0; i < 256; ++i)
      for (int c = 0; c < 3; ++c) rgba[i * 4 + c] = rgb[i * 3 + c] / 255.0f;
    glBindTexture(GL_TEXTURE_2D, palettes_[m]);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA32F, 256, 1, 0, GL_RGBA, GL_FLOAT, rgba.data());
  }
}

bool CppnShader::load(const SnapshotPtr& snap) {
  if (!snap) return false;
  if (snap == loaded_) return program_ != 0;
  loaded_ = snap;
  failure_ = shader_cannot_draw(snap->cppn);
  if (!failure_.empty()) return false;
  const ShaderArchitecture arch = shader_architecture(snap->cppn);
  if ((arch != arch_ || !program_) && !build_program(arch)) return false;
  if (!vao_) glGenVertexArrays(1, &vao_);  // the core profile draws only with one bound
  if (!palettes_[0]) upload_palettes();
  if (!weights_) glGenBuffers(1, &weights_);
  const std::vector<float> w = pack_shader_weights(snap->cppn);
  glBindBuffer(GL_UNIFORM_BUFFER, weights_);
  glBufferData(GL_UNIFORM_BUFFER, static_cast<GLsizeiptr>(w.size() * sizeof(float)), w.data(),
               GL_STATIC_DRAW);
  glBindBuffer(GL_UNIFORM_BUFFER, 0);
  failure_.clear();
  return true;
}

void CppnShader::draw(const std::vector<CppnImage>& images, float scale, Colormap map) {
  if (!program_ || !loaded_) return;
  glUseProgram(program_);
  glBindVertexArray(vao_);
  glBindBufferBase(GL_UNIFORM_BUFFER, kWeightsBinding, weights_);
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, palettes_[map == Colormap::Grey ? 0 : 1]);
  glUniform1i(palette_, 0);
  glUniform1f(scale_, scale);
  const TransformConfig& t = loaded_->config.image.transform;
  glUniform1i(transform_, transform_code(t));
  glUniform4f(args_, static_cast<float>(t.mean), static_cast<float>(t.std),
              static_cast<float>(t.min), static_cast<float>(t.max));
  glDisable(GL_BLEND);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_CULL_FACE);
  glEnable(GL_SCISSOR_TEST);
  for (const CppnImage& img : images) {
    if (static_cast<int>(img.latent.size()) < arch_.width || img.rows < 1 || img.cols < 1) continue;
    glViewport(img.x, img.y, img.cols, img.rows);
    const int first = std::clamp(img.first_row, 0, img.rows);
    const int count =
        img.row_count < 0 ? img.rows - first : std::min(img.row_count, img.rows - first);
    if (count <= 0) continue;
    glScissor(img.x, img.y + first, img.cols, count);
    glUniform1fv(latent_, arch_.width, img.latent.data());
    glUniform4f(window_, img.window.top, img.window.bottom, img.window.left, img.window.right);
    glUniform2i(size_, img.rows, img.cols);
    glUniform2i(origin_, img.x, img.y);
    glUniform2f(moments_, static_cast<float>(img.moments.mean), static_cast<float>(img.moments.sd));
    glDrawArrays(GL_TRIANGLES, 0, 3);
  }
  glDisable(GL_SCISSOR_TEST);
  glBindVertexArray(0);
  glUseProgram(0);
}

RenderTarget::~RenderTarget() { release(); }

void RenderTarget::release() {
  if (fbo_) glDeleteFramebuffers(1, &fbo_);
  if (colour_) glDeleteTextures(1, &colour_);
  if (value_) glDeleteTextures(1, &value_);
  fbo_ = colour_ = value_ = 0;
  width_ = height_ = 0;
}

namespace {

void allocate(GLuint tex, GLint format, GLenum channels, GLenum type, int w, int h) {
  glBindTexture(GL_TEXTURE_2D, tex);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glTexImage2D(GL_TEXTURE_2D, 0, format, w, h, 0, channels, type, nullptr);
}

}  // namespace

bool RenderTarget::resize(int width, int height) {
  if (width < 1 || height < 1) return false;
  if (fbo_ && width == width_ && height == height_) return true;
  // The colour texture keeps its name across sizes, so a draw list that names it stays valid.
  if (!fbo_) {
    glGenFramebuffers(1, &fbo_);
    glGenTextures(1, &colour_);
    if (floats_) glGenTextures(1, &value_);
  }
  allocate(colour_, floats_ ? GL_RGBA32F : GL_RGBA8, GL_RGBA, floats_ ? GL_FLOAT : GL_UNSIGNED_BYTE,
           width, height);
  if (floats_) allocate(value_, GL_R32F, GL_RED, GL_FLOAT, width, height);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, colour_, 0);
  if (floats_)
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT1, GL_TEXTURE_2D, value_, 0);
  const GLenum buffers[2] = {GL_COLOR_ATTACHMENT0, GL_COLOR_ATTACHMENT1};
  glDrawBuffers(floats_ ? 2 : 1, buffers);
  const bool complete = glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  width_ = width;
  height_ = height;
  return complete;
}

void RenderTarget::bind() const {
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glViewport(0, 0, width_, height_);
}

void RenderTarget::bind_window() { glBindFramebuffer(GL_FRAMEBUFFER, 0); }

std::vector<float> RenderTarget::read(int attachment, int channels) const {
  std::vector<float> px(static_cast<size_t>(width_) * height_ * channels);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo_);
  glReadBuffer(GL_COLOR_ATTACHMENT0 + attachment);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, width_, height_, channels == 4 ? GL_RGBA : GL_RED, GL_FLOAT, px.data());
  glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
  return px;
}

}  // namespace invex::gui

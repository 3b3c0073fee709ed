#include "app/gui/texture.h"

#include <glad/gl.h>

namespace invex::gui {

Texture::~Texture() { release(); }

void Texture::release() {
  if (id_ != 0) glDeleteTextures(1, &id_);
  id_ = 0;
  width_ = height_ = 0;
}

void Texture::upload(const std::uint8_t* rgba, int width, int height) {
  if (width <= 0 || height <= 0) return;
  ++uploads_;
  // Rows of odd widths (e.g. 93-pixel macaque images) are not 4-byte aligned per pixel row
  // in general; RGBA8 always is, but be explicit so a later format change cannot skew rows.
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  if (id_ != 0 && width == width_ && height == height_) {
    glBindTexture(GL_TEXTURE_2D, id_);
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    return;
  }
  if (id_ == 0) glGenTextures(1, &id_);
  glBindTexture(GL_TEXTURE_2D, id_);
  // Thumbnails and filters are shown at the training resolution: nearest filtering shows
  // the pixels the neuron actually sees instead of a blur that is not in the data.
  const GLint filter = smooth_ ? GL_LINEAR : GL_NEAREST;
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  width_ = width;
  height_ = height;
}

}  // namespace invex::gui

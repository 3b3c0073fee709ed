// A GL texture that the GUI refills in place: the size is fixed at first upload, later uploads
// of the same size use glTexSubImage2D so the driver keeps its storage.
#pragma once

#include <imgui.h>

#include <cstdint>

namespace invex::gui {

class Texture {
 public:
  explicit Texture(bool smooth = false) : smooth_(smooth) {}
  ~Texture();
  Texture(const Texture&) = delete;
  Texture& operator=(const Texture&) = delete;

  // Tightly packed RGBA8 rows, top row first.
  void upload(const std::uint8_t* rgba, int width, int height);
  void release();

  bool valid() const { return id_ != 0; }
  int width() const { return width_; }
  int height() const { return height_; }
  // Counts uploads of every texture: a frame whose draw commands are unchanged still needs
  // drawing when a texture's pixels changed.
  static std::uint64_t upload_count() { return uploads_; }
  // For pictures drawn into a texture by the GPU rather than uploaded: counted the same way.
  static void count_change() { ++uploads_; }
  ImTextureID imgui_id() const { return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(id_)); }

 private:
  unsigned int id_ = 0;
  int width_ = 0, height_ = 0;
  bool smooth_;
  static inline std::uint64_t uploads_ = 0;
};

}  // namespace invex::gui

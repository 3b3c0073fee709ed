// Exports: GIF, PNG frames, the figure, .npy files and atomic writes, checked by decoding the
// bytes with independent readers (giflib's decoder, stb_image) rather than our own code.
#include <doctest/doctest.h>
#include <gif_lib.h>
#include <stb/stb_image.h>  // implementation lives in Debian's libstb
#include <stdlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/export/colormap.h"
#include "core/export/export_options.h"
#include "core/export/figure.h"
#include "core/export/gif.h"
#include "core/export/png.h"
#include "core/io/atomic_file.h"
#include "core/io/npy.h"
#include "core/run/config.h"
#include "tests/test_support.h"

namespace fs = std::filesystem;
using namespace invex;
using invex::testing::message_of;
using invex::testing::TempDir;

namespace {

constexpr double kTwoPi = 6.283185307179586;
constexpr double kPi = 3.141592653589793;

// K frames of H×W: frame k is a ramp from -1 to 1 along the row, shifted by k/10, so every
// frame differs and the stack's largest |value| is known (1 + (K-1)/10 at the last frame).
ImageStack ramp_stack(int k, int h, int w) {
  ImageStack s(k, 1, h, w);
  for (int n = 0; n < k; ++n)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        s.image(n)[y * w + x] = -1.0f + 2.0f * x / (w - 1) + 0.1f * n + 0.01f * y;
  return s;
}

struct MemReader {
  const std::string* bytes;
  size_t pos = 0;
};

int read_mem(GifFileType* gif, GifByteType* out, int n) {
  auto* r = static_cast<MemReader*>(gif->UserData);
  const size_t take = std::min<size_t>(n, r->bytes->size() - r->pos);
  std::memcpy(out, r->bytes->data() + r->pos, take);
  r->pos += take;
  return static_cast<int>(take);
}

struct DecodedGif {
  GifFileType* gif = nullptr;
  MemReader reader;
  explicit DecodedGif(const std::string& bytes) : reader{&bytes} {
    int err = 0;
    gif = DGifOpen(&reader, read_mem, &err);
    REQUIRE(gif != nullptr);
    REQUIRE(DGifSlurp(gif) == GIF_OK);
  }
  ~DecodedGif() {
    int err = 0;
    DGifCloseFile(gif, &err);
  }
};

}  // namespace

TEST_CASE("export: symmetric scale spans the largest |value| of the whole stack") {
  ImageStack s(2, 1, 1, 2);
  s.data = {-0.5f, 0.25f, 0.8f, -0.1f};
  ColorScale c = symmetric_scale(s);
  CHECK(c.lo == doctest::Approx(-0.8));
  CHECK(c.hi == doctest::Approx(0.8));

  s.data = {-0.5f, NAN, INFINITY, -0.1f};  // non-finite pixels must not blow the scale up
  c = symmetric_scale(s);
  CHECK(c.hi == doctest::Approx(0.5));
  CHECK(c.lo == doctest::Approx(-0.5));

  s.data = {0, 0, 0, 0};
  c = symmetric_scale(s);
  CHECK(c.lo == -1.0f);
  CHECK(c.hi == 1.0f);

  CHECK(symmetric_scale(ramp_stack(5, 4, 6)).hi == doctest::Approx(1.0 + 0.4 + 0.03));
}

TEST_CASE("export: colour maps quantise to 256 levels and reject unknown names") {
  const ColorScale c{-1.0f, 1.0f};
  CHECK(quantise(-1.0f, c) == 0);
  CHECK(quantise(1.0f, c) == 255);
  CHECK(quantise(0.0f, c) == 128);  // 127.5 rounds up
  CHECK(quantise(0.5f, c) == 191);  // 0.75 · 255 = 191.25
  CHECK(quantise(-7.0f, c) == 0);   // clipped
  CHECK(quantise(NAN, c) == 128);

  const float px[4] = {-1.0f, 0.0f, 0.5f, 1.0f};
  const std::vector<uint8_t> grey = to_rgb(px, 2, 2, c, "grey");
  CHECK(grey == std::vector<uint8_t>{0, 0, 0, 128, 128, 128, 191, 191, 191, 255, 255, 255});

  const std::vector<uint8_t> div = to_rgb(px, 1, 4, c, "diverging");
  CHECK(std::vector<int>(div.begin(), div.begin() + 3) == std::vector<int>{33, 102, 172});
  CHECK(std::vector<int>(div.begin() + 9, div.end()) == std::vector<int>{178, 24, 43});
  for (int i = 3; i < 6; ++i) CHECK(div[i] >= 250);  // 0 is (almost) white
  CHECK(div[6] > div[8]);                            // 0.5 is reddish

  const std::string msg = message_of([&] { to_rgb(px, 2, 2, c, "viridis"); });
  CHECK(msg.find("viridis") != std::string::npos);
  CHECK(msg.find("grey, diverging") != std::string::npos);
  CHECK_THROWS_AS(check_colormap("gray"), ConfigError);
}

TEST_CASE("export: GIF decodes with giflib: frames, delay, looping, exact grey palette") {
  const ImageStack frames = ramp_stack(5, 8, 12);
  ExportOptions opt;
  opt.fps = 20;
  TempDir dir;
  const std::string path = dir / "manifold.gif";
  std::vector<double> seen;
  write_gif(path, frames, opt, [&](double f) {
    seen.push_back(f);
    return true;
  });
  CHECK(seen.size() == 5);
  CHECK(seen.back() == doctest::Approx(1.0));
  CHECK(dir.files() == std::vector<std::string>{"manifold.gif"});  // no temporary left over

  const std::string bytes = read_file(path);
  CHECK(bytes.substr(0, 6) == "GIF89a");
  DecodedGif d(bytes);
  CHECK(d.gif->SWidth == 12);
  CHECK(d.gif->SHeight == 8);
  REQUIRE(d.gif->ImageCount == 5);
  REQUIRE(d.gif->SColorMap != nullptr);
  REQUIRE(d.gif->SColorMap->ColorCount == 256);
  bool palette_exact = true;
  for (int i = 0; i < 256; ++i) {
    const GifColorType& c = d.gif->SColorMap->Colors[i];
    palette_exact = palette_exact && c.Red == i && c.Green == i && c.Blue == i;
  }
  CHECK(palette_exact);

  // NETSCAPE2.0 looping block: giflib attaches extensions to the image that follows them.
  const SavedImage& first = d.gif->SavedImages[0];
  bool netscape = false;
  for (int e = 0; e + 1 < first.ExtensionBlockCount; ++e) {
    const ExtensionBlock& b = first.ExtensionBlocks[e];
    if (b.Function == APPLICATION_EXT_FUNC_CODE && b.ByteCount == 11 &&
        std::memcmp(b.Bytes, "NETSCAPE2.0", 11) == 0) {
      const ExtensionBlock& sub = first.ExtensionBlocks[e + 1];
      CHECK(sub.Function == CONTINUE_EXT_FUNC_CODE);
      REQUIRE(sub.ByteCount == 3);
      CHECK(sub.Bytes[0] == 1);
      CHECK(sub.Bytes[1] == 0);  // loop count 0 = forever
      CHECK(sub.Bytes[2] == 0);
      netscape = true;
    }
  }
  CHECK(netscape);

  const ColorScale scale = symmetric_scale(frames);
  for (int k = 0; k < 5; ++k) {
    GraphicsControlBlock gcb;
    REQUIRE(DGifSavedExtensionToGCB(d.gif, k, &gcb) == GIF_OK);
    CHECK(gcb.DelayTime == 5);  // 20 fps = 5 centiseconds
    CHECK(gcb.TransparentColor == NO_TRANSPARENT_COLOR);
    const SavedImage& im = d.gif->SavedImages[k];
    REQUIRE(im.ImageDesc.Width == 12);
    REQUIRE(im.ImageDesc.Height == 8);
    int mismatches = 0;
    for (int i = 0; i < 8 * 12; ++i)
      mismatches += im.RasterBits[i] != quantise(frames.image(k)[i], scale);
    CHECK(mismatches == 0);
  }
  // A known pixel by hand: frame 4, row 0, col 0 is -1 + 0.4 = -0.6 on the scale ±1.47 (frame
  // 4, last row and column: 1 + 0.4 + 0.07) → (1.47 - 0.6) / 2.94 · 255 = 75.46 → level 75.
  CHECK(static_cast<int>(d.gif->SavedImages[4].RasterBits[0]) == 75);
}

TEST_CASE("export: GIF delays keep the loop duration exact at fps that do not divide 100") {
  ExportOptions opt;
  opt.fps = 30;
  DecodedGif d(encode_gif(ramp_stack(30, 2, 2), opt));
  REQUIRE(d.gif->ImageCount == 30);
  int total = 0, lo = 1000, hi = 0;
  for (int k = 0; k < 30; ++k) {
    GraphicsControlBlock gcb;
    REQUIRE(DGifSavedExtensionToGCB(d.gif, k, &gcb) == GIF_OK);
    total += gcb.DelayTime;
    lo = std::min(lo, gcb.DelayTime);
    hi = std::max(hi, gcb.DelayTime);
  }
  CHECK(total == 100);  // 30 frames at 30 fps = 1 s
  CHECK(lo == 3);
  CHECK(hi == 4);
}

TEST_CASE("export: diverging GIF palette is the sampled map") {
  ExportOptions opt;
  opt.colormap = "diverging";
  DecodedGif d(encode_gif(ramp_stack(2, 3, 3), opt));
  const std::vector<uint8_t> pal = colormap_palette("diverging");
  REQUIRE(d.gif->SColorMap->ColorCount == 256);
  int mismatches = 0;
  for (int i = 0; i < 256; ++i) {
    const GifColorType& c = d.gif->SColorMap->Colors[i];
    mismatches += c.Red != pal[i * 3] || c.Green != pal[i * 3 + 1] || c.Blue != pal[i * 3 + 2];
  }
  CHECK(mismatches == 0);
  CHECK(static_cast<int>(pal[0]) == 33);
  CHECK(static_cast<int>(pal[255 * 3]) == 178);
}

TEST_CASE("export: PNG frames decode with stb_image at the right size and values") {
  const ImageStack frames = ramp_stack(3, 8, 12);
  TempDir dir;
  const std::string out = dir / "frames";
  ensure_directory(out);
  write_file_atomic(out + "/frame_0007.png", "stale");  // from an earlier, longer export
  write_file_atomic(out + "/notes.txt", "mine");        // not ours: must survive
  ExportOptions opt;
  write_png_frames(out, frames, opt);
  CHECK(dir.files() == std::vector<std::string>{"frames", "frames/frame_0000.png",
                                                "frames/frame_0001.png", "frames/frame_0002.png",
                                                "frames/notes.txt"});
  const ColorScale scale = symmetric_scale(frames);
  for (int k = 0; k < 3; ++k) {
    char name[64];
    std::snprintf(name, sizeof name, "/frame_%04d.png", k);
    int w = 0, h = 0, comp = 0;
    unsigned char* px = stbi_load((out + name).c_str(), &w, &h, &comp, 3);
    REQUIRE(px != nullptr);
    CHECK(w == 12);
    CHECK(h == 8);
    CHECK(comp == 3);
    const std::vector<uint8_t> want = to_rgb(frames.image(k), 8, 12, scale, "grey");
    CHECK(std::vector<uint8_t>(px, px + w * h * 3) == want);
    stbi_image_free(px);
  }

  // write_png round trip with distinct channels, so a channel swap would show.
  std::vector<uint8_t> rgb(5 * 4 * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>(i * 7);
  write_png(dir / "x.png", rgb, 5, 4);
  int w = 0, h = 0, comp = 0;
  unsigned char* px = stbi_load((dir / "x.png").c_str(), &w, &h, &comp, 3);
  REQUIRE(px != nullptr);
  CHECK(w == 5);
  CHECK(h == 4);
  CHECK(std::vector<uint8_t>(px, px + rgb.size()) == rgb);
  stbi_image_free(px);
}

TEST_CASE("export: cancelling leaves no final file and no temporary") {
  TempDir dir;
  const ImageStack frames = ramp_stack(6, 4, 4);
  ExportOptions opt;
  int calls = 0;
  auto cancel_after_two = [&](double) { return ++calls < 2; };
  CHECK_THROWS_AS(write_gif(dir / "a.gif", frames, opt, cancel_after_two), ExportCancelled);
  calls = 0;
  CHECK_THROWS_AS(write_png_frames(dir / "frames", frames, opt, cancel_after_two), ExportCancelled);
  CHECK(dir.files().empty());
}

TEST_CASE("export: a write that cannot happen throws and leaves nothing behind") {
  // Tests run as root, for whom a chmod'ed read-only directory is still writable, so the
  // failure is provoked by a path whose "directory" is a regular file (ENOTDIR for anyone).
  TempDir dir;
  write_file_atomic(dir / "somefile", "x");
  const ImageStack frames = ramp_stack(2, 4, 4);
  ExportOptions opt;
  const std::string gif_msg = message_of([&] { write_gif(dir / "somefile/x.gif", frames, opt); });
  CHECK(gif_msg == "cannot write " + (dir / "somefile/x.gif") + ": Not a directory");
  CHECK_THROWS_AS(write_png_frames(dir / "somefile/frames", frames, opt), std::runtime_error);
  CHECK_THROWS_AS(write_npy(dir / "somefile/a.npy", {1}, frames.data.data()), std::runtime_error);
  const std::string dir_msg = message_of([&] { ensure_directory(dir / "somefile/sub"); });
  CHECK(dir_msg.find("cannot create directory") != std::string::npos);
  CHECK(dir_msg.find("Not a directory") != std::string::npos);
  CHECK(dir.files() == std::vector<std::string>{"somefile"});
  CHECK(read_file(dir / "somefile") == "x");

  // An existing file survives a failed overwrite attempt untouched: the rename never happens.
  write_file_atomic(dir / "keep.gif", "old");
  CHECK_THROWS(write_gif(dir / "keep.gif", ImageStack(), opt));
  CHECK(read_file(dir / "keep.gif") == "old");

  const std::string read_msg = message_of([&] { read_file(dir / "missing"); });
  CHECK(read_msg == "cannot read " + (dir / "missing") + ": No such file or directory");
}

TEST_CASE("export: npy header bytes, round trip and float64") {
  TempDir dir;
  std::vector<float> data(24);
  for (int i = 0; i < 24; ++i) data[i] = 0.5f * i - 3.25f;
  write_npy(dir / "a.npy", {2, 3, 4}, data.data());
  const std::string bytes = read_file(dir / "a.npy");
  // Format 1.0: magic, version, little-endian header length, dict, spaces, newline; the data
  // starts at a multiple of 64.
  CHECK(bytes.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
  const size_t hlen = static_cast<uint8_t>(bytes[8]) | static_cast<uint8_t>(bytes[9]) << 8;
  CHECK(hlen == 118);
  CHECK((10 + hlen) % 64 == 0);
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }";
  CHECK(bytes.substr(10, dict.size()) == dict);
  CHECK(bytes.substr(10 + dict.size(), hlen - dict.size() - 1) ==
        std::string(hlen - dict.size() - 1, ' '));
  CHECK(bytes[10 + hlen - 1] == '\n');
  CHECK(bytes.size() == 10 + hlen + 24 * 4);
  float third;
  std::memcpy(&third, bytes.data() + 10 + hlen + 8, 4);
  CHECK(third == -2.25f);

  const NpyArray a = read_npy(dir / "a.npy");
  CHECK(a.shape == std::vector<long>{2, 3, 4});
  CHECK(a.data == data);

  write_npy(dir / "b.npy", {5}, data.data());
  CHECK(read_file(dir / "b.npy").find("'shape': (5,), }") != std::string::npos);
  CHECK(read_npy(dir / "b.npy").shape == std::vector<long>{5});

  // A float64 file as NumPy writes it (hand-built: the tests do not depend on Python).
  std::string f8 = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
  f8 += std::string(128 - 10 - f8.size() - 1, ' ') + "\n";
  std::string file = std::string("\x93NUMPY\x01\x00", 8);
  file += static_cast<char>(f8.size());
  file += '\0';
  file += f8;
  const double d[3] = {1.5, -2.0, 1e-3};
  file.append(reinterpret_cast<const char*>(d), sizeof d);
  write_file_atomic(dir / "f8.npy", file);
  const NpyArray b = read_npy(dir / "f8.npy");
  CHECK(b.shape == std::vector<long>{3});
  CHECK(b.data == std::vector<float>{1.5f, -2.0f, 1e-3f});
}

TEST_CASE("export: read_npy names the file and the problem") {
  TempDir dir;
  const std::vector<float> data(6, 1.0f);
  write_npy(dir / "ok.npy", {2, 3}, data.data());
  const std::string ok = read_file(dir / "ok.npy");

  write_file_atomic(dir / "short.npy", ok.substr(0, ok.size() - 5));
  std::string msg;
  try {
    read_npy(dir / "short.npy");
  } catch (const ConfigError& e) {
    msg = e.what();
  }
  CHECK(msg == (dir / "short.npy") + ": truncated data: expected 24 bytes, found 19");

  write_file_atomic(dir / "text.npy", "hello, I am a CSV file\n1,2,3\n");
  msg.clear();
  try {
    read_npy(dir / "text.npy");
  } catch (const ConfigError& e) {
    msg = e.what();
  }
  CHECK(msg.find(dir / "text.npy") == 0);
  CHECK(msg.find("not an npy file") != std::string::npos);

  std::string fortran = ok;
  fortran.replace(fortran.find("False"), 5, "True ");
  write_file_atomic(dir / "f.npy", fortran);
  CHECK(message_of([&] { read_npy(dir / "f.npy"); }).find("Fortran") != std::string::npos);

  std::string ints = ok;
  ints.replace(ints.find("<f4"), 3, "<i4");
  write_file_atomic(dir / "i.npy", ints);
  CHECK(message_of([&] { read_npy(dir / "i.npy"); }).find("unsupported dtype '<i4'") !=
        std::string::npos);

  CHECK_THROWS_AS(read_npy(dir / "missing.npy"), ConfigError);
}

TEST_CASE("export: 1-D export paths loop without a jump") {
  const LatentPoints p = export_path({true}, 64, "axis0");
  REQUIRE(p.count == 64);
  REQUIRE(p.dims == 1);
  CHECK(p.at(0, 0) == 0.0f);
  CHECK(p.at(16, 0) == doctest::Approx(kPi / 2));
  CHECK(p.at(63, 0) == doctest::Approx(kTwoPi * 63 / 64));
  // Periodic: the wrap from the last frame to the first is one ordinary step on the circle.
  CHECK(kTwoPi - p.at(63, 0) == doctest::Approx(kTwoPi / 64));

  const LatentPoints q = export_path({false}, 64, "axis0");
  REQUIRE(q.count == 64);
  CHECK(q.at(0, 0) == 0.0f);
  CHECK(q.at(32, 0) == doctest::Approx(kTwoPi));  // turns around at the far end
  float lo = 1e9f, hi = 0;
  for (int k = 0; k < 64; ++k) {
    const float step = std::fabs(q.at((k + 1) % 64, 0) - q.at(k, 0));
    lo = std::min(lo, step);
    hi = std::max(hi, step);
    CHECK(q.at(k, 0) >= 0.0f);
    CHECK(q.at(k, 0) <= static_cast<float>(kTwoPi) + 1e-6f);
  }
  CHECK(lo == doctest::Approx(4 * kPi / 64).epsilon(1e-4));  // including the wrap 63 → 0
  CHECK(hi == doctest::Approx(4 * kPi / 64).epsilon(1e-4));

  CHECK(export_path({true}, 10, "loop").data == export_path({true}, 10, "axis0").data);
  CHECK_THROWS_AS(export_path({true}, 10, "axis1"), ConfigError);
}

TEST_CASE("export: 2-D export paths") {
  const LatentPoints a0 = export_path({true, false}, 40, "axis0");
  REQUIRE(a0.count == 40);
  REQUIRE(a0.dims == 2);
  for (int k = 0; k < 40; ++k) CHECK(a0.at(k, 1) == doctest::Approx(kPi));
  CHECK(a0.at(10, 0) == doctest::Approx(kPi / 2));  // periodic axis: the full circle

  const LatentPoints a1 = export_path({true, false}, 40, "axis1");
  for (int k = 0; k < 40; ++k) CHECK(a1.at(k, 0) == doctest::Approx(kPi));
  CHECK(a1.at(20, 1) == doctest::Approx(kTwoPi));  // non-periodic: there and back
  CHECK(a1.at(39, 1) == doctest::Approx(4 * kPi / 40));

  const LatentPoints loop = export_path({false, false}, 50, "loop");
  REQUIRE(loop.count == 50);
  double lo = 1e9, hi = 0;
  for (int k = 0; k < 50; ++k) {
    CHECK(std::hypot(loop.at(k, 0) - kPi, loop.at(k, 1) - kPi) == doctest::Approx(0.8 * kPi));
    const int n = (k + 1) % 50;
    const double step = std::hypot(loop.at(n, 0) - loop.at(k, 0), loop.at(n, 1) - loop.at(k, 1));
    lo = std::min(lo, step);
    hi = std::max(hi, step);
  }
  CHECK(hi / lo == doctest::Approx(1.0).epsilon(1e-4));  // closed, evenly spaced circle

  const std::string msg = message_of([] { export_path({true, true}, 10, "diagonal"); });
  CHECK(msg.find("diagonal") != std::string::npos);
  CHECK(msg.find("axis0, axis1, loop") != std::string::npos);
  CHECK_THROWS_AS(export_path({true, true, true}, 10, "axis0"), ConfigError);
}

TEST_CASE("export: option validation") {
  ExportOptions o;
  CHECK_NOTHROW(validate_export_options(o));
  o.fps = 0;
  CHECK_THROWS_AS(validate_export_options(o), ConfigError);
  o.fps = 60;
  CHECK(message_of([&] { validate_export_options(o); }).find("fps") != std::string::npos);
  o = ExportOptions();
  o.frames = 1;
  CHECK_THROWS_AS(validate_export_options(o), ConfigError);
  o = ExportOptions();
  o.size = 4;
  CHECK_THROWS_AS(validate_export_options(o), ConfigError);
  o = ExportOptions();
  o.path = "spiral";
  CHECK(message_of([&] { validate_export_options(o); }).find("axis0, axis1, loop") !=
        std::string::npos);
}

TEST_CASE("export: figure for a 1-D sweep") {
  LatentPoints z;
  z.count = 100;
  z.dims = 1;
  std::vector<float> act;
  ImageStack images(100, 1, 16, 16);
  for (int k = 0; k < 100; ++k) {
    z.data.push_back(static_cast<float>(kTwoPi * k / 100));
    act.push_back(static_cast<float>(0.9 + 0.1 * std::cos(kTwoPi * k / 100)));
    for (int i = 0; i < 256; ++i) images.image(k)[i] = std::sin(0.1f * i + 0.06f * k);
  }
  int rows = 0, cols = 0;
  // A loop: 100/12 apart, the last thumbnail is not a near-copy of the first.
  const std::vector<int> idx = figure_thumbnail_indices(z, {true}, &rows, &cols);
  CHECK(rows == 1);
  CHECK(cols == 12);
  CHECK(idx.front() == 0);
  CHECK(idx[1] == 8);       // round(100 / 12)
  CHECK(idx.back() == 92);  // round(11 · 100 / 12)
  // A segment: both ends shown, 99/11 apart.
  const std::vector<int> seg = figure_thumbnail_indices(z, {false}, &rows, &cols);
  CHECK(seg[1] == 9);
  CHECK(seg.back() == 99);

  TempDir dir;
  ExportOptions opt;
  write_figure(dir / "figure.png", images, z, act, {true}, opt);
  int w = 0, h = 0, comp = 0;
  unsigned char* px = stbi_load((dir / "figure.png").c_str(), &w, &h, &comp, 3);
  REQUIRE(px != nullptr);
  // 16-pixel thumbnails are drawn 4× (64 px) with 6 px gaps: 12·64 + 11·6 = 834 wide strip.
  CHECK(w == 56 + 834 + 24);
  CHECK(h > 64 + 180);
  // Top-left thumbnail pixel = image 0, pixel 0, on the thumbnails' shared scale.
  ImageStack thumbs(12, 1, 16, 16);
  for (int n = 0; n < 12; ++n)
    std::copy(images.image(idx[n]), images.image(idx[n]) + 256, thumbs.image(n));
  const std::vector<uint8_t> first =
      to_rgb(images.image(0), 16, 16, symmetric_scale(thumbs), "grey");
  const unsigned char* p = px + (20 * w + 56) * 3;
  CHECK(std::vector<int>(p, p + 3) == std::vector<int>(first.begin(), first.begin() + 3));
  // The curve (blue) appears somewhere in the plot.
  int blue = 0;
  for (int i = 0; i < w * h; ++i)
    blue += px[i * 3] == 33 && px[i * 3 + 1] == 102 && px[i * 3 + 2] == 172;
  CHECK(blue > 200);
  stbi_image_free(px);
}

TEST_CASE("export: figure for a 2-D grid subsamples to 10x10") {
  LatentPoints z;
  z.count = 400;
  z.dims = 2;
  std::vector<float> act;
  for (int i = 0; i < 20; ++i)
    for (int j = 0; j < 20; ++j) {
      z.data.push_back(static_cast<float>(kTwoPi * i / 20));
      z.data.push_back(static_cast<float>(kTwoPi * j / 20));
      act.push_back(static_cast<float>(i + j) / 38.0f);
    }
  int rows = 0, cols = 0;
  const std::vector<int> idx = figure_thumbnail_indices(z, {false, false}, &rows, &cols);
  CHECK(rows == 10);
  CHECK(cols == 10);
  REQUIRE(idx.size() == 100);
  CHECK(idx[1] == 2);    // round(1 · 19/9)
  CHECK(idx[10] == 40);  // second row starts at grid row 2
  CHECK(idx[99] == 399);
  const std::vector<int> torus = figure_thumbnail_indices(z, {true, true}, &rows, &cols);
  CHECK(torus[1] == 2);
  CHECK(torus[10] == 40);
  CHECK(torus[99] == 18 * 20 + 18);  // every other point; 19 would sit next to 0 again

  ImageStack thumbs(100, 1, 8, 8);
  for (size_t i = 0; i < thumbs.data.size(); ++i) thumbs.data[i] = std::cos(0.01f * i);
  const RgbImage fig =
      draw_figure(thumbs, idx, rows, cols, z, act, {false, false}, ExportOptions());
  CHECK(fig.width > 10 * 64);
  CHECK(fig.height > 10 * 64 + 180);
  CHECK(fig.rgb.size() == static_cast<size_t>(fig.width) * fig.height * 3);
  TempDir dir;
  write_png(dir / "fig.png", fig.rgb, fig.width, fig.height);
  CHECK(fs::file_size(dir / "fig.png") > 1000);

  LatentPoints ragged = z;
  ragged.count = 399;
  ragged.data.resize(798);
  CHECK_THROWS(figure_thumbnail_indices(ragged, {false, false}, &rows, &cols));
}

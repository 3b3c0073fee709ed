// export_manifold, the export behind `invex render` and the GUI's Export panel, driven without a
// window on a tiny trained run; and the blocked, threaded CPU renderer it relies on.
#include <doctest/doctest.h>
#include <stb/stb_image.h>  // implementation lives in Debian's libstb
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/export/export_manifold.h"
#include "core/io/atomic_file.h"
#include "core/io/npy.h"
#include "core/method/trainer.h"
#include "core/render/render.h"
#include "core/run/config.h"
#include "tests/test_support.h"

namespace fs = std::filesystem;
using namespace invex;
using invex::testing::TempDir;

namespace {

// A few steps of a small circle/complex run: enough for a CPPN that is not at its random start.
std::shared_ptr<Snapshot> tiny_snapshot() {
  static std::shared_ptr<Snapshot> snap = [] {
    RunConfig c = load_preset("circle/complex");
    c.latent.grid_points = 20;
    c.training.epochs_per_reg = 1;
    c.training.steps_per_epoch = 5;
    c.mei.activation = 32.9;  // skip the MEI search
    Trainer trainer(c);
    for (int i = 0; i < 4; ++i) REQUIRE(trainer.step().ok);
    return trainer.snapshot(true);
  }();
  return snap;
}

// The renderer as it was first written, one pixel at a time: the blocked, vectorised and threaded
// render_raw must give the same floats.
ImageStack reference_render(const FrozenCppn& c, const LatentPoints& z, int height, int width) {
  const int P = c.positional_encoding_dim, HW = height * width;
  ImageStack images(z.count, c.channels, height, width);
  std::vector<float> a(64), b(64), feat(2 * P), x;
  for (int k = 0; k < z.count; ++k) {
    std::vector<float> e;
    for (int d = 0; d < z.dims; ++d) {
      const float v = z.at(k, d);
      if (c.periodic[d]) {
        e.push_back(std::sin(v) * c.aux_dim_scale);
        e.push_back(std::cos(v) * c.aux_dim_scale);
      } else {
        e.push_back((v / static_cast<float>(M_PI) - 1.0f) * c.aux_dim_scale);
      }
    }
    for (int px = 0; px < HW; ++px) {
      const int i = px / width, j = px % width;
      const float u = height > 1 ? -1.0f + 2.0f * i / (height - 1) : -1.0f;
      const float v = width > 1 ? -1.0f + 2.0f * j / (width - 1) : -1.0f;
      for (int q = 0; q < P; ++q) {
        const float proj = u * c.fourier[q] + v * c.fourier[P + q];
        feat[q] = std::sin(proj);
        feat[P + q] = std::cos(proj);
      }
      for (size_t l = 0; l < c.layers.size(); ++l) {
        const auto& L = c.layers[l];
        const bool last = l + 1 == c.layers.size();
        for (int o = 0; o < L.out; ++o) {
          const float* wr = &L.weight[static_cast<size_t>(o) * L.in];
          float s;
          if (l == 0) {  // coordinate part with the bias, latent part on its
                         // own, then added
            float sp = L.bias[o], sl = 0;
            for (int q = 0; q < 2 * P; ++q) sp += wr[q] * feat[q];
            for (size_t q = 0; q < e.size(); ++q) sl += wr[2 * P + q] * e[q];
            s = sp + sl;
          } else {
            s = L.bias[o];
            for (int q = 0; q < L.in; ++q) s += wr[q] * a[q];
          }
          b[o] = last ? std::tanh(s) : (s > 0 ? s : 0.01f * s);
        }
        std::swap(a, b);
      }
      for (int ch = 0; ch < c.channels; ++ch)
        images.image(k)[static_cast<size_t>(ch) * HW + px] = a[ch];
    }
  }
  return images;
}

long count_frames(const std::string& dir) {
  if (!fs::exists(dir)) return 0;
  return std::count_if(fs::directory_iterator(dir), fs::directory_iterator(), [](const auto& e) {
    return e.path().filename().string().rfind("frame_", 0) == 0;
  });
}

}  // namespace

TEST_CASE("render_raw: blocked and threaded, it equals the pixel-at-a-time reference exactly") {
  const FrozenCppn& c = tiny_snapshot()->cppn;
  // Odd sizes leave a partial last block; 3×300×300 pixels are enough to use every core. Both
  // kernel sets: the AVX2 one (when the CPU has it) and the baseline SSE2 one.
  for (bool baseline : {false, true})
    for (auto [k, h, w] : {std::tuple{1, 37, 23}, std::tuple{5, 8, 9}, std::tuple{3, 300, 300}}) {
      CAPTURE(baseline);
      CAPTURE(h);
      if (baseline)
        setenv("INVEX_RENDER_BASELINE", "1", 1);
      else
        unsetenv("INVEX_RENDER_BASELINE");
      __builtin_cpu_init();
      const bool avx2 = __builtin_cpu_supports("avx2") && !baseline;
      CHECK(std::string(render_instruction_set()) == (avx2 ? "avx2" : "base"));
      const LatentPoints z = export_path(c.periodic, k, "loop");
      const ImageStack fast = render_raw(c, z, h, w);
      const ImageStack ref = reference_render(c, z, h, w);
      REQUIRE(fast.data.size() == ref.data.size());
      size_t differ = 0;
      for (size_t i = 0; i < ref.data.size(); ++i) differ += fast.data[i] != ref.data[i];
      CHECK(differ == 0);
    }
  unsetenv("INVEX_RENDER_BASELINE");
}

TEST_CASE("render_raw: progress on the calling thread, and a throwing callback stops it") {
  const FrozenCppn& c = tiny_snapshot()->cppn;
  const LatentPoints z = export_path(c.periodic, 3, "loop");
  std::vector<double> seen;
  const ImageStack full = render_raw(c, z, 300, 300, [&](double f) { seen.push_back(f); });
  REQUIRE(seen.size() > 10);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  CHECK(seen.back() == 1.0);
  CHECK(full.data == render_raw(c, z, 300, 300).data);
  struct Stop {};
  CHECK_THROWS_AS(render_raw(c, z, 300, 300,
                             [](double f) {
                               if (f > 0.3) throw Stop{};
                             }),
                  Stop);
}

TEST_CASE("export_manifold: every format, with the right sizes and shapes") {
  const auto snap = tiny_snapshot();
  TempDir tmp;
  ExportRequest req;
  req.outdir = tmp / "nested/out";  // parents are created too
  req.options.frames = 8;
  req.options.size = 64;
  std::vector<double> fractions;
  std::vector<std::string> stages;
  const ExportSummary sum = export_manifold(*snap, req, [&](const ExportStatus& st) {
    fractions.push_back(st.fraction);
    if (stages.empty() || stages.back() != st.stage) stages.push_back(st.stage);
    return true;
  });
  const std::string& o = req.outdir;
  CHECK(sum.files.size() == 1 + 8 + 4 + 1);
  for (const auto& f : sum.files) CHECK_MESSAGE(fs::is_regular_file(o + "/" + f), f);
  CHECK(sum.list() ==
        "manifold.gif, frames/ (8 PNG), manifold.npy, latents.npy, activations.npy, "
        "activations.csv, figure.png");
  CHECK(sum.seconds > 0);

  CHECK(read_file(o + "/manifold.gif").substr(0, 6) == "GIF89a");
  CHECK(count_frames(o + "/frames") == 8);
  int w = 0, h = 0, n = 0;
  unsigned char* px = stbi_load((o + "/frames/frame_0007.png").c_str(), &w, &h, &n, 3);
  REQUIRE(px != nullptr);
  stbi_image_free(px);
  CHECK(w == 64);
  CHECK(h == 64);
  px = stbi_load((o + "/figure.png").c_str(), &w, &h, &n, 3);
  REQUIRE(px != nullptr);
  stbi_image_free(px);
  CHECK(w > 64);

  const NpyArray m = read_npy(o + "/manifold.npy");
  CHECK(m.shape == std::vector<long>{8, 1, 64, 64});
  const NpyArray z = read_npy(o + "/latents.npy");
  CHECK(z.shape == std::vector<long>{8, 1});
  CHECK(z.data == export_path({true}, 8, "axis0").data);
  const NpyArray a = read_npy(o + "/activations.npy");
  CHECK(a.shape == std::vector<long>{8});
  for (float v : a.data) CHECK(std::isfinite(v));
  const std::string csv = read_file(o + "/activations.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 9);
  CHECK(csv.rfind("frame,z0,activation\n", 0) == 0);
  // The frames are the transformed images the neuron would see, rendered at 64 px.
  const ImageStack direct = render_images(*snap, export_path({true}, 8, "axis0"), 64, 64);
  CHECK(m.data == direct.data);

  // One bar from 0 to 1, never going back.
  REQUIRE(!fractions.empty());
  CHECK(std::is_sorted(fractions.begin(), fractions.end()));
  CHECK(fractions.back() == doctest::Approx(1.0));
  CHECK(stages.front() == "rendering frames");
  CHECK(stages.back() == "writing files");
}

TEST_CASE("export_manifold: cancelling at 50% leaves no final file") {
  const auto snap = tiny_snapshot();
  TempDir tmp;
  ExportRequest req;
  req.options.frames = 8;
  req.options.size = 64;
  auto cancel_at_half = [](const ExportStatus& st) { return st.fraction < 0.5; };

  // A directory the export would create is taken away again.
  req.outdir = tmp / "new/out";
  CHECK_THROWS_AS(export_manifold(*snap, req, cancel_at_half), ExportCancelled);
  CHECK(!fs::exists(tmp / "new"));
  // The last chance is just before the first write; once writing starts it is not stopped.
  req.outdir = tmp / "late";
  auto cancel_at_write = [](const ExportStatus& st) { return st.stage != "writing files"; };
  CHECK_THROWS_AS(export_manifold(*snap, req, cancel_at_write), ExportCancelled);
  CHECK(!fs::exists(tmp / "late"));

  // An earlier export in the directory stays exactly as it was.
  req.outdir = tmp / "old";
  req.options.frames = 4;
  export_manifold(*snap, req);
  const std::string gif = read_file(tmp / "old/manifold.gif");
  const std::string npy = read_file(tmp / "old/manifold.npy");
  req.options.frames = 8;
  CHECK_THROWS_AS(export_manifold(*snap, req, cancel_at_half), ExportCancelled);
  CHECK(read_file(tmp / "old/manifold.gif") == gif);
  CHECK(read_file(tmp / "old/manifold.npy") == npy);
  CHECK(count_frames(tmp / "old/frames") == 4);
  for (const auto& e : fs::recursive_directory_iterator(tmp.path))
    CHECK_MESSAGE(e.path().string().find(".tmp") == std::string::npos, e.path().string());
}

TEST_CASE("export_manifold: bad input fails before anything is written, naming the problem") {
  const auto snap = tiny_snapshot();
  TempDir tmp;
  write_file_atomic(tmp / "file", "x");
  ExportRequest req;
  req.options.frames = 4;
  req.options.size = 16;

  // Tests run as root, for whom a read-only directory is still writable: a path under a regular
  // file fails for anyone.
  req.outdir = tmp / "file/out";
  std::string msg;
  try {
    export_manifold(*snap, req);
  } catch (const std::exception& e) {
    msg = e.what();
  }
  CHECK(msg.find(tmp / "file/out") != std::string::npos);
  CHECK(msg.find("Not a directory") != std::string::npos);

  req.outdir = tmp / "out";
  req.options.path = "axis1";  // circle/complex has a 1-D latent
  CHECK_THROWS_WITH_AS(export_manifold(*snap, req), doctest::Contains("needs a 2-D latent"),
                       ConfigError);
  req.options.path = "axis0";
  req.options.fps = 80;
  CHECK_THROWS_AS(export_manifold(*snap, req), ConfigError);
  req.options.fps = 20;
  req.formats = ExportFormats{false, false, false, false};
  CHECK_THROWS_WITH_AS(export_manifold(*snap, req), doctest::Contains("choose at least one"),
                       ConfigError);
  req.formats = ExportFormats{};
  req.outdir.clear();
  CHECK_THROWS_AS(export_manifold(*snap, req), ConfigError);
  CHECK(!fs::exists(tmp / "out"));
}

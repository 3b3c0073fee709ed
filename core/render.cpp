#include "core/render.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace invex {

int FrozenCppn::input_size() const {
  int L = 0;
  for (bool p : periodic) L += p ? 2 : 1;
  return 2 * positional_encoding_dim + L;
}

namespace {

std::vector<float> encode(const FrozenCppn& c, const LatentPoints& z, int k) {
  std::vector<float> e;
  for (int d = 0; d < z.dims; ++d) {
    float v = z.at(k, d);
    if (c.periodic[d]) {
      e.push_back(std::sin(v) * c.aux_dim_scale);
      e.push_back(std::cos(v) * c.aux_dim_scale);
    } else {
      e.push_back((v / static_cast<float>(M_PI) - 1.0f) * c.aux_dim_scale);
    }
  }
  return e;
}

}  // namespace

ImageStack render_raw(const FrozenCppn& c, const LatentPoints& z, int height, int width) {
  if (z.dims != c.latent_dims())
    throw std::invalid_argument("render: latent points have " + std::to_string(z.dims) +
                                " dimensions, the CPPN expects " + std::to_string(c.latent_dims()));
  const int P = c.positional_encoding_dim, HW = height * width, C = c.channels;
  const int F = 2 * P;
  const auto& first = c.layers.front();
  const int w0 = first.out;
  // The coordinate part of the first layer does not depend on z: compute it once per render.
  std::vector<float> pixel_part(static_cast<size_t>(HW) * w0);
  for (int i = 0; i < height; ++i) {
    float u = height > 1 ? -1.0f + 2.0f * i / (height - 1) : -1.0f;
    for (int j = 0; j < width; ++j) {
      float v = width > 1 ? -1.0f + 2.0f * j / (width - 1) : -1.0f;
      float feat[512];
      for (int q = 0; q < P; ++q) {
        float proj = u * c.fourier[q] + v * c.fourier[P + q];
        feat[q] = std::sin(proj);
        feat[P + q] = std::cos(proj);
      }
      float* out = &pixel_part[(static_cast<size_t>(i) * width + j) * w0];
      for (int o = 0; o < w0; ++o) {
        const float* wr = &first.weight[static_cast<size_t>(o) * first.in];
        float s = first.bias[o];
        for (int q = 0; q < F; ++q) s += wr[q] * feat[q];
        out[o] = s;
      }
    }
  }
  ImageStack images(z.count, C, height, width);
  auto render_range = [&](int k0, int k1) {
    int maxw = 0;
    for (auto& l : c.layers) maxw = std::max(maxw, l.out);
    std::vector<float> a(maxw), b(maxw), lat(w0);
    for (int k = k0; k < k1; ++k) {
      auto e = encode(c, z, k);
      for (int o = 0; o < w0; ++o) {
        const float* wr = &first.weight[static_cast<size_t>(o) * first.in + F];
        float s = 0;
        for (size_t q = 0; q < e.size(); ++q) s += wr[q] * e[q];
        lat[o] = s;
      }
      float* img = images.image(k);
      for (int px = 0; px < HW; ++px) {
        const float* pp = &pixel_part[static_cast<size_t>(px) * w0];
        const bool single = c.layers.size() == 1;
        for (int o = 0; o < w0; ++o) {
          float y = pp[o] + lat[o];
          a[o] = single ? std::tanh(y) : (y > 0 ? y : 0.01f * y);
        }
        for (size_t l = 1; l < c.layers.size(); ++l) {
          const auto& L = c.layers[l];
          const bool last = l + 1 == c.layers.size();
          for (int o = 0; o < L.out; ++o) {
            const float* wr = &L.weight[static_cast<size_t>(o) * L.in];
            float s = L.bias[o];
            for (int q = 0; q < L.in; ++q) s += wr[q] * a[q];
            b[o] = last ? std::tanh(s) : (s > 0 ? s : 0.01f * s);
          }
          std::swap(a, b);
        }
        for (int ch = 0; ch < C; ++ch) img[static_cast<size_t>(ch) * HW + px] = a[ch];
      }
    }
  };
  const long work = static_cast<long>(z.count) * HW;
  int threads = work < 200000 ? 1 : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, z.count);
  if (threads <= 1) {
    render_range(0, z.count);
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back(render_range, z.count * t / threads, z.count * (t + 1) / threads);
    for (auto& th : pool) th.join();
  }
  return images;
}

void apply_transform(const TransformConfig& t, ImageStack& images) {
  if (t.type == "none") return;
  const size_t n = images.image_size();
  for (int k = 0; k < images.count; ++k) {
    float* x = images.image(k);
    double mean = 0;
    for (size_t i = 0; i < n; ++i) mean += x[i];
    mean /= n;
    double ss = 0;
    for (size_t i = 0; i < n; ++i) ss += (x[i] - mean) * (x[i] - mean);
    // Unbiased std of the centred image, as torch.std; the reference adds 1e-12.
    double sd = std::sqrt(ss / (n > 1 ? n - 1 : 1));
    if (t.type == "fix-mean-std") {
      // x ← x − mean + m; then x ← s·x/(std(x) + 1e-12): std is unchanged by the shift.
      for (size_t i = 0; i < n; ++i)
        x[i] = static_cast<float>(t.std * (x[i] - mean + t.mean) / (sd + 1e-12));
    } else {
      for (size_t i = 0; i < n; ++i) {
        double v = t.std * (x[i] - mean) / (sd + 1e-12) + t.mean;
        x[i] = static_cast<float>(std::min(std::max(v, t.min), t.max));
      }
    }
  }
}

ImageStack render_images(const Snapshot& s, const LatentPoints& z, int height, int width) {
  ImageStack images = render_raw(s.cppn, z, height, width);
  apply_transform(s.config.image.transform, images);
  return images;
}

LatentPoints latent_grid(int dims, int g) {
  LatentPoints z;
  z.dims = dims;
  z.count = dims == 1 ? g : g * g;
  for (int k = 0; k < z.count; ++k) {
    if (dims == 1) {
      z.data.push_back(static_cast<float>(2 * M_PI * k / g));
    } else {
      z.data.push_back(static_cast<float>(2 * M_PI * (k / g) / g));
      z.data.push_back(static_cast<float>(2 * M_PI * (k % g) / g));
    }
  }
  return z;
}

LatentPoints canonical_sweep(const std::vector<bool>& periodic, int points) {
  const int dims = static_cast<int>(periodic.size());
  if (points <= 0) points = dims == 1 ? 100 : 20;
  auto axis = [&](int d) {
    std::vector<float> v(points);
    for (int i = 0; i < points; ++i)
      v[i] = static_cast<float>(periodic[d] ? 2 * M_PI * i / points
                                            : 2 * M_PI * i / std::max(1, points - 1));
    return v;
  };
  LatentPoints z;
  z.dims = dims;
  if (dims == 1) {
    z.data = axis(0);
    z.count = points;
  } else {
    auto a = axis(0), b = axis(1);
    for (int i = 0; i < points; ++i)
      for (int j = 0; j < points; ++j) {
        z.data.push_back(a[i]);
        z.data.push_back(b[j]);
      }
    z.count = points * points;
  }
  return z;
}

}  // namespace invex

#include "tests/torchscript/test_models.h"

#include <ATen/ATen.h>
#include <torch/csrc/jit/api/module.h>

#include <filesystem>
#include <string>

namespace invex::testing {
namespace {

at::Tensor filter_bank() {
  const int s = kTestModelSide;
  auto w = at::empty({3, s, s}, at::kFloat);
  auto a = w.accessor<float, 3>();
  for (int k = 0; k < 3; ++k)
    for (int i = 0; i < s; ++i)
      for (int j = 0; j < s; ++j) a[k][i][j] = static_cast<float>(test_filter_weight(k, i, j));
  return w;
}

void save_module(const std::string& dir, const std::string& name, const std::string& source,
                 bool with_filters) {
  torch::jit::Module m("__torch__.invex_test." + name);
  if (with_filters) m.register_parameter("filters", filter_bank(), false);
  m.define(source);
  m.save(dir + "/" + name + ".pt");
}

}  // namespace

void save_test_models(const std::string& dir) {
  std::filesystem::create_directories(dir);
  save_module(dir, "linear_filter", R"(
def forward(self, x):
    return (x[:, 0] * self.filters[0]).sum([1, 2])
)",
              true);
  save_module(dir, "linear_filter_x2", R"(
def forward(self, x):
    return 2.0 * (x[:, 0] * self.filters[0]).sum([1, 2])
)",
              true);
  save_module(dir, "three_filters", R"(
def forward(self, x, key: str, gain: float):
    assert key == "V1", "unknown data key " + key
    responses = gain * x.flatten(1).matmul(self.filters.flatten(1).t())
    return ("features", [x.flatten(1)], responses)
)",
              true);
  save_module(dir, "wrong_size", R"(
def forward(self, x):
    return x.reshape([-1, 100]).sum(1)
)",
              false);
  save_module(dir, "wrong_shape", R"(
def forward(self, x):
    return x.flatten(1).matmul(self.filters.flatten(1).t())
)",
              true);
  save_module(dir, "constant", R"(
def forward(self, x):
    return x.new_zeros([x.size(0)])
)",
              false);
}

}  // namespace invex::testing

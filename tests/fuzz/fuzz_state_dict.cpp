// State dicts (`torch.save` archives: the macaque models' files, core/neurons/torch_state_dict.h)
// through invex's own pickle reader. The input's first byte chooses what the rest is: 0, a whole
// file (LibTorch's zip reader first); otherwise the archive's data.pkl, which the target wraps
// in a well-formed archive whose storages data/0 … data/3 hold 256 bytes each, so the fuzzer
// works on the pickle rather than on zip checksums. A state dict read holds tensors that own
// exactly their elements.
#include <ATen/ATen.h>
#include <caffe2/serialize/inline_container.h>

#include <string>

#include "core/neurons/torch_state_dict.h"
#include "tests/fuzz/fuzz_support.h"

using namespace invex;
using invex::fuzz::require;

namespace {

constexpr int kStorages = 4;
constexpr size_t kStorageBytes = 256;

std::string archive_around(const uint8_t* pickle, size_t size) {
  std::string out;
  caffe2::serialize::PyTorchStreamWriter writer([&](const void* p, size_t n) {
    out.append(static_cast<const char*>(p), n);
    return n;
  });
  writer.writeRecord("data.pkl", pickle, size);
  writer.writeRecord("byteorder", "little", 6);
  std::string storage(kStorageBytes, '\0');
  for (size_t i = 0; i < kStorageBytes; ++i) storage[i] = static_cast<char>(i);
  for (int k = 0; k < kStorages; ++k)
    writer.writeRecord("data/" + std::to_string(k), storage.data(), storage.size());
  writer.writeEndOfFile();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string bytes = data[0] == 0
                                ? std::string(reinterpret_cast<const char*>(data) + 1, size - 1)
                                : archive_around(data + 1, size - 1);
  const std::string name = "model.pt";
  std::map<std::string, at::Tensor> tensors;
  const bool ok = invex::fuzz::parses(
      [&] { tensors = read_torch_state_dict(bytes.data(), bytes.size(), name); }, name);
  if (!ok) return 0;
  for (const auto& [key, t] : tensors) {
    require(t.defined(), "tensor " + key + " is undefined");
    require(t.is_contiguous(), "tensor " + key + " is a view, not its own copy");
    require(t.device().is_cpu(), "tensor " + key + " is not on the CPU");
    require(t.storage().nbytes() >= static_cast<size_t>(t.numel()) * t.element_size(),
            "tensor " + key + " has fewer bytes than elements");
    if (t.numel() > 0 && at::isFloatingType(t.scalar_type())) (void)t.sum().item<double>();
  }
  return 0;
}

// Reading PyTorch state dicts (`torch.save` zip archives) into CPU tensors, without Python.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstddef>
#include <map>
#include <string>

namespace invex {

// The tensors of a state dict saved with torch.save (zip format, pickle protocol 2): a dict or
// OrderedDict of name → tensor, as written by `torch.save(model.state_dict(), path)` or
// `torch::pickle_save`. Every storage is read onto the CPU whatever device it was saved from
// (a state dict saved on a GPU loads on a machine without one). Entries that are not tensors
// are left out. Throws ConfigError naming the file and what is wrong with it.
std::map<std::string, at::Tensor> read_torch_state_dict(const std::string& path);

// The same for the bytes of such a file already in memory; `name` stands for the file in
// error messages.
std::map<std::string, at::Tensor> read_torch_state_dict(const void* data, size_t size,
                                                        const std::string& name);

}  // namespace invex

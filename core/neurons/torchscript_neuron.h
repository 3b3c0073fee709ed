// A neuron a user brings: any module saved with torch.jit.save (README "Your own model"). The
// response is one output of its forward(images, *args), chosen by a path of indices; the input
// gradient comes from autograd through the module, whose own weights stay frozen.
#pragma once

#include <memory>

#include "core/neurons/torch_neuron.h"

namespace invex {

// Loads cfg.file in eval mode and runs one batch of two mean-grey images (zeros) through it to
// check that it runs, that cfg.output selects one number per image, and that the selected
// output depends on the images. Throws ConfigError naming the file and what was expected.
// Batches run as chunks on the compute threads (support/thread_pool.h).
std::unique_ptr<TorchNeuron> make_torchscript_neuron(const NeuronConfig& cfg);

}  // namespace invex

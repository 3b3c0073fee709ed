// Writes the TorchScript modules of test_models.h into the folder given as the argument.
#include <exception>
#include <iostream>

#include "tests/torchscript/test_models.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_test_models DIR\n";
    return 2;
  }
  try {
    invex::testing::save_test_models(argv[1]);
  } catch (const std::exception& e) {
    std::cerr << "make_test_models: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

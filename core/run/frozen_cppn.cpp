#include "core/run/frozen_cppn.h"

namespace invex {

int FrozenCppn::latent_encoding_size() const {
  int size = 0;
  for (bool p : periodic) size += p ? 2 : 1;
  return size;
}

}  // namespace invex

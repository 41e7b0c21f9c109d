#include "loop/escape.h"

namespace lockstep {

AllowEscapes::AllowEscapes(const char* why) noexcept : why_(why) {
  ++internal::escape_state.allowed;
}

AllowEscapes::~AllowEscapes() { --internal::escape_state.allowed; }

}  // namespace lockstep

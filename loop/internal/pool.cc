#include "loop/internal/pool.h"

namespace lockstep::internal {

constinit thread_local PoolState pool_state{};

namespace {
constexpr std::size_t kSlabBytes = 64 * 1024;
}  // namespace

void* pool_refill(std::size_t c) {
  const std::size_t bytes = c * PoolState::kGranule;
  PoolState& s = pool_state;
  if (static_cast<std::size_t>(s.slab_end - s.slab_cursor) < bytes) {
    // The tail of the old slab is abandoned: at most kMaxPooled bytes per 64 KiB.
    s.slab_cursor = static_cast<char*>(::operator new(kSlabBytes));
    s.slab_end = s.slab_cursor + kSlabBytes;
  }
  void* p = s.slab_cursor;
  s.slab_cursor += bytes;
  return p;
}

}  // namespace lockstep::internal

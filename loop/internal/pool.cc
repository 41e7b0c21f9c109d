#include "loop/internal/pool.h"

#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define LOCKSTEP_POOL_DISABLED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LOCKSTEP_POOL_DISABLED 1
#endif
#endif

namespace lockstep::internal {
namespace {

constexpr std::size_t kGranule = 16;      // every size class is a multiple of this
constexpr std::size_t kMaxPooled = 1024;  // larger requests go to operator new
constexpr std::size_t kClasses = kMaxPooled / kGranule;
constexpr std::size_t kSlabBytes = 64 * 1024;

struct FreeBlock {
  FreeBlock* next;
};

// Plain arrays with constant initialisation: no constructor, no destructor, so the
// pool is usable from any static or thread-local object at any time.
thread_local FreeBlock* free_lists[kClasses + 1];
thread_local char* slab_cursor;
thread_local char* slab_end;

std::size_t size_class(std::size_t size) { return (size + kGranule - 1) / kGranule; }

void* carve(std::size_t bytes) {
  if (static_cast<std::size_t>(slab_end - slab_cursor) < bytes) {
    // The tail of the old slab is abandoned: at most kMaxPooled bytes per 64 KiB.
    slab_cursor = static_cast<char*>(::operator new(kSlabBytes));
    slab_end = slab_cursor + kSlabBytes;
  }
  void* p = slab_cursor;
  slab_cursor += bytes;
  return p;
}

}  // namespace

void* pool_allocate(std::size_t size) {
#ifdef LOCKSTEP_POOL_DISABLED
  return ::operator new(size);
#else
  if (size > kMaxPooled) return ::operator new(size);
  const std::size_t c = size_class(size);
  if (FreeBlock* b = free_lists[c]) {
    free_lists[c] = b->next;
    return b;
  }
  return carve(c * kGranule);
#endif
}

void pool_deallocate(void* p, std::size_t size) noexcept {
#ifdef LOCKSTEP_POOL_DISABLED
  ::operator delete(p);
  (void)size;
#else
  if (size > kMaxPooled) {
    ::operator delete(p);
    return;
  }
  const std::size_t c = size_class(size);
  auto* b = static_cast<FreeBlock*>(p);
  b->next = free_lists[c];
  free_lists[c] = b;
#endif
}

}  // namespace lockstep::internal

// Size-class free lists for the loop's small, short-lived objects: coroutine frames,
// task and future states, timer and callback nodes.
//
//   void* p = lockstep::internal::pool_allocate(sizeof(Node));
//   ...
//   lockstep::internal::pool_deallocate(p, sizeof(Node));
//
// Why not plain operator new: a scheduling step must not pay malloc's price (spawn,
// timers and pingpong allocate a frame, a task, a future or a timer node per operation).
// Why not std::pmr::unsynchronized_pool_resource: it needs an owner that outlives every
// frame, and a coroutine promise's operator new has no way to reach one; a thread-local
// free list of plain pointers has no destructor, so nothing depends on destruction order.
//
// Blocks are never returned to the system; a thread's free lists are reused by the next
// loop on that thread. Under AddressSanitizer the pool forwards to operator new/delete,
// so use-after-free in frames and states is still caught.
#pragma once

#include <cstddef>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define LOCKSTEP_POOL_DISABLED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LOCKSTEP_POOL_DISABLED 1
#endif
#endif

namespace lockstep::internal {

// Returns storage for `size` bytes, aligned for any object with fundamental alignment.
void* pool_allocate(std::size_t size);

// Returns storage obtained from pool_allocate(size) with the same size.
void pool_deallocate(void* p, std::size_t size) noexcept;

// ---------------------------------------------------------------------------------------
// Implementation: the fast paths are inline, refilling is not.

struct PoolFreeBlock {
  PoolFreeBlock* next;
};

struct PoolState {
  static constexpr std::size_t kGranule = 16;      // every size class is a multiple of this
  static constexpr std::size_t kMaxPooled = 1024;  // larger requests go to operator new
  static constexpr std::size_t kClasses = kMaxPooled / kGranule;

  PoolFreeBlock* free_lists[kClasses + 1];
  char* slab_cursor;
  char* slab_end;
};

// Constant-initialised (constinit): accessed directly, with no TLS wrapper call and
// no destructor.
extern constinit thread_local PoolState pool_state;

// Carves a new block of size class `c` from the current slab (a new slab if needed).
void* pool_refill(std::size_t c);

inline void* pool_allocate(std::size_t size) {
#ifdef LOCKSTEP_POOL_DISABLED
  return ::operator new(size);
#else
  if (size > PoolState::kMaxPooled) [[unlikely]]
    return ::operator new(size);
  const std::size_t c = (size + PoolState::kGranule - 1) / PoolState::kGranule;
  PoolState& s = pool_state;
  if (PoolFreeBlock* b = s.free_lists[c]) [[likely]] {
    s.free_lists[c] = b->next;
    return b;
  }
  return pool_refill(c);
#endif
}

inline void pool_deallocate(void* p, std::size_t size) noexcept {
#ifdef LOCKSTEP_POOL_DISABLED
  (void)size;
  ::operator delete(p);
#else
  if (size > PoolState::kMaxPooled) [[unlikely]] {
    ::operator delete(p);
    return;
  }
  const std::size_t c = (size + PoolState::kGranule - 1) / PoolState::kGranule;
  auto* b = static_cast<PoolFreeBlock*>(p);
  b->next = pool_state.free_lists[c];
  pool_state.free_lists[c] = b;
#endif
}

}  // namespace lockstep::internal

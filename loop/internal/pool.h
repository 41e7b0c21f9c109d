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

namespace lockstep::internal {

// Returns storage for `size` bytes, aligned for any object with fundamental alignment.
void* pool_allocate(std::size_t size);

// Returns storage obtained from pool_allocate(size) with the same size.
void pool_deallocate(void* p, std::size_t size) noexcept;

}  // namespace lockstep::internal

// Intrusive, single-threaded reference counting for the loop's shared objects
// (futures, tasks, timer and callback handles).
//
//   class Node : public RefCounted { ... };
//   Ref<Node> a = make_ref<Node>(args...);   // refs == 1
//   Ref<Node> b = a;                          // refs == 2
//
// Not atomic: every object belongs to one loop, and a loop runs on one thread.
// Objects are pool-allocated (see pool.h); derived classes must be final or
// inherit the class-specific operator new/delete declared here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "loop/internal/pool.h"

namespace lockstep::internal {

class RefCounted {
 public:
  RefCounted() = default;
  RefCounted(const RefCounted&) = delete;
  RefCounted& operator=(const RefCounted&) = delete;

  void add_ref() noexcept { ++refs_; }
  void release() noexcept {
    if (--refs_ == 0) delete this;
  }
  std::uint32_t ref_count() const noexcept { return refs_; }

  static void* operator new(std::size_t size) { return pool_allocate(size); }
  static void operator delete(void* p, std::size_t size) noexcept { pool_deallocate(p, size); }

 protected:
  virtual ~RefCounted() = default;

 private:
  std::uint32_t refs_ = 1;  // the creator's reference
};

// Owning pointer to a RefCounted object.
template <class T>
class Ref {
 public:
  Ref() noexcept = default;
  // Adopts a reference the caller already owns (e.g. from `new`).
  static Ref adopt(T* p) noexcept {
    Ref r;
    r.p_ = p;
    return r;
  }
  // Takes a new reference to p.
  explicit Ref(T* p) noexcept : p_(p) {
    if (p_) p_->add_ref();
  }
  Ref(const Ref& o) noexcept : Ref(o.p_) {}
  Ref(Ref&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  template <class U>
  Ref(Ref<U>&& o) noexcept : p_(o.leak()) {}
  template <class U>
  Ref(const Ref<U>& o) noexcept : Ref(o.get()) {}
  Ref& operator=(Ref o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~Ref() {
    if (p_) p_->release();
  }

  T* get() const noexcept { return p_; }
  T* operator->() const noexcept { return p_; }
  T& operator*() const noexcept { return *p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  // Gives up ownership without releasing.
  T* leak() noexcept { return std::exchange(p_, nullptr); }
  void reset() noexcept { Ref().swap(*this); }
  void swap(Ref& o) noexcept { std::swap(p_, o.p_); }

 private:
  T* p_ = nullptr;
};

template <class T, class... Args>
Ref<T> make_ref(Args&&... args) {
  return Ref<T>::adopt(new T(std::forward<Args>(args)...));
}

}  // namespace lockstep::internal

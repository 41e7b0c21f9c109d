// Queues between the tasks of one loop (asyncio.queues): Queue<T> (FIFO),
// PriorityQueue<T, Compare> (smallest first), LifoQueue<T> (newest first), and the
// QueueEmpty / QueueFull errors of their non-waiting methods.
//
//   lockstep::Queue<int> q(/*maxsize=*/10);     // 0 = unbounded
//
//   lockstep::Coro<void> producer(lockstep::Queue<int>& q) {
//     for (int i = 0; i < 100; ++i) co_await q.put(i);   // waits while the queue is full
//   }
//   lockstep::Coro<void> consumer(lockstep::Queue<int>& q) {
//     for (;;) {
//       int item = co_await q.get();                      // waits while it is empty
//       process(item);
//       q.task_done();
//     }
//   }
//   ...
//   co_await q.join();                   // until every item put has been task_done()
//
// Semantics are CPython 3.11.7's asyncio/queues.py, statement for statement: a blocked
// get() or put() waits on a Future<void> created on the running loop, in a FIFO list;
// put_nowait() wakes the first live getter, get_nowait() the first live putter, and the
// woken task re-checks (`while (empty()) wait`), so a task that did not wait may take
// the item first. Cancellation is safe: a get() cancelled while waiting takes no item
// (if it had been woken, it passes the wakeup to the next getter), and a put()
// cancelled while waiting inserts nothing. A queue is bound to the loop of its first
// wait; it is neither copyable nor movable and must outlive its waiters.
#pragma once

#include <algorithm>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <new>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "loop/coro.h"
#include "loop/internal/waiters.h"
#include "loop/locks.h"

namespace lockstep {

// get_nowait() on an empty queue (asyncio.QueueEmpty). what() is "", as str() is in Python.
class QueueEmpty : public std::runtime_error {
 public:
  QueueEmpty() : std::runtime_error("") {}
};

// put_nowait() on a full queue (asyncio.QueueFull). what() is "".
class QueueFull : public std::runtime_error {
 public:
  QueueFull() : std::runtime_error("") {}
};

namespace internal {

// The storage policies: asyncio's overridable _init/_put/_get.

// FIFO: a ring buffer of power-of-two capacity, doubled when full. (std::deque costs a
// block-boundary check on every push and pop; a queue's items go round a small ring.)
template <class T>
class FifoStore {
 public:
  FifoStore() = default;
  FifoStore(FifoStore&& o) noexcept
      : slots_(std::exchange(o.slots_, nullptr)),
        capacity_(std::exchange(o.capacity_, 0)),
        head_(std::exchange(o.head_, 0)),
        size_(std::exchange(o.size_, 0)) {}
  FifoStore& operator=(FifoStore&&) = delete;
  ~FifoStore() {
    while (size_ > 0) get();
    release(slots_);
  }

  std::size_t size() const noexcept { return size_; }
  void put(T&& item) {
    if (size_ == capacity_) grow();
    ::new (static_cast<void*>(slots_ + ((head_ + size_) & (capacity_ - 1)))) T(std::move(item));
    ++size_;
  }
  T get() {
    T* front = std::launder(slots_ + head_);
    T item = std::move(*front);
    front->~T();
    head_ = (head_ + 1) & (capacity_ - 1);
    --size_;
    return item;
  }

 private:
  static T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(alignof(T))));
  }
  static void release(T* p) noexcept {
    if (p) ::operator delete(p, std::align_val_t(alignof(T)));
  }
  void grow() {
    const std::size_t capacity = capacity_ ? capacity_ * 2 : 16;
    T* slots = allocate(capacity);
    std::size_t moved = 0;
    try {
      for (; moved < size_; ++moved)
        ::new (static_cast<void*>(slots + moved))
            T(std::move_if_noexcept(*std::launder(slots_ + ((head_ + moved) & (capacity_ - 1)))));
    } catch (...) {
      for (std::size_t i = 0; i < moved; ++i) slots[i].~T();
      release(slots);
      throw;
    }
    for (std::size_t i = 0; i < size_; ++i)
      std::launder(slots_ + ((head_ + i) & (capacity_ - 1)))->~T();
    release(slots_);
    slots_ = slots;
    capacity_ = capacity;
    head_ = 0;
  }

  T* slots_ = nullptr;  // capacity_ slots; the live ones are head_ .. head_ + size_ (mod)
  std::size_t capacity_ = 0;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

template <class T>
class LifoStore {
 public:
  std::size_t size() const noexcept { return items_.size(); }
  void put(T&& item) { items_.push_back(std::move(item)); }
  T get() {
    T item = std::move(items_.back());
    items_.pop_back();
    return item;
  }

 private:
  std::vector<T> items_;
};

// A binary heap, smallest (by `Compare`) first. Equal items come out in insertion order:
// heapq gives no such guarantee, and an order that depended on the standard library's
// heap algorithm would differ between implementations.
template <class T, class Compare>
class HeapStore {
 public:
  explicit HeapStore(Compare compare = Compare()) : compare_(std::move(compare)) {}
  std::size_t size() const noexcept { return heap_.size(); }
  void put(T&& item) {
    heap_.push_back(Entry{std::move(item), next_seq_++});
    std::push_heap(heap_.begin(), heap_.end(), ComesAfter{&compare_});
  }
  T get() {
    std::pop_heap(heap_.begin(), heap_.end(), ComesAfter{&compare_});
    T item = std::move(heap_.back().item);
    heap_.pop_back();
    return item;
  }

 private:
  struct Entry {
    T item;
    std::uint64_t seq;  // insertion order, to break ties
  };
  // The heap's "less": a comes out after b. std::*_heap keep the greatest in front, so
  // the front is what comes out first.
  struct ComesAfter {
    const Compare* compare;
    bool operator()(const Entry& a, const Entry& b) const {
      if ((*compare)(a.item, b.item)) return false;
      if ((*compare)(b.item, a.item)) return true;
      return a.seq > b.seq;
    }
  };

  Compare compare_;
  std::vector<Entry> heap_;
  std::uint64_t next_seq_ = 0;
};

// The awaitables of Queue::get() and Queue::put(). When the operation can complete at
// once (an item is there; there is room) it does, in await_resume, without a coroutine
// frame: asyncio's get()/put() do not yield then either. Otherwise the waiting path, a
// Coro, runs inline. Both convert to that Coro, so create_task(q.get()) and
// wait_for(q.get(), 1s) work as in asyncio.
template <class Q, class Result, class Op>
class [[nodiscard("a Queue operation does nothing unless awaited")]] QueueOp {
 public:
  using value_type = Result;

  bool await_ready() {
    if (op_.ready(*q_)) return true;
    waiting_.emplace(op_.waiting(*q_));
    awaiter_.emplace(std::move(*waiting_).operator co_await());
    return awaiter_->await_ready();
  }
  bool await_suspend(std::coroutine_handle<> h) { return awaiter_->await_suspend(h); }
  Result await_resume() {
    if (awaiter_) return awaiter_->await_resume();
    return op_.now(*q_);
  }
  // The whole operation as a coroutine, waiting path included.
  operator Coro<Result>()&& { return op_.waiting(*q_); }

  QueueOp(Q & q, Op op) : q_(&q), op_(std::move(op)) {}

 private:
  Q* q_;
  Op op_;
  std::optional<Coro<Result>> waiting_;
  std::optional<typename Coro<Result>::Awaiter> awaiter_;
};

}  // namespace internal

// asyncio.Queue: FIFO, optionally bounded. `Store` picks the order; use PriorityQueue or
// LifoQueue rather than naming a store.
template <class T, class Store = internal::FifoStore<T>>
class Queue : private internal::Diagnosable {
 public:
  using value_type = T;

  // A queue holding at most `maxsize` items; 0 = unbounded. `created`: where, for
  // deadlock reports ("the Queue created at pipeline.cc:30, empty").
  explicit Queue(std::size_t maxsize = 0, SourceLocation created = SourceLocation::current())
      : Queue(maxsize, Store(), created) {}
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  // Number of items in the queue.
  std::size_t qsize() const noexcept { return store_.size(); }
  // The bound given at construction (0 = unbounded).
  std::size_t maxsize() const noexcept { return maxsize_; }
  // True iff the queue holds no item.
  bool empty() const noexcept { return store_.size() == 0; }
  // True iff the queue is bounded and holds maxsize items (never for maxsize 0).
  bool full() const noexcept { return maxsize_ > 0 && store_.size() >= maxsize_; }

  // Adds `item`, waiting first while the queue is full. If cancelled while waiting, the
  // item is not added (it is destroyed with the coroutine). Awaitable, or convertible to
  // Coro<void> (see internal::QueueOp). `where` (get() and join() take it too): the
  // caller's line, which deadlock reports and cancellation fuzzing name.
  [[nodiscard]] auto put(T item, SourceLocation where = SourceLocation::current()) {
    return internal::QueueOp<Queue, void, PutOp>(*this, PutOp{std::move(item), where});
  }
  // Adds `item` now and wakes the first live getter. QueueFull if the queue is full;
  // `item` is then left as it was (not moved from).
  void put_nowait(T&& item);
  void put_nowait(const T& item) { put_nowait(T(item)); }
  // Removes and returns the next item, waiting first while the queue is empty. If
  // cancelled while waiting, no item is taken. Awaitable, or convertible to Coro<T>.
  [[nodiscard]] auto get(SourceLocation where = SourceLocation::current()) {
    return internal::QueueOp<Queue, T, GetOp>(*this, GetOp{where});
  }
  // Removes and returns the next item now and wakes the first live putter. QueueEmpty
  // if the queue is empty.
  T get_nowait();

  // Marks one item taken by get() as processed; when every item put so far is, join()
  // returns. OverReleaseError if called more often than items were put.
  void task_done();
  // Waits until every item put has been marked task_done() (at once if none is due).
  [[nodiscard]] Coro<void> join(SourceLocation where = SourceLocation::current());

 protected:
  Queue(std::size_t maxsize, Store store, SourceLocation created)
      : store_(std::move(store)), maxsize_(maxsize), finished_(created), created_(created) {
    finished_.set();
  }

 private:
  struct PutOp {
    T item;
    SourceLocation where;
    bool ready(Queue& q) const noexcept { return !q.full(); }
    void now(Queue& q) { q.put_nowait(std::move(item)); }
    Coro<void> waiting(Queue& q) { return q.put_waiting(std::move(item), where); }
  };
  struct GetOp {
    SourceLocation where;
    bool ready(Queue& q) const noexcept { return !q.empty(); }
    T now(Queue& q) { return q.get_nowait(); }
    Coro<T> waiting(Queue& q) { return q.get_waiting(where); }
  };
  Coro<void> put_waiting(T item, SourceLocation where);
  Coro<T> get_waiting(SourceLocation where);

  // Wakes the first waiter that is still pending; skips (and drops) done ones.
  static void wakeup_next(internal::Waiters& waiters) {
    while (!waiters.empty()) {
      Future<void> waiter = std::move(waiters.front());
      waiters.pop_front();
      if (!waiter.done()) {
        waiter.set_result();
        break;
      }
    }
  }

  Store store_;
  std::size_t maxsize_;
  internal::LoopBound bound_;
  internal::Waiters getters_;         // get() calls waiting for an item, FIFO
  internal::Waiters putters_;         // put() calls waiting for room, FIFO
  std::size_t unfinished_tasks_ = 0;  // items put and not yet task_done()
  Event finished_;                    // set iff unfinished_tasks_ == 0
  SourceLocation created_;

  std::string diagnosis() const override {
    std::string s = "the Queue created at " + created_.to_string() + ", ";
    if (empty()) return s + "empty";
    s += std::to_string(qsize()) + (qsize() == 1 ? " item" : " items");
    if (maxsize_ > 0) s += " of at most " + std::to_string(maxsize_);
    return s;
  }
};

// asyncio.PriorityQueue: get() returns the smallest item by `Compare` first. Items that
// compare equal come out in insertion order (CPython's heapq gives no guarantee).
template <class T, class Compare = std::less<T>>
class PriorityQueue : public Queue<T, internal::HeapStore<T, Compare>> {
 public:
  explicit PriorityQueue(std::size_t maxsize = 0, Compare compare = Compare(),
                         SourceLocation created = SourceLocation::current())
      : Queue<T, internal::HeapStore<T, Compare>>(
            maxsize, internal::HeapStore<T, Compare>(std::move(compare)), created) {}
};

// asyncio.LifoQueue: get() returns the most recently added item first.
template <class T>
class LifoQueue : public Queue<T, internal::LifoStore<T>> {
 public:
  explicit LifoQueue(std::size_t maxsize = 0, SourceLocation created = SourceLocation::current())
      : Queue<T, internal::LifoStore<T>>(maxsize, internal::LifoStore<T>(), created) {}
};

// ---------------------------------------------------------------------------------------
// Implementation of the templates.

template <class T, class Store>
Coro<void> Queue<T, Store>::put_waiting(T item, SourceLocation where) {
  while (full()) {
    Future<void> putter =
        internal::make_waiter(bound_.get_loop("Queue"), "Queue.put()", this, where);
    try {
      internal::WaiterEntry entry(putters_, putter);  // gone before the handler runs
      co_await putter;
    } catch (...) {
      putter.cancel();  // in case it is not done yet
      // Woken by get_nowait() but cannot take the slot: wake the next putter in line.
      if (!full() && !putter.cancelled()) wakeup_next(putters_);
      throw;
    }
  }
  put_nowait(std::move(item));
}

template <class T, class Store>
void Queue<T, Store>::put_nowait(T&& item) {
  if (full()) throw QueueFull();
  store_.put(std::move(item));
  ++unfinished_tasks_;
  finished_.clear();
  wakeup_next(getters_);
}

template <class T, class Store>
Coro<T> Queue<T, Store>::get_waiting(SourceLocation where) {
  while (empty()) {
    Future<void> getter =
        internal::make_waiter(bound_.get_loop("Queue"), "Queue.get()", this, where);
    try {
      internal::WaiterEntry entry(getters_, getter);  // gone before the handler runs
      co_await getter;
    } catch (...) {
      getter.cancel();  // in case it is not done yet
      // Woken by put_nowait() but cannot take the item: wake the next getter in line,
      // or the item would sit in the queue with getters waiting.
      if (!empty() && !getter.cancelled()) wakeup_next(getters_);
      throw;
    }
  }
  co_return get_nowait();
}

template <class T, class Store>
T Queue<T, Store>::get_nowait() {
  if (empty()) throw QueueEmpty();
  T item = store_.get();
  wakeup_next(putters_);
  return item;
}

template <class T, class Store>
void Queue<T, Store>::task_done() {
  if (unfinished_tasks_ == 0) throw OverReleaseError("task_done() called too many times");
  if (--unfinished_tasks_ == 0) finished_.set();
}

template <class T, class Store>
Coro<void> Queue<T, Store>::join(SourceLocation where) {
  if (unfinished_tasks_ > 0) co_await finished_.wait(where);
}

}  // namespace lockstep

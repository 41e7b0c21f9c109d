// The loop's ready queue: an intrusive FIFO of ReadyNodes.
//
// A task is its own node (the promise-side state inherits ReadyNode), so waking a task
// pushes a pointer and allocates nothing. Callback handles and fired timers are nodes too.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>

namespace lockstep::internal {

// Something the loop can run once it reaches the front of the ready queue.
class ReadyNode {
 public:
  // Runs the node. The queue's claim on the node ends here: a node that the queue kept
  // alive (a callback handle) releases itself.
  virtual void run() = 0;
  // Releases the queue's claim without running (loop closed with the node still queued).
  virtual void drop() noexcept = 0;
  // The id of the task this node steps, or 0 for a plain callback (for decision sources
  // that key choices on tasks; cheaper than a dynamic_cast per step).
  virtual std::uint64_t task_id() const noexcept { return 0; }
  // The step the node is about to run, counted: its task's id and which of that task's
  // steps it is (1 = its first); {0, 0} for a plain callback. Each call counts one step.
  // For decision sources that key a step's choices on "the n-th step of task t", which
  // stays put when other tasks' steps come and go.
  struct StepNumber {
    std::uint64_t task_id = 0;
    std::uint64_t ordinal = 0;
  };
  virtual StepNumber number_step() noexcept { return {}; }

  ReadyNode* next_ = nullptr;  // link in the ready queue or in a future's callback list

 protected:
  ~ReadyNode() = default;
};

// Singly linked FIFO of nodes; a node is in at most one list at a time. Circular, with
// only the tail stored (the head is tail->next): every future and task carries one (its
// waiters), so it is one pointer.
class NodeList {
 public:
  NodeList() = default;
  NodeList(const NodeList&) = delete;
  NodeList& operator=(const NodeList&) = delete;
  NodeList(NodeList&& o) noexcept : tail_(o.tail_) { o.tail_ = nullptr; }
  ~NodeList() { assert(empty() && "NodeList destroyed with nodes still linked"); }

  bool empty() const noexcept { return tail_ == nullptr; }
  ReadyNode* front() const noexcept { return tail_ ? tail_->next_ : nullptr; }
  ReadyNode* back() const noexcept { return tail_; }
  // The node after `n` in this list, or nullptr after the last.
  ReadyNode* next(const ReadyNode* n) const noexcept { return n == tail_ ? nullptr : n->next_; }

  void push_back(ReadyNode* n) noexcept {
    if (tail_) {
      n->next_ = tail_->next_;
      tail_->next_ = n;
    } else {
      n->next_ = n;
    }
    tail_ = n;
  }

  ReadyNode* pop_front() noexcept {
    ReadyNode* n = tail_->next_;
    if (n == tail_)
      tail_ = nullptr;
    else
      tail_->next_ = n->next_;
    n->next_ = nullptr;
    return n;
  }

  // Removes and returns the node at `index` (< the length). O(index).
  ReadyNode* take(std::size_t index) noexcept {
    if (index == 0) return pop_front();
    ReadyNode* prev = tail_->next_;
    for (std::size_t i = 1; i < index; ++i) prev = prev->next_;
    ReadyNode* n = prev->next_;
    prev->next_ = n->next_;
    if (tail_ == n) tail_ = prev;
    n->next_ = nullptr;
    return n;
  }

  // Unlinks `n` if present; returns true iff it was.
  bool remove(ReadyNode* n) noexcept {
    if (!tail_) return false;
    ReadyNode* prev = tail_;
    do {
      ReadyNode* cur = prev->next_;
      if (cur == n) {
        if (cur == prev) {
          tail_ = nullptr;  // it was the only node
        } else {
          prev->next_ = cur->next_;
          if (tail_ == cur) tail_ = prev;
        }
        cur->next_ = nullptr;
        return true;
      }
      prev = cur;
    } while (prev != tail_);
    return false;
  }

  // Moves every node out, in order, leaving this list empty.
  NodeList take_all() noexcept {
    NodeList out;
    out.tail_ = tail_;
    tail_ = nullptr;
    return out;
  }

 private:
  ReadyNode* tail_ = nullptr;
};

}  // namespace lockstep::internal

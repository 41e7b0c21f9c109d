// Removing repeated futures from an argument list (asyncio: `set(fs)`), keeping the first
// occurrence of each, in input order, in O(n) and without a hash set: each future is
// marked while the operation runs, and the marks are cleared at the end.
#pragma once

#include <vector>

#include "loop/internal/future_base.h"

namespace lockstep::internal {

// Marks futures for the duration of one synchronous operation (no suspension while it
// lives, so no other operation can see the marks); clears them when destroyed.
class FutureMarks {
 public:
  FutureMarks() = default;
  FutureMarks(const FutureMarks&) = delete;
  ~FutureMarks() {
    for (FutureBase* f : marked_) f->mark_ = false;
  }
  // True iff `f` was not marked yet (and marks it).
  bool first_time(FutureBase* f) {
    if (f->mark_) return false;
    f->mark_ = true;
    marked_.push_back(f);
    return true;
  }

 private:
  std::vector<FutureBase*> marked_;
};

template <class F>
std::vector<F> distinct(const std::vector<F>& fs) {
  FutureMarks marks;
  std::vector<F> out;
  out.reserve(fs.size());
  for (const F& f : fs)
    if (marks.first_time(&f.base())) out.push_back(f);
  return out;
}

}  // namespace lockstep::internal

// Removing repeated futures from an argument list (asyncio: `set(fs)`), keeping the first
// occurrence of each, in input order. The hash set is only asked "seen before?", never
// iterated, so its order cannot leak into behaviour.
#pragma once

#include <unordered_set>
#include <vector>

#include "loop/internal/future_base.h"

namespace lockstep::internal {

class SeenFutures {
 public:
  // True iff `f` was not seen before (and remembers it).
  bool first_time(const FutureBase* f) { return seen_.insert(f).second; }

 private:
  std::unordered_set<const FutureBase*> seen_;
};

template <class F>
std::vector<F> distinct(const std::vector<F>& fs) {
  SeenFutures seen;
  std::vector<F> out;
  out.reserve(fs.size());
  for (const F& f : fs)
    if (seen.first_time(&f.base())) out.push_back(f);
  return out;
}

}  // namespace lockstep::internal

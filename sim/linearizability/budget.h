// How much the checker (checker.h) may spend before it answers "unknown" instead of
// hanging: wall-clock time for the whole check, and the states and (estimated) bytes
// kept in the memo of one partition (the memory bounds).
//
//   lockstep::lin::Budget b;
//   b.time = std::chrono::seconds(5);
//   b.max_states = 1'000'000;
//   auto r = lockstep::lin::check(history, lockstep::lin::KvMap{}, b);
//   if (r.verdict == lockstep::lin::Verdict::kUnknown) std::puts(r.reason.c_str());
//
// The state and memory bounds are deterministic (same history, same answer); the time bound is not,
// so a simulated test that must replay exactly should rely on those.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace lockstep::lin {

struct Budget {
  // Wall-clock time for the whole check (including finding the smallest illegal prefix).
  std::optional<std::chrono::nanoseconds> time = std::chrono::seconds(60);
  // Distinct (linearized set, state) pairs remembered for one partition.
  std::uint64_t max_states = 20'000'000;
  // The memo of one partition, estimated (each entry: a bit per operation of the
  // partition, the state, some overhead), in bytes.
  std::uint64_t max_memory = std::uint64_t{2} << 30;
  // Explain a failure (the smallest illegal prefix, the operations involved, the longest
  // linearization: up to a few hundred more searches, together at most
  // kExplainStatesFactor * max_states states; past that the explanation is cut short, still
  // right but maybe not minimal, and says so). false: the verdict and the failing
  // partition only, as a sweep or a shrinker needs, which then re-checks the one failure
  // it keeps with an explanation.
  bool explain = true;
};

// What explaining a failure may spend in all, in units of Budget::max_states: without it a
// history with many unknown outcomes took minutes to explain (each of ~200 searches
// could spend max_states).
inline constexpr std::uint64_t kExplainStatesFactor = 4;

namespace internal {

// A Budget being spent: the clock is read every 4096 states, and never without a time
// budget (a check inside a simulation then reads no real clock: no escape).
class Spending {
 public:
  explicit Spending(const Budget& b) : budget_(b) {
    if (budget_.time) start_ = std::chrono::steady_clock::now();
  }

  // False if out of budget (reason() says which): `states` is the partition's count so
  // far (too many ends that partition's search), time ends every search from then on.
  bool charge(std::uint64_t states, std::uint64_t bytes) {
    if (out_of_time_) return false;
    if (bytes > budget_.max_memory) {
      reason_ = "memo of one partition over " + std::to_string(budget_.max_memory >> 20) +
                " MiB (Budget::max_memory)";
      return false;
    }
    if (total_limit_ != 0 && states > total_limit_ - std::min(total_limit_, total_)) {
      reason_ = "explaining: more than " + std::to_string(total_limit_) +
                " states in all (Budget::max_states * kExplainStatesFactor)";
      return false;
    }
    if (states > budget_.max_states) {
      reason_ = "more than " + std::to_string(budget_.max_states) +
                " states in one partition (Budget::max_states)";
      return false;
    }
    if (budget_.time && (++ticks_ & 4095) == 0 &&
        std::chrono::steady_clock::now() - start_ > *budget_.time) {
      out_of_time_ = true;
      reason_ = "out of time (Budget::time, " +
                std::to_string(std::chrono::duration<double>(*budget_.time).count()) + " s)";
      return false;
    }
    return true;
  }
  bool out_of_time() const { return out_of_time_; }
  // The budget with the time already spent taken off (for a further stage of the check).
  Budget remaining() const {
    Budget b = budget_;
    if (b.time) {
      const auto spent = std::chrono::steady_clock::now() - start_;
      b.time = spent >= *b.time
                   ? std::chrono::nanoseconds(0)
                   : std::chrono::duration_cast<std::chrono::nanoseconds>(*b.time - spent);
    }
    return b;
  }
  bool total_spent() const { return total_limit_ != 0 && total_ >= total_limit_; }
  // A cap on the states of all searches together, which report what they made (spent());
  // 0: none.
  void limit_total(std::uint64_t states) { total_limit_ = states; }
  void spent(std::uint64_t states) { total_ += states; }
  const std::string& reason() const { return reason_; }

 private:
  Budget budget_;
  std::chrono::steady_clock::time_point start_{};
  std::uint64_t ticks_ = 0;
  bool out_of_time_ = false;
  std::uint64_t total_limit_ = 0;
  std::uint64_t total_ = 0;
  std::string reason_;  // the last budget that ran out
};

}  // namespace internal
}  // namespace lockstep::lin

// Invariants: checks of a simulated program's state, after every step of the run.
//
//   lockstep::Coro<void> service() {
//     Pool pool(3);
//     auto no_leak = lockstep::invariant("connections lent + free == 3",
//                                        [&] { return pool.lent() + pool.free() == 3; });
//     ...
//   }  // checked once more here, when `no_leak` goes out of scope
//
// While the returned Invariant lives, the check runs after every step of the loop (every
// callback and task step); the first step after which it is false ends the run with an
// InvariantViolation naming the check, the step, the time and the last decision made -
// the choice that led there. A run whose main returned but whose check was false when
// the Invariant was destroyed fails the same way. Outside a simulation, invariant() does
// nothing (the check never runs).
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

namespace lockstep {

class SimDecisions;

// A check was false. The first line says which and when (same for the same failure, so
// the shrinker keeps it); the second shows the last decision before it.
class InvariantViolation : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class [[nodiscard]] Invariant {
 public:
  Invariant() = default;
  Invariant(std::string name, std::function<bool()> holds);
  Invariant(Invariant&& other) noexcept;
  Invariant& operator=(Invariant&& other) noexcept;
  Invariant(const Invariant&) = delete;
  Invariant& operator=(const Invariant&) = delete;
  // Checks once more, then stops checking.
  ~Invariant();

  const std::string& name() const noexcept { return name_; }
  // Runs the check now; false if it does not hold.
  bool holds() const { return !holds_ || holds_(); }

 private:
  friend class SimDecisions;
  void release() noexcept;

  SimDecisions* sim_ = nullptr;  // null outside a simulation
  std::string name_;
  std::function<bool()> holds_;
};

// Registers `holds` under `name` with the running simulation (see above).
inline Invariant invariant(std::string name, std::function<bool()> holds) {
  return Invariant(std::move(name), std::move(holds));
}

}  // namespace lockstep

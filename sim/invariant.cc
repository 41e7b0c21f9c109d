#include "sim/invariant.h"

#include <utility>

#include "sim/random.h"
#include "sim/sim_decisions.h"

namespace lockstep {

Invariant::Invariant(std::string name, std::function<bool()> holds)
    : sim_(internal::current_simulation()), name_(std::move(name)), holds_(std::move(holds)) {
  if (sim_) sim_->add_invariant(this);
}

Invariant::Invariant(Invariant&& other) noexcept
    : sim_(std::exchange(other.sim_, nullptr)),
      name_(std::move(other.name_)),
      holds_(std::move(other.holds_)) {
  if (sim_) sim_->replace_invariant(&other, this);
}

Invariant& Invariant::operator=(Invariant&& other) noexcept {
  if (this != &other) {
    release();
    sim_ = std::exchange(other.sim_, nullptr);
    name_ = std::move(other.name_);
    holds_ = std::move(other.holds_);
    if (sim_) sim_->replace_invariant(&other, this);
  }
  return *this;
}

Invariant::~Invariant() { release(); }

void Invariant::release() noexcept {
  if (!sim_) return;
  SimDecisions* sim = std::exchange(sim_, nullptr);
  sim->remove_invariant(this);
  try {
    if (!holds()) sim->note_violation(*this, "when it went out of scope");
  } catch (...) {
    sim->note_violation(*this, "when it went out of scope (its check threw)");
  }
}

}  // namespace lockstep

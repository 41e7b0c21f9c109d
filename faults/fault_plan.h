// Fault plans: which faults a simulation injects, as a value or as a text file.
//
//   lockstep::register_fault_error<ConnectionReset>("ConnectionReset");
//   lockstep::FaultPlan plan;
//   plan.awaits.push_back({.tasks = "client-*", .awaiting = "Queue.get()", .probability = 0.05,
//                          .error = "ConnectionReset", .message = "peer went away"});
//   plan.delays.push_back({.target = lockstep::DelayFault::Target::kTimers, .probability = 0.01});
//   lockstep::SimulationOptions o;
//   o.faults = lockstep::make_injector(plan);        // or: load_fault_plan("plan.txt")
//
// At an await: a task whose name matches `tasks`, suspending on something whose
// description matches `awaiting` ("sleep until *", "sleep(0)", "Queue.get()",
// "Queue.put()", "Lock.acquire()", "Semaphore.acquire()", "Event.wait()",
// "Task 'name'", "a gather of *", "a Future created at file:line", ...), or that and
// the line of the await ("Queue.get() at *client.cc:42"), raises the
// registered error with `probability`: the await ends at once with that error, as if
// thrown into the coroutine there (what it awaited carries on without it). Delays are
// heavy-tailed - usually small, rarely long stalls - on timers being armed or executor
// jobs; executor jobs may fail with a registered error instead of running. Each chance
// is a decision of kind fault (drawn from the fault stream, so a plan
// that never fires leaves the rest of the run as it was): recorded, replayed, shrunk.
//
// A plan may also hold the simulated world's faults (`world { ... }`, WorldPlan in
// sim/world/world.h): crashes and partitions decided per tick or scheduled at given
// times, message loss and duplication, clock skew and steps, disk faults and per-link
// latency distributions. A World (sim/world/world.h) of a run with the plan applies
// them; World::run_faults(duration) runs its faults:
//
//   world { nodes: "n1" nodes: "n2" nodes: "n3" crash: 0.05 max_down_ms: 500
//           partition: 0.1 loss: 0.01 clocks { max_offset_ms: 50 max_drift_ppm: 100 }
//           disk { fsync_error: 0.01 } latency { shape: "log_uniform" min_ms: 0.1 max_ms: 5 }
//           crash_at { node: "n2" at_ms: 300 down_ms: 200 } }
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "loop/clock.h"
#include "sim/fault_injector.h"
#include "sim/world/world.h"

namespace lockstep {

struct AwaitFault {
  std::string tasks = "*";
  std::string awaiting = "*";
  double probability = 0.01;
  std::string error = "std::runtime_error";
  std::string message = "injected fault";
};

struct DelayFault {
  enum class Target : std::uint8_t { kTimers, kJobs };
  Target target = Target::kTimers;
  double probability = 0.01;
  Duration scale = std::chrono::milliseconds(1);  // the smallest delay when it fires
  double alpha = 1.5;                             // tail index: smaller is heavier
  Duration max = std::chrono::seconds(10);
};

struct JobFault {
  double probability = 0.01;
  std::string error = "std::runtime_error";
  std::string message = "injected job failure";
};

struct FaultPlan {
  std::vector<AwaitFault> awaits;
  std::vector<DelayFault> delays;
  std::vector<JobFault> jobs;
  // The simulated world's faults, clocks, disks and latencies: a World of a run with
  // this plan applies them, and World::run_faults(duration) runs them.
  std::optional<WorldPlan> world;
};

// A plan that cannot be used: the text does not parse, a field is unknown, a probability
// is outside [0, 1], an error name is not registered. what() names the place and the
// problem, one line each.
class FaultPlanError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads a plan in protobuf text format (faults/fault_plan.proto); `origin` names it in
// errors (a file name).
FaultPlan parse_fault_plan(std::string_view text, const std::string& origin = "fault plan");
FaultPlan load_fault_plan(const std::string& path);
// The plan as text that parse_fault_plan reads back to the same plan.
std::string to_text(const FaultPlan& plan);
// Checks a plan built in C++ the way parse_fault_plan checks text. Throws FaultPlanError.
void validate(const FaultPlan& plan, const std::string& origin = "fault plan");

// The injector a simulation uses for `plan` (validated first).
std::shared_ptr<FaultInjector> make_injector(FaultPlan plan);

// Errors a plan may name. Built in: std::runtime_error, std::logic_error,
// std::invalid_argument, std::out_of_range, lockstep::TimeoutError.
using FaultErrorFactory = std::function<std::exception_ptr(const std::string& message)>;
void register_fault_error(std::string name, FaultErrorFactory make);
template <class E>
void register_fault_error(std::string name) {
  register_fault_error(std::move(name), [](const std::string& message) {
    return std::make_exception_ptr(E(message));
  });
}
bool is_fault_error(const std::string& name);

}  // namespace lockstep

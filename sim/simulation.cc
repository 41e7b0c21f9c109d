#include "sim/simulation.h"

namespace lockstep::internal {

ExceptionHandler simulation_exception_handler(const SimulationOptions& options,
                                              std::exception_ptr& unretrieved) {
  if (options.unretrieved_errors == UnretrievedErrors::kWarn) return options.exception_handler;
  return [user = options.exception_handler, &unretrieved](Loop& loop, const ExceptionContext& c) {
    if (c.unretrieved && !unretrieved) {
      const std::string who = c.task.empty() ? "a Future" : "Task '" + c.task + "'";
      unretrieved = std::make_exception_ptr(
          UnretrievedError(who + " failed and nobody retrieved its exception (" + c.message +
                           "): " + describe_exception(c.exception) +
                           "; await it, or set unretrieved_errors = kWarn to only report it"));
    }
    if (user)
      user(loop, c);
    else
      default_exception_handler(loop, c);
  };
}

}  // namespace lockstep::internal

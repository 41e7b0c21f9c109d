// A line-based echo service and its client: the coroutines examples/echo runs over real
// sockets and examples/echo_sim_test runs under simulation, unchanged.
#pragma once

#include <string>
#include <vector>

#include "loop/lockstep.h"

namespace echo {

// Serves one connection: answers each line with the same line, until the client's EOF.
lockstep::Coro<void> serve(lockstep::StreamReader reader, lockstep::StreamWriter writer);

// Sends `lines` one at a time and returns the answers (each without its '\n'). Gives up
// on an answer after `timeout` (lockstep::TimeoutError).
lockstep::Coro<std::vector<std::string>> ask(std::string host, std::uint16_t port,
                                             std::vector<std::string> lines,
                                             lockstep::Duration timeout = std::chrono::seconds(5));

}  // namespace echo

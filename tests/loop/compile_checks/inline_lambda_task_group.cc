// Compiled by compile_checks_test.sh, never linked: a lambda with a std::string capture
// written inline in `co_await task_group(...)`. g++ < 13 destroys such a temporary twice
// (GCC PR 100611), so there it must be refused at compile time; clang compiles it.
#include <string>

#include "loop/lockstep.h"

lockstep::Coro<void> inline_lambda(std::string name) {
  co_await lockstep::task_group([name](lockstep::TaskGroup& g) -> lockstep::Coro<void> {
    co_await lockstep::sleep(std::chrono::milliseconds(name.size()));
  });
}

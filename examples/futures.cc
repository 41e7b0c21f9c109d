// Futures: a result filled in later by a callback, printed when it arrives.
//
//   ./bazelw run //examples:futures
//
// A Future is a placeholder: one side awaits it, another sets it. Its done callbacks run
// through the loop (never inline), in the order they were added. Cancelling a Future
// wakes its awaiters with CancelledError.
#include <cstdio>
#include <string>

#include "loop/lockstep.h"

using namespace std::chrono_literals;

double now() { return lockstep::to_seconds(lockstep::Loop::current()->time()); }

lockstep::Coro<void> amain() {
  lockstep::Loop& loop = *lockstep::Loop::current();

  // 1. A callback fills the future after 2 seconds; the task awaits it meanwhile.
  lockstep::Future<std::string> reply = loop.create_future<std::string>();
  reply.add_done_callback([](lockstep::Future<std::string>& f) {
    std::printf("t=%.1fs  done callback sees: %s\n", now(), f.result().c_str());
  });
  loop.call_later(2s, [reply]() mutable {
    std::printf("t=%.1fs  timer fires, sets the result\n", now());
    reply.set_result("pong");
  });
  std::printf("t=%.1fs  waiting for the reply...\n", now());
  std::string value = co_await reply;
  std::printf("t=%.1fs  awaited: %s\n", now(), value.c_str());

  // 2. A future that fails: the awaiter gets the exception.
  lockstep::Future<int> failing = loop.create_future<int>();
  loop.call_later(1s,
                  [failing]() mutable { failing.set_exception(std::runtime_error("disk full")); });
  try {
    co_await failing;
  } catch (const std::runtime_error& e) {
    std::printf("t=%.1fs  awaited an error: %s\n", now(), e.what());
  }

  // 3. A future that is cancelled: the awaiter gets CancelledError with the message.
  lockstep::Future<int> abandoned = loop.create_future<int>();
  loop.call_later(1s, [abandoned]() mutable { abandoned.cancel("nobody needs it"); });
  try {
    co_await abandoned;
  } catch (const lockstep::CancelledError& e) {
    std::printf("t=%.1fs  awaited a cancellation: %s\n", now(), e.message().c_str());
  }
}

int main() { lockstep::run(amain()); }

// lockstep: the whole public API of the event loop in one include.
//
//   #include "loop/lockstep.h"
//   using namespace std::chrono_literals;
//
//   lockstep::Coro<void> amain() {
//     auto t = lockstep::create_task(worker(), "worker");
//     co_await lockstep::sleep(1s);
//     t.cancel();
//   }
//   int main() { lockstep::run(amain()); }
#pragma once

#include "loop/as_completed.h"
#include "loop/clock.h"
#include "loop/coro.h"
#include "loop/decision_source.h"
#include "loop/driver.h"
#include "loop/epoll_driver.h"
#include "loop/errors.h"
#include "loop/escape.h"
#include "loop/exception_group.h"
#include "loop/executor.h"
#include "loop/fs/file_system.h"
#include "loop/fs/real_file_system.h"
#include "loop/future.h"
#include "loop/gather.h"
#include "loop/handle.h"
#include "loop/io.h"
#include "loop/locks.h"
#include "loop/loop.h"
#include "loop/net/datagram.h"
#include "loop/net/errors.h"
#include "loop/net/network.h"
#include "loop/net/streams.h"
#include "loop/observer.h"
#include "loop/os_error.h"
#include "loop/outcome.h"
#include "loop/queues.h"
#include "loop/run.h"
#include "loop/run_in_executor.h"
#include "loop/shield.h"
#include "loop/sleep.h"
#include "loop/task.h"
#include "loop/task_group.h"
#include "loop/threadsafe.h"
#include "loop/timeouts.h"
#include "loop/wait.h"
#include "loop/wait_for.h"

// A fault point finds a bug on an error path that normal runs never take.
//
//   ./bazelw run //examples:buggify
//
// A client pays through a server, retrying when the connection drops. The server applies
// the charge, then replies; if the reply is lost the client cannot tell whether the charge
// happened, and retries - charging twice. Nothing in a normal run loses a reply. The fault
// point `if (lockstep::buggify()) throw ConnectionReset(...)` does, in some simulated runs,
// and the invariant "every payment charged once" catches the double charge.
#include "faults/buggify.h"

#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>

#include "faults/coverage.h"
#include "loop/lockstep.h"
#include "sim/invariant.h"
#include "sim/shrink.h"
#include "sim/simulation.h"

using namespace std::chrono_literals;
using lockstep::Coro;

struct ConnectionReset : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Server {
 public:
  int balance = 100;
  Coro<void> charge(int amount) {
    co_await lockstep::sleep(2ms);                                 // the request travels
    balance -= amount;                                             // applied...
    if (lockstep::buggify()) throw ConnectionReset("reply lost");  // ...but the reply may be lost
    co_await lockstep::sleep(2ms);                                 // the reply travels
  }
};

// BUG: retries a charge whose outcome is unknown, without an idempotency key.
Coro<void> pay(Server& server, int amount) {
  for (int attempt = 1;; ++attempt) {
    try {
      co_await server.charge(amount);
      co_return;
    } catch (const ConnectionReset&) {
      if (attempt == 3) throw;
      lockstep::probe("retry after a lost reply");
    }
    co_await lockstep::sleep(10ms);  // back off, then retry
  }
}

Coro<int> shop() {
  Server server;
  int paid = 0;
  auto once = lockstep::invariant("every payment charged once",
                                  [&] { return server.balance >= 100 - paid; });
  std::vector<lockstep::Task<void>> payments;
  for (int i = 0; i < 4; ++i)
    payments.push_back(lockstep::create_task(
        [](Server& s, int* paid) -> Coro<void> {
          *paid += 10;
          co_await pay(s, 10);
        }(server, &paid),
        "payment-" + std::to_string(i)));
  co_await lockstep::gather(lockstep::return_exceptions, payments);
  if (server.balance != 100 - paid)
    throw std::runtime_error("balance " + std::to_string(server.balance) + ", expected " +
                             std::to_string(100 - paid));
  co_return server.balance;
}

int main() {
  std::printf("-- without simulation: buggify() is false\n");
  std::printf("balance after 4 payments of 10: %d\n", lockstep::run(shop()));

  std::printf("-- 200 simulated seeds with fault points\n");
  lockstep::SimulationOptions options;
  lockstep::Coverage coverage;
  coverage.expect_probe("retry after a lost reply");
  auto sweep =
      lockstep::simulate_seeds(shop, 0, 200, options, [&](const auto& run) { coverage.add(run); });
  std::printf("%zu of %llu seeds fail\n", sweep.failing_seeds.size(),
              static_cast<unsigned long long>(sweep.runs));
  std::printf("%s", coverage.report().c_str());
  if (sweep.failing_seeds.empty()) return 1;

  options.seed = sweep.failing_seeds.front();
  auto failing = lockstep::simulate(shop, options);
  std::printf("-- seed %llu: %s\n", static_cast<unsigned long long>(options.seed),
              lockstep::describe_exception(failing.outcome.exception()).c_str());
  auto small = lockstep::shrink(shop, failing.decisions, options);
  std::printf("%s", small.summary.c_str());
  auto again = lockstep::replay(shop, small.run.decisions, options);
  std::printf("-- replayed: %s\n", again.outcome.ok() ? "ok" : "the same failure");
  return 0;
}

// A project that uses lockstep (tests/consumers/: built out of tree by CI, with CMake
// and with Bazel): an account whose transfers hold a lock, tested under simulation.
#include <vector>

#include "loop/lockstep.h"
#include "sim/random.h"
#include "sim/testing/lockstep_test.h"

using namespace std::chrono_literals;

namespace {

class Account {
 public:
  // Withdraws `amount` if the balance covers it; the check and the update hold the lock
  // across the (simulated) call to the ledger, so two withdrawals cannot both pass.
  lockstep::Coro<bool> withdraw(int amount) {
    auto guard = co_await lock_.lock();
    if (balance_ < amount) co_return false;
    co_await lockstep::sleep(std::chrono::milliseconds(1 + lockstep::random_below(3)));
    balance_ -= amount;
    co_return true;
  }
  int balance() const { return balance_; }

 private:
  lockstep::Lock lock_;
  int balance_ = 100;
};

}  // namespace

LOCKSTEP_TEST(Account, NeverOverdrawn, .seeds = 200) {
  Account account;
  std::vector<lockstep::Task<bool>> clients;
  for (int i = 0; i < 4; ++i)
    clients.push_back(lockstep::create_task(account.withdraw(40), "client-" + std::to_string(i)));
  int granted = 0;
  for (auto& client : clients) granted += (co_await client) ? 1 : 0;
  CO_ASSERT_EQ(granted, 2);
  CO_ASSERT_EQ(account.balance(), 20);
}

TEST(Account, StartsWithOneHundred) { EXPECT_EQ(Account().balance(), 100); }

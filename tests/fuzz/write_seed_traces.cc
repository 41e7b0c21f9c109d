// Writes a few small real traces into the directory given as argv[1]: the fuzzer's
// starting corpus, so it mutates well-formed headers, decisions, events and logs.
#include <cstdio>
#include <stdexcept>
#include <string>

#include "loop/lockstep.h"
#include "replay/replay_trace.h"

namespace {

using namespace std::chrono_literals;

lockstep::Coro<int> program() {
  auto a = lockstep::create_task(
      []() -> lockstep::Coro<int> {
        co_await lockstep::sleep(std::chrono::milliseconds(lockstep::random_below(3)));
        lockstep::log("a woke");
        co_return 1;
      }(),
      "a");
  auto b = lockstep::create_task([]() -> lockstep::Coro<void> { co_await lockstep::sleep(1h); }());
  auto c = lockstep::create_task([]() -> lockstep::Coro<void> {
    co_await lockstep::sleep(1ms);
    throw std::runtime_error("c failed");
  }());
  const int v = co_await a;
  b.cancel("done");
  try {
    co_await c;
  } catch (const std::runtime_error&) {
  }
  co_return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_seed_traces DIR\n");
    return 2;
  }
  const lockstep::Strategy kinds[] = {lockstep::Strategy::kFifo, lockstep::Strategy::kFaithful,
                                      lockstep::Strategy::kRandom, lockstep::Strategy::kPct};
  int n = 0;
  for (lockstep::Strategy kind : kinds) {
    lockstep::SimulationOptions o;
    o.seed = static_cast<std::uint64_t>(n);
    o.strategy.kind = kind;
    const std::string path = std::string(argv[1]) + "/seed-" + std::to_string(n++) + ".trace";
    lockstep::record_trace(program, o, path, "fuzz.seed", {{"kind", to_string(kind)}});
  }
  std::printf("wrote %d seed traces to %s\n", n, argv[1]);
}

// Escape detection: every call that bypasses a simulation is reported by name, with the
// task, the virtual time and the call site; fail, warn, off and virtualize do what they
// say; AllowEscapes and allowed call sites keep code that must escape quiet; nothing
// changes outside a simulation. Runs with g++ and (CI's --config=clang) clang, and under
// ASan, whose interceptors of the same functions must keep working.
#include "sim/escape.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <thread>

#include "loop/lockstep.h"
#include "sim/simulation.h"
#include "tests/escape/vendor/vendor_clock.h"

// The call sites, outside any namespace and never inlined, so that the report's frame
// names them whatever the -O level.
#define CALL_SITE extern "C" __attribute__((noinline))
// After the call: keeps it from being a tail call, whose caller's frame would be gone.
#define NO_TAIL_CALL asm volatile("" ::: "memory")

CALL_SITE void read_steady_clock() {
  volatile auto t = std::chrono::steady_clock::now();
  (void)t;
  NO_TAIL_CALL;
}
CALL_SITE void read_system_clock() {
  volatile auto t = std::chrono::system_clock::now();
  (void)t;
  NO_TAIL_CALL;
}
CALL_SITE void read_high_resolution_clock() {
  volatile auto t = std::chrono::high_resolution_clock::now();
  (void)t;
  NO_TAIL_CALL;
}
CALL_SITE void call_gettimeofday() {
  timeval tv;
  gettimeofday(&tv, nullptr);
}
CALL_SITE void call_time() {
  (void)std::time(nullptr);
  NO_TAIL_CALL;
}
CALL_SITE void call_sleep_for() { std::this_thread::sleep_for(std::chrono::microseconds(1)); }
CALL_SITE void call_usleep() {
  usleep(1);
  NO_TAIL_CALL;
}
CALL_SITE void call_sleep() {
  sleep(0);
  NO_TAIL_CALL;
}
CALL_SITE void call_clock_nanosleep() {
  timespec ts{0, 1000};
  clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, nullptr);
}
CALL_SITE void call_getrandom() {
  char buf[8];
  (void)getrandom(buf, sizeof buf, 0);
}
CALL_SITE unsigned call_random_device() {
  std::random_device rd;
  return rd();
}
CALL_SITE void open_urandom() {
  const int fd = open("/dev/urandom", O_RDONLY);
  if (fd >= 0) close(fd);
}
CALL_SITE void fopen_urandom() {
  if (FILE* f = std::fopen("/dev/urandom", "rb")) std::fclose(f);
}
CALL_SITE void start_thread() {
  std::thread([] {}).join();
}
CALL_SITE void open_socket() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd >= 0) close(fd);
}
// A connected pair made before any simulation (static initialization): not reported then.
int socket_pair_end(int which) {
  static const std::array<int, 2> pair = [] {
    std::array<int, 2> fds{-1, -1};
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds.data()) != 0) std::abort();
    return fds;
  }();
  return pair[which];
}
[[maybe_unused]] const int kSocketPairMade = socket_pair_end(0);
CALL_SITE void make_socket_pair() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0) {
    close(fds[0]);
    close(fds[1]);
  }
}
CALL_SITE void write_to_socket() {
  (void)!write(socket_pair_end(0), "x", 1);
  NO_TAIL_CALL;
}
CALL_SITE void read_from_socket() {
  char c;
  (void)!read(socket_pair_end(1), &c, 1);  // non-blocking: nothing there is fine
  NO_TAIL_CALL;
}
CALL_SITE void call_ppoll() {
  const timespec zero{0, 0};
  ppoll(nullptr, 0, &zero, nullptr);
  NO_TAIL_CALL;
}
CALL_SITE void call_poll() {
  poll(nullptr, 0, 0);
  NO_TAIL_CALL;
}
CALL_SITE void log_with_timestamp() {
  read_system_clock();
  NO_TAIL_CALL;
}

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

SimulationOptions options(EscapeMode mode) {
  SimulationOptions o;
  o.strategy.kind = Strategy::kFifo;  // exact times in the reports
  o.escapes = mode;
  return o;
}

// Runs `escape` in a task named "worker" at t=0.25s under kFail; returns the error.
template <class F>
std::string failure_of(F escape) {
  auto program = [escape]() -> Coro<void> {
    co_await create_task(
        [](F escape) -> Coro<void> {
          co_await lockstep::sleep(250ms);
          escape();
        }(escape),
        "worker");
  };
  auto run = simulate(program, options(EscapeMode::kFail));
  EXPECT_FALSE(run.outcome.ok());
  return describe_exception(run.outcome.exception());
}

TEST(Escape, TheInterposersAreLinked) { EXPECT_TRUE(escape_detection_linked()); }

// One test per detector: the report names the call, the task, the time and the caller.
struct Detector {
  const char* name;
  void (*escape)();
  const char* call;
  const char* site;
};

class EveryDetector : public ::testing::TestWithParam<Detector> {};

TEST_P(EveryDetector, FailsTheRunNamingCallTaskTimeAndSite) {
  const Detector& d = GetParam();
  const std::string error = failure_of(d.escape);
  EXPECT_THAT(error, HasSubstr("EscapeError"));
  EXPECT_THAT(error, HasSubstr("the simulation was escaped: " + std::string(d.call)));
  EXPECT_THAT(error, HasSubstr("by task 'worker' at t=0.250000s"));
  EXPECT_THAT(error, HasSubstr("called from " + std::string(d.site)));
}

INSTANTIATE_TEST_SUITE_P(
    Escape, EveryDetector,
    ::testing::Values(
        Detector{"steady_clock", read_steady_clock, "clock_gettime(CLOCK_MONOTONIC)",
                 "read_steady_clock"},
        Detector{"system_clock", read_system_clock, "clock_gettime(CLOCK_REALTIME)",
                 "read_system_clock"},
        Detector{"high_resolution_clock", read_high_resolution_clock,
                 "clock_gettime(CLOCK_REALTIME)", "read_high_resolution_clock"},
        Detector{"gettimeofday", call_gettimeofday, "gettimeofday", "call_gettimeofday"},
        Detector{"time", call_time, "time", "call_time"},
        Detector{"sleep_for", call_sleep_for, "nanosleep", "call_sleep_for"},
        Detector{"usleep", call_usleep, "usleep", "call_usleep"},
        Detector{"sleep", call_sleep, "sleep", "call_sleep"},
        Detector{"clock_nanosleep", call_clock_nanosleep, "clock_nanosleep",
                 "call_clock_nanosleep"},
        Detector{"getrandom", call_getrandom, "getrandom", "call_getrandom"},
        Detector{"random_device", [] { (void)call_random_device(); }, "std::random_device",
                 "call_random_device"},
        Detector{"open_urandom", open_urandom, "open(/dev/urandom)", "open_urandom"},
        Detector{"fopen_urandom", fopen_urandom, "fopen(/dev/urandom)", "fopen_urandom"},
        Detector{"pthread_create", start_thread, "pthread_create", "start_thread"},
        Detector{"socket", open_socket, "socket", "open_socket"},
        Detector{"poll", call_poll, "poll", "call_poll"},
        Detector{"ppoll", call_ppoll, "ppoll", "call_ppoll"},
        Detector{"socketpair", make_socket_pair, "socketpair", "make_socket_pair"},
        Detector{"write_socket", write_to_socket, "write on a socket", "write_to_socket"},
        Detector{"read_socket", read_from_socket, "read on a socket", "read_from_socket"}),
    [](const ::testing::TestParamInfo<Detector>& info) { return std::string(info.param.name); });

// A library compiled on its own, with no lockstep in it, is caught as well.
TEST(Escape, ThirdPartyLibraryReadingTheClockIsCaught) {
  const std::string error = failure_of([] { (void)vendor::vendor_steady_millis(); });
  EXPECT_THAT(error, HasSubstr("clock_gettime(CLOCK_MONOTONIC) by task 'worker'"));
  EXPECT_THAT(error, HasSubstr("called from vendor::vendor_steady_millis()"));
}

// kFail ends the run at the step after the escape: later steps never run.
TEST(Escape, FailEndsTheRunAtTheNextStep) {
  bool after = false;
  auto program = [&after]() -> Coro<void> {
    read_steady_clock();
    co_await lockstep::sleep(1s);
    after = true;
  };
  auto run = simulate(program, options(EscapeMode::kFail));
  EXPECT_FALSE(run.outcome.ok());
  EXPECT_FALSE(after);
  EXPECT_THAT(describe_exception(run.outcome.exception()), HasSubstr("by task 'main' at t=0.0"));
}

// Each call site is one entry, however often it is called.
TEST(Escape, RepeatedCallsFromOneSiteAreCounted) {
  auto program = []() -> Coro<void> {
    for (int i = 0; i < 5; ++i) read_steady_clock();
    co_return;
  };
  auto run = simulate(program, options(EscapeMode::kWarn));
  ASSERT_EQ(run.escapes.size(), 1u);
  EXPECT_EQ(run.escapes[0].count, 5u);
  EXPECT_EQ(run.escapes[0].site, "read_steady_clock");
}

// Virtual time stands still within a step: a busy wait on a virtualized clock would never
// end, so after 100000 reads in one step the clock is real again and the run fails.
TEST(Escape, VirtualizedBusyWaitEndsAndFails) {
  auto program = []() -> Coro<void> {
    const auto deadline = std::chrono::steady_clock::now() + 1ms;
    while (std::chrono::steady_clock::now() < deadline) {
    }
    co_return;
  };
  auto run = simulate(program, options(EscapeMode::kVirtualize));
  ASSERT_FALSE(run.outcome.ok());
  EXPECT_THAT(describe_exception(run.outcome.exception()),
              HasSubstr("a busy wait on the virtual clock"));
}

TEST(Escape, WarnReportsButTheRunStands) {
  auto program = []() -> Coro<int> {
    read_steady_clock();
    call_sleep();
    co_return 7;
  };
  ::testing::internal::CaptureStderr();
  auto run = simulate(program, options(EscapeMode::kWarn));
  const std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(run.outcome.ok());
  EXPECT_EQ(run.outcome.value(), 7);
  ASSERT_EQ(run.escapes.size(), 2u);
  EXPECT_THAT(err, HasSubstr("lockstep: escape: clock_gettime(CLOCK_MONOTONIC) by task 'main'"));
  EXPECT_THAT(err, HasSubstr("lockstep: escape: sleep by task 'main'"));
}

TEST(Escape, OffSeesNothing) {
  auto program = []() -> Coro<void> {
    read_steady_clock();
    start_thread();
    co_return;
  };
  auto run = simulate(program, options(EscapeMode::kOff));
  EXPECT_TRUE(run.outcome.ok());
  EXPECT_TRUE(run.escapes.empty());
}

// kVirtualize: clocks read the loop's time, randomness is decided (so replay reproduces
// it); what cannot be virtualized still fails.
TEST(Escape, VirtualizeAnswersClocksWithVirtualTime) {
  auto program = []() -> Coro<void> {
    co_await lockstep::sleep(1500ms);
    Loop& loop = *Loop::current();
    EXPECT_EQ(std::chrono::steady_clock::now().time_since_epoch(),
              std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                  loop.time().time_since_epoch()));
    EXPECT_EQ(std::chrono::system_clock::now(), loop.wall_clock());
    EXPECT_EQ(std::time(nullptr), std::chrono::system_clock::to_time_t(loop.wall_clock()));
    EXPECT_EQ(vendor::vendor_steady_millis(), 1500);
  };
  auto run = simulate(program, options(EscapeMode::kVirtualize));
  EXPECT_TRUE(run.outcome.ok()) << describe_exception(run.outcome.exception());
}

TEST(Escape, VirtualizedRandomnessIsDecidedAndReplays) {
  auto program = []() -> Coro<std::string> {
    std::random_device rd;
    unsigned char buf[6];
    (void)getrandom(buf, sizeof buf, 0);
    std::string s = std::to_string(rd()) + "/" + std::to_string(rd());
    for (unsigned char c : buf) s += "/" + std::to_string(c);
    co_return s;
  };
  SimulationOptions o = options(EscapeMode::kVirtualize);
  o.seed = 3;
  auto first = simulate(program, o);
  ASSERT_TRUE(first.outcome.ok()) << describe_exception(first.outcome.exception());
  auto again = replay(program, first.decisions, o);
  ASSERT_TRUE(again.outcome.ok());
  EXPECT_EQ(first.outcome.value(), again.outcome.value());
  EXPECT_FALSE(again.divergence);
  EXPECT_TRUE(check_determinism(program, o).deterministic);
}

TEST(Escape, VirtualizeStillFailsWhatItCannotVirtualize) {
  auto program = []() -> Coro<void> {
    call_usleep();
    co_return;
  };
  auto run = simulate(program, options(EscapeMode::kVirtualize));
  ASSERT_FALSE(run.outcome.ok());
  EXPECT_THAT(describe_exception(run.outcome.exception()), HasSubstr("usleep by task 'main'"));
}

// The allow-list: a scope guard, or a call site.
TEST(Escape, AllowEscapesScopeIsNotReported) {
  auto program = []() -> Coro<void> {
    {
      AllowEscapes allow("a timestamp for a log line");
      read_system_clock();
      start_thread();
    }
    co_return;
  };
  auto run = simulate(program, options(EscapeMode::kFail));
  EXPECT_TRUE(run.outcome.ok()) << describe_exception(run.outcome.exception());
  EXPECT_TRUE(run.escapes.empty());
}

TEST(Escape, AllowedCallSiteIsNotReportedButOthersAre) {
  auto program = []() -> Coro<void> {
    log_with_timestamp();  // read_system_clock under log_with_timestamp: allowed
    read_steady_clock();   // not allowed
    co_return;
  };
  SimulationOptions o = options(EscapeMode::kFail);
  o.allow_escapes = {"log_with_timestamp"};
  auto run = simulate(program, o);
  ASSERT_FALSE(run.outcome.ok());
  const std::string error = describe_exception(run.outcome.exception());
  EXPECT_THAT(error, HasSubstr("read_steady_clock"));
  EXPECT_THAT(error, Not(HasSubstr("log_with_timestamp")));
  ASSERT_EQ(run.escapes.size(), 1u);
}

// lockstep's own executor threads are not escapes.
TEST(Escape, RunInExecutorIsNotAnEscape) {
  auto program = []() -> Coro<int> {
    co_return co_await run_in_executor(nullptr, [] { return 41 + 1; });
  };
  auto run = simulate(program, options(EscapeMode::kFail));
  ASSERT_TRUE(run.outcome.ok()) << describe_exception(run.outcome.exception());
  EXPECT_EQ(run.outcome.value(), 42);
}

// Outside a simulation nothing is watched: not on a real loop, not on a plain thread.
// read/write are everyone's: only on a socket are they the real network.
TEST(Escape, ReadsAndWritesOfFilesAndPipesAreNotEscapes) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  auto program = [&]() -> Coro<void> {
    co_await lockstep::sleep(1ms);
    char c = 'x';
    (void)!write(pipe_fds[1], &c, 1);
    (void)!read(pipe_fds[0], &c, 1);
    std::fflush(stdout);
    (void)!write(STDOUT_FILENO, "", 0);
  };
  auto run = simulate(program, options(EscapeMode::kFail));
  EXPECT_TRUE(run.outcome.ok()) << describe_exception(run.outcome.exception());
  EXPECT_TRUE(run.escapes.empty());
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

TEST(Escape, NothingIsDetectedWithoutASimulation) {
  auto program = []() -> Coro<long> {
    EXPECT_EQ(internal::escape_state.hook, nullptr);
    const auto before = std::chrono::steady_clock::now();
    call_sleep_for();
    start_thread();
    co_await lockstep::sleep(1ms);
    co_return static_cast<long>((std::chrono::steady_clock::now() - before).count());
  };
  EXPECT_GT(run(program()), 0);
  read_steady_clock();
  EXPECT_EQ(internal::escape_state.hook, nullptr);
}

// The hook is the running simulation's only: a run leaves none behind.
TEST(Escape, TheHookIsGoneAfterTheRun) {
  auto run = simulate([]() -> Coro<void> { co_return; }, options(EscapeMode::kFail));
  EXPECT_TRUE(run.outcome.ok());
  EXPECT_EQ(internal::escape_state.hook, nullptr);
}

TEST(Escape, ModesParse) {
  EXPECT_EQ(parse_escape_mode("fail"), EscapeMode::kFail);
  EXPECT_EQ(parse_escape_mode("warn"), EscapeMode::kWarn);
  EXPECT_EQ(parse_escape_mode("off"), EscapeMode::kOff);
  EXPECT_EQ(parse_escape_mode("virtualize"), EscapeMode::kVirtualize);
  EXPECT_EQ(parse_escape_mode("loud"), std::nullopt);
  EXPECT_STREQ(to_string(EscapeMode::kVirtualize), "virtualize");
}

}  // namespace
}  // namespace lockstep

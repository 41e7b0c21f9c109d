// Semantic laws of the combinators over random programs (RapidCheck): gather keeps
// argument order whatever the completion order, wait(ALL_COMPLETED) reports every input
// done, cancelling a shield's outer never changes the inner's result, and after
// wait_for raises TimeoutError the inner is done; a TaskGroup ends with every child done,
// and its ExceptionGroup holds exactly the failures of the instant the first one came.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "loop/lockstep.h"

namespace lockstep {
namespace {

using std::chrono::milliseconds;

struct Job {
  int sleep_ms;
  bool fails;
};

rc::Gen<std::vector<Job>> gen_jobs() {
  return rc::gen::container<std::vector<Job>>(rc::gen::construct<Job>(
      rc::gen::inRange(0, 100), rc::gen::weightedElement<bool>({{4, false}, {1, true}})));
}

Coro<int> job(Job j, int index) {
  co_await sleep(milliseconds(j.sleep_ms));
  if (j.fails) throw std::runtime_error("job " + std::to_string(index));
  co_return index;
}

RC_GTEST_PROP(CombinatorLaws, GatherResultsFollowArgumentOrder, ()) {
  const std::vector<Job> jobs = *gen_jobs();
  auto body = [&]() -> Coro<void> {
    std::vector<Task<int>> tasks;
    for (std::size_t i = 0; i < jobs.size(); ++i)
      tasks.push_back(create_task(job(jobs[i], int(i))));
    std::vector<Outcome<int>> out = co_await gather(return_exceptions, tasks);
    RC_ASSERT(out.size() == jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      RC_ASSERT(out[i].failed() == jobs[i].fails);
      if (!jobs[i].fails) RC_ASSERT(out[i].value() == int(i));
    }
    // Without return_exceptions: all values in order, or the earliest failure to finish.
    std::vector<Task<int>> again;
    for (std::size_t i = 0; i < jobs.size(); ++i)
      again.push_back(create_task(job(jobs[i], int(i))));
    bool any_fails = false;
    for (const Job& j : jobs) any_fails = any_fails || j.fails;
    Outcome<std::vector<int>> all = co_await as_outcome(gather(again));
    RC_ASSERT(all.ok() == !any_fails);
    if (all.ok()) {
      for (std::size_t i = 0; i < jobs.size(); ++i) RC_ASSERT(all.value()[i] == int(i));
    }
    co_await gather(return_exceptions, again);  // let the siblings finish
  };
  run(body());
}

RC_GTEST_PROP(CombinatorLaws, WaitAllCompletedReportsEveryInputDone, ()) {
  std::vector<Job> jobs = *gen_jobs();
  if (jobs.empty()) jobs.push_back({1, false});
  auto body = [&]() -> Coro<void> {
    std::vector<Task<int>> tasks;
    for (std::size_t i = 0; i < jobs.size(); ++i)
      tasks.push_back(create_task(job(jobs[i], int(i))));
    auto r = co_await wait(tasks);
    RC_ASSERT(r.done.size() == tasks.size());
    RC_ASSERT(r.pending.empty());
    for (auto& t : tasks) RC_ASSERT(t.done());
    co_await gather(return_exceptions, tasks);  // retrieve the errors
  };
  run(body());
}

RC_GTEST_PROP(CombinatorLaws, CancellingTheOuterNeverChangesTheShieldedResult, ()) {
  const Job j = {*rc::gen::inRange(1, 100), *rc::gen::arbitrary<bool>()};
  const int cancel_at = *rc::gen::inRange(0, 120);
  auto body = [&]() -> Coro<void> {
    Task<int> inner = create_task(job(j, 7));
    Task<int> outer =
        create_task([](Task<int> t) -> Coro<int> { co_return co_await shield(t); }(inner));
    co_await sleep(milliseconds(cancel_at));
    outer.cancel();
    co_await as_outcome(outer);
    Outcome<int> r = co_await as_outcome(inner);
    RC_ASSERT(!r.cancelled());
    RC_ASSERT(r.failed() == j.fails);
    if (!j.fails) RC_ASSERT(r.value() == 7);
  };
  run(body());
}

RC_GTEST_PROP(CombinatorLaws, AfterWaitForTimesOutTheInnerIsDone, ()) {
  const int work_ms = *rc::gen::inRange(0, 100);
  const int cleanup_ms = *rc::gen::inRange(0, 50);
  const int timeout_ms = *rc::gen::inRange(0, 100);
  const bool swallow = *rc::gen::arbitrary<bool>();
  auto inner_body = [=]() -> Coro<int> {
    bool cancelled = false;
    try {
      co_await sleep(milliseconds(work_ms));
    } catch (const CancelledError&) {
      cancelled = true;
    }
    if (cancelled) {
      co_await sleep(milliseconds(cleanup_ms));
      if (!swallow) throw CancelledError();
      co_return -1;
    }
    co_return 1;
  };
  auto body = [&]() -> Coro<void> {
    Task<int> inner = create_task(inner_body());
    try {
      int v = co_await wait_for(inner, milliseconds(timeout_ms));
      RC_ASSERT(v == 1 || (swallow && v == -1));
    } catch (const TimeoutError&) {
      RC_ASSERT(inner.done());
      RC_ASSERT(inner.cancelled());
    }
    RC_ASSERT(inner.done());
  };
  run(body());
}

RC_GTEST_PROP(CombinatorLaws, TaskGroupKeepsExactlyTheFirstInstantsFailures, ()) {
  const std::vector<Job> jobs = *gen_jobs();
  // The first failure, at time T, cancels every child still running; the children whose
  // sleep also ends at T ran in that same iteration, before the group's callback did.
  int first_failure = -1;
  for (const Job& j : jobs)
    if (j.fails && (first_failure < 0 || j.sleep_ms < first_failure)) first_failure = j.sleep_ms;
  std::vector<std::string> expected_errors;
  for (std::size_t i = 0; i < jobs.size(); ++i)
    if (jobs[i].fails && jobs[i].sleep_ms == first_failure)
      expected_errors.push_back("job " + std::to_string(i));

  auto body = [&]() -> Coro<void> {
    std::vector<Task<int>> children;
    std::vector<std::string> errors;
    try {
      co_await task_group([&](TaskGroup& g) -> Coro<void> {
        for (std::size_t i = 0; i < jobs.size(); ++i)
          children.push_back(g.create_task(job(jobs[i], int(i))));
        co_return;
      });
    } catch (const ExceptionGroup& eg) {
      for (const auto& e : eg.exceptions()) {
        try {
          std::rethrow_exception(e);
        } catch (const std::runtime_error& r) {
          errors.push_back(r.what());
        }
      }
    }
    RC_ASSERT(errors == expected_errors);
    RC_ASSERT(current_task().cancelling() == 0);
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      RC_ASSERT(children[i].done());
      const bool cut_short = first_failure >= 0 && jobs[i].sleep_ms > first_failure;
      RC_ASSERT(children[i].cancelled() == cut_short);
      if (!cut_short && !jobs[i].fails) RC_ASSERT(children[i].result() == int(i));
    }
  };
  run(body());
}

}  // namespace
}  // namespace lockstep

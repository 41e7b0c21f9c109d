// History validation and the Recorder: bad input is a HistoryError naming the problem.
#include "sim/linearizability/history.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sim/linearizability/checker.h"
#include "sim/linearizability/models.h"
#include "sim/linearizability/recorder.h"

namespace lockstep::lin {
namespace {

using ::testing::HasSubstr;

Op ok(int id, int client, std::string f, std::vector<std::int64_t> args, std::int64_t invoke,
      std::int64_t ret, std::optional<Value> result = std::nullopt) {
  Op op;
  op.id = id;
  op.client = client;
  op.f = std::move(f);
  op.args = std::move(args);
  op.invoke = invoke;
  op.outcome = Outcome::kOk;
  op.ret = ret;
  op.result = result;
  return op;
}

std::string error_of(const History& h) {
  try {
    validate(h);
  } catch (const HistoryError& e) {
    return e.what();
  }
  return "";
}

TEST(History, AWellFormedHistoryValidates) {
  EXPECT_EQ(error_of({ok(0, 0, "write", {1}, 0, 10), ok(1, 1, "read", {}, 5, 12, Value(1))}), "");
}

TEST(History, DuplicateIdsAreNamed) {
  EXPECT_THAT(error_of({ok(3, 0, "write", {1}, 0, 10), ok(3, 1, "read", {}, 5, 12, Value(1))}),
              HasSubstr("duplicate operation id 3"));
}

TEST(History, ReturnBeforeInvokeIsNamed) {
  EXPECT_THAT(error_of({ok(0, 0, "write", {1}, 10, 5)}),
              HasSubstr("returned (at 5) before it was invoked (at 10)"));
}

TEST(History, OverlappingOperationsOfOneClientAreNamed) {
  EXPECT_THAT(error_of({ok(0, 0, "write", {1}, 0, 10), ok(1, 0, "write", {2}, 5, 12)}),
              HasSubstr("client 0 has two operations at once"));
}

TEST(History, AClientMayGoOnAfterAnUnknownOutcome) {
  Op lost = ok(0, 0, "write", {1}, 0, 0);
  lost.outcome = Outcome::kInfo;
  EXPECT_EQ(error_of({lost, ok(1, 0, "read", {}, 5, 12, Value(1))}), "");
}

TEST(History, AResultOnAFailedOperationIsNamed) {
  Op op = ok(0, 0, "read", {}, 0, 10, Value(1));
  op.outcome = Outcome::kFail;
  EXPECT_THAT(error_of({op}), HasSubstr("has a result but its outcome is fail"));
}

TEST(History, CheckRejectsBadInputWithTheSameError) {
  EXPECT_THROW((void)check(History{ok(0, 0, "write", {1}, 10, 5)}, Register{}), HistoryError);
}

TEST(History, AnOperationTheModelDoesNotKnowIsAnError) {
  try {
    (void)check(History{ok(0, 0, "frobnicate", {1}, 0, 5)}, Register{});
    ADD_FAILURE() << "no error";
  } catch (const HistoryError& e) {
    EXPECT_THAT(e.what(), HasSubstr("unknown operation #0 client 0 frobnicate(1)"));
  }
}

TEST(History, AReadWithoutAResultIsAnError) {
  try {
    (void)check(History{ok(0, 0, "read", {}, 0, 5)}, Register{});
    ADD_FAILURE() << "no error";
  } catch (const HistoryError& e) {
    EXPECT_THAT(e.what(), HasSubstr("returned ok without a result"));
  }
}

TEST(History, DescribeShowsCallTimesAndResult) {
  EXPECT_EQ(describe(ok(4, 2, "cas", {1, 2}, 3, 9)), "#4 client 2 cas(1, 2) [3, 9] -> ok");
  EXPECT_EQ(describe(ok(5, 1, "read", {}, 3, 9, kNil)), "#5 client 1 read [3, 9] -> nil");
  Op lost = ok(6, 0, "write", {7}, 4, 0);
  lost.outcome = Outcome::kInfo;
  EXPECT_EQ(describe(lost), "#6 client 0 write(7) [4, ?] -> ?");
}

TEST(Recorder, RecordsJepsenStyleWithExplicitTimes) {
  Recorder rec;
  const int w = rec.invoke_at(0, 1, "write", {3});
  const int r = rec.invoke_at(1, 2, "read");
  const int lost = rec.invoke_at(2, 3, "write", {4});
  const int failed = rec.invoke_at(3, 4, "cas", {9, 1});
  const int running = rec.invoke_at(4, 5, "write", {5});
  rec.ok_at(5, w);
  rec.ok_at(6, r, Value(3));
  rec.info(lost);
  rec.fail_at(7, failed);
  const History h = rec.history();
  ASSERT_EQ(h.size(), 5u);
  EXPECT_EQ(h[w].outcome, Outcome::kOk);
  EXPECT_EQ(h[r].result, std::optional<Value>(Value(3)));
  EXPECT_EQ(h[lost].outcome, Outcome::kInfo);
  EXPECT_EQ(h[failed].outcome, Outcome::kFail);
  EXPECT_EQ(h[running].outcome, Outcome::kInfo);  // still running: unknown
  EXPECT_EQ(h[failed].ret, 7);
}

TEST(Recorder, UsesItsClock) {
  std::int64_t t = 100;
  Recorder rec([&t] { return t; });
  const int id = rec.invoke(0, "write", {1});
  t = 150;
  rec.ok(id);
  EXPECT_EQ(rec.history()[0].invoke, 100);
  EXPECT_EQ(rec.history()[0].ret, 150);
}

TEST(Recorder, MisuseIsAHistoryErrorNamingIt) {
  Recorder rec;
  EXPECT_THAT([&] { rec.invoke(0, "read"); },
              ::testing::ThrowsMessage<HistoryError>(HasSubstr("no clock")));
  const int id = rec.invoke_at(10, 0, "write", {1});
  EXPECT_THAT([&] { rec.ok_at(5, id); }, ::testing::ThrowsMessage<HistoryError>(
                                             HasSubstr("returned at 5, before it was invoked")));
  rec.ok_at(12, id);
  EXPECT_THAT([&] { rec.ok_at(13, id); },
              ::testing::ThrowsMessage<HistoryError>(HasSubstr("already completed")));
  EXPECT_THAT([&] { rec.fail_at(20, 7); },
              ::testing::ThrowsMessage<HistoryError>(HasSubstr("no operation #7")));
}

}  // namespace
}  // namespace lockstep::lin

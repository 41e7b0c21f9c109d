// Exports: Jepsen EDN for Knossos/elle-cli, Porcupine-shaped JSON, the HTML page.
#include "sim/linearizability/export.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sim/linearizability/html.h"
#include "sim/linearizability/models.h"
#include "tests/linearizability/ops.h"

namespace lockstep::lin {
namespace {

using testing::cas;
using testing::fail;
using ::testing::HasSubstr;
using testing::info;
using ::testing::Not;
using testing::on;
using testing::r;
using testing::w;

TEST(Export, EdnIsJepsensEventListInTimeOrder) {
  const History h = {w(0, 0, 3, 0, 10), r(1, 1, Value(3), 5, 12), info(w(2, 2, 4, 11, 0)),
                     fail(cas(3, 3, 1, 2, 13, 14)), r(4, 4, kNil, 20, 21)};
  EXPECT_EQ(to_edn(h),
            "{:process 0, :type :invoke, :f :write, :value 3, :time 0, :index 0}\n"
            "{:process 1, :type :invoke, :f :read, :value nil, :time 5, :index 1}\n"
            "{:process 0, :type :ok, :f :write, :value 3, :time 10, :index 2}\n"
            "{:process 2, :type :invoke, :f :write, :value 4, :time 11, :index 3}\n"
            "{:process 1, :type :ok, :f :read, :value 3, :time 12, :index 4}\n"
            "{:process 3, :type :invoke, :f :cas, :value [1 2], :time 13, :index 5}\n"
            "{:process 3, :type :fail, :f :cas, :value [1 2], :time 14, :index 6}\n"
            "{:process 4, :type :invoke, :f :read, :value nil, :time 20, :index 7}\n"
            "{:process 4, :type :ok, :f :read, :value nil, :time 21, :index 8}\n"
            "{:process 2, :type :info, :f :write, :value 4, :time 21, :index 9}\n");
}

TEST(Export, EdnKeyedOperationsAreIndependentTuples) {
  EXPECT_THAT(
      to_edn({on("x", w(0, 0, 3, 0, 10))}),
      HasSubstr("{:process 0, :type :invoke, :f :write, :value [\"x\" 3], :time 0, :index 0}"));
}

TEST(Export, JsonHasPorcupinesOperationFields) {
  const History h = {w(0, 0, 3, 0, 10), info(w(1, 1, 4, 2, 0)), r(2, 2, kNil, 3, 4)};
  EXPECT_EQ(
      to_json(h),
      "[{\"id\":0,\"client\":0,\"f\":\"write\",\"key\":\"\",\"input\":[3],\"call\":0,\"return\":10,"
      "\"outcome\":\"ok\",\"output\":null},\n"
      " {\"id\":1,\"client\":1,\"f\":\"write\",\"key\":\"\",\"input\":[4],\"call\":2,\"return\":"
      "null,"
      "\"outcome\":\"info\",\"output\":null},\n"
      " {\"id\":2,\"client\":2,\"f\":\"read\",\"key\":\"\",\"input\":[],\"call\":3,\"return\":4,"
      "\"outcome\":\"ok\",\"output\":null,\"nil\":true}]\n");
}

TEST(Export, ExportsRejectBadHistories) {
  EXPECT_THROW((void)to_edn({w(0, 0, 3, 10, 0)}), HistoryError);
  EXPECT_THROW((void)to_json({w(0, 0, 3, 10, 0)}), HistoryError);
}

TEST(Export, JsonStringsAreEscapedForAScript) {
  EXPECT_EQ(json_string("a\"b\\c</script>\n"), "\"a\\\"b\\\\c\\u003c/script>\\n\"");
}

TEST(Html, AFailurePageShowsThePrefixTheInvolvedAndNoNetwork) {
  const History h = {w(0, 0, 200, 0, 100), r(1, 1, Value(200), 10, 30), r(2, 2, Value(0), 40, 90),
                     w(3, 0, 7, 200, 300)};
  const CheckResult result = check(h, Register{.initial = Value(0)});
  const std::string page = to_html(h, result, "porcupine <example>");
  EXPECT_THAT(page, HasSubstr("<title>lockstep: porcupine &lt;example&gt;</title>"));
  EXPECT_THAT(page, HasSubstr("\"verdict\":\"not linearizable\""));
  EXPECT_THAT(page, HasSubstr("\"involved\":[1,2]"));
  EXPECT_THAT(page, HasSubstr("\"label\":\"read -> 0\""));
  EXPECT_THAT(page, Not(HasSubstr("\"id\":3,")));  // after the prefix
  EXPECT_THAT(page, Not(HasSubstr("http://www.w3.org/1999")));
  EXPECT_THAT(page, Not(HasSubstr("src=")));
  EXPECT_THAT(page, Not(HasSubstr("href=")));
}

TEST(Html, ALinearizablePageShowsTheHistory) {
  const History h = {w(0, 0, 1, 0, 10), r(1, 1, Value(1), 20, 30)};
  const std::string page = to_html(h, check(h, Register{}));
  EXPECT_THAT(page, HasSubstr("\"verdict\":\"linearizable\""));
  EXPECT_THAT(page, HasSubstr("\"id\":1,"));
}

}  // namespace
}  // namespace lockstep::lin

// ProgressLine: rewritten in place and cut to the width on a terminal, rate-limited lines
// elsewhere, nothing at all for short runs.
#include "replay/progress.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <sstream>
#include <string>

namespace lockstep {
namespace {

using namespace std::chrono_literals;

TEST(ProgressLineTest, ATerminalLineIsRewrittenInPlaceAndNeverWraps) {
  // COLUMNS wins over the terminal's own width.
  ::setenv("COLUMNS", "20", 1);
  std::ostringstream out;
  {
    ProgressLine line(out, true, 0s, 0s);
    line.update(std::string(50, 'x'));
    line.update("dropped");  // a terminal line changes at most every 100ms
  }
  ::unsetenv("COLUMNS");
  EXPECT_EQ(out.str(), "\r" + std::string(19, 'x') +             // cut to 19 of 20 columns
                           "\r" + std::string(19, ' ') + "\r");  // cleared at the end
}

TEST(ProgressLineTest, ElsewhereEachUpdateIsALineAtMostOncePerInterval) {
  std::ostringstream out;
  ProgressLine line(out, false, 1h, 0s);
  EXPECT_TRUE(line.due());
  line.update("1 of 3");
  EXPECT_FALSE(line.due());
  line.update("2 of 3");  // within the interval: dropped
  line.finish();
  EXPECT_EQ(out.str(), "1 of 3\n");
}

TEST(ProgressLineTest, ShortRunsPrintNothing) {
  std::ostringstream out;
  {
    ProgressLine line(out, true, 0s, 1h);
    EXPECT_FALSE(line.due());
    line.update("never shown");
  }
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace lockstep

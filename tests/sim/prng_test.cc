// SplitMix64 is specified: these values were computed by an independent implementation
// (Python integers), so any compiler, optimisation level or platform must produce them.
#include "sim/prng.h"

#include <gtest/gtest.h>

namespace lockstep {
namespace {

TEST(SplitMix64Test, MatchesTheReferenceSequence) {
  SplitMix64 rng(0);
  EXPECT_EQ(rng.next(), 0xe220a8397b1dcdafull);
  EXPECT_EQ(rng.next(), 0x6e789e6aa1b965f4ull);
  EXPECT_EQ(rng.next(), 0x06c45d188009454full);
}

TEST(SplitMix64Test, BelowIsPortableAndInRange) {
  SplitMix64 rng(42);
  const std::uint64_t expected[] = {4, 0, 1, 2, 0, 5, 1, 4, 2, 3};
  for (std::uint64_t e : expected) EXPECT_EQ(rng.below(6), e);
  EXPECT_EQ(rng.below(1000000007), 204901833u);
  EXPECT_EQ(rng.below(0), 0u);
  EXPECT_EQ(rng.below(1), 0u);
}

TEST(SplitMix64Test, BelowIsRoughlyUniform) {
  SplitMix64 rng(7);
  int counts[5] = {};
  for (int i = 0; i < 50000; ++i) ++counts[rng.below(5)];
  for (int c : counts) {
    EXPECT_GT(c, 9500);
    EXPECT_LT(c, 10500);
  }
}

}  // namespace
}  // namespace lockstep

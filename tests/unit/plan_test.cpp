#include <gtest/gtest.h>

#include "actors/playlist/plan.h"

using namespace hlsfs;

TEST(Plan, Placeholder) {
  SegmentPlan p = make_plan(300, Rational{1, 25}, {2, 2, 2}, 10);
  EXPECT_EQ(p.size(), 3u + 1u);
}

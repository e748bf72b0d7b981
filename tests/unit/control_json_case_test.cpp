// The control API's answers are PascalCase throughout: the actors' status
// reports (snake_case) are renamed at the edge.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "daemon/control/json_case.h"

using namespace hlsfs;
using json = nlohmann::json;

TEST(ControlJsonCase, PascalCase) {
  EXPECT_EQ(pascal_case("cache_bytes"), "CacheBytes");
  EXPECT_EQ(pascal_case("on-demand"), "OnDemand");
  EXPECT_EQ(pascal_case("hits"), "Hits");
  EXPECT_EQ(pascal_case("LastGc"), "LastGc");  // already PascalCase: unchanged
  EXPECT_EQ(pascal_case("FreedBytes"), "FreedBytes");
  EXPECT_EQ(pascal_case(""), "");
}

TEST(ControlJsonCase, EveryKeyAtAnyDepthValuesUntouched) {
  // The shape of the transcoder's status report.
  json in = json::parse(R"({"workers": 2, "abandoned_threads": 0,
    "queued": {"on-demand": 1, "prefetch": 0, "initial": 0},
    "running": [{"token": "abc", "segment": 3, "priority": "on-demand", "frames_done": 10, "frames_total": 48}],
    "last_gc": {"DryRun": false, "Remote": {"Deleted": 0}}})");
  json want = json::parse(R"({"Workers": 2, "AbandonedThreads": 0,
    "Queued": {"OnDemand": 1, "Prefetch": 0, "Initial": 0},
    "Running": [{"Token": "abc", "Segment": 3, "Priority": "on-demand", "FramesDone": 10, "FramesTotal": 48}],
    "LastGc": {"DryRun": false, "Remote": {"Deleted": 0}}})");
  EXPECT_EQ(pascal_case_keys(in), want);
  EXPECT_EQ(pascal_case_keys(json::array({1, "a_b"})), json::array({1, "a_b"}));
}

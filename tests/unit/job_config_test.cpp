// transcoder.job_timeout, max_queue and max_waiters: parsed, checked, and
// applied by SIGHUP (they reach the actors through the tunables).
#include <algorithm>

#include <gtest/gtest.h>

#include "daemon/config/config.h"
#include "daemon/config/reload.h"

namespace hlsfs {
namespace {

const char* kStores = "stores: {m: {plugin: local, root: /x}}\n";

Config parse(const std::string& transcoder) { return parse_config("transcoder: " + transcoder + "\n" + kStores, "f.yaml"); }

std::string error_of(const std::string& transcoder) {
  try {
    parse(transcoder);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(JobConfig, DefaultsBoundTheQueueAndTheWaitersAndDeriveTheTimeout) {
  Config c = parse("{}");
  EXPECT_EQ(c.job_timeout_ms, 0);  // auto: from the segment's length
  EXPECT_EQ(c.max_queue, 256);
  EXPECT_EQ(c.max_waiters, 1024);
  EXPECT_EQ(parse("{job_timeout: auto}").job_timeout_ms, 0);
}

TEST(JobConfig, ParsesDurationsAndCounts) {
  Config c = parse("{job_timeout: 90s, max_queue: 10, max_waiters: 5}");
  EXPECT_EQ(c.job_timeout_ms, 90000);
  EXPECT_EQ(c.max_queue, 10);
  EXPECT_EQ(c.max_waiters, 5);
  EXPECT_EQ(parse("{job_timeout: 2m}").job_timeout_ms, 120000);
  EXPECT_EQ(parse("{job_timeout: 3}").job_timeout_ms, 3000);  // seconds
}

TEST(JobConfig, RefusesWhatCannotWorkNamingTheKey) {
  EXPECT_EQ(error_of("{job_timeout: 200ms}"), "f.yaml: transcoder.job_timeout: must be at least 1s (or auto)");
  EXPECT_EQ(error_of("{job_timeout: -5s}"),
            "f.yaml: transcoder.job_timeout: \"-5s\" is not a duration like 7d, 12h, 30m or 45s");
  EXPECT_EQ(error_of("{job_timeout: soon}"),
            "f.yaml: transcoder.job_timeout: \"soon\" is not a duration like 7d, 12h, 30m or 45s");
  EXPECT_EQ(error_of("{max_queue: 0}"), "f.yaml: transcoder.max_queue: must be between 1 and 1000000");
  EXPECT_EQ(error_of("{max_waiters: -1}"), "f.yaml: transcoder.max_waiters: must be between 1 and 1000000");
}

TEST(JobConfig, SighupAppliesThemAtOnce) {
  Config running = parse("{}");
  Config fresh = parse("{job_timeout: 30s, max_queue: 64, max_waiters: 100}");
  ReloadPlan plan = plan_reload(running, fresh);
  for (const char* key : {"transcoder.job_timeout", "transcoder.max_queue", "transcoder.max_waiters"})
    EXPECT_NE(std::find(plan.applied.begin(), plan.applied.end(), key), plan.applied.end()) << key;
  EXPECT_TRUE(plan.need_restart.empty());
  Tunables t = tunables_of(with_live_changes(running, fresh));
  EXPECT_EQ(t.job_timeout_ms, 30000);
  EXPECT_EQ(t.max_queue, 64u);
  EXPECT_EQ(t.max_waiters, 100u);
}

}  // namespace
}  // namespace hlsfs

// The transcoder's queue has a bound (transcoder.max_queue): a request
// beyond it is refused, or makes room by dropping less urgent work.
#include <gtest/gtest.h>

#include "actors/transcoder/job_queue.h"

namespace hlsfs {
namespace {

JobKey seg(uint32_t n, const std::string& token = "t") { return JobKey{token, n}; }

TEST(JobQueue, QueuesUpToItsLimitAndRefusesTheNext) {
  JobQueue q(2);
  EXPECT_EQ(q.push(seg(0), Priority::initial).how, Pushed::queued);
  EXPECT_EQ(q.push(seg(1), Priority::initial).how, Pushed::queued);
  PushResult r = q.push(seg(2), Priority::initial);
  EXPECT_EQ(r.how, Pushed::refused);
  EXPECT_FALSE(r.displaced);
  EXPECT_EQ(q.depth(), 2u);
  EXPECT_FALSE(q.is_queued(seg(2)));
}

TEST(JobQueue, AReadersJobMakesRoomByDroppingTheNewestLeastUrgentJob) {
  JobQueue q(3);
  q.push(seg(0), Priority::initial);
  q.push(seg(1), Priority::initial);
  q.push(seg(2), Priority::prefetch);
  PushResult r = q.push(seg(9), Priority::on_demand);
  EXPECT_EQ(r.how, Pushed::queued);
  ASSERT_TRUE(r.displaced);
  EXPECT_EQ(*r.displaced, seg(1));  // the newest of the initial jobs
  EXPECT_EQ(r.displaced_priority, Priority::initial);
  EXPECT_FALSE(q.is_queued(seg(1)));
  EXPECT_EQ(q.depth(), 3u);
  EXPECT_EQ(q.pop()->first, seg(9));  // and it runs first
}

TEST(JobQueue, APrefetchMakesRoomOnlyByDroppingInitialWork) {
  JobQueue q(1);
  q.push(seg(0), Priority::initial);
  PushResult r = q.push(seg(1), Priority::prefetch);
  EXPECT_EQ(r.how, Pushed::queued);
  ASSERT_TRUE(r.displaced);
  EXPECT_EQ(*r.displaced, seg(0));
  // Same priority: nothing to drop.
  r = q.push(seg(2), Priority::prefetch);
  EXPECT_EQ(r.how, Pushed::refused);
  EXPECT_FALSE(r.displaced);
}

TEST(JobQueue, ReadersJobsBeyondTheLimitAreRefusedWhenOnlyReadersJobsWait) {
  JobQueue q(2);
  q.push(seg(0), Priority::on_demand);
  q.push(seg(1), Priority::on_demand);
  PushResult r = q.push(seg(2), Priority::on_demand);
  EXPECT_EQ(r.how, Pushed::refused);
  EXPECT_FALSE(r.displaced);
  EXPECT_TRUE(q.is_queued(seg(0)));
  EXPECT_TRUE(q.is_queued(seg(1)));
}

TEST(JobQueue, RunningJobsDoNotCountAgainstTheLimit) {
  JobQueue q(1);
  q.push(seg(0), Priority::on_demand);
  q.pop();
  EXPECT_EQ(q.push(seg(1), Priority::on_demand).how, Pushed::queued);
  EXPECT_EQ(q.running(), 1u);
  EXPECT_EQ(q.depth(), 1u);
}

TEST(JobQueue, AJobAlreadyThereIsJoinedOrRaisedEvenWhenFull) {
  JobQueue q(1);
  q.push(seg(0), Priority::initial);
  EXPECT_EQ(q.push(seg(0), Priority::initial).how, Pushed::unchanged);
  EXPECT_EQ(q.push(seg(0), Priority::on_demand).how, Pushed::raised);
  EXPECT_EQ(q.peek(), Priority::on_demand);
  q.pop();
  EXPECT_EQ(q.push(seg(0), Priority::on_demand).how, Pushed::unchanged);  // running: its waiters join it
}

TEST(JobQueue, ALowerLimitKeepsWhatIsQueuedAndRefusesNewWork) {
  JobQueue q;  // no limit
  for (uint32_t i = 0; i < 5; ++i) EXPECT_EQ(q.push(seg(i), Priority::prefetch).how, Pushed::queued);
  q.set_limit(2);  // SIGHUP
  EXPECT_EQ(q.depth(), 5u);
  EXPECT_EQ(q.push(seg(7), Priority::prefetch).how, Pushed::refused);
  PushResult r = q.push(seg(8), Priority::on_demand);
  EXPECT_EQ(r.how, Pushed::queued);  // room made by one prefetch dropped: still over the limit, but no worse
  ASSERT_TRUE(r.displaced);
  EXPECT_EQ(*r.displaced, seg(4));
  EXPECT_EQ(q.depth(), 5u);
}

TEST(JobQueue, ZeroMeansNoLimitIsNotAllowed) {
  JobQueue q(0);  // a limit of 0 would refuse everything: at least one job waits
  EXPECT_EQ(q.push(seg(0), Priority::on_demand).how, Pushed::queued);
  EXPECT_EQ(q.push(seg(1), Priority::on_demand).how, Pushed::refused);
}

}  // namespace
}  // namespace hlsfs

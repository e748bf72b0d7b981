// The webhook signature (HMAC-SHA256 over "<timestamp>.<body>") and the
// retry schedule.
#include <gtest/gtest.h>

#include "actors/notify/retry_schedule.h"
#include "actors/notify/webhook_signature.h"

using namespace hlsfs;

TEST(WebhookSignature, HmacSha256MatchesRfc4231) {
  // RFC 4231, test case 2.
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookSignature, CoversTheTimestampAndTheBody) {
  const std::string body = R"({"Event":"PlaylistGenerated"})";
  const std::string sig = webhook_signature("0123456789abcdef", 1733352301, body);
  EXPECT_EQ(sig, "sha256=" + hmac_sha256_hex("0123456789abcdef", "1733352301." + body));
  EXPECT_EQ(sig.size(), 7u + 64u);
  EXPECT_NE(sig, webhook_signature("0123456789abcdef", 1733352302, body));  // replayed later: another signature
  EXPECT_NE(sig, webhook_signature("0123456789abcdef", 1733352301, body + " "));
  EXPECT_NE(sig, webhook_signature("0123456789abcdeF", 1733352301, body));
}

TEST(RetrySchedule, DoublesFromOneSecondUpToTheRetriesAndTheCap) {
  RetrySchedule s;  // 5 retries, 1 s first, 60 s cap
  EXPECT_EQ(s.delay_after(1), 1000);
  EXPECT_EQ(s.delay_after(2), 2000);
  EXPECT_EQ(s.delay_after(3), 4000);
  EXPECT_EQ(s.delay_after(5), 16000);
  EXPECT_FALSE(s.delay_after(6).has_value());  // 6 attempts made: dropped
  EXPECT_FALSE(s.delay_after(0).has_value());
  RetrySchedule many{10, 1000, 60000};
  EXPECT_EQ(many.delay_after(7), 60000);
  EXPECT_EQ(many.delay_after(10), 60000);
  RetrySchedule none{0, 1000, 60000};
  EXPECT_FALSE(none.delay_after(1).has_value());
}

TEST(RetrySchedule, RetriesWhatMayPassAndNotWhatTheReceiverRefused) {
  EXPECT_TRUE(worth_retrying(0));  // no answer
  EXPECT_TRUE(worth_retrying(500));
  EXPECT_TRUE(worth_retrying(503));
  EXPECT_TRUE(worth_retrying(429));
  EXPECT_TRUE(worth_retrying(408));
  EXPECT_FALSE(worth_retrying(400));
  EXPECT_FALSE(worth_retrying(401));
  EXPECT_FALSE(worth_retrying(404));
}

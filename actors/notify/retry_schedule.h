// When a webhook post that failed is tried again, and which failures are
// worth another try. Bounded: after `retries` more attempts the notice is
// dropped (with a log line and hlsfs_notifications_total{result="dropped"}).
#pragma once
#include <cstdint>
#include <optional>

namespace hlsfs {

struct RetrySchedule {
  int retries = 5;            // attempts after the first (notifications.retries)
  int64_t first_ms = 1000;    // wait before the first retry; doubled each time
  int64_t max_ms = 60000;     // no wait longer than this

  // The wait before attempt `failed + 1`, after `failed` attempts failed
  // (1 = the first post failed); nullopt when no attempt is left.
  // 1 s, 2 s, 4 s, 8 s, 16 s with the defaults (31 s in all).
  std::optional<int64_t> delay_after(int failed) const;
};

// Is a post's outcome worth trying again: no answer (connection refused,
// timeout: http_status 0), 408, 425, 429 and every 5xx. Any other 4xx is the
// receiver refusing this notice: again would get the same.
bool worth_retrying(long http_status);

}  // namespace hlsfs

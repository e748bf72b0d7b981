// When to try a request again, and how long to wait first: exponential
// backoff with full jitter (a uniformly random wait below a ceiling that
// doubles per attempt), so that many clients recovering from one outage do
// not hit the server in lock step. Bounded twice: by the number of retries
// and by the total time a caller may be kept waiting.
#pragma once
#include <cstdint>
#include <string_view>

namespace objstore {

struct RetryPolicy {
  int retries = 4;            // tries after the first one
  int64_t base_ms = 200;      // ceiling of the first wait
  int64_t cap_ms = 5000;      // no wait longer than this
  int64_t budget_ms = 30000;  // no retry that would end past this much time since the first try
};

// min(cap, base * 2^attempt) for attempt 0, 1, 2, ... (the wait before retry attempt+1).
int64_t backoff_ceiling_ms(const RetryPolicy& p, int attempt);
// The wait itself: u (uniform in [0, 1)) times the ceiling.
int64_t backoff_delay_ms(const RetryPolicy& p, int attempt, double u);
// Whether to retry after `attempts` tries that took elapsed_ms, waiting delay_ms first.
bool may_retry(const RetryPolicy& p, int attempts, int64_t elapsed_ms, int64_t delay_ms);

// Whether a failure is worth another try: no answer (connect error,
// timeout, reset), a 5xx (SlowDown is a 503), 429, or S3's 400
// RequestTimeout. Never any other 4xx: asking again cannot fix a bad
// signature or a missing key. curl_code is a CURLcode (0 for an answer).
bool is_transient(int curl_code, long status, std::string_view error_code);

}  // namespace objstore

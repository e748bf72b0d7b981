#include "actors/notify/retry_schedule.h"

#include <algorithm>

namespace hlsfs {

std::optional<int64_t> RetrySchedule::delay_after(int failed) const {
  if (failed < 1 || failed > retries) return std::nullopt;
  int64_t d = first_ms;
  for (int i = 1; i < failed && d < max_ms; ++i) d *= 2;
  return std::min(d, max_ms);
}

bool worth_retrying(long http_status) {
  return http_status == 0 || http_status == 408 || http_status == 425 || http_status == 429 || http_status >= 500;
}

}  // namespace hlsfs

#include "backends/objstore/retry.h"

#include <curl/curl.h>

#include <algorithm>

namespace objstore {

int64_t backoff_ceiling_ms(const RetryPolicy& p, int attempt) {
  int64_t ceiling = std::max<int64_t>(p.base_ms, 0);
  for (int i = 0; i < attempt && ceiling < p.cap_ms; ++i) ceiling *= 2;  // no overflow: stops at the cap
  return std::min(ceiling, p.cap_ms);
}

int64_t backoff_delay_ms(const RetryPolicy& p, int attempt, double u) {
  u = std::clamp(u, 0.0, 1.0);
  return static_cast<int64_t>(u * static_cast<double>(backoff_ceiling_ms(p, attempt)));
}

bool may_retry(const RetryPolicy& p, int attempts, int64_t elapsed_ms, int64_t delay_ms) {
  return attempts <= p.retries && elapsed_ms + delay_ms < p.budget_ms;
}

bool is_transient(int curl_code, long status, std::string_view error_code) {
  switch (curl_code) {
    case CURLE_OK:
      break;
    case CURLE_COULDNT_RESOLVE_HOST:  // a resolver hiccup as often as a typo; bounded anyway
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;  // TLS verification, bad URL, out of memory: again would fail the same way
  }
  if (status >= 500 || status == 429) return true;
  return error_code == "RequestTimeout" || error_code == "SlowDown" || error_code == "InternalError";
}

}  // namespace objstore

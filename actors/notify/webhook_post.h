// One HTTP POST of a JSON body to the webhook (libcurl), blocking, bounded
// in time. Only the notifier actor calls it, on its own thread.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hlsfs {

struct PostOutcome {
  long status = 0;    // HTTP status; 0 when no answer came
  std::string error;  // why no answer came (curl's words), or ""
  bool delivered() const { return status >= 200 && status < 300; }
};

// headers: "Name: value" lines added to Content-Type: application/json.
// Redirects are not followed (a webhook answers itself).
PostOutcome post_json(const std::string& url, const std::string& body, const std::vector<std::string>& headers,
                      int64_t timeout_ms);

}  // namespace hlsfs

// One blocking HTTP exchange over libcurl, with every timeout set (no call
// can hang), and a pool of easy handles so that connections (and TLS
// sessions) are reused across requests and threads: a thread takes a handle
// for one request and gives it back.
#pragma once
#include <curl/curl.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "backends/objstore/request.h"

namespace objstore {

struct HttpOptions {
  long connect_timeout_ms = 5000;
  long request_timeout_ms = 60000;  // one whole exchange, body included
  // A transfer that moves no byte for this long (a server or a path gone
  // quiet mid-reply, the connection left open) is dropped as a timeout, and
  // may be retried, long before request_timeout (which a large body needs).
  long stall_timeout_ms = 15000;
  bool verify_tls = true;
  std::string ca_file;  // "" = the system's trust store
};

// Where the body of a successful ranged GET goes: straight into the
// caller's buffer. A server that ignores Range answers 200 with the whole
// object; then the first `offset` bytes are skipped.
struct RangeSink {
  char* buf = nullptr;
  int64_t cap = 0;
  int64_t offset = 0;
  // Filled in by the transfer:
  int64_t got = 0;
  int64_t skip = -1;  // bytes still to skip; -1 until the status is known
  bool full = false;  // the buffer filled up and the transfer was cut short on purpose
};

struct HttpResult {
  CURLcode curl = CURLE_OK;
  std::string curl_error;  // curl's own detailed message
  long status = 0;
  Headers headers;   // lower-case names
  std::string body;  // error bodies and small replies (not what went into a RangeSink)
  bool too_large = false;

  const std::string* header(const std::string& lower_name) const;
};

// A Content-Length value: plain decimal digits that fit an int64_t (no
// sign, no spaces, no list). False for anything else.
bool parse_content_length(std::string_view value, int64_t* out);

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends r (its headers as they are: the signer has run) to url. With a
  // sink, a 2xx body goes there; otherwise into result.body.
  HttpResult perform(const std::string& url, const Request& r, RangeSink* sink);

 private:
  CURL* take();
  void give_back(CURL* h);

  HttpOptions options_;
  std::mutex mutex_;
  std::vector<CURL*> idle_;
};

}  // namespace objstore

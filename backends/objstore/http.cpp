#include "backends/objstore/http.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

#include "backends/objstore/encode.h"

namespace objstore {

namespace {

constexpr size_t kMaxBody = 64 << 20;  // listings and error replies are far smaller
constexpr size_t kMaxIdle = 32;        // handles kept for reuse beyond this are freed

struct Transfer {
  CURL* handle;
  HttpResult* result;
  RangeSink* sink;
  std::string_view upload;
  size_t uploaded = 0;
  // Stall detection: bytes moved either way (head included), and when that
  // last changed.
  std::chrono::milliseconds stall_timeout;
  curl_off_t moved = 0;
  size_t head_bytes = 0;
  std::chrono::steady_clock::time_point last_move = std::chrono::steady_clock::now();
  bool stalled = false;
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  t->head_bytes += size * n;
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->result->headers.clear();  // a new response (after a 100 Continue, say)
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    std::string value(line.substr(colon + 1));
    value = trim_collapse(value.substr(0, value.find_last_not_of("\r\n") + 1));
    t->result->headers.emplace_back(to_lower(line.substr(0, colon)), value);
  }
  return size * n;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  long status = 0;
  curl_easy_getinfo(t->handle, CURLINFO_RESPONSE_CODE, &status);
  RangeSink* s = t->sink;
  if (s && status >= 200 && status < 300) {
    if (s->skip < 0) s->skip = status == 200 ? s->offset : 0;  // 200: Range was ignored
    size_t skipped = static_cast<size_t>(std::min<int64_t>(s->skip, static_cast<int64_t>(len)));
    s->skip -= static_cast<int64_t>(skipped);
    size_t take = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(len - skipped), s->cap - s->got));
    memcpy(s->buf + s->got, data + skipped, take);
    s->got += static_cast<int64_t>(take);
    if (skipped + take < len || (s->got == s->cap && s->skip == 0 && status == 200)) {
      s->full = true;  // what we wanted is here; do not download the rest of the object
      return 0;
    }
    return len;
  }
  if (t->result->body.size() + len > kMaxBody) {
    t->result->too_large = true;
    return 0;
  }
  t->result->body.append(data, len);
  return len;
}

// Called by libcurl at least about once a second, data or not: ends a
// transfer that has moved no byte for stall_timeout.
int on_progress(void* user, curl_off_t, curl_off_t dlnow, curl_off_t, curl_off_t ulnow) {
  auto* t = static_cast<Transfer*>(user);
  auto now = std::chrono::steady_clock::now();
  curl_off_t moved = dlnow + ulnow + static_cast<curl_off_t>(t->head_bytes);
  if (moved != t->moved) {
    t->moved = moved;
    t->last_move = now;
  } else if (now - t->last_move >= t->stall_timeout) {
    t->stalled = true;
    return 1;  // CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

size_t on_upload(char* buffer, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t take = std::min(size * n, t->upload.size() - t->uploaded);
  memcpy(buffer, t->upload.data() + t->uploaded, take);
  t->uploaded += take;
  return take;
}

// A retried upload starts again from the first byte.
int on_seek(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > t->upload.size()) return CURL_SEEKFUNC_FAIL;
  t->uploaded = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

// "" when every Content-Length of the reply is a plain number and they
// agree, else why not. libcurl refuses a negative one itself, but reads
// "12abc" as 12 and "+7" as 7 and takes an overflow for "unknown": a reply
// framed like that is not trusted, and its length never reaches a caller.
std::string content_length_problem(const Headers& headers) {
  const std::string* first = nullptr;
  for (const auto& [name, value] : headers) {
    if (name != "content-length") continue;
    int64_t n = 0;
    if (!parse_content_length(value, &n)) return "malformed Content-Length \"" + value.substr(0, 40) + "\" in the reply";
    if (first && *first != value) return "conflicting Content-Length headers in the reply";
    first = &value;
  }
  return "";
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

bool parse_content_length(std::string_view value, int64_t* out) {
  if (value.empty()) return false;
  int64_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return false;
    if (n > (INT64_MAX - (c - '0')) / 10) return false;
    n = n * 10 + (c - '0');
  }
  *out = n;
  return true;
}

const std::string* HttpResult::header(const std::string& lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return &v;
  return nullptr;
}

HttpClient::HttpClient(HttpOptions options) : options_(std::move(options)) {
  // Once per process (a static's initialisation is thread-safe), never
  // undone: the daemon uses libcurl too.
  static const CURLcode global_init = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)global_init;
}

HttpClient::~HttpClient() {
  for (CURL* h : idle_) curl_easy_cleanup(h);
}

CURL* HttpClient::take() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      CURL* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void HttpClient::give_back(CURL* h) {
  curl_easy_reset(h);  // forgets the options, keeps the connection and DNS caches
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_.size() < kMaxIdle) {
    idle_.push_back(h);
    return;
  }
  curl_easy_cleanup(h);
}

HttpResult HttpClient::perform(const std::string& url, const Request& r, RangeSink* sink) {
  HttpResult result;
  CURL* h = take();
  if (!h) {
    result.curl = CURLE_OUT_OF_MEMORY;
    result.curl_error = "cannot create a libcurl handle";
    return result;
  }
  Transfer t{h, &result, sink, r.body, 0, std::chrono::milliseconds(options_.stall_timeout_ms)};
  char errbuf[CURL_ERROR_SIZE] = {0};

  curl_slist* list = nullptr;
  for (const auto& [k, v] : r.headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  // Headers libcurl would add on its own: none may reach the server unsigned
  // (OSS signs any Content-Type), and Expect: 100-continue costs a round trip.
  for (const char* off : {"Expect:", "Accept:"}) list = curl_slist_append(list, off);
  if (!find_header(r.headers, "Content-Type")) list = curl_slist_append(list, "Content-Type:");
  std::unique_ptr<curl_slist, SlistDeleter> headers(list);

  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: we run in many threads
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, options_.request_timeout_ms);
  // Not CURLOPT_LOW_SPEED_*: their speed is averaged over seconds, so a
  // burst of bytes followed by silence is noticed several seconds late.
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect would need a new signature
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);

  if (r.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (r.method == "PUT" || r.method == "POST") {
    // Both as an upload from memory with a known length (no chunked encoding).
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_upload);
    curl_easy_setopt(h, CURLOPT_READDATA, &t);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, &t);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    if (r.method == "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "POST");
  } else if (r.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }

  result.curl = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.status);
  if (result.curl == CURLE_WRITE_ERROR && sink && sink->full) result.curl = CURLE_OK;  // cut short on purpose
  if (result.curl == CURLE_ABORTED_BY_CALLBACK && t.stalled) {
    result.curl = CURLE_OPERATION_TIMEDOUT;  // a timeout like any other: retried, ETIMEDOUT
    char secs[32];
    snprintf(secs, sizeof secs, "%g", static_cast<double>(options_.stall_timeout_ms) / 1000.0);
    snprintf(errbuf, sizeof errbuf, "the transfer stalled: no data for %s s (stall_timeout)", secs);
  }
  if (result.curl == CURLE_OK) {
    std::string bad = content_length_problem(result.headers);
    if (!bad.empty()) {
      result.curl = CURLE_WEIRD_SERVER_REPLY;
      snprintf(errbuf, sizeof errbuf, "%s", bad.c_str());
    }
  }
  if (result.curl != CURLE_OK) {
    result.curl_error = errbuf[0] ? errbuf : curl_easy_strerror(result.curl);
    if (result.too_large) result.curl_error = "reply larger than " + std::to_string(kMaxBody >> 20) + " MiB";
  }
  give_back(h);
  return result;
}

}  // namespace objstore

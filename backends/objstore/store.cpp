#include "backends/objstore/store.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <thread>

#include "backends/objstore/encode.h"
#include "backends/objstore/keys.h"
#include "backends/objstore/timefmt.h"

namespace objstore {

const char* const kStoreConfigKeys =
    "bucket, prefix, endpoint, region, path_style, verify_tls, ca_file, connect_timeout, request_timeout, stall_timeout, "
    "retries, retry_time_limit, multipart_threshold, part_size, list_page_size";

namespace {

constexpr int64_t kMiB = 1 << 20;
constexpr int64_t kMaxParts = 10000;         // S3's and OSS's limit per upload
constexpr int64_t kMaxPartSize = 5LL << 30;  // 5 GiB, both services

double uniform01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// What a web server or CDN in front of the bucket should say the object is.
std::string content_type_for(const std::string& key) {
  size_t dot = key.rfind('.');
  std::string ext = dot == std::string::npos ? "" : to_lower(key.substr(dot + 1));
  if (ext == "m3u8") return "application/vnd.apple.mpegurl";
  if (ext == "ts") return "video/mp2t";
  if (ext == "mp4" || ext == "m4s") return "video/mp4";
  if (ext == "vtt") return "text/vtt";
  if (ext == "json") return "application/json";
  return "application/octet-stream";
}

void fill_etag(hlsfs_backend_stat* st, const std::string& etag) {
  snprintf(st->etag, sizeof st->etag, "%s", etag.c_str());
}

int invalid(std::string* err, const std::string& what, const std::string& why) {
  *err = what + ": " + why;
  return -EINVAL;
}

}  // namespace

StoreConfig read_store_config(ConfigMap& c, const Dialect& d) {
  StoreConfig s;
  s.scheme = d.scheme;
  auto bucket = c.take("bucket");
  if (!bucket || bucket->empty()) throw ConfigError(config_error("bucket", "required (the bucket's name)"));
  if (bucket->find_first_of("/?#% \t") != std::string::npos)
    throw ConfigError(config_error("bucket", "\"" + *bucket + "\" is not a bucket name"));
  s.bucket = *bucket;

  // The daemon routes <scheme>://bucket/prefix/... here (store_router), so
  // the prefix is a directory: no leading '/', one trailing '/'.
  std::string prefix = c.take_or("prefix", "");
  while (!prefix.empty() && prefix.front() == '/') prefix.erase(0, 1);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (!prefix.empty()) {
    std::string why = key_problem(prefix.c_str());
    if (!why.empty()) throw ConfigError(config_error("prefix", "\"" + prefix + "\": " + why));
    s.prefix = prefix + "/";
  }

  s.region = c.take_or("region", d.default_region);
  if (s.region.empty() || s.region.find_first_of("/ \t") != std::string::npos)
    throw ConfigError(config_error("region", "\"" + s.region + "\" is not a region name"));
  auto endpoint = c.take("endpoint");
  s.endpoint = parse_endpoint("endpoint", endpoint ? *endpoint : d.default_endpoint(s.region));
  // An address or localhost cannot take the bucket as a subdomain.
  s.path_style = c.take_bool("path_style", endpoint && s.endpoint.literal_or_local());
  if (!s.path_style && s.endpoint.literal_or_local())
    throw ConfigError(config_error("path_style", "must be true with an IP address or localhost as endpoint"));

  s.http.verify_tls = c.take_bool("verify_tls", true);
  s.http.ca_file = c.take_or("ca_file", "");
  if (!s.http.ca_file.empty() && access(s.http.ca_file.c_str(), R_OK) != 0)
    throw ConfigError(config_error("ca_file", "\"" + s.http.ca_file + "\": " + strerror(errno)));
  s.http.connect_timeout_ms = c.take_ms("connect_timeout", 5000);
  s.http.request_timeout_ms = c.take_ms("request_timeout", 60000);
  s.http.stall_timeout_ms = c.take_ms("stall_timeout", 15000);
  s.retry.retries = c.take_int("retries", 4, 0, 20);
  s.retry.budget_ms = c.take_ms("retry_time_limit", 30000);

  s.multipart_threshold = c.take_size("multipart_threshold", 16 * kMiB);
  s.part_size = c.take_size("part_size", 8 * kMiB);
  if (s.part_size < d.min_part_size || s.part_size > kMaxPartSize)
    throw ConfigError(config_error("part_size", std::to_string(s.part_size) + " bytes: must be from " +
                                                    std::to_string(d.min_part_size) + " bytes to 5 GiB"));
  if (s.multipart_threshold < 1 || s.multipart_threshold > kMaxPartSize)
    throw ConfigError(config_error("multipart_threshold", "must be from 1 byte to 5 GiB"));
  s.list_page_size = c.take_int("list_page_size", 1000, 1, 1000);
  return s;
}

bool Store::Outcome::ok() const {
  return http.curl == CURLE_OK && http.status >= 200 && http.status < 300 && error.code.empty();
}

Store::Store(StoreConfig config, std::unique_ptr<Signer> signer)
    : config_(std::move(config)), signer_(std::move(signer)), http_(config_.http) {}

std::string Store::name(const std::string& full_key) const {
  return config_.scheme + "://" + config_.bucket + "/" + full_key;
}

Request Store::request(const std::string& method, const std::string& full_key, Params query) const {
  Request r;
  r.method = method;
  r.bucket = config_.bucket;
  r.key = full_key;
  r.query = std::move(query);
  if (config_.path_style) {
    r.host = config_.endpoint.authority();
    r.path = "/" + uri_encode(config_.bucket, false) + (full_key.empty() ? "" : "/" + uri_encode(full_key, true));
  } else {
    r.host = config_.endpoint.authority(config_.bucket);
    r.path = "/" + uri_encode(full_key, true);
  }
  set_header(r.headers, "Host", r.host);
  return r;
}

std::string Store::url(const Request& r) const {
  std::string q = encode_query(r.query);
  return config_.endpoint.scheme + "://" + r.host + r.path + (q.empty() ? "" : "?" + q);
}

Store::Outcome Store::send(Request r, RangeSink* sink, bool error_in_200) {
  signer_->prepare(r);
  const auto start = std::chrono::steady_clock::now();
  Outcome o;
  for (;;) {
    Request attempt = r;  // signed afresh each time: the date moves on
    signer_->sign(attempt, time(nullptr));
    if (sink) {
      sink->got = 0;
      sink->skip = -1;
      sink->full = false;
    }
    o.http = http_.perform(url(attempt), attempt, sink);
    ++o.attempts;
    o.error = ErrorReply{};
    bool success = o.http.curl == CURLE_OK && o.http.status >= 200 && o.http.status < 300;
    if (o.http.curl == CURLE_OK && (!success || error_in_200)) parse_error_reply(o.http.body, &o.error);
    int64_t elapsed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    o.seconds = static_cast<double>(elapsed_ms) / 1000.0;
    if (o.ok() || !is_transient(o.http.curl, o.http.status, o.error.code)) return o;
    int64_t delay_ms = backoff_delay_ms(config_.retry, o.attempts - 1, uniform01());
    if (!may_retry(config_.retry, o.attempts, elapsed_ms, delay_ms)) return o;
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  }
}

void Store::explain(const std::string& full_key, Outcome* o) {
  if (o->http.curl != CURLE_OK || o->http.status < 300 || o->http.status == 404 || !o->error.code.empty()) return;
  Request r = request("GET", full_key);
  set_header(r.headers, "Range", "bytes=0-0");
  signer_->prepare(r);
  signer_->sign(r, time(nullptr));
  HttpResult h = http_.perform(url(r), r, nullptr);  // once: it only tells why
  ErrorReply e;
  if (h.curl == CURLE_OK && h.status == o->http.status && parse_error_reply(h.body, &e)) o->error = e;
}

int Store::failure(const Outcome& o, const std::string& full_key, const std::string& what, std::string* err) const {
  int code = EIO;
  std::string why;
  if (o.http.curl != CURLE_OK) {
    code = o.http.curl == CURLE_OPERATION_TIMEDOUT ? ETIMEDOUT : EIO;
    why = "no answer from " + config_.endpoint.scheme + "://" + config_.endpoint.authority() + ": " +
          o.http.curl_error;
  } else {
    long s = o.http.status;
    if (s == 401 || s == 403) code = EACCES;
    if (s == 404) code = ENOENT;
    why = "HTTP " + std::to_string(s);
    if (!o.error.code.empty()) why += " " + o.error.code;
    if (!o.error.message.empty()) why += ": " + o.error.message;
    if (o.error.code.empty() && o.error.message.empty()) why += s < 300 ? " with an unexpected reply" : " (no details)";
    // S3 says where a bucket is when asked in the wrong region (301, 400).
    const std::string* home = o.http.header("x-amz-bucket-region");
    if (home && *home != config_.region) why += " (the bucket is in region " + *home + ")";
  }
  char tries[96] = "";
  if (o.attempts > 1) snprintf(tries, sizeof tries, " (gave up after %d attempts in %.1f s)", o.attempts, o.seconds);
  *err = name(full_key) + ": " + what + ": " + why + tries;
  return -code;
}

int Store::stat(const std::string& key, hlsfs_backend_stat* out, std::string* err) {
  std::string why = key_problem(key.c_str());
  if (!why.empty()) return invalid(err, key, "invalid key: " + why);
  const std::string full = config_.prefix + key;
  memset(out, 0, sizeof *out);
  Outcome o = send(request("HEAD", full));
  if (o.ok()) {
    const std::string* length = o.http.header("content-length");
    if (!length) {
      *err = name(full) + ": stat: HEAD answered without Content-Length";
      return -EIO;
    }
    out->size = strtoll(length->c_str(), nullptr, 10);
    if (const std::string* etag = o.http.header("etag")) fill_etag(out, strip_quotes(*etag));
    if (const std::string* modified = o.http.header("last-modified")) out->mtime_ns = parse_http_date_ns(*modified);
    return 0;
  }
  if (o.http.curl == CURLE_OK && o.http.status == 404) {
    // No such object; a directory when keys exist under key/.
    ListPage page;
    if (int rc = list_page(full + "/", "", 1, &page, err); rc < 0) return rc;
    if (!page.objects.empty()) {
      out->is_dir = 1;
      return 0;
    }
    *err = name(full) + ": no such key";
    return -ENOENT;
  }
  explain(full, &o);
  return failure(o, full, "stat", err);
}

int64_t Store::read(const std::string& key, int64_t offset, void* buf, int64_t len, std::string* err) {
  std::string why = key_problem(key.c_str());
  if (!why.empty()) return invalid(err, key, "invalid key: " + why);
  if (offset < 0 || len < 0 || (len > 0 && !buf))
    return invalid(err, key, "invalid range (offset " + std::to_string(offset) + ", length " + std::to_string(len) + ")");
  if (len == 0) return 0;
  len = std::min(len, INT64_MAX - offset);
  const std::string full = config_.prefix + key;
  Request r = request("GET", full);
  set_header(r.headers, "Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + len - 1));
  RangeSink sink;
  sink.buf = static_cast<char*>(buf);
  sink.cap = len;
  sink.offset = offset;
  Outcome o = send(std::move(r), &sink);
  if (o.ok()) return sink.got;
  if (o.http.curl == CURLE_OK && o.http.status == 416) return 0;  // at or past the end (or an empty object)
  return failure(o, full, "read", err);
}

void Store::set_tagging(Request& r, const std::string& tagging) const {
  // Signed like every x-amz-/x-oss- header (sigv4.cpp, oss_signer.cpp).
  if (!tagging.empty()) set_header(r.headers, config_.scheme == "oss" ? "x-oss-tagging" : "x-amz-tagging", tagging);
}

int Store::write(const std::string& key, std::string_view data, std::string* err, const std::string& tagging) {
  std::string why = key_problem(key.c_str());
  if (!why.empty()) return invalid(err, key, "invalid key: " + why);
  const std::string full = config_.prefix + key;
  if (static_cast<int64_t>(data.size()) > config_.multipart_threshold) return write_multipart(full, data, err, tagging);
  Request r = request("PUT", full);
  r.body = data;
  set_header(r.headers, "Content-Type", content_type_for(full));
  set_tagging(r, tagging);
  Outcome o = send(std::move(r));
  return o.ok() ? 0 : failure(o, full, "write", err);
}

int Store::write_multipart(const std::string& full, std::string_view data, std::string* err,
                           const std::string& tagging) {
  const int64_t size = static_cast<int64_t>(data.size());
  const int64_t part = std::max(config_.part_size, (size + kMaxParts - 1) / kMaxParts);
  const int64_t parts = (size + part - 1) / part;

  Request start = request("POST", full, {{"uploads", ""}});
  set_header(start.headers, "Content-Type", content_type_for(full));  // the object's, given at the start
  set_tagging(start, tagging);  // so are its tags
  Outcome o = send(std::move(start));
  if (!o.ok()) return failure(o, full, "write (starting a multipart upload)", err);
  const std::string upload_id = parse_upload_id(o.http.body);
  if (upload_id.empty()) {
    *err = name(full) + ": write: no UploadId in the reply to starting a multipart upload";
    return -EIO;
  }
  // Until completed, parts are invisible to readers (the write stays
  // atomic) but stored and billed: a failed upload is aborted.
  auto abandon = [&](int rc) {
    send(request("DELETE", full, {{"uploadId", upload_id}}));
    return rc;
  };

  std::vector<std::string> etags;
  for (int64_t n = 0; n < parts; ++n) {
    Request r = request("PUT", full, {{"partNumber", std::to_string(n + 1)}, {"uploadId", upload_id}});
    r.body = data.substr(static_cast<size_t>(n * part), static_cast<size_t>(std::min(part, size - n * part)));
    Outcome po = send(std::move(r));
    std::string what = "write (part " + std::to_string(n + 1) + " of " + std::to_string(parts) + ")";
    if (!po.ok()) return abandon(failure(po, full, what, err));
    const std::string* etag = po.http.header("etag");
    if (!etag) {
      *err = name(full) + ": " + what + ": no ETag in the reply";
      return abandon(-EIO);
    }
    etags.push_back(strip_quotes(*etag));
  }

  const std::string body = complete_multipart_body(etags);
  Request done = request("POST", full, {{"uploadId", upload_id}});
  done.body = body;
  set_header(done.headers, "Content-Type", "application/xml");
  // CompleteMultipartUpload may answer 200 and still fail, in the body.
  Outcome co = send(std::move(done), nullptr, true);
  if (!co.ok()) return abandon(failure(co, full, "write (completing a multipart upload)", err));
  return 0;
}

int Store::remove(const std::string& key, std::string* err) {
  std::string why = key_problem(key.c_str());
  if (!why.empty()) return invalid(err, key, "invalid key: " + why);
  const std::string full = config_.prefix + key;
  Outcome o = send(request("DELETE", full));
  if (o.ok() || (o.http.curl == CURLE_OK && o.http.status == 404)) return 0;  // gone either way
  return failure(o, full, "remove", err);
}

int Store::list_page(const std::string& full_prefix, const std::string& token, int max_keys, ListPage* page,
                     std::string* err, const std::string& delimiter, const std::string& start_after) {
  // encoding-type=url: keys may hold bytes XML 1.0 cannot carry.
  Params q{{"list-type", "2"}, {"encoding-type", "url"}, {"max-keys", std::to_string(max_keys)}};
  if (!full_prefix.empty()) q.emplace_back("prefix", full_prefix);
  if (!token.empty()) q.emplace_back("continuation-token", token);
  if (!delimiter.empty()) q.emplace_back("delimiter", delimiter);
  if (!start_after.empty() && token.empty()) q.emplace_back("start-after", start_after);
  Outcome o = send(request("GET", "", std::move(q)));
  if (!o.ok()) return failure(o, full_prefix, "list", err);
  std::string why;
  if (!parse_list_page(o.http.body, page, &why)) {
    *err = name(full_prefix) + ": list: " + why;
    return -EIO;
  }
  return 0;
}

int Store::list(const std::string& prefix,
                const std::function<bool(const std::string&, const hlsfs_backend_stat&)>& cb, std::string* err) {
  std::string why = prefix_problem(prefix);
  if (!why.empty()) return invalid(err, prefix, "invalid prefix: " + why);
  const std::string full = config_.prefix + prefix;
  std::string token;
  for (;;) {
    ListPage page;
    if (int rc = list_page(full, token, config_.list_page_size, &page, err); rc < 0) return rc;
    for (const ListedObject& o : page.objects) {
      if (o.key.compare(0, config_.prefix.size(), config_.prefix) != 0) continue;
      std::string key = o.key.substr(config_.prefix.size());
      // Keys no path can name ("dir/" folder markers, "a//b") are not listed.
      if (!key_problem(key.c_str()).empty()) continue;
      hlsfs_backend_stat st{};
      st.size = o.size;
      st.mtime_ns = o.mtime_ns;
      fill_etag(&st, o.etag);
      if (!cb(key, st)) return 0;
    }
    if (!page.truncated) return 0;
    token = page.next_token;
  }
}

int Store::list_dir(const std::string& prefix, const std::string& after, int max,
                    const std::function<bool(const std::string&, const hlsfs_backend_stat&)>& cb, std::string* err) {
  if (!prefix.empty() && prefix.back() != '/') return invalid(err, prefix, "invalid prefix: a directory's ends with '/'");
  std::string why = prefix_problem(prefix);
  if (!why.empty()) return invalid(err, prefix, "invalid prefix: " + why);
  if (max < 1) return invalid(err, prefix, "page size " + std::to_string(max) + " (must be 1 or more)");
  const std::string full = config_.prefix + prefix;
  // A start-after inside a subdirectory ("sub/") lists its keys again, and
  // the delimiter rolls them up into "sub/" again: left out below.
  const std::string start = after.empty() ? "" : full + after;
  std::string token;
  int reported = 0;
  for (;;) {
    ListPage page;
    if (int rc = list_page(full, token, std::min(config_.list_page_size, max - reported), &page, err, "/", start); rc < 0)
      return rc;
    // Objects and prefixes come as two ordered lists: merged in key order.
    struct Entry {
      std::string name;  // relative to prefix; a directory's without its '/'
      bool is_dir;
      const ListedObject* object;
    };
    std::vector<Entry> entries;
    for (const ListedObject& o : page.objects)
      if (o.key.compare(0, full.size(), full) == 0) entries.push_back({o.key.substr(full.size()), false, &o});
    for (const std::string& p : page.prefixes)
      if (p.size() > full.size() + 1 && p.compare(0, full.size(), full) == 0)
        entries.push_back({p.substr(full.size(), p.size() - full.size() - 1), true, nullptr});
    auto order = [](const Entry& e) { return e.is_dir ? e.name + "/" : e.name; };
    std::sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) { return order(a) < order(b); });
    for (const Entry& e : entries) {
      if (!after.empty() && order(e) <= after) continue;
      // Names no path can name ("dir/" folder markers, "a//b") are not listed.
      if (e.name.empty() || e.name.find('/') != std::string::npos || !key_problem((prefix + e.name).c_str()).empty())
        continue;
      hlsfs_backend_stat st{};
      if (e.is_dir) {
        st.is_dir = 1;
      } else {
        st.size = e.object->size;
        st.mtime_ns = e.object->mtime_ns;
        fill_etag(&st, e.object->etag);
      }
      if (!cb(prefix + e.name, st)) return 1;
      if (++reported >= max) return page.truncated || &e != &entries.back() ? 1 : 0;
    }
    if (!page.truncated) return 0;
    token = page.next_token;
  }
}

}  // namespace objstore

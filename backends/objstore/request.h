// One HTTP request to an object store, as the store builds it and a signer
// completes it (adds its date, payload and Authorization headers).
#pragma once
#include <cstddef>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace objstore {

using Headers = std::vector<std::pair<std::string, std::string>>;  // name, value as sent
using Params = std::vector<std::pair<std::string, std::string>>;   // raw (not yet encoded) query name, value

struct Credentials {
  std::string access_key_id;
  std::string secret;
  std::string session_token;  // "" when the keys are long-lived
};

struct Request {
  std::string method;  // GET, HEAD, PUT, POST, DELETE
  std::string bucket;  // raw bucket name
  std::string key;     // raw full object key, "" for a bucket-level request (listing)
  std::string host;    // the Host header's value: host[:port]
  std::string path;    // the URI path as sent, already encoded
  Params query;
  Headers headers;
  std::string_view body;  // not owned; empty for requests without one
};

// The value of header `name` (any case), or nullptr.
const std::string* find_header(const Headers& h, std::string_view name);
// Replaces header `name` (any case) or appends it.
void set_header(Headers& h, const std::string& name, const std::string& value);

// The query string as sent: names and values uri_encode()d, in canonical
// (sorted) order; a parameter without a value is sent as its bare name
// ("name"), or as "name=" when bare_empty is false (AWS's canonical query).
std::string encode_query(const Params& query, bool bare_empty = true);

// Completes a request with its authentication (S3 Signature V4, OSS V4/V1).
// prepare() runs once per request (payload digests, however often it is
// retried), sign() once per attempt (dates and signature move on).
// Thread-safe: one signer serves every thread of a store.
class Signer {
 public:
  virtual ~Signer() = default;
  virtual void prepare(Request& r) const = 0;
  virtual void sign(Request& r, time_t now) const = 0;
};

}  // namespace objstore

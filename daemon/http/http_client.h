// The client side of the control API, for hlsfsctl: one HTTP request to the
// daemon over its unix socket or loopback TCP, through libcurl.
#pragma once
#include <string>

namespace hlsfs {

struct HttpResult {
  int status = 0;
  std::string body;
  std::string content_type;  // "" when the server sent none
};

// Sends one request and returns whatever status the daemon answered (a 4xx or
// 5xx is a result, not an exception). `endpoint` is "unix:/run/hlsfs/control.sock"
// (a bare absolute path means the same) or "http://127.0.0.1:8089"; `path`
// is "/v1/..." with any query. A non-empty body is sent as application/json.
// Throws std::invalid_argument for a malformed endpoint and std::runtime_error
// with one line when the daemon cannot be reached or does not answer, e.g.
// "cannot reach hlsfsd at unix:/run/hlsfs/control.sock: No such file or directory (is the daemon running?)".
// Thread-safe (one curl handle per call); proxies from the environment are ignored.
// A non-empty `bearer_token` is sent as "Authorization: Bearer <token>" (the
// daemon asks for it over TCP when control.token_file is set).
HttpResult http_call(const std::string& endpoint, const std::string& method, const std::string& path,
                     const std::string& body = "", long timeout_s = 600, const std::string& bearer_token = "");

// One line for a non-2xx result, for "error: ..." messages: the Message of an
// IMM-style JSON error ({"Code": ..., "Message": ...}), else
// "HTTP <status>: <first line of the body>".
std::string describe_error(const HttpResult& result);

}  // namespace hlsfs

// The HTTP/1.1 server of the daemon's control API and /metrics (unix socket,
// optionally TCP). Parsing and serialization are Boost.Beast's, sockets and
// timers Boost.Asio's (one I/O thread per server); what is ours is the policy
// a local JSON API needs on top (http_server.cpp says why Beast):
//
// * Requests: Content-Length or chunked bodies (Transfer-Encoding other than
//   exactly "chunked" gets 501, then the connection closes). Lines end in
//   CRLF. `Expect: 100-continue` is honoured. HTTP/1.0 and 1.1; other
//   versions 505.
// * Keep-alive: HTTP/1.1 connections stay open (Prometheus scrapes reuse them)
//   until the client sends `Connection: close`, is idle for head_timeout, or
//   the server stops. HTTP/1.0 connections close after one response.
// * Limits: request line + headers > max_header_bytes -> 431 (never buffered
//   beyond it), body > max_body_bytes -> 413 (from Content-Length, before the
//   body is read), a head not complete within head_timeout or a request not
//   complete within read_timeout -> 408 (a connection that sent nothing is
//   just closed). Malformed -> 400. Each error body is JSON
//   {"Code": ..., "Message": ...}, like the IMM errors the API returns.
// * Connection slots: the unix socket and TCP have separate pools
//   (max_connections, max_tcp_connections), so clients of one cannot lock
//   out the other. When a pool is full, a new connection takes the slot of
//   the one that has held its slot longest without work (waiting for a
//   request head: a slowloris, an idle keep-alive client; or lingering after
//   its answer), which is closed at once; only when every slot is busy with
//   a request does the new one get 503.
// * Authentication: with bearer_token set, a request over TCP without
//   "Authorization: Bearer <token>" gets 401 before its body is read.
// * Responses always carry Content-Length and Content-Type (except 204,
//   which must not carry Content-Length); HEAD gets the headers only.
//
// The handler runs on the server's I/O thread and returns at once; the answer
// may come later from any thread through the Responder (the daemon answers
// from an actor's response).
#pragma once
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hlsfs {

struct HttpRequest {
  std::string method;   // "GET", as sent (methods are case-sensitive)
  std::string target;   // as sent: "/v1/playlists?x=1"
  std::string path;     // percent-decoded path: "/v1/playlists"
  std::string query;    // raw query without '?': "x=1" (see parse_query)
  std::string version;  // "HTTP/1.1" or "HTTP/1.0"
  std::map<std::string, std::string> headers;  // lower-case names; repeated headers joined by ", "
  std::string body;

  // The value of a header (name in lower case), or "" when absent.
  std::string header(const std::string& lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers. Framing headers (Content-Length, Content-Type,
  // Transfer-Encoding, Connection) are the server's and are ignored here.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Answers a request. Call it once, from any thread, now or later; calls after
// the first are ignored, and so is a call after the client went away or the
// server stopped. A Responder destroyed without being called answers 500, so a
// lost actor reply cannot hang a client.
using Responder = std::function<void(HttpResponse)>;
// Called on the server's I/O thread for each request, one at a time. It must
// not block (send the work elsewhere and answer through the Responder): every
// connection of this server waits while it runs. An exception it throws
// becomes a 500.
using HttpHandler = std::function<void(HttpRequest, Responder)>;

struct HttpServerOptions {
  size_t max_header_bytes = 16 * 1024;  // request line + headers
  size_t max_body_bytes = 1024 * 1024;
  int max_connections = 128;     // open unix-socket connections served; more get 503
  int max_tcp_connections = 64;  // the same for TCP, a separate pool: one listener cannot starve the other
  std::chrono::milliseconds read_timeout{30000};      // one whole request, from the start of the wait for it
  std::chrono::milliseconds head_timeout{10000};      // request line + headers (and idle keep-alive), from the start of the wait
  // When set, every request over TCP must carry "Authorization: Bearer
  // <token>" (else 401). Not asked on the unix socket: its file mode is its
  // access control.
  std::string bearer_token;
  std::chrono::milliseconds write_timeout{30000};     // a client that stops reading
  std::chrono::milliseconds response_timeout{900000}; // handler never answers -> 504
  std::chrono::milliseconds stop_grace{5000};         // stop(): how long pending answers may take
  // Where to report what no client sees (accept failures, handler
  // exceptions). Called from server threads; nullptr = silent.
  std::function<void(const std::string&)> log;
};

// {"Code": code, "Message": message} with the given status.
HttpResponse json_error(int status, const std::string& code, const std::string& message);
// The usual Code for a status: 400 -> "BadRequest", 404 -> "NotFound", ...
const char* error_code_for(int status);
// "a=1&b=x%20y" -> {a: "1", b: "x y"} ('+' is a space; the last of a repeated name wins).
std::map<std::string, std::string> parse_query(const std::string& query);

class HttpServer {
 public:
  explicit HttpServer(HttpHandler handler, std::string name = "http", HttpServerOptions options = {});
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Listen on a unix socket. A stale socket file (nobody accepting) is
  // replaced; a live one, or a path that is not a socket, is an error. The
  // parent directory is created if missing. The socket appears with `mode`
  // already set (bound under a temporary name, then renamed into place).
  // Errors throw std::runtime_error naming the path. Call before start().
  void listen_unix(const std::string& path, mode_t mode = 0660);
  // Listen on TCP, e.g. ("127.0.0.1", 8089); port 0 picks a free port.
  void listen_tcp(const std::string& host, int port);
  // The port of the first TCP listener, or -1 without one.
  int tcp_port() const;

  void start();  // starts accepting (one I/O thread for all listeners and connections)
  // Stops accepting, closes the listeners (and removes the unix socket file
  // if it is still ours), closes idle connections, gives pending answers up
  // to stop_grace (then they get 503), and joins every thread. Idempotent.
  // Do not call it from the handler or a Responder (it would wait for itself).
  void stop();

 private:
  struct Impl;  // Boost stays out of this header
  std::unique_ptr<Impl> impl_;
};

}  // namespace hlsfs

// The control API's HTTP/1.1 server on Boost.Beast + Boost.Asio.
//
// Why Beast (Debian's libboost-dev), among the libraries Debian has:
// * cpp-httplib 0.11 (libcpp-httplib-dev) grows a header line without bound
//   before its 8 KiB per-line check, has no limit on the whole head or the
//   number of header lines, serves each connection on a fixed thread pool
//   (a slowloris takes every thread; the socket is never shown to the
//   caller, so it cannot be evicted), answers every parse error with a bare
//   400 and polls idle keep-alive sockets every 10 ms. The limits below
//   could not be kept with it.
// * libmicrohttpd bounds memory well and can suspend a connection until an
//   answer comes, but closes connections over its limit without a word (no
//   503), has only an inactivity timeout in whole seconds (no deadline for
//   the head), and sends its own HTML bodies for the errors it detects.
// * CivetWeb: a thread per connection from one pool for all listeners, and
//   no way to answer later from another thread.
// * Beast parses (bounded: header_limit, body_limit; chunked bodies,
//   pipelining, strict tokens) and serializes; Asio gives sockets of any
//   family and timers on one thread. What stays ours is the policy: the
//   deadlines, the two slot pools with eviction, bearer authentication,
//   JSON errors and the Responder. Everything runs on one I/O thread, so the
//   connection table needs no locks and an eviction can never race a close.
#include "daemon/http/http_server.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <list>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace hlsfs {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Protocol = asio::generic::stream_protocol;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

// Connections over a full pool with no idle one to evict still get an answer
// (503), so the client reads a clear error instead of a reset; beyond this
// many more, they are closed at once.
constexpr int kRejectSlots = 8;
// Closing a socket with unread input makes the kernel send RST, which can
// destroy the response the client has not read yet; so before closing, we
// read and discard what the client still sends, for a while.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 8 * 1024 * 1024;
constexpr size_t kMaxMethod = 32;
constexpr size_t kEcho = 64;  // longest piece of a bad request quoted back
constexpr size_t kReadChunk = 16 * 1024;
// Evictions and connections closed unanswered come in floods (a slowloris, a
// client in a loop): counted, and said in the log at most this often.
constexpr auto kOverloadLogEvery = std::chrono::seconds(10);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::string sys_error(int err) { return std::strerror(err); }
std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

// RFC 9110 token characters (methods, header names).
bool is_tchar(unsigned char c) {
  return std::isalnum(c) || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}
bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c != 0 && is_tchar(c); });
}
// Field values: visible characters, space, tab and obs-text; no other controls.
bool is_field_value(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    unsigned char c = ch;
    return c == '\t' || (c >= 0x20 && c != 0x7f);
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string echo(std::string_view s) {
  return s.size() <= kEcho ? std::string(s) : std::string(s.substr(0, kEcho)) + "...";
}

// "0.5 s", "10 s": for messages about timeouts, which tests set below a second.
std::string seconds_text(std::chrono::milliseconds d) {
  long long ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  char buf[32];
  snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000);
  return buf;
}

// Compares without an early exit, so the time taken tells nothing about how
// much of a guess was right (only the expected length shows).
bool constant_time_equal(std::string_view given, std::string_view expected) {
  unsigned char diff = given.size() != expected.size();
  for (size_t i = 0; i < expected.size(); ++i) {
    unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= static_cast<unsigned char>(g ^ static_cast<unsigned char>(expected[i]));
  }
  return diff == 0;
}

// "" when the Authorization header value carries `token` as a bearer token
// (the scheme is case-insensitive, RFC 9110 11.1), else why not.
std::string bearer_problem(std::string_view value, const std::string& token) {
  value = trim(value);
  if (value.empty()) return "missing \"Authorization: Bearer <token>\": requests over TCP need the control API's token";
  size_t sp = value.find_first_of(" \t");
  if (sp == std::string_view::npos || lower(value.substr(0, sp)) != "bearer")
    return "\"Authorization: Bearer <token>\" is needed over TCP; another scheme was sent";
  if (!constant_time_equal(trim(value.substr(sp + 1)), token))
    return "the token in \"Authorization: Bearer <token>\" is not the control API's token";
  return "";
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Strict for paths (a bad escape or %00 is an error); lenient for queries.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space, bool strict) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      int hi = i + 2 < in.size() ? hex_value(in[i + 1]) : -1;
      int lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
      if (hi < 0 || lo < 0 || (strict && hi == 0 && lo == 0)) {
        if (strict) return false;
        out += c;
        continue;
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += plus_is_space && c == '+' ? ' ' : c;
    }
  }
  return true;
}

void set_thread_name(const std::string& name) {
  std::string n = name.substr(0, 15);  // the kernel's limit
  pthread_setname_np(pthread_self(), n.c_str());
}

// Can `buf` still be the start of a request line? Lets a client that speaks
// something else (TLS, garbage) get its 400 at once: Beast waits for the
// whole head before it looks at the request line.
bool plausible_request_start(std::string_view buf) {
  for (size_t i = 0; i < buf.size(); ++i) {
    if (buf[i] == ' ') return i > 0;
    if (buf[i] == '\r' || buf[i] == '\n') return true;  // a whole line: the parser says what is wrong
    if (!is_tchar(static_cast<unsigned char>(buf[i])) || i >= kMaxMethod) return false;
  }
  return true;
}

// The request line Beast refused, for the error message: 505 for an HTTP
// version we do not speak, else 400 quoting the line.
std::pair<int, std::string> bad_request_line(std::string_view buf) {
  std::string_view line = buf.substr(0, buf.find_first_of("\r\n"));
  size_t sp = line.rfind(' ');
  std::string_view version = sp == std::string_view::npos ? "" : line.substr(sp + 1);
  bool looks_http = version.size() == 8 && version.substr(0, 5) == "HTTP/" && std::isdigit(static_cast<unsigned char>(version[5])) &&
                    version[6] == '.' && std::isdigit(static_cast<unsigned char>(version[7]));
  if (looks_http && version != "HTTP/1.1" && version != "HTTP/1.0" && std::count(line.begin(), line.end(), ' ') == 2)
    return {505, "HTTP version " + std::string(version.substr(5)) + " is not supported (use HTTP/1.1)"};
  return {400, "malformed request line \"" + echo(line) + "\" (want METHOD /path HTTP/1.1)"};
}

// "" if the handler's response can be sent as is, else why not.
std::string invalid_response(const HttpResponse& r) {
  if (r.status < 200 || r.status > 599) return "the handler answered with status " + std::to_string(r.status);
  if (!is_field_value(r.content_type)) return "the handler answered with an invalid Content-Type";
  for (const auto& [name, value] : r.headers)
    if (!is_token(name) || !is_field_value(value)) return "the handler answered with an invalid header \"" + echo(name) + "\"";
  return "";
}

bool is_framing_header(const std::string& name) {
  std::string n = lower(name);
  return n == "content-length" || n == "content-type" || n == "transfer-encoding" || n == "connection";
}

const char* fallback_reason(int status) {
  return status < 300 ? "OK" : status < 400 ? "Redirect" : status < 500 ? "Client Error" : "Server Error";
}

}  // namespace

std::string HttpRequest::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

const char* error_code_for(int status) {
  switch (status) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 408: return "RequestTimeout";
    case 409: return "Conflict";
    case 411: return "LengthRequired";
    case 413: return "PayloadTooLarge";
    case 415: return "UnsupportedMediaType";
    case 417: return "ExpectationFailed";
    case 431: return "RequestHeaderFieldsTooLarge";
    case 500: return "InternalError";
    case 501: return "NotImplemented";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    case 505: return "HTTPVersionNotSupported";
    default: return status >= 500 ? "InternalError" : "BadRequest";
  }
}

HttpResponse json_error(int status, const std::string& code, const std::string& message) {
  HttpResponse r;
  r.status = status;
  nlohmann::json j = {{"Code", code}, {"Message", message}};
  // Messages may quote request bytes that are not UTF-8: replace, never throw.
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

std::map<std::string, std::string> parse_query(const std::string& query) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string_view part = std::string_view(query).substr(pos, amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string name, value;
      percent_decode(part.substr(0, eq), name, true, false);
      if (eq != std::string_view::npos) percent_decode(part.substr(eq + 1), value, true, false);
      out[name] = value;
    }
    pos = amp + 1;
  }
  return out;
}

namespace {

// What must outlive the server: its io_context, so that a Responder called
// after stop() (or after the server is gone) posts into a queue that nobody
// runs instead of into freed memory. Responders hold it by shared_ptr.
struct Core {
  asio::io_context io{1};
};

// The connection slots of one kind of listener (I/O thread only).
struct Pool {
  int limit = 0;
  int serving = 0;    // connections served (not rejected, not evicted)
  int rejecting = 0;  // connections over the limit, being answered 503
};

struct Listener {
  int fd = -1;  // owned by `acceptor` once started
  bool is_unix = false;
  int family = AF_UNIX;
  std::string path;  // unix: the socket file; tcp: "host:port"
  dev_t dev = 0;     // unix: identity of our socket file, so stop() removes only ours
  ino_t ino = 0;
  int port = -1;
  std::unique_ptr<asio::basic_socket_acceptor<Protocol>> acceptor;
  std::unique_ptr<asio::steady_timer> retry;  // after an accept error (EMFILE): pause, do not spin
};

}  // namespace

struct HttpServer::Impl {
  struct Session;
  struct Promise;

  Impl(HttpHandler handler, std::string name, HttpServerOptions options);

  void listen_unix(const std::string& path, mode_t mode);
  void listen_tcp(const std::string& host, int port);
  void start();
  void stop();
  void run();
  void accept(size_t listener);
  void on_accept(const Listener& l, Protocol::socket sock);
  bool evict_oldest_idle(Pool& pool);
  void log_overload();
  void begin_stop();
  void log(const std::string& message) const;

  HttpHandler handler_;
  std::string name_;
  HttpServerOptions opt_;
  std::shared_ptr<Core> core_ = std::make_shared<Core>();
  std::vector<Listener> listeners_;
  bool started_ = false;
  bool stopped_ = false;
  std::thread thread_;
  Clock::time_point stop_deadline_;  // written before the stop is posted to the I/O thread
  // I/O thread only:
  std::list<Session*> sessions_;
  Pool unix_pool_, tcp_pool_;
  bool stopping_ = false;
  long long evicted_ = 0;  // overload not yet logged, and when it last was
  long long dropped_ = 0;
  Clock::time_point overload_logged_at_;
};

// One connection, from accept to close, on the I/O thread. Every pending
// operation (there is always one: a read or write, and the timer) holds it,
// so it ends when its socket is closed and they have all returned.
struct HttpServer::Impl::Session : std::enable_shared_from_this<Session> {
  enum class Phase {
    head,     // waiting for a request head (evictable)
    body,     // reading the body (or sending 100 Continue)
    handler,  // waiting for the Responder
    writing,
    linger,   // answered and closing: draining what the client still sends (evictable)
    done,
  };

  Session(Impl& server, Protocol::socket socket, Pool& slots, bool unix_socket, bool over_limit)
      : srv(server), sock(std::move(socket)), timer(server.core_->io), pool(slots), is_unix(unix_socket), reject(over_limit) {
    self = srv.sessions_.insert(srv.sessions_.end(), this);
    ++(reject ? pool.rejecting : pool.serving);
  }
  ~Session() {
    srv.sessions_.erase(self);
    if (reject) --pool.rejecting;
    else if (!evicted) --pool.serving;  // an eviction gave the slot back already
  }

  bool evictable() const { return !reject && !evicted && (phase == Phase::head || phase == Phase::linger); }

  void evict() {
    evicted = true;
    --pool.serving;
    close();
  }

  // The server stops: readers end now; pending answers and writes get until stop_deadline_.
  void on_stop() {
    if (phase == Phase::handler || phase == Phase::writing) arm(deadline);
    else close();
  }

  void close() {
    if (phase == Phase::done) return;
    phase = Phase::done;
    error_code ec;
    sock.close(ec);
    timer.cancel();
  }

  Clock::time_point capped(Clock::time_point t) const { return srv.stopping_ ? std::min(t, srv.stop_deadline_) : t; }

  // One timer per connection, re-armed for each phase; a stale expiry is ignored.
  void arm(Clock::time_point at) {
    deadline = capped(at);
    timer.expires_at(deadline);
    uint64_t gen = ++timer_gen;
    timer.async_wait([s = shared_from_this(), gen](error_code ec) {
      if (!ec && gen == s->timer_gen && s->phase != Phase::done) s->on_timer();
    });
  }

  void on_timer() {
    error_code ec;
    switch (phase) {
      case Phase::head:
      case Phase::body:
        timed_out = true;  // the read in progress returns aborted and answers 408
        sock.cancel(ec);
        break;
      case Phase::handler:
        if (srv.stopping_) {
          keep_alive = false;
          write(json_error(503, "ServiceUnavailable", srv.name_ + " is shutting down; the request did not finish in time"));
        } else {
          write(json_error(504, "Timeout",
                           "no answer within " + std::to_string(srv.opt_.response_timeout.count() / 1000) + " s"));
        }
        break;
      default:
        close();
    }
  }

  std::chrono::milliseconds head_time() const { return std::min(srv.opt_.head_timeout, srv.opt_.read_timeout); }
  std::string_view buffered() const {
    auto b = buf.data();
    return {static_cast<const char*>(b.data()), b.size()};
  }

  // One deadline for the idle wait and the whole request: a client trickling
  // bytes cannot hold a connection longer than read_timeout per request; and
  // a shorter one for the head, which a real client sends at once: a
  // connection that asks for nothing holds its slot for head_timeout at most.
  void next_request() {
    if (srv.stopping_) return close();
    phase = Phase::head;
    request_start = idle_since = Clock::now();
    timed_out = false;
    head_consumed = 0;
    ++request_no;
    req = HttpRequest{};
    parser.emplace();
    parser->header_limit(static_cast<uint32_t>(std::min<size_t>(srv.opt_.max_header_bytes, UINT32_MAX)));
    parser->body_limit(std::numeric_limits<uint64_t>::max());  // judged after the token; set before the body
    arm(request_start + head_time());
    parse_head();
  }

  void parse_head() {
    if (head_consumed == 0) {
      // Empty lines before a request are ignored (RFC 9112 2.2), e.g. a CRLF
      // some clients send after a POST body.
      size_t skip = buffered().find_first_not_of("\r\n");
      buf.consume(skip == std::string_view::npos ? buf.size() : skip);
      if (buf.size() > 0 && !plausible_request_start(buffered())) return fail(400, "not an HTTP request");
    }
    if (buf.size() > 0) {
      error_code ec;
      size_t used = parser->put(buf.data(), ec);
      buf.consume(used);
      head_consumed += used;
      if (!ec && parser->is_header_done()) return got_head();
      if (ec && ec != bhttp::error::need_more) return head_error(ec);
    }
    if (timed_out) return head_timeout();
    sock.async_read_some(buf.prepare(kReadChunk), [s = shared_from_this()](error_code ec, size_t n) {
      if (s->phase != Phase::head) return;  // evicted or stopped
      if (ec) return s->timed_out ? s->head_timeout() : s->close();  // EOF, error: nobody to answer
      s->buf.commit(n);
      s->parse_head();
    });
  }

  void head_timeout() {
    if (head_consumed + buf.size() == 0) return close();  // an idle connection
    fail(408, "the request line and headers did not arrive within " + seconds_text(head_time()));
  }

  void head_error(error_code ec) {
    if (ec == bhttp::error::header_limit)
      return fail(431, "request line and headers exceed " + std::to_string(srv.opt_.max_header_bytes) + " bytes");
    if (ec == bhttp::error::bad_method || ec == bhttp::error::bad_target || ec == bhttp::error::bad_version) {
      auto [status, message] = bad_request_line(buffered());
      return fail(status, message);
    }
    if (ec == bhttp::error::bad_content_length) return fail(400, "malformed Content-Length (want one number of bytes)");
    fail(400, "malformed request head: " + ec.message());
  }

  void got_head() {
    phase = Phase::body;
    timed_out = false;  // the head made it, even if the timer fired as it came
    const auto& m = parser->get();
    req.method = std::string(m.method_string());
    req.target = std::string(m.target());
    req.version = m.version() == 11 ? "HTTP/1.1" : "HTTP/1.0";
    for (const auto& f : m) {
      std::string name = lower(sv(f.name_string()));
      auto [it, added] = req.headers.emplace(name, std::string(f.value()));
      if (!added && name != "content-length") it->second += ", " + std::string(f.value());  // Beast checked they agree
    }
    if (req.target.empty() || req.target[0] != '/')
      return fail(400, "request target \"" + echo(req.target) + "\" is not a path starting with /");
    for (char c : req.target)
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return fail(400, "control character in the request target");
    size_t q = req.target.find('?');
    std::string_view raw_path = std::string_view(req.target).substr(0, q);
    if (q != std::string::npos) req.query = req.target.substr(q + 1);
    size_t hash = req.query.find('#');  // a fragment is never sent by browsers; drop it if a client does
    if (hash != std::string::npos) req.query.resize(hash);
    if (!percent_decode(raw_path, req.path, false, true))
      return fail(400, "bad percent-encoding in the path \"" + echo(raw_path) + "\"");

    if (!is_unix && !srv.opt_.bearer_token.empty()) {
      // Before anything else about the request: a client without the token
      // learns nothing, and its body is never read.
      std::string why = bearer_problem(req.header("authorization"), srv.opt_.bearer_token);
      if (!why.empty()) return fail(401, why, {{"WWW-Authenticate", "Bearer realm=\"" + srv.name_ + "\""}});
    }
    // Framing: only what Beast reads as the body may be the body, or the rest
    // would be taken for the next request.
    std::string te = req.header("transfer-encoding");
    const bool has_te = m.count(bhttp::field::transfer_encoding) > 0;  // an empty one too
    if (has_te && lower(trim(te)) != "chunked")
      return fail(501, "Transfer-Encoding \"" + echo(te) + "\" is not supported; send the body with Content-Length or chunked");
    auto cls = m.equal_range(bhttp::field::content_length);
    for (auto f = cls.first; f != cls.second; ++f) {  // Beast also takes "5, 5"
      std::string_view cl = sv(f->value());
      if (cl.empty() || cl.find_first_not_of("0123456789") != std::string_view::npos)
        return fail(400, "malformed Content-Length \"" + echo(cl) + "\"");
    }
    uint64_t length = parser->content_length().value_or(0);
    if (length > srv.opt_.max_body_bytes)
      return fail(413, "request body of " + std::to_string(length) + " bytes exceeds the limit of " +
                           std::to_string(srv.opt_.max_body_bytes) + " bytes");
    std::string expect = req.header("expect");
    if (!expect.empty() && lower(expect) != "100-continue") return fail(417, "Expect \"" + echo(expect) + "\" is not supported");
    keep_alive = m.version() == 11 && m.keep_alive();
    head_only = req.method == "HEAD";

    if (reject) {
      keep_alive = false;
      return write(json_error(503, "ServiceUnavailable",
                              "too many connections (at most " + std::to_string(pool.limit) + "); retry later"));
    }
    if (parser->is_done()) return dispatch();
    parser->body_limit(srv.opt_.max_body_bytes);  // a chunked body counts as it comes
    arm(request_start + srv.opt_.read_timeout);
    bool chunked = parser->chunked();
    if (!expect.empty() && m.version() == 11 && (chunked ? buf.size() == 0 : buf.size() < length)) {
      asio::async_write(sock, asio::buffer(kContinue.data(), kContinue.size()), [s = shared_from_this()](error_code ec, size_t) {
        if (s->phase != Phase::body) return;
        if (ec) return s->close();
        s->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(sock, buf, *parser, [s = shared_from_this()](error_code ec, size_t) {
      if (s->phase != Phase::body) return;
      if (!ec) return s->dispatch();
      if (s->timed_out)
        return s->fail(408, "the request body did not arrive within " + seconds_text(s->srv.opt_.read_timeout));
      if (ec == bhttp::error::body_limit)
        return s->fail(413, "request body exceeds the limit of " + std::to_string(s->srv.opt_.max_body_bytes) + " bytes");
      if (ec.category() == bhttp::make_error_code(bhttp::error::bad_chunk).category() &&
          ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
        return s->fail(400, "malformed request body: " + ec.message());
      s->close();  // the client went away
    });
  }

  void dispatch();
  void answered(uint64_t request, HttpResponse r) {
    if (phase != Phase::handler || request != request_no) return;
    std::string why = invalid_response(r);
    if (!why.empty()) {
      srv.log(why);
      r = json_error(500, "InternalError", why);
    }
    if (srv.stopping_) keep_alive = false;
    write(std::move(r));
  }

  void fail(int status, const std::string& message, std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpResponse r = json_error(status, error_code_for(status), message);
    r.headers = std::move(headers);
    keep_alive = false;  // what follows an unread or refused request cannot be framed
    head_only = false;
    write(std::move(r));
  }

  void write(HttpResponse r) {
    phase = Phase::writing;
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    if (bhttp::int_to_status(static_cast<unsigned>(r.status)) == bhttp::status::unknown) res->reason(fallback_reason(r.status));
    bool bodiless = r.status == 204 || r.status == 304;  // RFC 9110: these have no content
    if (!bodiless) {
      res->set(bhttp::field::content_type, r.content_type.empty() ? "application/octet-stream" : r.content_type);
      res->content_length(r.body.size());  // HEAD too: the length a GET would get
    }
    res->set(bhttp::field::connection, keep_alive ? "keep-alive" : "close");
    for (const auto& [name, value] : r.headers)
      if (!is_framing_header(name)) res->insert(name, value);
    if (!head_only && !bodiless) res->body() = std::move(r.body);
    arm(Clock::now() + srv.opt_.write_timeout);
    bhttp::async_write(sock, *res, [s = shared_from_this(), res](error_code ec, size_t) {
      if (s->phase != Phase::writing) return;
      if (ec) return s->close();  // EPIPE, reset: the client went away
      if (s->keep_alive && !s->srv.stopping_) return s->next_request();
      s->linger();
    });
  }

  void linger() {
    // Its answer is sent: the slot may go to a new client if the pool is full
    // (a client that keeps the connection open after a 401 holds nothing).
    phase = Phase::linger;
    idle_since = Clock::now();
    error_code ec;
    sock.shutdown(Protocol::socket::shutdown_send, ec);  // the client sees the end of our response
    drained = 0;
    arm(idle_since + kLingerTime);
    drain();
  }

  void drain() {
    sock.async_read_some(buf.prepare(kReadChunk), [s = shared_from_this()](error_code ec, size_t n) {
      if (s->phase != Phase::linger) return;
      s->drained += n;
      if (ec || s->drained >= kLingerBytes) return s->close();  // EOF: the client closed too
      s->drain();
    });
  }

  Impl& srv;
  Protocol::socket sock;
  asio::steady_timer timer;
  Pool& pool;
  const bool is_unix;
  const bool reject;  // over its pool's limit: answer 503 once, then close
  std::list<Session*>::iterator self;
  Phase phase = Phase::head;
  bool evicted = false;  // its slot was given to a newer connection
  Clock::time_point idle_since;  // since when it holds its slot without work
  Clock::time_point request_start;
  Clock::time_point deadline;
  uint64_t timer_gen = 0;
  bool timed_out = false;
  beast::flat_buffer buf;  // bytes read but not yet parsed (pipelined requests too)
  std::optional<bhttp::request_parser<bhttp::string_body>> parser;
  size_t head_consumed = 0;
  HttpRequest req;
  bool keep_alive = false;
  bool head_only = false;
  uint64_t request_no = 0;  // an answer for an earlier request is ignored
  size_t drained = 0;
};

// Shared by every copy of a Responder: the first call posts the answer to the
// I/O thread; the last copy to go answers 500 if nobody answered, so a
// dropped reply cannot hang the client.
struct HttpServer::Impl::Promise {
  Promise(std::shared_ptr<Core> c, std::weak_ptr<Session> s, uint64_t n) : core(std::move(c)), session(std::move(s)), request(n) {}
  Promise(const Promise&) = delete;
  Promise& operator=(const Promise&) = delete;
  ~Promise() {
    try {
      answer(json_error(500, "InternalError", "the request was dropped without an answer"));
    } catch (...) {
    }
  }
  void answer(HttpResponse r) {
    if (done.exchange(true)) return;
    asio::post(core->io, [s = session, n = request, r = std::move(r)]() mutable {
      if (auto live = s.lock()) live->answered(n, std::move(r));
    });
  }

  std::shared_ptr<Core> core;
  std::weak_ptr<Session> session;
  uint64_t request;
  std::atomic<bool> done{false};
};

void HttpServer::Impl::Session::dispatch() {
  phase = Phase::handler;
  req.body = std::move(parser->get().body());
  arm(Clock::now() + srv.opt_.response_timeout);
  Responder respond;
  {
    auto promise = std::make_shared<Promise>(srv.core_, weak_from_this(), request_no);
    respond = [promise](HttpResponse r) { promise->answer(std::move(r)); };
  }
  std::string what = req.method + " " + req.path;
  try {
    srv.handler_(std::move(req), respond);
  } catch (const std::exception& e) {
    srv.log(what + ": handler failed: " + e.what());
    respond(json_error(500, "InternalError", e.what()));
  } catch (...) {
    srv.log(what + ": handler failed with an unknown exception");
    respond(json_error(500, "InternalError", "unknown error"));
  }
}  // our Responder is gone: if the handler kept no copy and never answered, ~Promise answered 500

HttpServer::Impl::Impl(HttpHandler handler, std::string name, HttpServerOptions options)
    : handler_(std::move(handler)), name_(std::move(name)), opt_(std::move(options)) {
  if (!handler_) throw std::invalid_argument(name_ + ": HttpServer needs a handler");
  if (opt_.max_connections < 1) throw std::invalid_argument(name_ + ": max_connections must be at least 1");
  if (opt_.max_tcp_connections < 1) throw std::invalid_argument(name_ + ": max_tcp_connections must be at least 1");
  if (opt_.head_timeout.count() < 1) throw std::invalid_argument(name_ + ": head_timeout must be positive");
  unix_pool_.limit = opt_.max_connections;
  tcp_pool_.limit = opt_.max_tcp_connections;
}

void HttpServer::Impl::log(const std::string& message) const {
  if (!opt_.log) return;
  try {
    opt_.log(name_ + ": " + message);
  } catch (...) {
  }
}

void HttpServer::Impl::listen_unix(const std::string& path, mode_t mode) {
  if (started_ || stopped_) throw std::logic_error(name_ + ": listen_unix after start()");
  auto fail = [&](const std::string& what, int err) {
    throw std::runtime_error(name_ + ": cannot listen on unix socket " + path + ": " + what + sys_error(err));
  };
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof addr.sun_path)
    throw std::runtime_error(name_ + ": cannot listen on unix socket " + path + ": path longer than " +
                             std::to_string(sizeof addr.sun_path - 1) + " bytes");

  // Create missing parent directories (e.g. /run/hlsfs after a reboot).
  for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    std::string dir = path.substr(0, slash);
    struct stat dst {};
    if (stat(dir.c_str(), &dst) == 0) continue;  // mkdir may say EACCES, not EEXIST, for a directory we cannot write
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) fail("cannot create " + dir + ": ", errno);
  }

  // A socket file left by a dead daemon is replaced; one with a live server
  // behind it, or anything that is not a socket, is left alone.
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) throw std::runtime_error(name_ + ": cannot listen on unix socket " + path + ": it exists and is not a socket");
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0) fail("", errno);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    addr.sun_family = AF_UNIX;
    int rc = connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    int err = errno;
    close(probe);
    if (rc == 0) throw std::runtime_error(name_ + ": cannot listen on unix socket " + path + ": another server is accepting on it");
    if (err != ECONNREFUSED) fail("cannot check the existing socket: ", err);
  }

  // Bind under a temporary name, set the mode, then rename into place: the
  // socket is never reachable with the umask's permissions. If the temporary
  // name does not fit in sun_path, bind in place (a moment with umask modes).
  std::string slash_dir = path.substr(0, path.rfind('/') + 1);
  std::string base = path.substr(path.rfind('/') + 1);
  std::string tmp = slash_dir + "." + base + "." + std::to_string(getpid()) + ".tmp";
  if (tmp.size() >= sizeof addr.sun_path) tmp = path;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) fail("", errno);
  auto fail_fd = [&](const std::string& what, int err) {
    close(fd);
    if (tmp != path) unlink(tmp.c_str());
    fail(what, err);
  };
  addr = sockaddr_un{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, tmp.c_str(), tmp.size() + 1);
  unlink(tmp.c_str());  // our own leftover (same pid) or the stale socket (tmp == path)
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail_fd("", errno);
  if (chmod(tmp.c_str(), mode) != 0) fail_fd("chmod: ", errno);
  if (listen(fd, 128) != 0) fail_fd("", errno);
  if (tmp != path && rename(tmp.c_str(), path.c_str()) != 0) fail_fd("rename: ", errno);
  Listener l;
  l.fd = fd;
  l.is_unix = true;
  l.path = path;
  if (stat(path.c_str(), &st) == 0) {
    l.dev = st.st_dev;
    l.ino = st.st_ino;
  }
  listeners_.push_back(std::move(l));
}

void HttpServer::Impl::listen_tcp(const std::string& host_in, int port) {
  if (started_ || stopped_) throw std::logic_error(name_ + ": listen_tcp after start()");
  std::string host = host_in;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string where = "tcp " + host_in + ":" + std::to_string(port);
  if (port < 0 || port > 65535) throw std::runtime_error(name_ + ": cannot listen on " + where + ": port out of range");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int gai = getaddrinfo(host.empty() ? nullptr : host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (gai != 0) throw std::runtime_error(name_ + ": cannot listen on " + where + ": " + gai_strerror(gai));
  int err = 0;
  int fd = -1;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
      err = errno;
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // restart while old connections sit in TIME_WAIT
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0) break;
    err = errno;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) throw std::runtime_error(name_ + ": cannot listen on " + where + ": " + sys_error(err));
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  int bound = -1;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    if (ss.ss_family == AF_INET) bound = ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    if (ss.ss_family == AF_INET6) bound = ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  }
  Listener l;
  l.fd = fd;
  l.family = ss.ss_family;
  l.port = bound;
  l.path = host + ":" + std::to_string(bound);
  listeners_.push_back(std::move(l));
}

void HttpServer::Impl::start() {
  if (started_ || stopped_) throw std::logic_error(name_ + ": start() called twice");
  if (listeners_.empty()) throw std::logic_error(name_ + ": start() without listen_unix/listen_tcp");
  for (size_t i = 0; i < listeners_.size(); ++i) {
    Listener& l = listeners_[i];
    l.acceptor = std::make_unique<asio::basic_socket_acceptor<Protocol>>(core_->io);
    l.acceptor->assign(l.is_unix ? Protocol(AF_UNIX, 0) : Protocol(l.family, IPPROTO_TCP), l.fd);
    l.retry = std::make_unique<asio::steady_timer>(core_->io);
    accept(i);
  }
  started_ = true;
  thread_ = std::thread([this] {
    set_thread_name(name_ + "-io");
    run();
  });
}

void HttpServer::Impl::run() {
  while (true) {
    try {
      core_->io.run();  // returns once stopped: no listener, no connection left
      return;
    } catch (const std::exception& e) {  // bad_alloc and the like: that connection is dropped, the server goes on
      log(std::string("I/O thread: ") + e.what());
    }
  }
}

void HttpServer::Impl::accept(size_t i) {
  listeners_[i].acceptor->async_accept([this, i](error_code ec, Protocol::socket sock) {
    if (stopping_ || ec == asio::error::operation_aborted) return;
    Listener& l = listeners_[i];
    if (!ec) {
      on_accept(l, std::move(sock));
    } else if (ec != asio::error::connection_aborted && ec != asio::error::interrupted && ec != asio::error::try_again) {
      // EMFILE and friends: the connection stays queued; pause instead of spinning.
      log("accept on " + l.path + ": " + ec.message());
      l.retry->expires_after(std::chrono::milliseconds(100));
      l.retry->async_wait([this, i](error_code wait_ec) {
        if (!wait_ec && !stopping_) accept(i);
      });
      return;
    }
    accept(i);
  });
}

void HttpServer::Impl::on_accept(const Listener& l, Protocol::socket sock) {
  Pool& pool = l.is_unix ? unix_pool_ : tcp_pool_;
  bool reject = false;
  if (pool.serving >= pool.limit && !evict_oldest_idle(pool)) {
    if (pool.rejecting >= kRejectSlots) {
      ++dropped_;  // `sock` closes as it goes
      log_overload();
      return;
    }
    reject = true;
  }
  if (!l.is_unix) {
    int one = 1;
    setsockopt(sock.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  try {
    std::make_shared<Session>(*this, std::move(sock), pool, l.is_unix, reject)->next_request();
  } catch (const std::exception& e) {  // no memory left: refuse this one, keep accepting
    log(std::string("cannot take a connection: ") + e.what());
  }
}

// A full pool gives the slot of the connection that has held one longest
// without work (waiting for a request head: a slowloris, an idle keep-alive
// client; or lingering after its answer): a client that holds a slot
// without asking anything cannot keep one that asks out. Connections with a
// request in progress are never evicted.
bool HttpServer::Impl::evict_oldest_idle(Pool& pool) {
  Session* oldest = nullptr;
  for (Session* s : sessions_)
    if (&s->pool == &pool && s->evictable() && (!oldest || s->idle_since < oldest->idle_since)) oldest = s;
  if (!oldest) return false;
  oldest->evict();
  ++evicted_;
  log_overload();
  return true;
}

void HttpServer::Impl::log_overload() {
  Clock::time_point now = Clock::now();
  if ((evicted_ == 0 && dropped_ == 0) || now - overload_logged_at_ < kOverloadLogEvery) return;
  log("connection slots full (unix socket " + std::to_string(unix_pool_.limit) + ", TCP " +
      std::to_string(tcp_pool_.limit) + "): " + std::to_string(evicted_) +
      " idle connection(s) (no request in progress) closed to make room, " + std::to_string(dropped_) +
      " new one(s) closed unanswered (every slot busy)");
  evicted_ = dropped_ = 0;
  overload_logged_at_ = now;
}

void HttpServer::Impl::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (started_) {
    stop_deadline_ = Clock::now() + opt_.stop_grace;
    asio::post(core_->io, [this] { begin_stop(); });
    thread_.join();
  }
  for (auto& l : listeners_) {
    if (!l.acceptor) close(l.fd);  // never started
    struct stat st {};
    // Remove the socket file only if it is still ours (a newer daemon may have replaced it).
    if (l.is_unix && lstat(l.path.c_str(), &st) == 0 && st.st_dev == l.dev && st.st_ino == l.ino) unlink(l.path.c_str());
  }
  listeners_.clear();
}

void HttpServer::Impl::begin_stop() {
  stopping_ = true;
  for (auto& l : listeners_) {
    error_code ec;
    l.acceptor->close(ec);
    l.retry->cancel();
  }
  // A copy: a session may end while others are told.
  for (Session* s : std::vector<Session*>(sessions_.begin(), sessions_.end())) s->on_stop();
}

HttpServer::HttpServer(HttpHandler handler, std::string name, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(handler), std::move(name), std::move(options))) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::listen_unix(const std::string& path, mode_t mode) { impl_->listen_unix(path, mode); }
void HttpServer::listen_tcp(const std::string& host, int port) { impl_->listen_tcp(host, port); }

int HttpServer::tcp_port() const {
  for (const auto& l : impl_->listeners_)
    if (!l.is_unix) return l.port;
  return -1;
}

void HttpServer::start() { impl_->start(); }
void HttpServer::stop() { impl_->stop(); }

}  // namespace hlsfs

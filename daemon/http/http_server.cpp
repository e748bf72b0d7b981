// HTTP/1.1 server: listeners, one accept thread, one thread per connection.
// Every blocking wait is a poll() that also watches stop_pipe_, so stop()
// reaches every thread without touching their file descriptors (no fd-reuse
// races): readers give up at once, writers and pending answers get until
// stop_deadline_.
#include "daemon/http/http_server.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>
#include <system_error>

namespace hlsfs {

namespace {

using Clock = std::chrono::steady_clock;

// Connections over max_connections still get a thread that answers 503 (so
// the client reads a clear error instead of a reset); beyond this many more,
// they are closed at once.
constexpr int kRejectSlots = 8;
// Closing a socket with unread input makes the kernel send RST, which can
// destroy the response the client has not read yet; so before closing, we
// read and discard what the client still sends, for a while.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 8 * 1024 * 1024;
constexpr size_t kMaxMethod = 32;
constexpr size_t kEcho = 64;  // longest piece of a bad request quoted back
// Evictions and connections closed unanswered come in floods (a slowloris, a
// client in a loop): counted, and said in the log at most this often.
constexpr auto kOverloadLogEvery = std::chrono::seconds(10);

std::string sys_error(int err) { return std::strerror(err); }

const char* reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return status < 300 ? "OK" : status < 400 ? "Redirect" : status < 500 ? "Client Error" : "Server Error";
  }
}

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

// Does a comma-separated header value contain `token` (case-insensitive)?
bool has_token(const std::string& value, std::string_view token) {
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t comma = value.find(',', pos);
    if (comma == std::string::npos) comma = value.size();
    if (lower(trim(std::string_view(value).substr(pos, comma - pos))) == token) return true;
    pos = comma + 1;
  }
  return false;
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

// Where the request head ends: `head_end` is the offset of the empty line,
// `body_start` the first byte after it. Lines end in LF, optionally CRLF.
bool find_head_end(const std::string& buf, size_t& head_end, size_t& body_start) {
  size_t pos = 0;
  while (true) {
    size_t nl = buf.find('\n', pos);
    if (nl == std::string::npos) return false;
    size_t len = nl - pos;
    if (len == 0 || (len == 1 && buf[pos] == '\r')) {
      head_end = pos;
      body_start = nl + 1;
      return true;
    }
    pos = nl + 1;
  }
}

// Can `buf` still be the start of a request line? Lets a client that speaks
// something else (TLS, garbage) get its 400 at once instead of after the timeout.
bool plausible_request_start(const std::string& buf) {
  for (size_t i = 0; i < buf.size(); ++i) {
    if (buf[i] == ' ') return i > 0;
    if (buf[i] == '\r' || buf[i] == '\n') return true;  // a whole line: the parser says what is wrong
    if (!is_tchar(static_cast<unsigned char>(buf[i])) || i >= kMaxMethod) return false;
  }
  return true;
}

struct HeadError {
  int status = 400;
  std::string message;
};

// Parses the request line and header lines (without the final empty line).
bool parse_head(std::string_view head, HttpRequest& req, HeadError& err) {
  auto fail = [&](int status, std::string message) {
    err.status = status;
    err.message = std::move(message);
    return false;
  };
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < head.size()) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos) nl = head.size();
    std::string_view line = head.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) return fail(400, "bare CR in the request head");
    if (line.find('\0') != std::string_view::npos) return fail(400, "NUL byte in the request head");
    lines.push_back(line);
    pos = nl + 1;
  }
  if (lines.empty()) return fail(400, "empty request");

  std::string_view rl = lines[0];
  size_t sp1 = rl.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : rl.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || rl.find(' ', sp2 + 1) != std::string_view::npos)
    return fail(400, "malformed request line \"" + echo(rl) + "\" (want METHOD /path HTTP/1.1)");
  std::string_view method = rl.substr(0, sp1);
  std::string_view target = rl.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = rl.substr(sp2 + 1);
  if (!is_token(method)) return fail(400, "malformed method \"" + echo(method) + "\"");
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    bool looks_http = version.size() == 8 && version.substr(0, 5) == "HTTP/" && std::isdigit(static_cast<unsigned char>(version[5])) &&
                      version[6] == '.' && std::isdigit(static_cast<unsigned char>(version[7]));
    if (looks_http) return fail(505, "HTTP version " + std::string(version.substr(5)) + " is not supported (use HTTP/1.1)");
    return fail(400, "malformed HTTP version \"" + echo(version) + "\"");
  }
  if (target.empty() || target[0] != '/')
    return fail(400, "request target \"" + echo(target) + "\" is not a path starting with /");
  for (char c : target)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return fail(400, "control character in the request target");
  req.method = std::string(method);
  req.target = std::string(target);
  req.version = std::string(version);
  size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
  size_t hash = req.query.find('#');  // a fragment is never sent by browsers; drop it if a client does
  if (hash != std::string::npos) req.query.resize(hash);
  if (!percent_decode(raw_path, req.path, false, true))
    return fail(400, "bad percent-encoding in the path \"" + echo(raw_path) + "\"");

  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line[0] == ' ' || line[0] == '\t') return fail(400, "folded header lines are not allowed");
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return fail(400, "malformed header line \"" + echo(line) + "\"");
    std::string_view name = line.substr(0, colon);
    if (!is_token(name)) return fail(400, "malformed header name \"" + echo(name) + "\"");
    std::string_view value = trim(line.substr(colon + 1));
    if (!is_field_value(value)) return fail(400, "control character in header " + std::string(name));
    std::string key = lower(name);
    auto it = req.headers.find(key);
    if (it == req.headers.end()) {
      req.headers.emplace(std::move(key), std::string(value));
    } else if (key == "content-length") {
      if (it->second != value) return fail(400, "conflicting Content-Length headers");
    } else {
      it->second += ", ";
      it->second += value;
    }
  }
  return true;
}

// The shared state of one answer: the connection waits on `efd`, the Responder
// fills it. Both hold it by shared_ptr, so a late answer lands here harmlessly.
struct Slot {
  std::mutex mu;
  bool done = false;
  HttpResponse response;
  int efd;

  Slot() : efd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (efd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  }
  ~Slot() { close(efd); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

  void answer(HttpResponse r) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (done) return;
      response = std::move(r);
      done = true;
    }
    uint64_t one = 1;
    if (write(efd, &one, sizeof one) < 0) {
      // Only EAGAIN (counter overflow) is possible, and then it is readable anyway.
    }
  }
  bool answered() {
    std::lock_guard<std::mutex> lock(mu);
    return done;
  }
  bool take(HttpResponse& out) {
    std::lock_guard<std::mutex> lock(mu);
    if (!done) return false;
    out = std::move(response);
    return true;
  }
};

// Owned by every copy of a Responder; the last copy to go answers 500 if
// nobody answered, so a dropped reply cannot hang the client.
struct Promise {
  std::shared_ptr<Slot> slot;
  explicit Promise(std::shared_ptr<Slot> s) : slot(std::move(s)) {}
  Promise(const Promise&) = delete;
  Promise& operator=(const Promise&) = delete;
  ~Promise() {
    try {
      if (!slot->answered())
        slot->answer(json_error(500, "InternalError", "the request was dropped without an answer"));
    } catch (...) {
    }
  }
};

// "" if the handler's response can be sent as is, else why not.
std::string invalid_response(const HttpResponse& r) {
  if (r.status < 200 || r.status > 599) return "the handler answered with status " + std::to_string(r.status);
  if (!is_field_value(r.content_type) || r.content_type.find('\n') != std::string::npos)
    return "the handler answered with an invalid Content-Type";
  for (const auto& [name, value] : r.headers)
    if (!is_token(name) || !is_field_value(value)) return "the handler answered with an invalid header \"" + echo(name) + "\"";
  return "";
}

bool is_framing_header(const std::string& name) {
  std::string n = lower(name);
  return n == "content-length" || n == "content-type" || n == "transfer-encoding" || n == "connection";
}

std::string serialize(const HttpResponse& r, bool keep_alive, bool head_only) {
  bool bodiless = r.status == 204 || r.status == 304;  // RFC 9110: these have no content
  std::string out;
  out.reserve(256 + (head_only || bodiless ? 0 : r.body.size()));
  out += "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status) + "\r\n";
  if (!bodiless) {
    out += "Content-Type: " + (r.content_type.empty() ? std::string("application/octet-stream") : r.content_type) + "\r\n";
    out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  }
  out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  for (const auto& [name, value] : r.headers)
    if (!is_framing_header(name)) out += name + ": " + value + "\r\n";
  out += "\r\n";
  if (!head_only && !bodiless) out += r.body;
  return out;
}

long long ms_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left;
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

struct HttpServer::Conn {
  int fd = -1;          // closed by release() under `mu`: an eviction never hits a reused number
  bool is_unix = false;
  Pool* pool = nullptr;
  bool reject = false;  // over its pool's limit: answer 503 once, then close
  std::string buf;      // bytes read but not yet consumed (pipelined requests)
  std::thread thread;
  std::atomic<bool> finished{false};
  // Between the connection's thread and the accept thread, which may evict it:
  std::mutex mu;
  // Holding a slot without work: waiting for a request head (or idle between
  // requests), or lingering after its last answer. Only then may it be evicted.
  bool evictable = false;
  Clock::time_point evictable_since;
  bool evicted = false;          // its slot was given to a newer connection
};

HttpServer::HttpServer(HttpHandler handler, std::string name, HttpServerOptions options)
    : handler_(std::move(handler)), name_(std::move(name)), opt_(std::move(options)) {
  if (!handler_) throw std::invalid_argument(name_ + ": HttpServer needs a handler");
  if (opt_.max_connections < 1) throw std::invalid_argument(name_ + ": max_connections must be at least 1");
  if (opt_.max_tcp_connections < 1) throw std::invalid_argument(name_ + ": max_tcp_connections must be at least 1");
  if (opt_.head_timeout.count() < 1) throw std::invalid_argument(name_ + ": head_timeout must be positive");
  unix_pool_.limit = opt_.max_connections;
  tcp_pool_.limit = opt_.max_tcp_connections;
  if (pipe2(stop_pipe_, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::runtime_error(name_ + ": cannot create a pipe: " + sys_error(errno));
}

HttpServer::~HttpServer() {
  stop();
  close(stop_pipe_[0]);
  close(stop_pipe_[1]);
}

void HttpServer::log(const std::string& message) const {
  if (!opt_.log) return;
  try {
    opt_.log(name_ + ": " + message);
  } catch (...) {
  }
}

void HttpServer::listen_unix(const std::string& path, mode_t mode) {
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
  listeners_.push_back(l);
}

void HttpServer::listen_tcp(const std::string& host_in, int port) {
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
  l.port = bound;
  l.path = host + ":" + std::to_string(bound);
  listeners_.push_back(l);
}

int HttpServer::tcp_port() const {
  for (const auto& l : listeners_)
    if (!l.is_unix) return l.port;
  return -1;
}

void HttpServer::start() {
  if (started_ || stopped_) throw std::logic_error(name_ + ": start() called twice");
  if (listeners_.empty()) throw std::logic_error(name_ + ": start() without listen_unix/listen_tcp");
  started_ = true;
  accept_thread_ = std::thread([this] { accept_loop(); });
}

void HttpServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  stop_deadline_ = Clock::now() + opt_.stop_grace;
  stopping_.store(true, std::memory_order_release);
  char byte = 1;
  if (write(stop_pipe_[1], &byte, 1) < 0) {
    // Cannot fail: the pipe is empty and ours.
  }
  if (accept_thread_.joinable()) accept_thread_.join();
  for (auto& l : listeners_) {
    close(l.fd);
    struct stat st {};
    // Remove the socket file only if it is still ours (a newer daemon may have replaced it).
    if (l.is_unix && lstat(l.path.c_str(), &st) == 0 && st.st_dev == l.dev && st.st_ino == l.ino) unlink(l.path.c_str());
  }
  listeners_.clear();
  for (auto& c : conns_) c->thread.join();
  conns_.clear();
}

// Waits until `fd` is ready for `events`. False on timeout, and at once on
// stop when `abort_on_stop`; otherwise stop shortens the deadline to stop_deadline_.
bool HttpServer::wait_io(int fd, short events, Clock::time_point deadline, bool abort_on_stop) {
  while (true) {
    bool stopping = stopping_.load(std::memory_order_acquire);
    if (stopping) {
      if (abort_on_stop) return false;
      deadline = std::min(deadline, stop_deadline_);
    }
    long long left = ms_until(deadline);
    if (left <= 0) return false;
    pollfd p[2] = {{fd, events, 0}, {stop_pipe_[0], POLLIN, 0}};
    int rc = poll(p, stopping ? 1 : 2, static_cast<int>(std::min<long long>(left + 1, 60000)));
    if (rc < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (p[0].revents) return true;  // includes HUP/ERR: the next recv/send reports it
  }
}

void HttpServer::accept_loop() {
  set_thread_name(name_ + "-accept");
  std::vector<pollfd> pfds;
  for (const auto& l : listeners_) pfds.push_back({l.fd, POLLIN, 0});
  pfds.push_back({stop_pipe_[0], POLLIN, 0});
  while (true) {
    // Wake up now and then to join finished connection threads even when idle.
    int rc = poll(pfds.data(), pfds.size(), 5000);
    if (rc < 0 && errno != EINTR) {
      log("poll: " + sys_error(errno));
      poll(nullptr, 0, 100);
      continue;
    }
    if (pfds.back().revents) return;
    reap_finished();
    log_overload();  // what was counted since the last report
    for (size_t i = 0; i + 1 < pfds.size(); ++i) {
      if (!pfds[i].revents) continue;
      while (true) {
        int fd = accept4(listeners_[i].fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0) {
          spawn(fd, listeners_[i].is_unix);
          continue;
        }
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
          // EMFILE and friends: the connection stays queued; pause instead of spinning.
          log("accept on " + listeners_[i].path + ": " + sys_error(errno));
          pollfd s{stop_pipe_[0], POLLIN, 0};
          poll(&s, 1, 100);
        }
        break;
      }
    }
  }
}

void HttpServer::reap_finished() {
  for (auto it = conns_.begin(); it != conns_.end();) {
    if ((*it)->finished.load(std::memory_order_acquire)) {
      (*it)->thread.join();
      it = conns_.erase(it);
    } else {
      ++it;
    }
  }
}

void HttpServer::spawn(int fd, bool is_unix) {
  Pool& pool = is_unix ? unix_pool_ : tcp_pool_;
  bool reject = false;
  // Only this thread raises `serving`, so the check holds until the increment.
  if (pool.serving.load() >= pool.limit && !evict_oldest_idle(pool)) {
    if (pool.rejecting.load() >= kRejectSlots) {
      close(fd);
      ++dropped_;
      log_overload();
      return;
    }
    reject = true;
  }
  if (!is_unix) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  (reject ? pool.rejecting : pool.serving).fetch_add(1);
  try {
    // Listed before its thread starts, so a failure cannot leave a joinable thread unowned.
    conns_.push_back(std::make_unique<Conn>());
    Conn* p = conns_.back().get();
    p->fd = fd;
    p->is_unix = is_unix;
    p->pool = &pool;
    p->reject = reject;
    try {
      p->thread = std::thread([this, p] {
        set_thread_name(name_ + "-conn");
        try {
          serve(*p);
        } catch (const std::exception& e) {  // bad_alloc and the like: drop this connection, keep the server
          log(std::string("connection failed: ") + e.what());
        }
        release(*p);
        p->finished.store(true, std::memory_order_release);  // last touch: the accept thread may free p now
      });
    } catch (...) {
      conns_.pop_back();
      throw;
    }
  } catch (const std::exception& e) {  // no thread or no memory left: refuse this one, keep accepting
    (reject ? pool.rejecting : pool.serving).fetch_sub(1);
    close(fd);
    log(std::string("cannot start a connection thread: ") + e.what());
  }
}

// A full pool gives the slot of the connection that has held one longest
// without work (waiting for a request head: a slowloris, an idle keep-alive
// client; or lingering after its answer): a client that holds a slot
// without asking anything cannot keep one that asks out. Connections with a
// request in progress are never evicted.
bool HttpServer::evict_oldest_idle(Pool& pool) {
  // Evicted connections end on their own threads: under a flood, do not
  // start more threads than their ends keep up with.
  if (pool.evicting.load() >= pool.limit) return false;
  for (int attempt = 0; attempt < 3; ++attempt) {  // another try if the chosen one got its head meanwhile
    Conn* oldest = nullptr;
    Clock::time_point since{};
    for (auto& c : conns_) {
      if (c->pool != &pool || c->reject) continue;
      std::lock_guard<std::mutex> lock(c->mu);
      if (c->fd < 0 || c->evicted || !c->evictable) continue;
      if (!oldest || c->evictable_since < since) {
        oldest = c.get();
        since = c->evictable_since;
      }
    }
    if (!oldest) return false;
    std::lock_guard<std::mutex> lock(oldest->mu);
    if (oldest->fd < 0 || oldest->evicted || !oldest->evictable) continue;
    oldest->evicted = true;
    pool.serving.fetch_sub(1);
    pool.evicting.fetch_add(1);
    shutdown(oldest->fd, SHUT_RDWR);  // its thread wakes up, reads EOF and ends
    ++evicted_;
    log_overload();
    return true;
  }
  return false;
}

void HttpServer::log_overload() {
  Clock::time_point now = Clock::now();
  if ((evicted_ == 0 && dropped_ == 0) || now - overload_logged_at_ < kOverloadLogEvery) return;
  log("connection slots full (unix socket " + std::to_string(unix_pool_.limit) + ", TCP " +
      std::to_string(tcp_pool_.limit) + "): " + std::to_string(evicted_) +
      " idle connection(s) (no request in progress) closed to make room, " + std::to_string(dropped_) +
      " new one(s) closed unanswered (every slot busy)");
  evicted_ = dropped_ = 0;
  overload_logged_at_ = now;
}

bool HttpServer::mark_evictable(Conn& c, Clock::time_point since) {
  std::lock_guard<std::mutex> lock(c.mu);
  c.evictable = true;
  c.evictable_since = since;
  return !c.evicted;
}

bool HttpServer::head_arrived(Conn& c) {
  std::lock_guard<std::mutex> lock(c.mu);
  c.evictable = false;
  return !c.evicted;
}

void HttpServer::release(Conn& c) {
  std::lock_guard<std::mutex> lock(c.mu);
  close(c.fd);
  c.fd = -1;
  c.evictable = false;
  if (c.reject) c.pool->rejecting.fetch_sub(1);
  else if (c.evicted) c.pool->evicting.fetch_sub(1);  // the eviction gave the slot back already
  else c.pool->serving.fetch_sub(1);
}

void HttpServer::serve(Conn& c) {
  while (true) {
    HttpRequest req;
    HttpResponse error;
    bool keep_alive = false;
    ReadResult r = read_request(c, req, error, keep_alive);
    if (r == ReadResult::closed) break;
    if (r == ReadResult::error) {
      if (write_all(c.fd, serialize(error, false, false))) linger(c);
      return;
    }
    bool head_only = req.method == "HEAD";
    HttpResponse resp;
    if (c.reject) {
      resp = json_error(503, "ServiceUnavailable",
                        "too many connections (at most " + std::to_string(c.pool->limit) + "); retry later");
      keep_alive = false;
    } else if (stopping_.load(std::memory_order_acquire)) {
      resp = json_error(503, "ServiceUnavailable", name_ + " is shutting down");
    } else {
      try {
        resp = call_handler(std::move(req));
      } catch (const std::exception& e) {  // no eventfd left (EMFILE), no memory
        resp = json_error(503, "ServiceUnavailable", std::string("cannot take the request now: ") + e.what());
        keep_alive = false;
      }
    }
    std::string why = invalid_response(resp);
    if (!why.empty()) {
      log(why);
      resp = json_error(500, "InternalError", why);
    }
    if (stopping_.load(std::memory_order_acquire)) keep_alive = false;
    if (!write_all(c.fd, serialize(resp, keep_alive, head_only))) return;
    if (!keep_alive) {
      linger(c);
      return;
    }
  }
}

HttpServer::ReadResult HttpServer::read_request(Conn& c, HttpRequest& req, HttpResponse& error, bool& keep_alive) {
  auto fail = [&](int status, const std::string& message) {
    error = json_error(status, error_code_for(status), message);
    return ReadResult::error;
  };
  // One deadline for the idle wait and the whole request: a client trickling
  // bytes cannot hold a connection longer than read_timeout per request; and
  // a shorter one for the head, which a real client sends at once: a
  // connection that asks for nothing holds its slot for head_timeout at most.
  Clock::time_point start = Clock::now();
  Clock::time_point deadline = start + opt_.read_timeout;
  std::chrono::milliseconds head_time = std::min(opt_.head_timeout, opt_.read_timeout);
  Clock::time_point head_deadline = start + head_time;
  if (!mark_evictable(c, start)) return ReadResult::closed;
  char chunk[16384];
  auto read_more = [&](Clock::time_point until) -> int {  // 1 = got bytes, 0 = EOF/error/stop, -1 = timeout
    while (true) {
      if (!wait_io(c.fd, POLLIN, until, true)) return stopping_.load(std::memory_order_acquire) ? 0 : -1;
      ssize_t n = recv(c.fd, chunk, sizeof chunk, 0);
      if (n > 0) {
        c.buf.append(chunk, static_cast<size_t>(n));
        return 1;
      }
      if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      return 0;
    }
  };

  size_t head_end = 0, body_start = 0;
  while (true) {
    // Empty lines before a request are ignored (RFC 9112 2.2), e.g. a CRLF
    // some clients send after a POST body.
    size_t skip = c.buf.find_first_not_of("\r\n");
    c.buf.erase(0, skip == std::string::npos ? c.buf.size() : skip);
    if (!c.buf.empty() && !plausible_request_start(c.buf)) return fail(400, "not an HTTP request");
    if (find_head_end(c.buf, head_end, body_start)) break;
    if (c.buf.size() > opt_.max_header_bytes)
      return fail(431, "request line and headers exceed " + std::to_string(opt_.max_header_bytes) + " bytes");
    int got = read_more(head_deadline);
    if (got == 0) return ReadResult::closed;  // EOF, error, stop or eviction: nobody to answer
    if (got < 0) {
      if (c.buf.empty()) return ReadResult::closed;  // idle keep-alive connection
      return fail(408, "the request line and headers did not arrive within " + seconds_text(head_time));
    }
  }
  if (!head_arrived(c)) return ReadResult::closed;
  if (head_end > opt_.max_header_bytes)
    return fail(431, "request line and headers exceed " + std::to_string(opt_.max_header_bytes) + " bytes");

  HeadError herr;
  if (!parse_head(std::string_view(c.buf).substr(0, head_end), req, herr)) return fail(herr.status, herr.message);
  if (!c.is_unix && !opt_.bearer_token.empty()) {
    // Before anything else about the request: a client without the token
    // learns nothing, and its body is never read.
    std::string why = bearer_problem(req.header("authorization"), opt_.bearer_token);
    if (!why.empty()) {
      fail(401, why);
      error.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"" + name_ + "\"");
      return ReadResult::error;
    }
  }

  // Framing. Anything we cannot frame closes the connection after the error.
  std::string te = req.header("transfer-encoding");
  if (!te.empty()) {
    if (has_token(te, "chunked"))
      return fail(411, "chunked request bodies are not supported; send the body with Content-Length");
    return fail(501, "Transfer-Encoding \"" + echo(te) + "\" is not supported; send the body with Content-Length");
  }
  size_t length = 0;
  if (req.headers.count("content-length")) {
    const std::string& cl = req.headers["content-length"];
    if (cl.empty() || cl.size() > 18 || cl.find_first_not_of("0123456789") != std::string::npos)
      return fail(400, "malformed Content-Length \"" + echo(cl) + "\"");
    length = std::stoull(cl);
  }
  if (length > opt_.max_body_bytes)
    return fail(413, "request body of " + std::to_string(length) + " bytes exceeds the limit of " +
                         std::to_string(opt_.max_body_bytes) + " bytes");
  std::string expect = req.header("expect");
  if (!expect.empty() && lower(expect) != "100-continue")
    return fail(417, "Expect \"" + echo(expect) + "\" is not supported");
  keep_alive = req.version == "HTTP/1.1" && !has_token(req.header("connection"), "close");

  if (c.buf.size() - body_start < length && !expect.empty() && req.version == "HTTP/1.1") {
    if (!write_all(c.fd, "HTTP/1.1 100 Continue\r\n\r\n")) return ReadResult::closed;
  }
  while (c.buf.size() - body_start < length) {
    int got = read_more(deadline);
    if (got == 0) return ReadResult::closed;
    if (got < 0) return fail(408, "the request body did not arrive within " + seconds_text(opt_.read_timeout));
  }
  req.body = c.buf.substr(body_start, length);
  c.buf.erase(0, body_start + length);  // what remains is the next (pipelined) request
  return ReadResult::ok;
}

HttpResponse HttpServer::call_handler(HttpRequest req) {
  auto slot = std::make_shared<Slot>();
  {
    auto promise = std::make_shared<Promise>(slot);
    Responder respond = [promise](HttpResponse r) { promise->slot->answer(std::move(r)); };
    std::string what = req.method + " " + req.path;
    try {
      handler_(std::move(req), respond);
    } catch (const std::exception& e) {
      log(what + ": handler failed: " + e.what());
      respond(json_error(500, "InternalError", e.what()));
    } catch (...) {
      log(what + ": handler failed with an unknown exception");
      respond(json_error(500, "InternalError", "unknown error"));
    }
  }  // our Responder is gone: if the handler kept no copy and never answered, ~Promise answered 500
  Clock::time_point deadline = Clock::now() + opt_.response_timeout;
  while (!slot->answered()) {
    if (!wait_io(slot->efd, POLLIN, deadline, false)) break;
    uint64_t n;
    if (read(slot->efd, &n, sizeof n) < 0) {
      // EAGAIN: another wake-up consumed it; loop re-checks `done`.
    }
  }
  HttpResponse out;
  if (slot->take(out)) return out;
  if (stopping_.load(std::memory_order_acquire))
    return json_error(503, "ServiceUnavailable", name_ + " is shutting down; the request did not finish in time");
  return json_error(504, "Timeout",
                    "no answer within " + std::to_string(opt_.response_timeout.count() / 1000) + " s");
}

bool HttpServer::write_all(int fd, const std::string& data) {
  Clock::time_point deadline = Clock::now() + opt_.write_timeout;
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_io(fd, POLLOUT, deadline, false)) return false;
    } else {
      return false;  // EPIPE, ECONNRESET: the client went away
    }
  }
  return true;
}

void HttpServer::linger(Conn& c) {
  // Its answer is sent: the slot may go to a new client if the pool is full
  // (a client that keeps the connection open after a 401 holds nothing).
  if (!mark_evictable(c, Clock::now())) return;
  int fd = c.fd;
  shutdown(fd, SHUT_WR);  // the client sees the end of our response
  Clock::time_point deadline = Clock::now() + kLingerTime;
  size_t drained = 0;
  char sink[16384];
  while (drained < kLingerBytes && wait_io(fd, POLLIN, deadline, false)) {
    ssize_t n = recv(fd, sink, sizeof sink, 0);
    if (n > 0) drained += static_cast<size_t>(n);
    else if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    else break;  // EOF: the client closed too
  }
}

}  // namespace hlsfs

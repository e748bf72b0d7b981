// The control API's HTTP/1.1 server (daemon/http/http_server.*) reading what
// a hostile client sends. Boost.Beast parses the request; what is ours is
// everything around it: the head/body deadlines and limits, skipping blank
// lines, the early 400 for non-HTTP bytes, the target and percent-decoding
// checks, Transfer-Encoding and Content-Length policy, bearer tokens, the
// header map handed to the handler, parse_query, the response checks (status,
// header injection), 204/HEAD framing, keep-alive and pipelining, linger. So
// the input still goes through the real server, as hlsfsctl's requests do:
// over its unix socket, and, when it carries an Authorization header, also
// over its TCP listener, which asks for a bearer token. The bytes are sent,
// the client's side is shut, and the server must answer and close (a hang is
// a finding: the harness aborts after kHang). The handler checks what the
// server handed it (parse_query runs on every query, as the control API's
// handler does) and echoes a query value into a response header and a status,
// so header injection through a handler is tried too.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/http/http_server.h"
#include "tests/fuzz/fuzz_check.h"

using namespace hlsfs;

namespace {

constexpr auto kHang = std::chrono::seconds(8);  // below run.sh's -timeout=10

bool printable_field(const std::string& s) {
  return std::none_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

void check_request(const HttpRequest& r) {
  FUZZ_REQUIRE(!r.method.empty() && r.method.find_first_of(" \r\n\t") == std::string::npos, r.method);
  FUZZ_REQUIRE(r.version == "HTTP/1.1" || r.version == "HTTP/1.0", r.version);
  FUZZ_REQUIRE(!r.target.empty() && r.target[0] == '/', r.target);
  FUZZ_REQUIRE(std::none_of(r.target.begin(), r.target.end(),
                            [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }),
               r.target);
  FUZZ_REQUIRE(!r.path.empty() && r.path[0] == '/', r.path);
  FUZZ_REQUIRE(r.path.find('\0') == std::string::npos, "NUL in the decoded path");
  for (const auto& [name, value] : r.headers) {
    FUZZ_REQUIRE(!name.empty() && printable_field(name) && name.find(':') == std::string::npos, name);
    FUZZ_REQUIRE(std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; }), name);
    FUZZ_REQUIRE(printable_field(value), name);
  }
  auto cl = r.headers.find("content-length");
  auto te = r.headers.find("transfer-encoding");
  if (cl != r.headers.end()) {  // digits only ("08" is 8): anything else was refused with 400
    FUZZ_REQUIRE(te == r.headers.end(), "Content-Length and Transfer-Encoding both");
    FUZZ_REQUIRE(!cl->second.empty() && cl->second.find_first_not_of("0123456789") == std::string::npos, cl->second);
    FUZZ_REQUIRE(std::stoull(cl->second) == r.body.size(), cl->second);
  } else if (te != r.headers.end()) {  // exactly "chunked": any other coding was refused with 501
    std::string coding = te->second;
    for (char& c : coding) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    FUZZ_REQUIRE(coding == "chunked", te->second);
    FUZZ_REQUIRE(r.body.size() <= 1024 * 1024, "a chunked body over the limit");
  } else {
    FUZZ_REQUIRE(r.body.empty(), "a body without Content-Length or chunked");
  }
}

void handle(HttpRequest req, Responder respond) {
  check_request(req);
  auto query = parse_query(req.query);
  HttpResponse r;
  r.body = "{\"Path\":" + std::to_string(req.path.size()) + ",\"Query\":" + std::to_string(query.size()) + "}";
  if (auto h = query.find("h"); h != query.end()) r.headers.emplace_back("X-Echo", h->second);
  if (auto s = query.find("status"); s != query.end()) r.status = std::atoi(s->second.c_str());
  respond(std::move(r));
}

constexpr const char* kToken = "fuzz-token-0123456789";  // in http_request.dict

struct Fixture {
  std::string dir, sock;
  int tcp_port = -1;
  std::unique_ptr<HttpServer> server;
  Fixture() {
    const char* tmp = getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/hlsfs-http-fuzz-XXXXXX";
    if (!mkdtemp(templ.data())) abort();
    dir = templ;
    sock = dir + "/control.sock";
    HttpServerOptions opt;
    opt.read_timeout = std::chrono::milliseconds(2000);
    opt.write_timeout = std::chrono::milliseconds(2000);
    opt.response_timeout = std::chrono::milliseconds(2000);
    opt.bearer_token = kToken;  // asked over TCP only
    server = std::make_unique<HttpServer>(handle, "fuzz", opt);
    server->listen_unix(sock, 0600);
    server->listen_tcp("127.0.0.1", 0);
    tcp_port = server->tcp_port();
    server->start();
  }
  ~Fixture() {
    server.reset();  // stop(): removes the socket
    rmdir(dir.c_str());
  }
};

Fixture* fixture = nullptr;

// Sends everything, shuts the write side, reads until the server closes.
// libFuzzer's -timeout runs on SIGALRM, which interrupts any of these calls
// (EINTR): they are retried, or a signal would pass for a hang.
// Over the unix socket `sock`, or TCP `port` when it is set.
std::string exchange(const std::string& sock, int port, const uint8_t* data, size_t size) {
  int fd = socket(port > 0 ? AF_INET : AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  FUZZ_REQUIRE(fd >= 0, strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, sock.c_str(), sock.size() + 1);
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  in.sin_port = htons(static_cast<uint16_t>(port));
  int rc;
  do rc = port > 0 ? connect(fd, reinterpret_cast<sockaddr*>(&in), sizeof in)
                   : connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  while (rc != 0 && errno == EINTR);
  FUZZ_REQUIRE(rc == 0, strerror(errno));
  size_t off = 0;
  while (off < size) {  // the server may answer 400 and close before reading it all
    ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  std::string reply;
  auto deadline = std::chrono::steady_clock::now() + kHang;
  char buf[16384];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    FUZZ_REQUIRE(left.count() > 0, "the server did not close the connection; its reply so far (" +
                                       std::to_string(reply.size()) + " bytes): " + reply.substr(0, 80));
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready <= 0) {
      FUZZ_REQUIRE(ready == 0 || errno == EINTR, strerror(errno));
      continue;  // the deadline check above decides
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return reply;
}

// The first response's head: a status line, then "Name: value" lines.
void check_reply(const std::string& reply) {
  if (reply.empty()) return;  // an incomplete request when the client left: nobody to answer
  FUZZ_REQUIRE(reply.rfind("HTTP/1.1 ", 0) == 0, reply.substr(0, 40));
  size_t start = reply.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0) == 0 ? 25 : 0;
  if (start == reply.size()) return;  // the client left before sending the whole body
  FUZZ_REQUIRE(reply.compare(start, 9, "HTTP/1.1 ") == 0, reply.substr(start, 40));
  size_t end = reply.find("\r\n\r\n", start);
  FUZZ_REQUIRE(end != std::string::npos, "a response head without its end");
  size_t line = reply.find("\r\n", start) + 2;
  while (line < end + 2) {
    size_t eol = reply.find("\r\n", line);
    std::string h = reply.substr(line, eol - line);
    FUZZ_REQUIRE(h.find(": ") != std::string::npos && h.find('\n') == std::string::npos &&
                     h.find('\r') == std::string::npos,
                 "bad response header line: " + h);
    line = eol + 2;
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static Fixture f;
  fixture = &f;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check_reply(exchange(fixture->sock, -1, data, size));
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.find("uthorization") != std::string_view::npos || input.find("UTHORIZATION") != std::string_view::npos)
    check_reply(exchange(fixture->sock, fixture->tcp_port, data, size));
  return 0;
}

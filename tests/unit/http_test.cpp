// The control API's HTTP server and client, over real sockets: hlsfs's own
// client (libcurl) for the normal paths, raw sockets for what curl would never send.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "daemon/http/http_client.h"
#include "daemon/http/http_server.h"

using namespace hlsfs;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

// Answers with what it received, as JSON.
void echo(HttpRequest req, Responder respond) {
  HttpResponse r;
  r.body = json{{"method", req.method}, {"path", req.path}, {"query", req.query}, {"body", req.body},
                {"content_type", req.header("content-type")}}
               .dump();
  respond(std::move(r));
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/hlsfs-http-XXXXXX";  // short: sun_path holds 107 bytes
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

int connect_unix(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int connect_tcp(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void send_all(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

// Reads until the server closes (or `timeout`); returns everything read.
std::string read_until_close(int fd, std::chrono::milliseconds timeout = 5000ms) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Reads exactly one response (head + Content-Length body) from `fd`, keeping
// any extra bytes in `pending`.
std::string read_response(int fd, std::string& pending, bool head_only = false) {
  char buf[4096];
  auto fill = [&] {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) return false;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    pending.append(buf, static_cast<size_t>(n));
    return true;
  };
  size_t end;
  while ((end = pending.find("\r\n\r\n")) == std::string::npos)
    if (!fill()) return "";
  std::string head = pending.substr(0, end + 4);
  size_t length = 0;
  size_t cl = head.find("Content-Length: ");
  if (cl != std::string::npos && !head_only) length = std::stoul(head.substr(cl + 16));
  while (pending.size() < head.size() + length)
    if (!fill()) return "";
  std::string resp = pending.substr(0, head.size() + length);
  pending.erase(0, head.size() + length);
  return resp;
}

std::string status_line(const std::string& resp) { return resp.substr(0, resp.find("\r\n")); }
std::string body_of(const std::string& resp) {
  size_t p = resp.find("\r\n\r\n");
  return p == std::string::npos ? "" : resp.substr(p + 4);
}

// A server on a unix socket (and TCP when asked), started, stopped at the end.
struct Fixture {
  TempDir dir;
  std::string sock;
  std::unique_ptr<HttpServer> server;

  explicit Fixture(HttpHandler handler, HttpServerOptions opt = {}, bool tcp = false) {
    sock = dir.path() + "/control.sock";
    server = std::make_unique<HttpServer>(std::move(handler), "test", std::move(opt));
    server->listen_unix(sock);
    if (tcp) server->listen_tcp("127.0.0.1", 0);
    server->start();
  }
  std::string endpoint() const { return "unix:" + sock; }
  std::string tcp() const { return "http://127.0.0.1:" + std::to_string(server->tcp_port()); }
  std::string raw(const std::string& request, std::chrono::milliseconds timeout = 5000ms, bool over_tcp = false) const {
    int fd = over_tcp ? connect_tcp(server->tcp_port()) : connect_unix(sock);
    if (fd < 0) return "connect failed";
    send_all(fd, request);
    std::string out = read_until_close(fd, timeout);
    close(fd);
    return out;
  }
};

// Collects Responders to answer later, and tells when requests arrived.
struct Parked {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Responder> responders;

  HttpHandler handler() {
    return [this](HttpRequest, Responder r) {
      std::lock_guard<std::mutex> lock(mu);
      responders.push_back(std::move(r));
      cv.notify_all();
    };
  }
  bool wait_for(size_t n, std::chrono::milliseconds timeout = 5000ms) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, timeout, [&] { return responders.size() >= n; });
  }
  void answer_all(int status = 200, const std::string& body = "{}") {
    std::vector<Responder> rs;
    {
      std::lock_guard<std::mutex> lock(mu);
      rs.swap(responders);
    }
    for (auto& r : rs) r(HttpResponse{status, "application/json", body, {}});
  }
};

}  // namespace

TEST(HttpServer, RoundTripOverUnixSocket) {
  TempDir dir;
  std::string sock = dir.path() + "/run/hlsfs/control.sock";  // parents do not exist yet
  HttpServer server(echo, "test");
  server.listen_unix(sock, 0660);
  server.start();
  struct stat st {};
  ASSERT_EQ(stat(sock.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0660u);

  HttpResult r = http_call("unix:" + sock, "POST", "/v1/echo?x=1&y=%20", R"({"a":1})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  json j = json::parse(r.body);
  EXPECT_EQ(j["method"], "POST");
  EXPECT_EQ(j["path"], "/v1/echo");
  EXPECT_EQ(j["query"], "x=1&y=%20");
  EXPECT_EQ(j["body"], R"({"a":1})");
  EXPECT_EQ(j["content_type"], "application/json");

  // A bare absolute path is a unix endpoint too.
  EXPECT_EQ(http_call(sock, "GET", "/x").status, 200);
  server.stop();
  EXPECT_NE(lstat(sock.c_str(), &st), 0) << "stop() removes its socket file";
}

TEST(HttpServer, RoundTripOverTcp) {
  HttpServer server(echo, "test");
  server.listen_tcp("127.0.0.1", 0);
  ASSERT_GT(server.tcp_port(), 0);
  server.start();
  std::string ep = "http://127.0.0.1:" + std::to_string(server.tcp_port());
  HttpResult r = http_call(ep, "GET", "/hello%20world?a=b");
  EXPECT_EQ(r.status, 200);
  json j = json::parse(r.body);
  EXPECT_EQ(j["method"], "GET");
  EXPECT_EQ(j["path"], "/hello world");
  EXPECT_EQ(j["query"], "a=b");
  EXPECT_EQ(j["body"], "");
  r = http_call(ep + "/", "DELETE", "/v1/playlists/abc");
  EXPECT_EQ(json::parse(r.body)["method"], "DELETE");
}

TEST(HttpServer, AnswersFromAnotherThreadLater) {
  std::mutex mu;
  std::vector<std::thread> workers;
  Fixture f([&](HttpRequest req, Responder respond) {
    std::lock_guard<std::mutex> lock(mu);
    workers.emplace_back([req = std::move(req), respond = std::move(respond)] {
      std::this_thread::sleep_for(200ms);
      respond(HttpResponse{201, "text/plain", "late " + req.body, {{"X-Answer", "worker"}}});
    });
  });
  auto t0 = std::chrono::steady_clock::now();
  HttpResult r = http_call(f.endpoint(), "POST", "/slow", "hello");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 200ms);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.content_type, "text/plain");
  EXPECT_EQ(r.body, "late hello");
  std::lock_guard<std::mutex> lock(mu);
  for (auto& w : workers) w.join();
}

TEST(HttpServer, HundredConcurrentClients) {
  // Answers come from a small pool of worker threads, like actor replies.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<std::string, Responder>> queue;
  bool done = false;
  std::vector<std::thread> pool;
  for (int i = 0; i < 4; ++i)
    pool.emplace_back([&] {
      while (true) {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return done || !queue.empty(); });
        if (queue.empty()) return;
        auto job = std::move(queue.back());
        queue.pop_back();
        lock.unlock();
        std::this_thread::sleep_for(2ms);
        job.second(HttpResponse{200, "application/json", json{{"echo", job.first}}.dump(), {}});
      }
    });
  Fixture f(
      [&](HttpRequest req, Responder respond) {
        std::lock_guard<std::mutex> lock(mu);
        queue.emplace_back(req.body, std::move(respond));
        cv.notify_one();
      },
      {}, true);
  std::string tcp = "http://127.0.0.1:" + std::to_string(f.server->tcp_port());

  std::atomic<int> ok{0};
  std::vector<std::string> failures(100);
  std::vector<std::thread> clients;
  for (int i = 0; i < 100; ++i)
    clients.emplace_back([&, i] {
      try {
        std::string body = "client-" + std::to_string(i) + std::string(static_cast<size_t>(i) * 100, 'x');
        HttpResult r = http_call(i % 2 ? tcp : f.endpoint(), "POST", "/c", body, 30);
        if (r.status == 200 && json::parse(r.body)["echo"] == body) ++ok;
        else failures[i] = std::to_string(r.status) + " " + r.body.substr(0, 100);
      } catch (const std::exception& e) {
        failures[i] = e.what();
      }
    });
  for (auto& c : clients) c.join();
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  for (auto& t : pool) t.join();
  EXPECT_EQ(ok.load(), 100);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(failures[i], "") << "client " << i;
}

TEST(HttpServer, BodyLimit) {
  Fixture f(echo);
  HttpResult r = http_call(f.endpoint(), "POST", "/big", std::string(1024 * 1024, 'a'));
  EXPECT_EQ(r.status, 200) << "exactly the limit is accepted";
  EXPECT_EQ(json::parse(r.body)["body"].get<std::string>().size(), 1024u * 1024);

  r = http_call(f.endpoint(), "POST", "/big", std::string(1024 * 1024 + 1, 'a'));
  EXPECT_EQ(r.status, 413);
  json j = json::parse(r.body);
  EXPECT_EQ(j["Code"], "PayloadTooLarge");
  EXPECT_EQ(j["Message"], "request body of 1048577 bytes exceeds the limit of 1048576 bytes");

  // Refused from the header alone: the server does not wait for the body.
  std::string resp = f.raw("POST /x HTTP/1.1\r\nContent-Length: 5000000\r\n\r\n", 2000ms);
  EXPECT_EQ(status_line(resp), "HTTP/1.1 413 Payload Too Large");
}

TEST(HttpServer, MalformedRequestsGet400) {
  Fixture f(echo);
  auto expect_error = [&](const std::string& request, const std::string& status, const std::string& code) {
    auto t0 = std::chrono::steady_clock::now();
    std::string resp = f.raw(request);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s) << "answered at once: " << request;
    EXPECT_EQ(status_line(resp), status) << request;
    EXPECT_NE(resp.find("Content-Type: application/json\r\n"), std::string::npos);
    EXPECT_NE(resp.find("Connection: close\r\n"), std::string::npos);
    json j = json::parse(body_of(resp), nullptr, false);
    EXPECT_EQ(j["Code"], code) << resp;
    EXPECT_TRUE(j["Message"].is_string() && !j["Message"].get<std::string>().empty());
    return j["Message"].is_string() ? j["Message"].get<std::string>() : "";
  };
  EXPECT_EQ(expect_error("hello\r\n\r\n", "HTTP/1.1 400 Bad Request", "BadRequest"),
            "malformed request line \"hello\" (want METHOD /path HTTP/1.1)");
  expect_error(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11), "HTTP/1.1 400 Bad Request", "BadRequest");
  expect_error("GET / HTTP/1.1\r\nNoColonHere\r\n\r\n", "HTTP/1.1 400 Bad Request", "BadRequest");
  expect_error("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", "HTTP/1.1 400 Bad Request", "BadRequest");
  // Lines end in CRLF (a bare LF is refused: RFC 9112 2.2 lets a server choose).
  expect_error("GET / HTTP/1.1\n\n", "HTTP/1.1 400 Bad Request", "BadRequest");
  expect_error("GET relative HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request", "BadRequest");
  expect_error("GET /%zz HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request", "BadRequest");
  expect_error("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "HTTP/1.1 400 Bad Request", "BadRequest");
  expect_error("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "HTTP/1.1 400 Bad Request",
               "BadRequest");
  expect_error("GET / HTTP/2.0\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported", "HTTPVersionNotSupported");
  expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "HTTP/1.1 501 Not Implemented", "NotImplemented");
  // An empty coding is no coding we know (found by the fuzzer: it reached the handler).
  expect_error("PUT / HTTP/1.1\r\nTransfer-Encoding: \r\n\r\n", "HTTP/1.1 501 Not Implemented", "NotImplemented");
  // Only what is read as the body may be the body: a coding after chunked, or
  // Content-Length beside Transfer-Encoding, would leave the rest to be taken
  // for the next request.
  expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", "HTTP/1.1 501 Not Implemented",
               "NotImplemented");
  expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", "HTTP/1.1 501 Not Implemented",
               "NotImplemented");
  expect_error("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
               "HTTP/1.1 400 Bad Request", "BadRequest");
  expect_error("POST / HTTP/1.1\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\nx", "HTTP/1.1 417 Expectation Failed",
               "ExpectationFailed");
  expect_error("GET / HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n",
               "HTTP/1.1 431 Request Header Fields Too Large", "RequestHeaderFieldsTooLarge");
  // The server is still fine afterwards.
  EXPECT_EQ(http_call(f.endpoint(), "GET", "/").status, 200);
}

TEST(HttpServer, ChunkedBodies) {
  Fixture f(echo);
  std::string resp = f.raw("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                           "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  EXPECT_EQ(status_line(resp), "HTTP/1.1 200 OK");
  EXPECT_EQ(json::parse(body_of(resp), nullptr, false)["body"], "hello world");
  // The body limit counts the chunks as they come.
  std::string chunk = std::string(1024 * 1024, 'a');
  resp = f.raw("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n" + chunk + "\r\n1\r\nb\r\n0\r\n\r\n");
  EXPECT_EQ(status_line(resp), "HTTP/1.1 413 Payload Too Large");
  EXPECT_EQ(json::parse(body_of(resp), nullptr, false)["Message"], "request body exceeds the limit of 1048576 bytes");
  // A chunk size that is not hex.
  resp = f.raw("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(status_line(resp), "HTTP/1.1 400 Bad Request");
}

TEST(HttpServer, HandlerExceptionIs500) {
  Fixture f([](HttpRequest, Responder) -> void { throw std::runtime_error("boom: the catalog is closed"); });
  HttpResult r = http_call(f.endpoint(), "GET", "/x");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.content_type, "application/json");
  json j = json::parse(r.body);
  EXPECT_EQ(j["Code"], "InternalError");
  EXPECT_EQ(j["Message"], "boom: the catalog is closed");
  EXPECT_EQ(describe_error(r), "boom: the catalog is closed");
}

TEST(HttpServer, DroppedResponderIs500) {
  Fixture f([](HttpRequest, Responder) {});  // never answers and keeps no copy
  HttpResult r = http_call(f.endpoint(), "GET", "/x", "", 10);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(json::parse(r.body)["Message"], "the request was dropped without an answer");
}

TEST(HttpServer, FirstAnswerWinsAndInvalidAnswersAre500) {
  Fixture f([](HttpRequest req, Responder respond) {
    if (req.path == "/twice") {
      respond(HttpResponse{200, "text/plain", "first", {}});
      respond(HttpResponse{500, "text/plain", "second", {}});
    } else if (req.path == "/badheader") {
      respond(HttpResponse{200, "text/plain", "x", {{"X-Evil", "a\r\nSet-Cookie: y"}}});
    } else if (req.path == "/badstatus") {
      respond(HttpResponse{42, "text/plain", "x", {}});
    } else {
      respond(HttpResponse{204, "application/json", "ignored", {}});
    }
  });
  EXPECT_EQ(http_call(f.endpoint(), "GET", "/twice").body, "first");
  HttpResult r = http_call(f.endpoint(), "GET", "/badheader");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(describe_error(r), "the handler answered with an invalid header \"X-Evil\"");
  EXPECT_EQ(http_call(f.endpoint(), "GET", "/badstatus").status, 500);
  std::string resp = f.raw("GET /nocontent HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_line(resp), "HTTP/1.1 204 No Content");
  EXPECT_EQ(resp.find("Content-Length"), std::string::npos) << "204 has no Content-Length (RFC 9110)";
  EXPECT_EQ(body_of(resp), "");
}

TEST(HttpServer, KeepAlivePipeliningAndHead) {
  Fixture f(echo);
  int fd = connect_unix(f.sock);
  ASSERT_GE(fd, 0);
  // Two pipelined requests in one write, then a HEAD, then one that closes.
  send_all(fd, "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /b?q=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string pending;
  std::string r1 = read_response(fd, pending);
  std::string r2 = read_response(fd, pending);
  EXPECT_EQ(status_line(r1), "HTTP/1.1 200 OK");
  EXPECT_NE(r1.find("Connection: keep-alive\r\n"), std::string::npos);
  EXPECT_EQ(json::parse(body_of(r1))["body"], "abc");
  EXPECT_EQ(json::parse(body_of(r2))["path"], "/b");
  send_all(fd, "HEAD /h HTTP/1.1\r\n\r\n");
  std::string head = read_response(fd, pending, true);
  // HEAD: the length of the body a GET would get, and no body.
  EXPECT_NE(head.find("Content-Length: "), std::string::npos);
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
  send_all(fd, "GET /c HTTP/1.1\r\nConnection: close\r\n\r\n");
  std::string rest = pending + read_until_close(fd);
  EXPECT_EQ(status_line(rest), "HTTP/1.1 200 OK");
  EXPECT_NE(rest.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(json::parse(body_of(rest))["path"], "/c");
  close(fd);

  // HTTP/1.0 closes after one answer.
  std::string r = f.raw("GET /old HTTP/1.0\r\n\r\n");
  EXPECT_NE(r.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(json::parse(body_of(r))["path"], "/old");
}

TEST(HttpServer, ExpectContinue) {
  Fixture f(echo);
  int fd = connect_unix(f.sock);
  ASSERT_GE(fd, 0);
  send_all(fd, "PUT /e HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  std::string pending;
  std::string interim = read_response(fd, pending);
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  send_all(fd, "hello");
  std::string resp = read_response(fd, pending);
  EXPECT_EQ(json::parse(body_of(resp))["body"], "hello");
  close(fd);
}

TEST(HttpServer, Timeouts) {
  HttpServerOptions opt;
  opt.read_timeout = 300ms;
  Fixture f(echo, opt);
  // A request that never completes: 408.
  auto t0 = std::chrono::steady_clock::now();
  std::string resp = f.raw("GET / HTTP/1.1\r\nHost: x\r\n");
  EXPECT_EQ(status_line(resp), "HTTP/1.1 408 Request Timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  // An idle connection is closed silently.
  resp = f.raw("");
  EXPECT_EQ(resp, "");
  // A handler that never answers (but keeps its Responder): 504.
  Parked parked;
  opt.response_timeout = 300ms;
  Fixture g(parked.handler(), opt);
  HttpResult r = http_call(g.endpoint(), "GET", "/never", "", 10);
  EXPECT_EQ(r.status, 504);
  EXPECT_EQ(json::parse(r.body)["Code"], "Timeout");
  parked.answer_all();  // late: ignored, no crash
}

TEST(HttpServer, TooManyConnectionsGet503) {
  Parked parked;
  HttpHandler park = parked.handler();
  HttpServerOptions opt;
  opt.max_connections = 2;
  Fixture f([&](HttpRequest req, Responder respond) {
    if (req.path == "/held") park(std::move(req), std::move(respond));
    else echo(std::move(req), std::move(respond));
  }, opt);
  std::vector<std::thread> held;
  std::vector<int> statuses(2);
  for (int i = 0; i < 2; ++i) held.emplace_back([&, i] { statuses[i] = http_call(f.endpoint(), "GET", "/held").status; });
  ASSERT_TRUE(parked.wait_for(2));
  HttpResult r = http_call(f.endpoint(), "GET", "/third");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(describe_error(r), "too many connections (at most 2); retry later");
  parked.answer_all();
  for (auto& t : held) t.join();
  EXPECT_EQ(statuses, (std::vector<int>{200, 200}));
  // The slots free up once the server has seen the clients close.
  for (int i = 0; i < 100; ++i) {
    r = http_call(f.endpoint(), "GET", "/again");
    if (r.status == 200) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(r.status, 200);
}

TEST(HttpServer, StopWithAPendingRequestAnswers503AndLateResponderIsHarmless) {
  Parked parked;
  HttpServerOptions opt;
  opt.stop_grace = 300ms;
  auto f = std::make_unique<Fixture>(parked.handler(), opt);
  HttpResult r;
  std::thread client([&] { r = http_call(f->endpoint(), "POST", "/pending", "{}", 30); });
  ASSERT_TRUE(parked.wait_for(1));
  // An idle keep-alive connection must not hold stop() up either.
  int idle = connect_unix(f->sock);
  ASSERT_GE(idle, 0);
  auto t0 = std::chrono::steady_clock::now();
  f->server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  client.join();
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["Code"], "ServiceUnavailable");
  EXPECT_EQ(read_until_close(idle, 1000ms), "");
  close(idle);
  f.reset();            // the server is gone...
  parked.answer_all();  // ...and its Responders still work (and do nothing)
}

TEST(HttpServer, ResponderAfterTheClientLeft) {
  Parked parked;
  Fixture f(parked.handler());
  int fd = connect_unix(f.sock);
  ASSERT_GE(fd, 0);
  send_all(fd, "GET /gone HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(parked.wait_for(1));
  close(fd);
  std::this_thread::sleep_for(50ms);
  parked.answer_all(200, std::string(1 << 20, 'x'));  // writing to a closed socket: EPIPE, no SIGPIPE
  std::thread t([&] {
    parked.wait_for(1);
    parked.answer_all(200, "{\"ok\":true}");
  });
  EXPECT_EQ(http_call(f.endpoint(), "GET", "/next").body, "{\"ok\":true}");
  t.join();
}

TEST(HttpServer, UnixSocketFileHandling) {
  TempDir dir;
  std::string sock = dir.path() + "/s.sock";
  {
    // A stale socket: bound, then its process went away without removing it.
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, sock.c_str(), sizeof addr.sun_path - 1);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    close(fd);
  }
  HttpServer a(echo, "control");
  a.listen_unix(sock);  // replaces the stale one
  a.start();
  EXPECT_EQ(http_call("unix:" + sock, "GET", "/").status, 200);

  HttpServer b(echo, "control");
  try {
    b.listen_unix(sock);
    ADD_FAILURE() << "a live socket was replaced";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "control: cannot listen on unix socket " + sock + ": another server is accepting on it");
  }
  std::string file = dir.path() + "/plain";
  std::system(("touch '" + file + "'").c_str());
  try {
    b.listen_unix(file);
    ADD_FAILURE() << "a plain file was replaced";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "control: cannot listen on unix socket " + file + ": it exists and is not a socket");
  }
  try {
    b.listen_unix("/proc/hlsfs-test/x.sock");
    ADD_FAILURE();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/hlsfs-test"), std::string::npos) << e.what();
  }
  EXPECT_THROW(b.start(), std::logic_error);  // nothing to listen on
}

// ---- the TCP listener against hostile clients ----

TEST(HttpServer, BearerTokenGuardsTcpButNotTheUnixSocket) {
  HttpServerOptions opt;
  opt.bearer_token = "s3cret-t0ken-0123456789";
  Fixture f(echo, opt, true);
  auto expect_401 = [&](const HttpResult& r, const std::string& what) {
    EXPECT_EQ(r.status, 401) << what;
    json j = json::parse(r.body, nullptr, false);
    EXPECT_EQ(j["Code"], "Unauthorized") << what << ": " << r.body;
    EXPECT_TRUE(j["Message"].is_string() && j["Message"].get<std::string>().find("Authorization: Bearer") != std::string::npos)
        << what << ": " << r.body;
  };
  expect_401(http_call(f.tcp(), "GET", "/v1/status"), "no token");
  expect_401(http_call(f.tcp(), "GET", "/v1/status", "", 10, "wrong-t0ken-0123456789"), "a wrong token");
  expect_401(http_call(f.tcp(), "GET", "/v1/status", "", 10, "s3cret-t0ken-012345678"), "a prefix of the token");
  expect_401(http_call(f.tcp(), "GET", "/v1/status", "", 10, "s3cret-t0ken-01234567890"), "the token and more");
  HttpResult r = http_call(f.tcp(), "POST", "/v1/x", "{\"a\":1}", 10, opt.bearer_token);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["body"], "{\"a\":1}");

  // The scheme is case-insensitive (RFC 9110 11.1); other schemes are not a token.
  std::string ok = f.raw("GET /a HTTP/1.1\r\nauthorization: bearer  " + opt.bearer_token + " \r\nConnection: close\r\n\r\n",
                         5000ms, true);
  EXPECT_EQ(status_line(ok), "HTTP/1.1 200 OK");
  std::string basic = f.raw("GET /a HTTP/1.1\r\nAuthorization: Basic " + opt.bearer_token + "\r\n\r\n", 5000ms, true);
  EXPECT_EQ(status_line(basic), "HTTP/1.1 401 Unauthorized");
  EXPECT_NE(basic.find("WWW-Authenticate: Bearer"), std::string::npos) << basic;
  EXPECT_NE(basic.find("Connection: close\r\n"), std::string::npos);

  // Without the token the body is never read: refused from the head at once.
  auto t0 = std::chrono::steady_clock::now();
  std::string big = f.raw("POST /x HTTP/1.1\r\nContent-Length: 500000\r\n\r\n", 3000ms, true);
  EXPECT_EQ(status_line(big), "HTTP/1.1 401 Unauthorized");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2500ms);

  // The unix socket's file mode is its access control: no token asked.
  EXPECT_EQ(http_call(f.endpoint(), "GET", "/v1/status").status, 200);
}

TEST(HttpServer, HeadDeadlineEndsSilentAndTricklingClients) {
  HttpServerOptions opt;
  opt.head_timeout = 500ms;  // read_timeout stays 30 s: the head has its own, shorter deadline
  Fixture f(echo, opt, true);
  for (bool over_tcp : {true, false}) {
    SCOPED_TRACE(over_tcp ? "tcp" : "unix");
    // Connects and sends nothing: closed without an answer.
    int fd = over_tcp ? connect_tcp(f.server->tcp_port()) : connect_unix(f.sock);
    ASSERT_GE(fd, 0);
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(read_until_close(fd, 5000ms), "");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2000ms) << "a silent connection is held past the head deadline";
    close(fd);

    // Trickles a header byte every 50 ms, never finishing the head: 408.
    fd = over_tcp ? connect_tcp(f.server->tcp_port()) : connect_unix(f.sock);
    ASSERT_GE(fd, 0);
    send_all(fd, "GET / HTTP/1.1\r\n");
    std::atomic<bool> stop{false};
    std::thread trickle([&] {
      for (int i = 0; i < 80 && !stop; ++i) {
        if (send(fd, "X", 1, MSG_NOSIGNAL) != 1) return;
        std::this_thread::sleep_for(50ms);
      }
    });
    t0 = std::chrono::steady_clock::now();
    std::string resp = read_until_close(fd, 5000ms);
    stop = true;
    trickle.join();
    EXPECT_EQ(status_line(resp), "HTTP/1.1 408 Request Timeout");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2000ms);
    close(fd);

    // An idle keep-alive connection is a connection without a head too.
    fd = over_tcp ? connect_tcp(f.server->tcp_port()) : connect_unix(f.sock);
    ASSERT_GE(fd, 0);
    send_all(fd, "GET /first HTTP/1.1\r\n\r\n");
    std::string pending;
    EXPECT_EQ(status_line(read_response(fd, pending)), "HTTP/1.1 200 OK");
    t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(read_until_close(fd, 5000ms), "");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2000ms);
    close(fd);

    // A body may take longer than the head deadline (read_timeout bounds it).
    fd = over_tcp ? connect_tcp(f.server->tcp_port()) : connect_unix(f.sock);
    ASSERT_GE(fd, 0);
    send_all(fd, "POST /slow-body HTTP/1.1\r\nContent-Length: 4\r\nConnection: close\r\n\r\nab");
    std::this_thread::sleep_for(800ms);
    send_all(fd, "cd");
    resp = read_until_close(fd, 5000ms);
    EXPECT_EQ(status_line(resp), "HTTP/1.1 200 OK");
    EXPECT_EQ(json::parse(body_of(resp), nullptr, false)["body"], "abcd");
    close(fd);
  }
}

// 140 half-open TCP connections used to take every connection slot (one pool
// for both listeners, each slot held for read_timeout): a real client on
// either listener was refused.
TEST(HttpServer, SlowlorisOnOneListenerLocksOutNoRealClient) {
  HttpServerOptions opt;
  opt.max_connections = 4;
  opt.max_tcp_connections = 4;
  Fixture f(echo, opt, true);
  for (bool attack_tcp : {true, false}) {
    SCOPED_TRACE(attack_tcp ? "slowloris over tcp" : "slowloris over the unix socket");
    std::vector<int> slow;
    for (int i = 0; i < 40; ++i) {
      int fd = attack_tcp ? connect_tcp(f.server->tcp_port()) : connect_unix(f.sock);
      ASSERT_GE(fd, 0);
      send_all(fd, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
      slow.push_back(fd);
    }
    std::this_thread::sleep_for(300ms);  // all accepted and waiting
    auto t0 = std::chrono::steady_clock::now();
    HttpResult u = http_call(f.endpoint(), "GET", "/unix", "", 5);
    HttpResult t = http_call(f.tcp(), "GET", "/tcp", "", 5);
    EXPECT_EQ(u.status, 200) << u.body;
    EXPECT_EQ(t.status, 200) << t.body;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2000ms);
    for (int fd : slow) close(fd);
  }
}

// A client that sends whole requests without the token and keeps each
// connection open after its 401 must not hold the slots either (the server
// lingers 2 s after a closing answer, draining what the client still sends).
TEST(HttpServer, ClientsKeepingTheir401ConnectionsOpenHoldNoSlot) {
  HttpServerOptions opt;
  opt.max_tcp_connections = 4;
  opt.bearer_token = "s3cret-t0ken-0123456789";
  Fixture f(echo, opt, true);
  std::vector<int> held;
  for (int i = 0; i < 20; ++i) {
    int fd = connect_tcp(f.server->tcp_port());
    ASSERT_GE(fd, 0);
    send_all(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    held.push_back(fd);
  }
  std::this_thread::sleep_for(300ms);  // all answered 401, all left open
  auto t0 = std::chrono::steady_clock::now();
  HttpResult r = http_call(f.tcp(), "GET", "/ok", "", 5, opt.bearer_token);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1000ms);
  for (int fd : held) close(fd);
}

TEST(HttpServer, BusyTcpConnectionsGet503WhileTheUnixSocketAnswers) {
  Parked parked;
  HttpHandler park = parked.handler();
  HttpServerOptions opt;
  opt.max_tcp_connections = 2;
  Fixture f([&](HttpRequest req, Responder respond) {
    if (req.path == "/held") park(std::move(req), std::move(respond));
    else echo(std::move(req), std::move(respond));
  }, opt, true);
  std::vector<std::thread> held;
  std::vector<int> statuses(2);
  for (int i = 0; i < 2; ++i) held.emplace_back([&, i] { statuses[i] = http_call(f.tcp(), "GET", "/held").status; });
  ASSERT_TRUE(parked.wait_for(2));
  // Requests in progress are not evicted: a third TCP client is told to come back.
  HttpResult r = http_call(f.tcp(), "GET", "/third");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(describe_error(r), "too many connections (at most 2); retry later");
  EXPECT_EQ(http_call(f.endpoint(), "GET", "/unix").status, 200) << "the unix socket has its own slots";
  parked.answer_all();
  for (auto& t : held) t.join();
  EXPECT_EQ(statuses, (std::vector<int>{200, 200}));
}

TEST(HttpServer, ContentLengthMustBeDigits) {
  Fixture f(echo);
  for (const char* cl : {"-1", "-0", "+5", "5 5", "0x10", "1e3", "abc", "99999999999999999999", "5,5"}) {
    std::string resp = f.raw(std::string("POST / HTTP/1.1\r\nContent-Length: ") + cl + "\r\n\r\nhello");
    EXPECT_EQ(status_line(resp), "HTTP/1.1 400 Bad Request") << cl;
    EXPECT_NE(resp.find("malformed Content-Length"), std::string::npos) << cl << ": " << resp;
  }
  std::string resp = f.raw("POST / HTTP/1.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
  EXPECT_EQ(json::parse(body_of(resp), nullptr, false)["body"], "hello");
}

TEST(HttpClient, UnreachableDaemonIsOneClearLine) {
  TempDir dir;
  std::string ep = "unix:" + dir.path() + "/nope.sock";
  try {
    http_call(ep, "GET", "/v1/status");
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot reach hlsfsd at " + ep + ": No such file or directory (is the daemon running?)");
  }
  // A TCP port nobody listens on.
  int port;
  {
    HttpServer s(echo);
    s.listen_tcp("127.0.0.1", 0);
    port = s.tcp_port();
  }
  std::string tcp = "http://127.0.0.1:" + std::to_string(port);
  try {
    http_call(tcp, "GET", "/");
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot reach hlsfsd at " + tcp + ": Connection refused (is the daemon running?)");
  }
  EXPECT_THROW(http_call("ftp://x", "GET", "/"), std::invalid_argument);
  EXPECT_THROW(http_call("unix:relative.sock", "GET", "/"), std::invalid_argument);
}

TEST(HttpClient, TimeoutIsOneClearLine) {
  Parked parked;
  Fixture f(parked.handler());
  try {
    http_call(f.endpoint(), "GET", "/slow", "", 1);
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "hlsfsd at " + f.endpoint() + " did not answer GET /slow within 1 s");
  }
  parked.answer_all();
}

TEST(HttpClient, DescribeError) {
  EXPECT_EQ(describe_error({400, R"({"Code":"BadRequest","Message":"Targets[0].Duration: must be between 5 and 15"})", ""}),
            "Targets[0].Duration: must be between 5 and 15");
  EXPECT_EQ(describe_error({404, R"({"Code":"NotFound"})", ""}), "HTTP 404: NotFound");
  EXPECT_EQ(describe_error({502, "Bad gateway\nmore", "text/plain"}), "HTTP 502: Bad gateway");
  EXPECT_EQ(describe_error({500, "", ""}), "HTTP 500 (empty answer)");
}

TEST(HttpHelpers, ParseQueryAndJsonError) {
  auto q = parse_query("a=1&b=x%20y+z&flag&a=2&bad=%zz");
  EXPECT_EQ(q["a"], "2");
  EXPECT_EQ(q["b"], "x y z");
  EXPECT_EQ(q.count("flag"), 1u);
  EXPECT_EQ(q["bad"], "%zz");
  HttpResponse e = json_error(400, "BadRequest", "bad \"quote\" and \xff byte");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.content_type, "application/json");
  EXPECT_EQ(json::parse(e.body)["Code"], "BadRequest");
  EXPECT_EQ(std::string(error_code_for(413)), "PayloadTooLarge");
}

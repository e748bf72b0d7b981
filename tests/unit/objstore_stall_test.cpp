// A reply that stalls mid-body (the server or the path gone quiet, the
// connection left open) ends as a timeout after stall_timeout, not after
// request_timeout, and says that it stalled. Against
// a real loopback server that sends a head and part of a body, then nothing.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "backends/objstore/http.h"
#include "backends/objstore/request.h"
#include "backends/objstore/retry.h"

using namespace objstore;

namespace {

// Answers one connection with a 206 head announcing 100000 bytes and the
// first 1000 of them, then holds the connection open until the client closes it.
class StallingServer {
 public:
  StallingServer() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 8) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      std::string reply = "HTTP/1.1 206 Partial Content\r\nContent-Length: 100000\r\n\r\n" + std::string(1000, 'x');
      if (send(c, reply.data(), reply.size(), MSG_NOSIGNAL) < 0) {
        // the client is gone: the test says so
      }
      pollfd p{c, POLLIN, 0};
      while (poll(&p, 1, 30000) > 0 && recv(c, buf, sizeof buf, 0) > 0) {
      }
      close(c);
    });
  }
  ~StallingServer() {
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/bucket/key"; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace

TEST(ObjstoreHttp, AReplyThatStallsMidBodyEndsAfterStallTimeout) {
  StallingServer server;
  HttpOptions o;
  o.request_timeout_ms = 60000;
  o.stall_timeout_ms = 1000;
  HttpClient client(o);
  Request r;
  r.method = "GET";
  char buf[100000];
  RangeSink sink;
  sink.buf = buf;
  sink.cap = sizeof buf;
  auto t0 = std::chrono::steady_clock::now();
  HttpResult res = client.perform(server.url(), r, &sink);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(res.curl, CURLE_OPERATION_TIMEDOUT) << res.curl_error;
  EXPECT_LT(took, 5.0) << "the stalled reply was waited for beyond stall_timeout";
  EXPECT_NE(res.curl_error.find("stalled: no data for 1 s"), std::string::npos) << res.curl_error;
  EXPECT_EQ(sink.got, 1000);
  EXPECT_TRUE(is_transient(res.curl, res.status, "")) << "a new connection may not stall: retried";
}

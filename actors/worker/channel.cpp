#include "actors/worker/channel.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace hlsfs {

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr size_t kMaxFds = 8;

void put_u32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

}  // namespace

void make_channel_pair(int fds[2]) {
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw ChannelError(std::string("socketpair: ") + strerror(errno));
}

Channel::~Channel() {
  if (fd_ >= 0) close(fd_);
}

void Channel::send(WorkerMsg type, std::string_view payload, const std::vector<int>& fds) {
  if (payload.size() > kMaxWorkerMessage) throw ChannelError("message too large");
  if (fds.size() > kMaxFds) throw ChannelError("too many descriptors in one message");
  char head[8];
  put_u32(head, static_cast<uint32_t>(type));
  put_u32(head + 4, static_cast<uint32_t>(payload.size()));
  iovec iov[2] = {{head, sizeof head}, {const_cast<char*>(payload.data()), payload.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = payload.empty() ? 1 : 2;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
  if (!fds.empty()) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  // The descriptors travel with the first byte; the rest may need more calls.
  size_t total = sizeof head + payload.size(), sent = 0;
  while (sent < total) {
    ssize_t n = sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw ChannelError(std::string("send: ") + strerror(errno));
    sent += static_cast<size_t>(n);
    msg.msg_control = nullptr;
    msg.msg_controllen = 0;
    // Advance the iovecs past what went out.
    size_t skip = static_cast<size_t>(n);
    while (msg.msg_iovlen > 0 && skip >= msg.msg_iov[0].iov_len) {
      skip -= msg.msg_iov[0].iov_len;
      ++msg.msg_iov;
      --msg.msg_iovlen;
    }
    if (msg.msg_iovlen > 0) {
      msg.msg_iov[0].iov_base = static_cast<char*>(msg.msg_iov[0].iov_base) + skip;
      msg.msg_iov[0].iov_len -= skip;
    }
  }
}

bool Channel::read_exact(char* p, size_t n, std::vector<int>* fds, int64_t deadline_ms, bool& timed_out) {
  size_t got = 0;
  while (got < n) {
    if (deadline_ms >= 0) {
      int64_t left = deadline_ms - now_ms();
      if (left <= 0) {
        timed_out = true;
        return false;
      }
      pollfd pfd{fd_, POLLIN, 0};
      int r = poll(&pfd, 1, static_cast<int>(left));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) throw ChannelError(std::string("poll: ") + strerror(errno));
      if (r == 0) {
        timed_out = true;
        return false;
      }
    }
    iovec iov{p + got, n - got};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t r = recvmsg(fd_, &msg, MSG_CMSG_CLOEXEC);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      if (errno == ECONNRESET) return false;
      throw ChannelError(std::string("receive: ") + strerror(errno));
    }
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        if (fds) fds->push_back(fd);
        else close(fd);
      }
    }
    if (msg.msg_flags & MSG_CTRUNC) throw ChannelError("descriptors cut off");
    if (r == 0) {
      if (got == 0) return false;
      throw ChannelError("the peer closed in the middle of a message");
    }
    got += static_cast<size_t>(r);
  }
  return true;
}

Channel::Got Channel::receive(WorkerMsg& type, std::string& payload, std::vector<int>* fds, int timeout_ms) {
  const int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
  char head[8];
  bool timed_out = false;
  if (!read_exact(head, sizeof head, fds, deadline, timed_out)) return timed_out ? Got::timeout : Got::closed;
  type = static_cast<WorkerMsg>(get_u32(head));
  uint32_t len = get_u32(head + 4);
  if (len > kMaxWorkerMessage) throw ChannelError("a message of " + std::to_string(len) + " bytes");
  payload.resize(len);
  // The rest of a message that began must follow promptly: a worker that
  // stops half-way is broken (or hostile), not slow.
  int64_t rest_deadline = now_ms() + 30000;
  if (len && !read_exact(payload.data(), len, fds, rest_deadline, timed_out))
    throw ChannelError(timed_out ? "a message stopped half-way" : "the peer closed in the middle of a message");
  return Got::message;
}

}  // namespace hlsfs

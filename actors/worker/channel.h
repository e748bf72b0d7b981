// The wire between hlsfsd and one worker process: a unix stream socket
// carrying framed messages, [u32 type][u32 length][payload], with file
// descriptors passed alongside a message (SCM_RIGHTS). The daemon treats
// everything a worker sends as hostile (a worker runs decoders on uploaded
// files): lengths are bounded, reads have deadlines, and a malformed message
// is a fault of that worker, never of the daemon.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hlsfs {

enum class WorkerMsg : uint32_t {
  // daemon -> worker
  job = 1,         // JSON job (worker_job.h), descriptors: source (local store), one output per segment
  ack = 2,         // go on after a frame (a background job waits here while readers need the CPUs)
  read_reply = 3,  // bytes of a source range, or "" at its end; an error as read_error
  read_error = 4,  // the daemon could not read the range: the message
  // worker -> daemon
  ready = 10,      // started, sandboxed, waiting for jobs
  frame = 11,      // "<frames> <total>": one more frame through the encoder
  read = 12,       // "<offset> <length>": bytes of the source (object stores)
  done = 13,       // JSON results
  failed = 14,     // JSON {Kind, Message}: the job failed (the source's fault, or a limit)
};

struct ChannelError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The largest payload either side accepts (a read reply of a few blocks,
// a job with its probe).
constexpr uint32_t kMaxWorkerMessage = 64u << 20;

class Channel {
 public:
  explicit Channel(int fd) : fd_(fd) {}  // owns fd
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  int fd() const { return fd_; }
  // Throws ChannelError when the peer is gone.
  void send(WorkerMsg type, std::string_view payload, const std::vector<int>& fds = {});

  enum class Got { message, closed, timeout };
  // One whole message within timeout_ms (< 0: no limit), descriptors that
  // came with it appended to *fds (the caller owns them; without fds they
  // are closed). ChannelError on a malformed message.
  Got receive(WorkerMsg& type, std::string& payload, std::vector<int>* fds, int timeout_ms);

 private:
  bool read_exact(char* p, size_t n, std::vector<int>* fds, int64_t deadline_ms, bool& timed_out);
  int fd_;
};

// A connected pair (SOCK_STREAM, close-on-exec).
void make_channel_pair(int fds[2]);

}  // namespace hlsfs

// hlsfs-worker: one segment or probe job at a time for hlsfsd, in a process
// of its own (worker_pool.h starts it): no configuration, no credentials, no
// secrets, an environment of nothing, and the sandbox of sandbox.h before it
// reads a byte of a source. A crash, a limit or a hang here costs one job.
//
//   hlsfs-worker --channel FD --scratch DIR [--memory BYTES] [--uid UID --gid GID]
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "actors/transcoder/guarded_input.h"
#include "actors/transcoder/probe.h"
#include "actors/transcoder/scratch_dir.h"
#include "actors/transcoder/segment_encoder.h"
#include "actors/worker/channel.h"
#include "actors/worker/failpoint.h"
#include "actors/worker/sandbox.h"
#include "actors/worker/worker_job.h"

extern "C" {
#include <libavutil/log.h>
}

namespace hlsfs {
namespace {

// The channel, shared by the video and audio threads of a job (reads) and
// the encoder's frame hook: one request and its answer at a time.
struct Link {
  Channel channel;
  std::mutex mu;
  explicit Link(int fd) : channel(fd) {}

  std::string call(WorkerMsg type, const std::string& payload, WorkerMsg& answer_type) {
    std::lock_guard lock(mu);
    channel.send(type, payload);
    std::string answer;
    if (channel.receive(answer_type, answer, nullptr, -1) != Channel::Got::message)
      throw std::runtime_error("hlsfsd closed the channel");
    return answer;
  }
};

// A source read over the channel: the daemon holds the store's credentials
// and block cache; the worker asks for ranges.
struct ChannelIo : GuardedIo {
  Link* link;
  int source;
  int64_t size;
  int64_t pos = 0;
  ChannelIo(Link* l, int s, int64_t sz) : link(l), source(s), size(sz) {}
};

int channel_read(void* opaque, uint8_t* buf, int len) {
  auto* io = static_cast<ChannelIo*>(static_cast<GuardedIo*>(opaque));
  if (io->pos >= io->size) return AVERROR_EOF;
  WorkerMsg type;
  std::string bytes;
  try {
    bytes = io->link->call(WorkerMsg::read,
                           std::to_string(io->source) + " " + std::to_string(io->pos) + " " + std::to_string(len), type);
  } catch (const std::exception& e) {
    io->error = e.what();
    return AVERROR(EIO);
  }
  if (type == WorkerMsg::read_error) {
    io->error = bytes;
    return AVERROR(EIO);
  }
  if (type != WorkerMsg::read_reply || bytes.size() > static_cast<size_t>(len)) return AVERROR(EIO);
  if (bytes.empty()) return AVERROR_EOF;
  memcpy(buf, bytes.data(), bytes.size());
  io->pos += static_cast<int64_t>(bytes.size());
  return static_cast<int>(bytes.size());
}

int64_t channel_seek(void* opaque, int64_t offset, int whence) {
  auto* io = static_cast<ChannelIo*>(static_cast<GuardedIo*>(opaque));
  whence &= ~AVSEEK_FORCE;
  if (whence == AVSEEK_SIZE) return io->size;
  int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? io->pos : whence == SEEK_END ? io->size : -1;
  if (base < 0 || base + offset < 0) return AVERROR(EINVAL);
  io->pos = base + offset;
  return io->pos;
}

// The job's sources: descriptors the daemon opened through the store, or
// ranges over the channel. Nothing else can be opened.
class WorkerSourceOpener : public SourceOpener {
 public:
  WorkerSourceOpener(const std::vector<WorkerSource>& sources, std::vector<int> fds, Link& link)
      : sources_(sources), fds_(std::move(fds)), link_(link) {}
  ~WorkerSourceOpener() override {
    for (int fd : fds_) close(fd);
  }
  SourceIdentity identify(const std::string& uri) override { return sources_[find(uri)].id; }
  InputPtr open(const std::string& uri) override {
    size_t i = find(uri);
    if (sources_[i].local) {
      int fd = dup(fds_.at(local_slot(i)));
      if (fd < 0) throw MediaError(uri + ": dup: " + strerror(errno));
      return open_fd_input(fd, uri, sources_[i].id.size);
    }
    auto io = std::make_unique<ChannelIo>(&link_, static_cast<int>(i), sources_[i].id.size);
    attach_avio(*io, channel_read, channel_seek);
    return open_guarded_input(std::move(io), uri);
  }

 private:
  size_t find(const std::string& uri) const {
    for (size_t i = 0; i < sources_.size(); ++i)
      if (sources_[i].id.uri == uri) return i;
    throw MediaError(uri + ": not a source of this job");
  }
  size_t local_slot(size_t i) const {  // descriptors come for local sources only, in order
    size_t slot = 0;
    for (size_t k = 0; k < i; ++k) slot += sources_[k].local ? 1 : 0;
    return slot;
  }
  const std::vector<WorkerSource>& sources_;
  std::vector<int> fds_;
  Link& link_;
};

bool is_memory_error(const std::string& what) {
  return what.find(strerror(ENOMEM)) != std::string::npos || what.find("bad_alloc") != std::string::npos;
}

void write_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("writing the segment: ") + strerror(errno));
    done += static_cast<size_t>(n);
  }
}

// One job: its answer is sent here. Returns false when the worker must end
// after it (its memory ran out: a fresh process is cheaper than a doubt).
bool run_job(Link& link, const std::string& text, std::vector<int> fds) {
  WorkerJob job;
  try {
    job = nlohmann::json::parse(text).get<WorkerJob>();
  } catch (const std::exception& e) {
    for (int fd : fds) close(fd);
    std::lock_guard lock(link.mu);
    link.channel.send(WorkerMsg::failed, nlohmann::json{{"Kind", "protocol"}, {"Message", e.what()}}.dump());
    return false;
  }
  size_t local = 0;
  for (const auto& s : job.sources) local += s.local ? 1 : 0;
  std::vector<int> outputs;
  if (fds.size() < local) {
    for (int fd : fds) close(fd);
    std::lock_guard lock(link.mu);
    link.channel.send(WorkerMsg::failed, nlohmann::json{{"Kind", "protocol"}, {"Message", "descriptors missing"}}.dump());
    return false;
  }
  outputs.assign(fds.begin() + static_cast<long>(local), fds.end());
  fds.resize(local);
  // Background work at nice 19: the codec threads started from here inherit
  // it. (The daemon gives a reader's job its own nice value back.)
  if (job.background) setpriority(PRIO_PROCESS, 0, 19);

  std::string kind = "media", message;
  bool keep_going = true;
  nlohmann::json answer;
  try {
    WorkerSourceOpener opener(job.sources, std::move(fds), link);
    if (job.sources.empty()) throw std::runtime_error("a job without a source");
    run_failpoint(job.failpoint, job.sources[0].id.uri);
    if (job.kind == "probe") {
      answer = {{"Media", probe_source(opener, job.sources[0].id.uri)}};
    } else {
      MediaInfo media = job.media.get<MediaInfo>();
      std::vector<RenditionSpec> specs = rebuild_specs(job, media);
      if (outputs.size() != specs.size()) throw std::runtime_error("one output descriptor per rendition expected");
      std::vector<const RenditionSpec*> ptrs;
      for (const auto& s : specs) ptrs.push_back(&s);
      EncodeProgress progress;
      // Each report is a round trip to hlsfsd while x264's threads hold the
      // CPUs: one per frame cost a reader's cold segment about 5 %. A
      // reader's job reports every 50 ms (the watchdog counts in seconds);
      // a background job every frame, as that is where it yields to readers.
      auto last_report = std::chrono::steady_clock::time_point{};
      progress.on_frame = [&link, &last_report, background = job.background](const EncodeProgress& p) {
        auto now = std::chrono::steady_clock::now();
        if (!background && now - last_report < std::chrono::milliseconds(50)) return;
        last_report = now;
        WorkerMsg type;
        link.call(WorkerMsg::frame, std::to_string(p.frames.load()) + " " + std::to_string(p.total.load()), type);
        if (type != WorkerMsg::ack) throw std::runtime_error("hlsfsd did not let the job go on");
      };
      std::vector<SegmentResult> segs = encode_segments(opener, media, ptrs, job.segment, &progress);
      for (size_t i = 0; i < segs.size(); ++i) write_all(outputs[i], segs[i].bytes);
      answer = results_json(segs);
    }
    kind.clear();
  } catch (const std::bad_alloc&) {
    kind = "memory";
    message = "out of memory (the worker's limit, transcoder.job_memory)";
  } catch (const std::exception& e) {
    message = e.what();
    if (is_memory_error(message)) kind = "memory";
  }
  for (int fd : outputs) close(fd);
  std::lock_guard lock(link.mu);
  if (kind.empty()) {
    link.channel.send(WorkerMsg::done, answer.dump());
  } else {
    link.channel.send(WorkerMsg::failed, nlohmann::json{{"Kind", kind}, {"Message", message}}.dump());
    if (kind == "memory") keep_going = false;
  }
  return keep_going;
}

int worker_main(int argc, char** argv) {
  int channel_fd = -1;
  SandboxOptions sandbox;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--channel") channel_fd = std::stoi(v);
    else if (k == "--scratch") sandbox.scratch_dir = v;
    else if (k == "--memory") sandbox.memory_bytes = std::stoll(v);
    else if (k == "--uid") sandbox.uid = static_cast<uid_t>(std::stoul(v)), sandbox.drop_user = true;
    else if (k == "--gid") sandbox.gid = static_cast<gid_t>(std::stoul(v));
    else {
      std::cerr << "hlsfs-worker: unknown option " << k << " (started by hlsfsd, not by hand)\n";
      return 2;
    }
  }
  if (channel_fd < 0 || sandbox.scratch_dir.empty()) {
    std::cerr << "hlsfs-worker: started by hlsfsd only (--channel FD --scratch DIR)\n";
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  av_log_set_level(AV_LOG_ERROR);
  // Few heap arenas: each reserves 64 MiB of address space, and the memory
  // limit (RLIMIT_AS) counts reservations, not use. One job at a time needs
  // no more than its decoder and encoder threads share well.
  mallopt(M_ARENA_MAX, 2);
  if (chdir(sandbox.scratch_dir.c_str()) != 0) {
    std::cerr << "hlsfs-worker: " << sandbox.scratch_dir << ": " << strerror(errno) << "\n";
    return 3;
  }
  // Its directory is entered now, while every directory above it may still
  // be entered (the daemon's cache_dir may be closed to the worker's user),
  // and named "." from here on.
  sandbox.scratch_dir = ".";
  // x264's statistics go to a directory made in it, as the worker's user,
  // before the file rule holds.
  set_scratch_parent(".", false);
  sandbox.before_lock = [] { scratch_dir(); };
  Link link(channel_fd);
  SandboxReport report;
  try {
    report = enter_sandbox(sandbox);
  } catch (const std::exception& e) {
    std::cerr << "hlsfs-worker: cannot enter the sandbox: " << e.what() << "\n";
    return 3;
  }
  link.channel.send(WorkerMsg::ready, nlohmann::json{{"Landlock", report.landlock}}.dump());
  for (;;) {
    WorkerMsg type;
    std::string text;
    std::vector<int> fds;
    if (link.channel.receive(type, text, &fds, -1) != Channel::Got::message) return 0;  // hlsfsd is done with us
    if (type != WorkerMsg::job) {
      for (int fd : fds) close(fd);
      continue;
    }
    if (!run_job(link, text, std::move(fds))) return 4;
  }
}

}  // namespace
}  // namespace hlsfs

int main(int argc, char** argv) {
  try {
    return hlsfs::worker_main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "hlsfs-worker: " << e.what() << "\n";
    return 1;
  }
}

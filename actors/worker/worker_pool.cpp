#include "actors/worker/worker_pool.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

#include "actors/transcoder/job_deadline.h"
#include "actors/transcoder/job_threads.h"
#include "actors/worker/channel.h"
#include "hlsfs/log.h"

namespace hlsfs {

namespace {

constexpr int kStartTimeoutMs = 10000;
constexpr int kPollMs = 200;              // how often a waiting job looks at its deadline and at hlsfsd's stop
constexpr int64_t kMaxRange = 16 << 20;   // the most a worker may ask for in one read
constexpr int64_t kMaxSegment = 1LL << 30;

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return std::string("killed by signal ") + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "ended";
}

// Gives every thread of process `pid` hlsfsd's own nice value (a worker may
// lower its priority for background work, never raise it again).
void raise_process(pid_t pid) {
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    setpriority(PRIO_PROCESS, static_cast<id_t>(atoi(e->d_name)), daemon_nice());
  }
  closedir(d);
}

std::string read_memfd(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) throw std::runtime_error(std::string("fstat: ") + strerror(errno));
  if (st.st_size > kMaxSegment) throw std::runtime_error("the worker's segment is " + std::to_string(st.st_size) + " bytes");
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string("reading the worker's segment: ") + strerror(n < 0 ? errno : EIO));
    done += static_cast<size_t>(n);
  }
  return bytes;
}

}  // namespace

struct WorkerPool::Worker {
  pid_t pid = -1;
  std::unique_ptr<Channel> channel;
  std::string scratch;
  bool lowered = false;  // ran background work: its threads may be at nice 19
  ~Worker() {
    channel.reset();  // the worker reads EOF and ends
    if (pid > 0) {
      kill(pid, SIGKILL);
      int status;
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    if (!scratch.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(scratch, ec);
    }
  }
  // The worker is gone (or going): how it ended. Reaps it.
  std::string reap(bool kill_first) {
    if (pid <= 0) return "ended";
    if (kill_first) kill(pid, SIGKILL);
    int status = 0;
    pid_t r;
    while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
    }
    pid = -1;
    return r < 0 ? "ended" : describe_status(status);
  }
};

WorkerSources::~WorkerSources() {
  for (int fd : fds)
    if (fd >= 0) close(fd);
}

std::string find_worker_binary(const std::string& self_exe) {
  std::filesystem::path dir = std::filesystem::path(self_exe).parent_path();
  for (const auto& p : {dir / "hlsfs-worker", dir / ".." / "lib" / "hlsfs" / "hlsfs-worker"})
    if (access(p.c_str(), X_OK) == 0) return p.lexically_normal().string();
  return "";
}

WorkerPool::WorkerPool(WorkerPoolOptions opt) : opt_(std::move(opt)) {
  if (opt_.workers < 1) opt_.workers = 1;
  for (int i = 0; i < opt_.workers; ++i) idle_.push_back(spawn());  // a broken setup fails at start, not at a read
}

WorkerPool::~WorkerPool() {
  std::lock_guard lock(mu_);
  idle_.clear();
}

std::unique_ptr<WorkerPool::Worker> WorkerPool::spawn() {
  auto w = std::make_unique<Worker>();
  std::string tmpl = opt_.scratch_parent + "/worker-XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("worker scratch directory in " + opt_.scratch_parent + ": " + strerror(errno));
  w->scratch = tmpl;
  if (opt_.drop_user && chown(w->scratch.c_str(), opt_.uid, opt_.gid) != 0)
    throw std::runtime_error("chown " + w->scratch + ": " + strerror(errno));
  int pair[2];
  make_channel_pair(pair);
  w->channel = std::make_unique<Channel>(pair[0]);
  // The worker's end becomes its descriptor 3; every other descriptor of
  // hlsfsd (the FUSE device, RocksDB, sockets) is closed in the child.
  int child = pair[1];
  if (child == 3) {
    child = fcntl(pair[1], F_DUPFD_CLOEXEC, 4);
    close(pair[1]);
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, child, 3);
  posix_spawn_file_actions_addclosefrom_np(&fa, 4);
  std::vector<std::string> args{opt_.binary, "--channel", "3", "--scratch", w->scratch};
  if (opt_.job_memory > 0) args.insert(args.end(), {"--memory", std::to_string(opt_.job_memory)});
  if (opt_.drop_user) args.insert(args.end(), {"--uid", std::to_string(opt_.uid), "--gid", std::to_string(opt_.gid)});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  char* envp[] = {nullptr};  // nothing of hlsfsd's environment (credentials live there)
  // Spawned from a thread of its own that first gives up its ambient
  // capabilities (they are per thread, and an exec passes them on): hlsfsd's
  // unit gives hlsfsd CAP_SYS_ADMIN and others, its workers get none.
  pid_t pid = -1;
  int err = 0;
  std::thread([&] {
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    err = posix_spawn(&pid, opt_.binary.c_str(), &fa, nullptr, argv.data(), envp);
  }).join();
  posix_spawn_file_actions_destroy(&fa);
  close(child);
  if (err != 0) throw std::runtime_error("cannot start " + opt_.binary + ": " + strerror(err));
  w->pid = pid;
  WorkerMsg type;
  std::string hello;
  Channel::Got got = Channel::Got::closed;
  try {
    got = w->channel->receive(type, hello, nullptr, kStartTimeoutMs);
  } catch (const ChannelError&) {
  }
  if (got != Channel::Got::message || type != WorkerMsg::ready) {
    std::string how = w->reap(got == Channel::Got::timeout);
    throw std::runtime_error(opt_.binary + " did not start (" + how + "; its reason is in the log above)");
  }
  try {
    landlock_ = nlohmann::json::parse(hello).at("Landlock").get<bool>();
  } catch (const std::exception&) {
  }
  ++started_;
  return w;
}

std::unique_ptr<WorkerPool::Worker> WorkerPool::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto w = std::move(idle_.front());
      idle_.pop_front();
      return w;
    }
  }
  // Every worker is busy (a reader's job beside running background ones):
  // one more, kept only while the pool is short.
  return spawn();
}

void WorkerPool::release(std::unique_ptr<Worker> w) {
  std::lock_guard lock(mu_);
  if (static_cast<int>(idle_.size()) < opt_.workers) idle_.push_back(std::move(w));
}

void WorkerPool::end(std::unique_ptr<Worker> w) {
  w.reset();
  // A replacement, so the next cold read does not pay for the start.
  try {
    auto fresh = spawn();
    release(std::move(fresh));
  } catch (const std::exception& e) {
    HLSFS_LOG(error, "worker") << "cannot start a replacement worker: " << e.what();
  }
}

void WorkerPool::fault(std::unique_ptr<Worker> w, const std::string& kind, const std::string& what) {
  if (on_fault_) on_fault_(kind, what);
  end(std::move(w));
  throw WorkerFault(kind, what);
}

std::string WorkerPool::drive(Worker& w, const WorkerJob& job, WorkerSources& sources, const std::vector<int>& outputs,
                              EncodeProgress* progress, std::unique_ptr<Worker>& keep) {
  if (w.lowered && !job.background) raise_process(w.pid);
  w.lowered = w.lowered || job.background;
  std::vector<int> fds = sources.fds;
  fds.insert(fds.end(), outputs.begin(), outputs.end());
  nlohmann::json j = job;
  if (j["Failpoint"].get<std::string>().empty()) j["Failpoint"] = opt_.failpoint;
  try {
    w.channel->send(WorkerMsg::job, j.dump(), fds);
  } catch (const ChannelError& e) {
    fault(std::move(keep), "crash", "the worker is gone: " + w.reap(true));
  }
  for (int fd : sources.fds) close(fd);
  sources.fds.clear();
  const bool started_background = job.background;
  bool raised = false;
  for (;;) {
    WorkerMsg type;
    std::string payload;
    Channel::Got got;
    try {
      got = w.channel->receive(type, payload, nullptr, kPollMs);
    } catch (const ChannelError& e) {
      fault(std::move(keep), "protocol", std::string("the worker broke its channel: ") + e.what());
    }
    if (got == Channel::Got::closed) {
      std::string how = w.reap(false);
      fault(std::move(keep), how.find("Bad system call") != std::string::npos ? "sandbox" : "crash",
            "the worker " + how);
    }
    try {
      if (got == Channel::Got::timeout) {
        if (progress && progress->stopping && progress->stopping->load()) throw JobAbandoned();
        check_deadline();
        continue;
      }
      switch (type) {
        case WorkerMsg::frame: {
          long long frames = 0, total = 0;
          std::istringstream in(payload);
          if (!(in >> frames >> total) || frames < 0 || total < 0)
            fault(std::move(keep), "protocol", "a malformed frame message");
          if (progress) {
            progress->frames = frames;
            progress->total = total;
            progress->yield_to_readers();  // may wait (background), or throw
            if (started_background && !raised && !progress->background.load()) {
              raise_process(w.pid);  // a reader came to wait for it
              raised = true;
            }
          } else {
            note_progress();
          }
          w.channel->send(WorkerMsg::ack, "");
          break;
        }
        case WorkerMsg::read: {
          long long index = -1, offset = -1, length = -1;
          std::istringstream in(payload);
          if (!(in >> index >> offset >> length) || index < 0 || static_cast<size_t>(index) >= job.sources.size() ||
              job.sources[static_cast<size_t>(index)].local || offset < 0 || length <= 0 || length > kMaxRange)
            fault(std::move(keep), "protocol", "a malformed read request: " + payload.substr(0, 80));
          std::string bytes, error;
          try {
            bytes = sources.read_range(static_cast<size_t>(index), offset, length);
          } catch (const std::exception& e) {
            error = e.what();
          }
          note_progress();
          if (!error.empty()) w.channel->send(WorkerMsg::read_error, error);
          else w.channel->send(WorkerMsg::read_reply, bytes);
          break;
        }
        case WorkerMsg::done:
          return payload;
        case WorkerMsg::failed: {
          std::string kind = "media", message = payload;
          try {
            auto f = nlohmann::json::parse(payload);
            kind = f.at("Kind");
            message = f.at("Message");
          } catch (const std::exception&) {
            fault(std::move(keep), "protocol", "a malformed failure message");
          }
          if (kind == "media") {
            release(std::move(keep));
            throw MediaError(message);
          }
          if (kind == "memory") w.reap(false);  // it ends itself after running out
          fault(std::move(keep), kind == "memory" ? "memory" : "protocol", message);
        }
        default:
          fault(std::move(keep), "protocol", "an unexpected message");
      }
    } catch (const JobTimedOut& e) {
      w.reap(true);
      fault(std::move(keep), "timeout", e.what());
    } catch (const JobAbandoned&) {
      keep.reset();  // hlsfsd stops: no replacement
      throw;
    } catch (const ChannelError& e) {
      fault(std::move(keep), "crash", std::string("the worker is gone: ") + w.reap(true));
    }
  }
}

std::vector<SegmentResult> WorkerPool::run_segment(const WorkerJob& job, WorkerSources& sources,
                                                   EncodeProgress* progress) {
  std::vector<int> outputs;
  struct Closer {
    std::vector<int>& fds;
    ~Closer() {
      for (int fd : fds) close(fd);
    }
  } closer{outputs};
  for (size_t i = 0; i < job.tokens.size(); ++i) {
    int fd = memfd_create("hlsfs-segment", MFD_CLOEXEC);
    if (fd < 0) throw std::runtime_error(std::string("memfd_create: ") + strerror(errno));
    outputs.push_back(fd);
  }
  std::unique_ptr<Worker> w = acquire();
  Worker& worker = *w;
  std::string answer = drive(worker, job, sources, outputs, progress, w);
  std::vector<SegmentResult> segs(job.tokens.size());
  try {
    for (size_t i = 0; i < segs.size(); ++i) segs[i].bytes = read_memfd(outputs[i]);
    read_results(nlohmann::json::parse(answer), segs);
  } catch (const std::exception& e) {
    fault(std::move(w), "protocol", std::string("the worker's answer does not hold: ") + e.what());
  }
  release(std::move(w));
  return segs;
}

MediaInfo WorkerPool::run_probe(const WorkerJob& job, WorkerSources& sources) {
  std::unique_ptr<Worker> w = acquire();
  Worker& worker = *w;
  std::string answer = drive(worker, job, sources, {}, nullptr, w);
  MediaInfo m;
  try {
    m = nlohmann::json::parse(answer).at("Media").get<MediaInfo>();
  } catch (const std::exception& e) {
    fault(std::move(w), "protocol", std::string("the worker's probe does not hold: ") + e.what());
  }
  release(std::move(w));
  return m;
}

}  // namespace hlsfs

// The worker processes for real: a pool of hlsfs-worker started from this
// test's build directory, a clip made with the ffmpeg CLI, and each fault
// made to happen by the worker's fail points.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "actors/transcoder/job_deadline.h"
#include "actors/worker/channel.h"
#include "actors/worker/quarantine.h"
#include "actors/worker/worker_pool.h"

using namespace hlsfs;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
  std::string t = (fs::temp_directory_path() / "hlsfs-worker-test-XXXXXX").string();
  if (!mkdtemp(t.data())) throw std::runtime_error("mkdtemp");
  return t;
}

std::string self_exe() { return fs::read_symlink("/proc/self/exe").string(); }

// A 2 s clip, made once.
const std::string& clip() {
  static std::string path = [] {
    fs::path dir = temp_dir();
    std::string p = (dir / "clip.mp4").string();
    std::string cmd = "ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=160x120:rate=25 -t 2 -c:v libx264 " + p;
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("ffmpeg failed");
    return p;
  }();
  return path;
}

WorkerJob probe_job(const std::string& failpoint = "") {
  WorkerJob job;
  job.kind = "probe";
  WorkerSource src;
  src.id.uri = "file://" + clip();
  src.id.size = static_cast<int64_t>(fs::file_size(clip()));
  src.id.version = "1";
  src.local = true;
  job.sources.push_back(src);
  job.failpoint = failpoint;
  return job;
}

WorkerSources local_source() {
  WorkerSources s;
  s.fds.push_back(open(clip().c_str(), O_RDONLY | O_CLOEXEC));
  return s;
}

struct Pool {
  fs::path scratch = temp_dir();
  std::vector<std::string> faults;
  std::unique_ptr<WorkerPool> pool;
  explicit Pool(int64_t memory = 1LL << 30) {
    WorkerPoolOptions opt;
    opt.binary = find_worker_binary(self_exe());
    opt.workers = 1;
    opt.job_memory = memory;
    opt.scratch_parent = scratch.string();
    pool = std::make_unique<WorkerPool>(opt);
    pool->on_fault([this](const std::string& kind, const std::string&) { faults.push_back(kind); });
  }
  ~Pool() {
    pool.reset();
    fs::remove_all(scratch);
  }
};

}  // namespace

TEST(WorkerChannel, CarriesMessagesAndDescriptors) {
  int fds[2];
  make_channel_pair(fds);
  Channel a(fds[0]), b(fds[1]);
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  // Larger than a socket's buffer: sent from another thread while received.
  std::thread sender([&] { a.send(WorkerMsg::job, std::string(300000, 'x'), {pipefd[0]}); });
  WorkerMsg type;
  std::string payload;
  std::vector<int> got;
  ASSERT_EQ(b.receive(type, payload, &got, 2000), Channel::Got::message);
  EXPECT_EQ(type, WorkerMsg::job);
  EXPECT_EQ(payload.size(), 300000u);
  sender.join();
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(write(pipefd[1], "z", 1), 1);
  char c = 0;
  EXPECT_EQ(read(got[0], &c, 1), 1);
  EXPECT_EQ(c, 'z');
  close(got[0]);
  close(pipefd[0]);
  close(pipefd[1]);
  EXPECT_EQ(b.receive(type, payload, nullptr, 50), Channel::Got::timeout);
}

TEST(WorkerChannel, RefusesAHostileLength) {
  int fds[2];
  make_channel_pair(fds);
  Channel b(fds[1]);
  const unsigned char head[8] = {13, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f};  // "done", 2 GiB
  ASSERT_EQ(write(fds[0], head, sizeof head), 8);
  WorkerMsg type;
  std::string payload;
  EXPECT_THROW(b.receive(type, payload, nullptr, 1000), ChannelError);
  close(fds[0]);
}

TEST(Quarantine, ThreeFaultsOfOneVersionThenClear) {
  fs::path dir = temp_dir();
  std::string file = (dir / "q.json").string();
  SourceIdentity id{"file:///m/bad.mkv", 10, "v1"};
  {
    Quarantine q(file);
    EXPECT_EQ(q.record(id, "crash", "killed by signal 11"), 1);
    EXPECT_EQ(q.record(id, "crash", "killed by signal 11"), 2);
    EXPECT_FALSE(q.check(id));
    EXPECT_EQ(q.record(id, "timeout", "no progress for 20 s"), 3);
    ASSERT_TRUE(q.check(id));
    EXPECT_NE(q.check(id)->find("quarantined after 3 worker faults (last: timeout"), std::string::npos);
  }
  Quarantine again(file);  // kept across a restart
  ASSERT_TRUE(again.check(id));
  SourceIdentity changed{"file:///m/bad.mkv", 11, "v2"};
  EXPECT_FALSE(again.check(changed));  // a new version of the file is a new file
  EXPECT_EQ(again.list().size(), 1u);
  EXPECT_TRUE(again.clear(id.uri));
  EXPECT_FALSE(again.check(id));
  EXPECT_FALSE(Quarantine(file).check(id));
  fs::remove_all(dir);
}

TEST(WorkerPool, ProbesInAWorker) {
  Pool p;
  WorkerSources src = local_source();
  MediaInfo m = p.pool->run_probe(probe_job(), src);
  ASSERT_EQ(m.streams.size(), 1u);
  EXPECT_EQ(m.streams[0].width, 160);
  EXPECT_TRUE(p.faults.empty());
}

TEST(WorkerPool, ACrashCostsOneJob) {
  Pool p;
  WorkerSources src = local_source();
  auto t0 = std::chrono::steady_clock::now();
  try {
    p.pool->run_probe(probe_job("crash:clip"), src);
    FAIL() << "a crashed worker answered";
  } catch (const WorkerFault& f) {
    EXPECT_EQ(f.kind, "crash");
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer catches the SIGSEGV, reports it and exits 1.
    EXPECT_NE(std::string(f.what()).find("exited with status"), std::string::npos) << f.what();
#else
    EXPECT_NE(std::string(f.what()).find("signal 11"), std::string::npos) << f.what();
#endif
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  WorkerSources again = local_source();
  EXPECT_EQ(p.pool->run_probe(probe_job(), again).streams.size(), 1u);  // a replacement took over
  EXPECT_EQ(p.faults, std::vector<std::string>{"crash"});
}

TEST(WorkerPool, MemoryBeyondTheLimitIsRefused) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "the ASan build runs workers without an address-space limit (sandbox.cpp)";
#endif
  Pool p(512LL << 20);
  WorkerSources src = local_source();
  try {
    p.pool->run_probe(probe_job("memory:clip"), src);
    FAIL() << "unbounded allocation succeeded";
  } catch (const WorkerFault& f) {
    EXPECT_EQ(f.kind, "memory") << f.what();
  }
  WorkerSources again = local_source();
  EXPECT_EQ(p.pool->run_probe(probe_job(), again).streams.size(), 1u);
}

TEST(WorkerPool, AHangEndsAtTheDeadline) {
  Pool p;
  WorkerSources src = local_source();
  DeadlineScope scope(std::make_shared<ProgressDeadline>(std::chrono::milliseconds(800), "the test"));
  auto t0 = std::chrono::steady_clock::now();
  try {
    p.pool->run_probe(probe_job("hang:clip"), src);
    FAIL() << "a hung worker answered";
  } catch (const WorkerFault& f) {
    EXPECT_EQ(f.kind, "timeout") << f.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2500));
}

TEST(WorkerPool, TheSandboxKillsASocket) {
  Pool p;
  WorkerSources src = local_source();
  try {
    p.pool->run_probe(probe_job("socket:clip"), src);
    FAIL() << "socket() was allowed";
  } catch (const WorkerFault& f) {
    EXPECT_EQ(f.kind, "sandbox") << f.what();
  }
}

TEST(WorkerPool, TheSandboxRefusesANewFile) {
  Pool p;
  WorkerSources src = local_source();
  try {
    p.pool->run_probe(probe_job("open:clip"), src);
    FAIL() << "the worker opened /etc/passwd";
  } catch (const WorkerFault&) {
    FAIL() << "a refused open is not a fault of the worker";
  } catch (const MediaError& e) {
    EXPECT_NE(std::string(e.what()).find("opening /etc/passwd was refused"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(p.pool->landlock());
}

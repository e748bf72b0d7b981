// StateStore against a real RocksDB in a temporary directory (no mocks),
// including a crash test that SIGKILLs a writer process.
#include "actors/segment_cache/state_store.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

extern char** environ;

namespace hlsfs {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  std::string path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "hlsfs-state-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl + "/db";  // a missing leaf: open() must create it
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(fs::path(path).parent_path(), ec);
  }
};

SegmentRecord rec(int64_t size, int64_t atime, uint32_t where = SegmentRecord::kLocal) {
  SegmentRecord r;
  r.size = size;
  r.checksum = std::string(64, 'a');
  r.where = where;
  r.created_ms = atime;
  r.last_access_ms = atime;
  return r;
}

using Entry = std::tuple<int64_t, std::string, uint32_t>;
std::vector<Entry> by_age(StateStore& st) {
  std::vector<Entry> out;
  st.for_each_by_age([&](int64_t ms, const std::string& t, uint32_t n) {
    out.emplace_back(ms, t, n);
    return true;
  });
  return out;
}

std::string expect_state_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const StateError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected StateError";
  return "";
}

// ---- encoding --------------------------------------------------------------

TEST(SegmentRecordCodec, RoundTrips) {
  SegmentRecord r = rec(123456789012, 1700000000123, SegmentRecord::kLocal | SegmentRecord::kRemote);
  r.created_ms = 1600000000000;
  std::string bytes = encode_segment_record(r);
  EXPECT_EQ(bytes.size(), 30u + 64u);
  EXPECT_EQ(bytes[0], 1);  // version byte
  EXPECT_EQ(decode_segment_record(bytes, "x"), r);
  r.checksum.clear();
  EXPECT_EQ(decode_segment_record(encode_segment_record(r), "x"), r);
}

TEST(SegmentRecordCodec, RejectsCorruptValues) {
  std::string good = encode_segment_record(rec(10, 20));
  EXPECT_NE(expect_state_error([] { decode_segment_record("", "segments/k"); }).find("segments/k: corrupt"),
            std::string::npos);
  std::string v2 = good;
  v2[0] = 2;
  EXPECT_NE(expect_state_error([&] { decode_segment_record(v2, "k"); }).find("version 2"), std::string::npos);
  EXPECT_NE(expect_state_error([&] { decode_segment_record(good.substr(0, 12), "k"); }).find("too short"),
            std::string::npos);
  EXPECT_NE(expect_state_error([&] { decode_segment_record(good + "x", "k"); }).find("expected"), std::string::npos);
  std::string neg = encode_segment_record(rec(-1, 20));
  EXPECT_NE(expect_state_error([&] { decode_segment_record(neg, "k"); }).find("negative size"), std::string::npos);
}

// ---- sources and playlists -------------------------------------------------

TEST(StateStore, SourcesAndPlaylistsPersist) {
  TempDir dir;
  {
    auto st = StateStore::open(dir.path);
    st->put_source(StateStore::source_key("file:///m/a.mkv", "123:456"), "probe-a");
    st->put_source(StateStore::source_key("file:///m/a.mkv", "123:789"), "probe-a2");
    st->put_playlist("bbbb", R"({"b":1})");
    st->put_playlist("aaaa", R"({"a":1})");
    st->put_playlist("cccc", R"({"c":1})");
    st->delete_playlist("cccc");
    EXPECT_EQ(st->get_source("file:///m/a.mkv\n123:456"), "probe-a");
    EXPECT_FALSE(st->get_source("file:///m/a.mkv\n0:0"));
  }
  auto st = StateStore::open(dir.path);
  EXPECT_EQ(st->get_source("file:///m/a.mkv\n123:456"), "probe-a");
  EXPECT_EQ(st->get_source("file:///m/a.mkv\n123:789"), "probe-a2");
  EXPECT_EQ(st->get_playlist("aaaa"), R"({"a":1})");
  EXPECT_FALSE(st->get_playlist("cccc"));
  std::vector<std::string> tokens;
  st->for_each_playlist([&](const std::string& t, const std::string&) {
    tokens.push_back(t);
    return true;
  });
  EXPECT_EQ(tokens, (std::vector<std::string>{"aaaa", "bbbb"}));
  tokens.clear();
  st->for_each_playlist([&](const std::string& t, const std::string&) {
    tokens.push_back(t);
    return false;
  });
  EXPECT_EQ(tokens.size(), 1u);
}

// ---- segments --------------------------------------------------------------

TEST(StateStore, SegmentsPutGetDeleteAndCounters) {
  TempDir dir;
  auto st = StateStore::open(dir.path);
  st->put_segment("tok", 2, rec(100, 1000));
  st->put_segment("tok", 10, rec(200, 1001, SegmentRecord::kRemote));
  st->put_segment("tok", 100, rec(300, 1002));
  st->put_segment("tok0", 1, rec(5, 1003));  // sorts right after "tok/": must not leak into "tok"
  st->put_segment("to", 1, rec(7, 1004));
  EXPECT_EQ(st->segment_count(), 5);
  EXPECT_EQ(st->total_bytes(), 612);
  EXPECT_EQ(st->local_bytes(), 412);
  EXPECT_EQ(st->get_segment("tok", 10), rec(200, 1001, SegmentRecord::kRemote));
  EXPECT_FALSE(st->get_segment("tok", 3));

  st->put_segment("tok", 10, rec(250, 1005));  // replace: counters follow, atime entry moves
  EXPECT_EQ(st->segment_count(), 5);
  EXPECT_EQ(st->total_bytes(), 662);
  EXPECT_EQ(st->local_bytes(), 662);

  std::vector<uint32_t> ns;
  st->for_each_segment("tok", [&](const std::string& t, uint32_t n, const SegmentRecord&) {
    EXPECT_EQ(t, "tok");
    ns.push_back(n);
    return true;
  });
  EXPECT_EQ(ns, (std::vector<uint32_t>{2, 10, 100}));
  std::vector<std::string> all;
  st->for_each_segment("", [&](const std::string& t, uint32_t n, const SegmentRecord&) {
    all.push_back(t + "/" + std::to_string(n));
    return true;
  });
  EXPECT_EQ(all, (std::vector<std::string>{"to/1", "tok/2", "tok/10", "tok/100", "tok0/1"}));

  auto removed = st->delete_segment("tok", 2);
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->size, 100);
  EXPECT_FALSE(st->delete_segment("tok", 2));
  EXPECT_FALSE(st->get_segment("tok", 2));
  EXPECT_EQ(st->segment_count(), 4);
  EXPECT_EQ(st->total_bytes(), 562);
  EXPECT_EQ(by_age(*st).size(), 4u);
  EXPECT_EQ(st->check_consistency(), std::vector<std::string>{});
}

TEST(StateStore, SegmentsAndCountersPersist) {
  TempDir dir;
  {
    auto st = StateStore::open(dir.path);
    for (uint32_t n = 0; n < 50; ++n) st->put_segment("t" + std::to_string(n % 3), n, rec(n + 1, 5000 - n));
    st->delete_segment("t0", 0);
    st->touch({{"t1", 1, 9000}});
  }
  auto st = StateStore::open(dir.path);
  EXPECT_EQ(st->segment_count(), 49);
  EXPECT_EQ(st->total_bytes(), 50 * 51 / 2 - 1);
  EXPECT_EQ(st->get_segment("t1", 1)->last_access_ms, 9000);
  EXPECT_EQ(std::get<0>(by_age(*st).back()), 9000);
  EXPECT_EQ(st->check_consistency(), std::vector<std::string>{});
}

TEST(StateStore, RejectsBadKeys) {
  TempDir dir;
  auto st = StateStore::open(dir.path);
  EXPECT_NE(expect_state_error([&] { st->put_segment("a/b", 1, rec(1, 1)); }).find("invalid segment token"),
            std::string::npos);
  expect_state_error([&] { st->put_segment("", 1, rec(1, 1)); });
  expect_state_error([&] { st->put_segment("a", StateStore::kMaxSegment + 1, rec(1, 1)); });
  expect_state_error([&] { st->put_segment("a", 1, rec(1, -5)); });
  expect_state_error([&] { st->touch({{"a", 1, -1}}); });
  EXPECT_EQ(st->segment_count(), 0);
}

// ---- access times ----------------------------------------------------------

TEST(StateStore, AtimeOrderAndTouchMovesEntries) {
  TempDir dir;
  auto st = StateStore::open(dir.path);
  // Times straddle byte boundaries to catch a non-big-endian key.
  st->put_segment("b", 1, rec(1, 256));
  st->put_segment("a", 2, rec(1, 255));
  st->put_segment("a", 1, rec(1, 70000));
  st->put_segment("c", 0, rec(1, 1));
  EXPECT_EQ(by_age(*st), (std::vector<Entry>{{1, "c", 0}, {255, "a", 2}, {256, "b", 1}, {70000, "a", 1}}));

  st->touch({{"c", 0, 80000},
             {"a", 2, 90000},
             {"a", 2, 85000},    // same segment twice: the latest time wins
             {"b", 1, 100},      // older than its record: ignored
             {"zz", 9, 99999}}); // no such segment: ignored
  EXPECT_EQ(by_age(*st), (std::vector<Entry>{{256, "b", 1}, {70000, "a", 1}, {80000, "c", 0}, {90000, "a", 2}}));
  EXPECT_EQ(st->get_segment("a", 2)->last_access_ms, 90000);
  EXPECT_EQ(st->get_segment("a", 2)->created_ms, 255);
  EXPECT_FALSE(st->get_segment("zz", 9));
  EXPECT_EQ(st->check_consistency(), std::vector<std::string>{});
}

TEST(StateStore, ForEachByAgeStopsEarlyAndGcCanDeleteWhileWalking) {
  TempDir dir;
  auto st = StateStore::open(dir.path);
  for (uint32_t n = 0; n < 100; ++n) st->put_segment("t", n, rec(10, 1000 + (n * 37) % 100));
  std::vector<Entry> seen;
  st->for_each_by_age([&](int64_t ms, const std::string& t, uint32_t n) {
    seen.emplace_back(ms, t, n);
    return seen.size() < 5;
  });
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(std::get<0>(seen[0]), 1000);
  EXPECT_EQ(std::get<0>(seen[4]), 1004);

  // A GC pass: evict oldest until under a budget, deleting from the callback.
  auto gc = [&](int64_t budget) {
    int visited = 0;
    st->for_each_by_age([&](int64_t ms, const std::string& t, uint32_t n) {
      ++visited;
      st->delete_segment(t, n, ms);
      return st->total_bytes() > budget;
    });
    return visited;
  };
  EXPECT_EQ(gc(900), 10);
  EXPECT_EQ(st->total_bytes(), 900);
  EXPECT_EQ(std::get<0>(by_age(*st).front()), 1010);

  // An entry older than everything evicted so far must still be found first.
  st->put_segment("old", 1, rec(10, 5));
  EXPECT_EQ(by_age(*st).front(), (Entry{5, "old", 1}));
  // Touching the oldest entry moves it to the back.
  st->touch({{"old", 1, 5000}});
  EXPECT_EQ(std::get<0>(by_age(*st).front()), 1010);
  EXPECT_EQ(by_age(*st).back(), (Entry{5000, "old", 1}));
  EXPECT_EQ(gc(500), 41);
  EXPECT_EQ(st->check_consistency(), std::vector<std::string>{});
}

TEST(StateStore, GcDoesNotEvictASegmentReadDuringItsWalk) {
  TempDir dir;
  auto st = StateStore::open(dir.path);
  st->put_segment("t", 1, rec(10, 100));
  st->put_segment("t", 2, rec(10, 200));
  std::vector<uint32_t> evicted;
  st->for_each_by_age([&](int64_t ms, const std::string& t, uint32_t n) {
    if (n == 1) st->touch({{"t", 2, 300}});  // t/2 is read while GC looks at t/1
    if (st->delete_segment(t, n, ms)) evicted.push_back(n);
    return true;
  });
  EXPECT_EQ(evicted, std::vector<uint32_t>{1});  // the walk still saw t/2 at 200, but it was read since
  EXPECT_EQ(st->get_segment("t", 2)->last_access_ms, 300);
  EXPECT_EQ(st->check_consistency(), std::vector<std::string>{});
}

TEST(StateStore, ConcurrentWritersStayConsistent) {
  TempDir dir;
  auto st = StateStore::open(dir.path);
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937 rng(w);
      for (int i = 0; i < 2000; ++i) {
        uint32_t n = rng() % 50;  // the same 50 segments for every thread: real contention
        int64_t t = 1000 + static_cast<int64_t>(rng() % 100000);
        switch (rng() % 4) {
          case 0: st->put_segment("s", n, rec(n, t)); break;
          case 1: st->delete_segment("s", n); break;
          default: st->touch({{"s", n, t}, {"s", (n + 1) % 50, t + 1}}); break;
        }
      }
    });
  }
  threads.emplace_back([&] {  // a GC walking meanwhile
    for (int i = 0; i < 50; ++i)
      st->for_each_by_age([&](int64_t, const std::string& t, uint32_t n) {
        st->delete_segment(t, n);
        return false;
      });
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(st->check_consistency(), std::vector<std::string>{});
  int64_t walked = static_cast<int64_t>(by_age(*st).size());
  EXPECT_EQ(walked, st->segment_count());
}

// ---- corruption and diagnostics --------------------------------------------

// Opens the DB behind the store's back, to break it on purpose.
struct RawDb {
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> cf;  // default, sources, playlists, segments, atime, remote, catalog
  explicit RawDb(const std::string& path) {
    std::vector<rocksdb::ColumnFamilyDescriptor> descs;
    for (const char* name : {"default", "sources", "playlists", "segments", "atime", "remote", "catalog"})
      descs.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(), path, descs, &cf, &db);
    if (!s.ok()) throw std::runtime_error(s.ToString());
  }
  ~RawDb() {
    for (auto* h : cf) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  static std::string atime(uint64_t ms, const std::string& token, uint32_t n) {
    std::string k;
    for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>(ms >> (8 * i)));
    k += token;
    for (int i = 3; i >= 0; --i) k.push_back(static_cast<char>(n >> (8 * i)));
    return k;
  }
};

TEST(StateStore, RemoteCopiesByLastUseTouchedByReadsAndPersisted) {
  TempDir dir;
  using Use = std::tuple<int64_t, std::string, uint32_t>;
  auto uses = [](StateStore& st) {
    std::vector<Use> out;
    st.for_each_remote_by_age([&](int64_t ms, const std::string& t, uint32_t n) {
      out.emplace_back(ms, t, n);
      return true;
    });
    return out;
  };
  {
    auto st = StateStore::open(dir.path);
    st->put_remote("a", 1, RemoteCopy{"s3", "out/720p-a-1.ts", 1000, 256});
    st->put_remote("b", 2, RemoteCopy{"oss", "x/b-2.ts", 2000, 255});
    st->put_remote("a", 3, RemoteCopy{"s3", "out/720p-a-3.ts", 3000, 70000});
    st->put_remote("a", 3, RemoteCopy{"s3", "out/720p-a-3.ts", 3000, 100});  // replaced: its age entry moves
    EXPECT_EQ(uses(*st), (std::vector<Use>{{100, "a", 3}, {255, "b", 2}, {256, "a", 1}}));
    EXPECT_EQ(st->remote_count(), 3);
    // A read is a use of the copy, whether or not the segment is cached here.
    st->put_segment("b", 2, rec(2000, 300));
    st->touch({{"b", 2, 90000}, {"a", 1, 80000}, {"a", 3, 50}});  // a/3: older than its use, ignored
    EXPECT_EQ(uses(*st), (std::vector<Use>{{100, "a", 3}, {80000, "a", 1}, {90000, "b", 2}}));
    EXPECT_EQ(st->get_segment("b", 2)->last_access_ms, 90000);
    EXPECT_EQ(*st->get_remote("b", 2), (RemoteCopy{"oss", "x/b-2.ts", 2000, 90000}));
    EXPECT_EQ(st->check_consistency(), std::vector<std::string>{});
  }
  auto st = StateStore::open(dir.path);
  EXPECT_EQ(st->remote_count(), 3);
  EXPECT_EQ(*st->get_remote("a", 1), (RemoteCopy{"s3", "out/720p-a-1.ts", 1000, 80000}));
  EXPECT_FALSE(st->delete_remote("a", 1, 256));  // used since: kept
  EXPECT_EQ(st->delete_remote("a", 1, 80000)->key, "out/720p-a-1.ts");
  EXPECT_FALSE(st->get_remote("a", 1));
  EXPECT_FALSE(st->delete_remote("a", 1));
  EXPECT_EQ(st->remote_count(), 2);
  EXPECT_EQ(uses(*st), (std::vector<Use>{{100, "a", 3}, {90000, "b", 2}}));
  EXPECT_NE(expect_state_error([&] { st->put_remote("a", 4, RemoteCopy{"", "k", 1, 1}); }), "");
  EXPECT_EQ(st->check_consistency(), std::vector<std::string>{});
  {
    // The invariant checks cover the remote family too.
    st.reset();
    RawDb raw(dir.path);
    std::string age = "a" + RawDb::atime(90000, "b", 2);
    raw.db->Delete(rocksdb::WriteOptions(), raw.cf[5], age);
  }
  st = StateStore::open(dir.path);
  auto problems = st->check_consistency();
  ASSERT_EQ(problems.size(), 2u) << ::testing::PrintToString(problems);
  EXPECT_EQ(problems[0], "remote/cb/00000002: no age entry at its last use 90000");
  EXPECT_EQ(problems[1], "remote: 2 copies but 1 age entries");
}

TEST(StateStore, CheckConsistencyFindsBrokenInvariants) {
  TempDir dir;
  {
    auto st = StateStore::open(dir.path);
    st->put_segment("tok", 1, rec(10, 100));
    st->put_segment("tok", 2, rec(10, 200));
    EXPECT_EQ(st->check_consistency(), std::vector<std::string>{});
  }
  {
    RawDb raw(dir.path);
    raw.db->Delete(rocksdb::WriteOptions(), raw.cf[4], RawDb::atime(100, "tok", 1));  // record without entry
    raw.db->Put(rocksdb::WriteOptions(), raw.cf[4], RawDb::atime(50, "tok", 2), "");  // duplicate for tok/2
    raw.db->Put(rocksdb::WriteOptions(), raw.cf[4], RawDb::atime(60, "gone", 7), "");  // orphan
  }
  auto st = StateStore::open(dir.path);
  auto problems = st->check_consistency();
  ASSERT_EQ(problems.size(), 3u) << ::testing::PrintToString(problems);
  EXPECT_EQ(problems[0], "atime entry 50 tok/2 is a duplicate: the record's last access is 200");
  EXPECT_EQ(problems[1], "atime entry 60 gone/7 has no segment record");
  EXPECT_EQ(problems[2], "segment tok/1 has no atime entry (last access 100)");
}

TEST(StateStore, OpenRejectsCorruptSegmentRecord) {
  TempDir dir;
  StateStore::open(dir.path)->put_segment("tok", 3, rec(10, 100));
  {
    RawDb raw(dir.path);
    raw.db->Put(rocksdb::WriteOptions(), raw.cf[3], "tok/00000003", "\x07garbage");
  }
  std::string msg = expect_state_error([&] { StateStore::open(dir.path); });
  EXPECT_NE(msg.find(dir.path + ": segments/tok/00000003: corrupt segment record: version 7"), std::string::npos)
      << msg;
}

TEST(StateStore, SecondOpenOfTheSameDirFailsClearly) {
  TempDir dir;
  auto st = StateStore::open(dir.path);
  std::string msg = expect_state_error([&] { StateStore::open(dir.path); });
  EXPECT_NE(msg.find(dir.path + ": cannot open RocksDB: "), std::string::npos) << msg;
  EXPECT_NE(msg.find("another hlsfsd"), std::string::npos) << msg;
}

// ---- crash safety ----------------------------------------------------------

// The writer half of the crash test: runs only in the child process, which
// is this binary exec'ed afresh (a plain fork of a process with RocksDB
// threads would inherit locks and thread pools in an unusable state).
const char* const kCrashDirEnv = "HLSFS_STATE_CRASH_DIR";
const char* const kCrashFdEnv = "HLSFS_STATE_CRASH_FD";

TEST(StateStoreCrashChild, DISABLED_Writer) {
  const char* path = getenv(kCrashDirEnv);
  const char* fd_text = getenv(kCrashFdEnv);
  if (!path || !fd_text) GTEST_SKIP() << "only run by the crash test";
  int fd = atoi(fd_text);
  StateOptions opts;
  opts.write_buffer_size = 64 << 10;  // small memtables: flushes and compactions happen during the kill window
  auto st = StateStore::open(path, opts);
  std::mt19937 rng(getpid());
  int64_t now = st->get_segment("seq", 0) ? st->get_segment("seq", 0)->last_access_ms : 1;
  for (uint64_t i = 1;; ++i) {
    std::string token = "tok" + std::to_string(rng() % 20);
    uint32_t n = rng() % 500;
    switch (rng() % 8) {
      case 0: st->delete_segment(token, n); break;
      case 1:
      case 2: {
        std::vector<std::tuple<std::string, uint32_t, int64_t>> batch;
        for (int k = 0; k < 30; ++k) batch.emplace_back("tok" + std::to_string(rng() % 20), rng() % 500, ++now);
        st->touch(batch);
        break;
      }
      default: st->put_segment(token, n, rec(1000 + rng() % 100000, ++now)); break;
    }
    // Acknowledged progress: once the parent has read i, "seq" must say >= i.
    st->put_segment("seq", 0, rec(static_cast<int64_t>(i), ++now));
    if (write(fd, &i, sizeof i) != sizeof i) _exit(3);
  }
}

// Runs the writer in a child until a random moment, SIGKILLs it, returns the
// last progress number it acknowledged.
uint64_t run_and_kill_writer(const std::string& path, std::mt19937& rng) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  // Everything the child needs is prepared before fork: only exec after it.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  env_strings.push_back(std::string(kCrashDirEnv) + "=" + path);
  env_strings.push_back(std::string(kCrashFdEnv) + "=" + std::to_string(fds[1]));
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string a0 = "state_tests", a1 = "--gtest_filter=StateStoreCrashChild.DISABLED_Writer",
              a2 = "--gtest_also_run_disabled_tests", a3 = "--gtest_brief=1";
  char* argv[] = {a0.data(), a1.data(), a2.data(), a3.data(), nullptr};
  int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(fds[0]);
    dup2(devnull, 1);  // keep the child's gtest chatter out of the report
    execve("/proc/self/exe", argv, envp.data());
    _exit(127);
  }
  close(fds[1]);
  close(devnull);

  uint64_t last = 0;
  auto drain = [&](int timeout_ms) {  // false at EOF
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return true;
    uint64_t buf[512];
    ssize_t got = read(fds[0], buf, sizeof buf);  // writes of 8 bytes are atomic: whole numbers only
    if (got <= 0) return false;
    if (got >= 8) last = buf[got / 8 - 1];
    return true;
  };
  // Wait until the child has opened the DB and written something, then a
  // random 10-600 ms more.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (last == 0 && std::chrono::steady_clock::now() < give_up && drain(100)) {
  }
  auto kill_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(10 + rng() % 590);
  while (std::chrono::steady_clock::now() < kill_at && drain(5)) {
  }
  kill(pid, SIGKILL);
  while (drain(1000)) {
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "writer exited early, status " << status;
  return last;
}

TEST(StateStoreCrash, SigkillAtRandomMomentsLeavesConsistentState) {
  TempDir dir;
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < 8; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    uint64_t acknowledged = run_and_kill_writer(dir.path, rng);
    ASSERT_GT(acknowledged, 0u) << "the writer never made progress";
    auto st = StateStore::open(dir.path);
    EXPECT_EQ(st->check_consistency(), std::vector<std::string>{});
    auto seq = st->get_segment("seq", 0);
    ASSERT_TRUE(seq);
    EXPECT_GE(seq->size, static_cast<int64_t>(acknowledged)) << "an acknowledged write was lost";
    EXPECT_EQ(static_cast<int64_t>(by_age(*st).size()), st->segment_count());
  }
}

// ---- benchmark (on demand: --gtest_also_run_disabled_tests) ----------------

TEST(StateStoreBench, DISABLED_MillionSegmentsEvictOldestThousand) {
  TempDir dir;
  auto st = StateStore::open(dir.path);
  using clock = std::chrono::steady_clock;
  auto secs = [](clock::time_point a) { return std::chrono::duration<double>(clock::now() - a).count(); };
  std::mt19937 rng(1);
  auto t0 = clock::now();
  for (uint32_t i = 0; i < 1000000; ++i)  // 1000 tokens x 1000 segments, access times in random order
    st->put_segment("token" + std::to_string(i % 1000), i / 1000, rec(1000000, 1000000 + rng() % 100000000));
  printf("put 1,000,000 segments: %.1f s, %.1f MB written\n", secs(t0), st->bytes_written() / 1e6);

  for (int pass = 1; pass <= 3; ++pass) {
    auto before = st->write_stats();
    auto t1 = clock::now();
    int evicted = 0;
    st->for_each_by_age([&](int64_t, const std::string& t, uint32_t n) {
      st->delete_segment(t, n);
      return ++evicted < 1000;
    });
    auto after = st->write_stats();
    printf("pass %d: evict 1,000 oldest: %.2f ms, user %lld B, WAL %lld B (flush+compaction meanwhile %lld B)\n",
           pass, secs(t1) * 1e3, static_cast<long long>(after.user - before.user),
           static_cast<long long>(after.wal - before.wal),
           static_cast<long long>(after.flush + after.compaction - before.flush - before.compaction));
  }
  auto t2 = clock::now();
  EXPECT_EQ(st->check_consistency(), std::vector<std::string>{});
  printf("check_consistency: %.1f s\n", secs(t2));
  auto t3 = clock::now();
  st.reset();
  printf("close: %.1f s\n", secs(t3));
  auto t4 = clock::now();
  st = StateStore::open(dir.path);
  printf("reopen (WAL replay, counter scan): %.1f s, %lld segments\n", secs(t4),
         static_cast<long long>(st->segment_count()));
  st.reset();
  auto t5 = clock::now();
  st = StateStore::open(dir.path);
  printf("reopen again: %.1f s\n", secs(t5));
}

}  // namespace
}  // namespace hlsfs

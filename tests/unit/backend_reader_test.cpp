// Block reads with read-ahead over the real local plugin: what a reader
// costs in backend requests and bytes.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "tests/unit/storage_test_support.h"
#include "actors/storage/backend_reader.h"

using namespace hlsfs;
using namespace hlsfs::testing;
namespace fs = std::filesystem;

namespace {



constexpr int64_t KiB = 1024, MiB = 1024 * 1024;

// A sparse file of `size` bytes whose byte at offset i is marker(i) every 4 KiB.
char marker(int64_t off) { return static_cast<char>('a' + (off / 4096) % 26); }
void make_big(const std::string& path, int64_t size) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, size), 0);
  for (int64_t off = 0; off < size; off += 4096) {
    char c = marker(off);
    ASSERT_EQ(pwrite(fd, &c, 1, off), 1);
  }
  close(fd);
}

struct Fixture {
  TempDir dir;
  std::shared_ptr<Backend> backend;
  std::shared_ptr<BlockCache> cache;
  std::shared_ptr<ReadStats> stats = std::make_shared<ReadStats>();
  int64_t size;

  explicit Fixture(int64_t big_size, ReadCacheOptions opt = {}) : size(big_size) {
    make_big(dir.path + "/big.bin", size);
    backend = Backend::load({plugin_dir()}, "local", "media", {{"root", dir.path}});
    cache = std::make_shared<BlockCache>(opt);
  }
  BackendReader reader(const std::string& key = "big.bin") {
    return BackendReader(backend, key, "v1", size, cache, stats);
  }
};

}  // namespace

TEST(BackendReader, SmallReadFarIntoABigFileFetchesOneBlock) {
  Fixture f(64 * MiB);
  BackendReader r = f.reader();
  r.seek(50 * MiB + 100);
  char buf[100];
  ASSERT_EQ(r.read(buf, sizeof buf), 100);
  EXPECT_EQ(buf[0], 0);
  EXPECT_EQ(r.tell(), 50 * MiB + 200);
  EXPECT_EQ(f.stats->read_requests, 1);
  EXPECT_EQ(f.stats->bytes_fetched, 256 * KiB);
}

TEST(BackendReader, ReadingForwardGrowsTheRequests) {
  Fixture f(64 * MiB);
  BackendReader r = f.reader();
  r.seek(10 * MiB);
  std::string buf(4 * MiB, '\0');
  ASSERT_EQ(r.read(buf.data(), 4 * MiB), 4 * MiB);
  for (int64_t off = 0; off < 4 * MiB; off += 4096) ASSERT_EQ(buf[off], marker(10 * MiB + off)) << off;
  // 16 blocks in runs of 1, 2, 4, 4, 4, 4: the last run reads 3 blocks ahead.
  EXPECT_EQ(f.stats->read_requests, 6);
  EXPECT_LE(f.stats->bytes_fetched, 4 * MiB + 3 * 256 * KiB);
}

TEST(BackendReader, ReadsStopAtTheEnd) {
  Fixture f(1 * MiB + 10);
  BackendReader r = f.reader();
  r.seek(f.size - 4);
  char buf[100];
  EXPECT_EQ(r.read(buf, sizeof buf), 4);
  EXPECT_EQ(r.read(buf, sizeof buf), 0);
  r.seek(f.size + 1000);
  EXPECT_EQ(r.read(buf, sizeof buf), 0);
  r.seek(1 * MiB);
  EXPECT_EQ(r.read(buf, sizeof buf), 10);
  EXPECT_EQ(buf[0], marker(1 * MiB));
}

TEST(BackendReader, ReadersOfOneCacheShareBlocks) {
  Fixture f(8 * MiB);
  std::string a(8 * MiB, '\0'), b(8 * MiB, '\0');
  std::thread t1([&] {
    BackendReader r = f.reader();
    EXPECT_EQ(r.read(a.data(), 8 * MiB), 8 * MiB);
  });
  std::thread t2([&] {
    BackendReader r = f.reader();
    EXPECT_EQ(r.read(b.data(), 8 * MiB), 8 * MiB);
  });
  t1.join();
  t2.join();
  EXPECT_EQ(a, b);
  EXPECT_EQ(f.stats->bytes_fetched, 8 * MiB);  // each block fetched once
}

TEST(BackendReader, CacheStaysWithinItsCapacity) {
  ReadCacheOptions opt;
  opt.capacity_bytes = 1 * MiB;
  Fixture f(8 * MiB, opt);
  std::string buf(8 * MiB, '\0');
  EXPECT_EQ(f.reader().read(buf.data(), 8 * MiB), 8 * MiB);
  EXPECT_EQ(f.reader().read(buf.data(), 8 * MiB), 8 * MiB);
  EXPECT_EQ(f.stats->bytes_fetched, 16 * MiB);  // evicted, so fetched again
  BackendReader r = f.reader();
  r.seek(7 * MiB);
  EXPECT_EQ(r.read(buf.data(), 100), 100);
  EXPECT_EQ(f.stats->bytes_fetched, 16 * MiB);  // the last blocks are still there
}

TEST(BackendReader, ErrorsAreRaisedAndSticky) {
  Fixture f(4 * MiB);
  BackendReader r = f.reader();
  char buf[10];
  ASSERT_EQ(r.read(buf, 10), 10);
  f.backend->remove("big.bin");
  r.seek(3 * MiB);
  try {
    r.read(buf, 10);
    FAIL() << "no error";
  } catch (const BackendError& e) {
    EXPECT_EQ(e.code, -ENOENT);
    EXPECT_STREQ(e.what(), "store \"media\": big.bin: No such file or directory");
  }
  int64_t requests = f.stats->read_requests;
  r.seek(2 * MiB);
  EXPECT_THROW(r.read(buf, 10), BackendError);
  EXPECT_EQ(f.stats->read_requests, requests);  // no new request to a failed source
}

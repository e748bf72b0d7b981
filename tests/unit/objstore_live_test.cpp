// The s3 and oss plugins, loaded through Backend::load as the daemon loads
// them, against a live S3 server (moto_server): run by
// tests/integration/s3_backend.sh, which starts the servers and sets
//   HLSFS_S3_ENDPOINT, HLSFS_S3_BUCKET, HLSFS_S3_ACCESS_KEY_ID, HLSFS_S3_SECRET_ACCESS_KEY
//       a server that checks every signature (moto with an IAM user);
//   HLSFS_S3_SERVER_PID      its pid, to pause it (a server that stops answering);
//   HLSFS_OPEN_ENDPOINT, HLSFS_OPEN_BUCKET
//       a server that checks none (moto cannot check OSS signatures);
//   HLSFS_OPEN_STOP, HLSFS_OPEN_START
//       shell commands that stop it and start it again (bucket included);
//   HLSFS_SLOWDOWN_ENDPOINT  a server answering every request with 503 SlowDown.
// A test whose variables are not set is skipped.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include "actors/storage/backend.h"
#include "tests/unit/storage_test_support.h"

using namespace hlsfs;

namespace {

std::string env(const char* name) {
  const char* v = getenv(name);
  return v ? v : "";
}

using hlsfs::testing::error_of;
using hlsfs::testing::plugin_dir;

#define NEED_ENV(...)                                                            \
  for (const char* v : {__VA_ARGS__})                                            \
    if (env(v).empty()) GTEST_SKIP() << v << " not set (see s3_backend.sh)"

using Config = std::map<std::string, std::string>;

Config s3_config(Config extra = {}) {
  Config c{{"endpoint", env("HLSFS_S3_ENDPOINT")},
           {"bucket", env("HLSFS_S3_BUCKET")},
           {"access_key_id", env("HLSFS_S3_ACCESS_KEY_ID")},
           {"secret_access_key", env("HLSFS_S3_SECRET_ACCESS_KEY")}};
  for (auto& [k, v] : extra) c[k] = v;
  return c;
}

Config open_config(Config extra = {}) {
  Config c{{"endpoint", env("HLSFS_OPEN_ENDPOINT")}, {"bucket", env("HLSFS_OPEN_BUCKET")}};
  for (auto& [k, v] : extra) c[k] = v;
  return c;
}

// moto keeps buckets per partition: a cn-* region would be another one.
Config oss_config(Config extra = {}) {
  Config c = open_config({{"access_key_id", "ak"}, {"access_key_secret", "sk"}, {"region", "us-east-1"}});
  for (auto& [k, v] : extra) c[k] = v;
  return c;
}

std::shared_ptr<Backend> load(const std::string& plugin, const std::string& store, const Config& c) {
  return Backend::load({plugin_dir()}, plugin, store, c);
}


std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::vector<std::string> keys_under(Backend& b, const std::string& prefix) {
  std::vector<std::string> keys;
  b.list(prefix, [&](const std::string& k, const ObjectStat&) {
    keys.push_back(k);
    return true;
  });
  return keys;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// write, stat, ranged reads, list, directories, remove: the whole data path.
void exercise_data_path(Backend& b, const std::string& dir) {
  const std::string body = "0123456789abcdefghij";
  b.write(dir + "/a.txt", body);
  b.write(dir + "/sub/b.ts", "bee");
  b.write(dir + "/empty", "");

  auto st = b.stat(dir + "/a.txt");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->size, 20);
  EXPECT_FALSE(st->is_dir);
  EXPECT_FALSE(st->etag.empty());
  int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_LT(std::llabs(st->mtime_ns - now_ns), 600LL * 1000000000LL);

  EXPECT_EQ(b.read(dir + "/a.txt", 3, 5), "34567");
  EXPECT_EQ(b.read(dir + "/a.txt", 15, 100), "fghij");  // short at the end
  EXPECT_EQ(b.read(dir + "/a.txt", 20, 5), "");          // at the end
  EXPECT_EQ(b.read(dir + "/a.txt", 999, 5), "");         // past it
  EXPECT_EQ(b.read_all(dir + "/a.txt"), body);
  EXPECT_EQ(b.read_all(dir + "/empty"), "");
  EXPECT_EQ(b.stat(dir + "/empty")->size, 0);

  // A key with objects under key/ is a directory.
  auto d = b.stat(dir + "/sub");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->is_dir);
  EXPECT_FALSE(b.stat(dir + "/nothing"));
  EXPECT_FALSE(b.stat(dir + "/su"));

  EXPECT_EQ(keys_under(b, dir + "/"), (std::vector<std::string>{dir + "/a.txt", dir + "/empty", dir + "/sub/b.ts"}));
  EXPECT_EQ(keys_under(b, dir + "/sub/"), (std::vector<std::string>{dir + "/sub/b.ts"}));
  EXPECT_EQ(keys_under(b, dir + "/e"), (std::vector<std::string>{dir + "/empty"}));

  // Overwrite, then remove (twice: a missing key is no error).
  b.write(dir + "/a.txt", "new");
  EXPECT_EQ(b.read_all(dir + "/a.txt"), "new");
  b.remove(dir + "/a.txt");
  b.remove(dir + "/a.txt");
  EXPECT_FALSE(b.stat(dir + "/a.txt"));
  BackendError missing = error_of([&] { b.read(dir + "/a.txt", 0, 10); });
  EXPECT_EQ(missing.code, -ENOENT);
  EXPECT_NE(std::string(missing.what()).find(dir + "/a.txt"), std::string::npos) << missing.what();
  for (const std::string& k : keys_under(b, dir + "/")) b.remove(k);
  EXPECT_TRUE(keys_under(b, dir + "/").empty());
}

// Above the threshold, a write is a multipart upload (ETag "...-<parts>").
void exercise_multipart(Backend& b, const std::string& key) {
  const std::string big = random_bytes((12 << 20) + 3, 7);
  b.write(key, big);
  auto st = b.stat(key);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->size, static_cast<int64_t>(big.size()));
  EXPECT_NE(st->etag.find("-3"), std::string::npos) << "not a 3-part upload: " << st->etag;
  const int64_t five = 5 << 20;
  EXPECT_EQ(b.read(key, five - 10, 20), big.substr(five - 10, 20));  // across a part boundary
  EXPECT_EQ(b.read(key, 2 * five, 4096), big.substr(2 * five, 4096));
  EXPECT_TRUE(b.read_all(key) == big);
  b.remove(key);
}

}  // namespace

// ---- S3, authentication enforced ----

TEST(S3Live, DataPathWithTheRightKey) {
  NEED_ENV("HLSFS_S3_ENDPOINT", "HLSFS_S3_BUCKET", "HLSFS_S3_ACCESS_KEY_ID");
  auto b = load("s3", "s3media", s3_config());
  EXPECT_EQ(b->plugin(), "s3");
  EXPECT_EQ(b->open_read("x"), std::nullopt);
  exercise_data_path(*b, "live");
}

TEST(S3Live, APrefixKeepsTheStoreInsideTheBucket) {
  NEED_ENV("HLSFS_S3_ENDPOINT", "HLSFS_S3_BUCKET", "HLSFS_S3_ACCESS_KEY_ID");
  auto whole = load("s3", "whole", s3_config());
  auto sub = load("s3", "sub", s3_config({{"prefix", "tenant/one"}}));
  sub->write("x/a.m3u8", "#EXTM3U\n");
  EXPECT_EQ(whole->read_all("tenant/one/x/a.m3u8"), "#EXTM3U\n");
  EXPECT_EQ(keys_under(*sub, ""), (std::vector<std::string>{"x/a.m3u8"}));
  sub->remove("x/a.m3u8");
}

TEST(S3Live, KeysThatNeedEncoding) {
  NEED_ENV("HLSFS_S3_ENDPOINT", "HLSFS_S3_BUCKET", "HLSFS_S3_ACCESS_KEY_ID");
  auto b = load("s3", "s3media", s3_config());
  const std::vector<std::string> keys = {"enc/a b+c$&=,;@.ts", "enc/\xC3\xA9t\xC3\xA9 \xE2\x82\xAC.m3u8",
                                         "enc/pct%41~x.mp4"};
  for (const auto& k : keys) b->write(k, "v:" + k);
  for (const auto& k : keys) EXPECT_EQ(b->read_all(k), "v:" + k) << k;
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(keys_under(*b, "enc/"), sorted);
  for (const auto& k : keys) b->remove(k);
}

TEST(S3Live, ListingFollowsContinuationTokens) {
  NEED_ENV("HLSFS_S3_ENDPOINT", "HLSFS_S3_BUCKET", "HLSFS_S3_ACCESS_KEY_ID");
  auto b = load("s3", "s3media", s3_config({{"list_page_size", "2"}}));
  std::vector<std::string> keys;
  for (int i = 0; i < 7; ++i) keys.push_back("pages/k" + std::to_string(i));
  for (const auto& k : keys) b->write(k, "x");
  EXPECT_EQ(keys_under(*b, "pages/"), keys);
  int seen = 0;  // the callback stops the listing
  b->list("pages/", [&](const std::string&, const ObjectStat&) { return ++seen < 3; });
  EXPECT_EQ(seen, 3);
  for (const auto& k : keys) b->remove(k);
}

// One level in pages (list_dir): delimiter "/" and start-after, a
// subdirectory once (its keys rolled up), in key order, each page after the
// last one's cursor.
TEST(S3Live, ListDirIsOneLevelInPages) {
  NEED_ENV("HLSFS_S3_ENDPOINT", "HLSFS_S3_BUCKET", "HLSFS_S3_ACCESS_KEY_ID");
  auto b = load("s3", "s3media", s3_config({{"list_page_size", "2"}}));
  const std::vector<std::string> keys = {"dirs/a.mp4", "dirs/b-x.mp4", "dirs/b/c.mp4", "dirs/b/d/e.mp4",
                                         "dirs/b.mp4", "dirs/z.mp4"};
  for (const auto& k : keys) b->write(k, "x");
  const std::vector<std::string> expected = {"dirs/a.mp4", "dirs/b-x.mp4", "dirs/b.mp4", "dirs/b/", "dirs/z.mp4"};
  for (int max : {1, 2, 100}) {
    std::vector<std::string> seen;
    std::string after;
    bool more = true;
    for (int pages = 0; more && pages < 20; ++pages) {
      size_t before = seen.size();
      more = b->list_dir("dirs/", after, max, [&](const std::string& k, const ObjectStat& st) {
        seen.push_back(k + (st.is_dir ? "/" : ""));
      });
      EXPECT_LE(seen.size() - before, static_cast<size_t>(max));
      if (seen.size() > before) after = seen.back().substr(std::string("dirs/").size());
    }
    EXPECT_EQ(seen, expected) << "pages of " << max;
  }
  for (const auto& k : keys) b->remove(k);
}

TEST(S3Live, MultipartAboveTheThreshold) {
  NEED_ENV("HLSFS_S3_ENDPOINT", "HLSFS_S3_BUCKET", "HLSFS_S3_ACCESS_KEY_ID");
  auto b = load("s3", "s3media", s3_config({{"multipart_threshold", "5MiB"}, {"part_size", "5MiB"}}));
  exercise_multipart(*b, "multi/big.bin");
}

TEST(S3Live, ManyThreadsShareOneStore) {
  NEED_ENV("HLSFS_S3_ENDPOINT", "HLSFS_S3_BUCKET", "HLSFS_S3_ACCESS_KEY_ID");
  auto b = load("s3", "s3media", s3_config());
  const std::string data = random_bytes(256 << 10, 3);
  b->write("threads/data.bin", data);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 15; ++i) {
        int64_t off = rng() % (data.size() - 5000), len = 1 + rng() % 4999;
        if (b->read("threads/data.bin", off, len) != data.substr(off, len)) ++wrong;
      }
      b->write("threads/t" + std::to_string(t), std::to_string(t));
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(keys_under(*b, "threads/t").size(), 8u);
  for (const auto& k : keys_under(*b, "threads/")) b->remove(k);
}

TEST(S3Live, WrongSecretIsRefusedWithAClearMessage) {
  NEED_ENV("HLSFS_S3_ENDPOINT", "HLSFS_S3_BUCKET", "HLSFS_S3_ACCESS_KEY_ID");
  auto good = load("s3", "s3media", s3_config());
  good->write("auth/k", "secret data");
  auto bad = load("s3", "media", s3_config({{"secret_access_key", "not-the-secret"}}));
  auto started = std::chrono::steady_clock::now();
  for (auto op : std::vector<std::function<void()>>{[&] { bad->write("auth/k", "x"); },
                                                    [&] { bad->read("auth/k", 0, 4); },
                                                    [&] { bad->stat("auth/k"); },  // HEAD: no body to say why
                                                    [&] { keys_under(*bad, "auth/"); }}) {
    BackendError e = error_of(op);
    std::string m = e.what();
    EXPECT_EQ(e.code, -EACCES) << m;
    EXPECT_NE(m.find("store \"media\""), std::string::npos) << m;
    EXPECT_NE(m.find("s3://" + env("HLSFS_S3_BUCKET") + "/auth/"), std::string::npos) << m;
    EXPECT_NE(m.find("HTTP 403 SignatureDoesNotMatch"), std::string::npos) << m;
    EXPECT_EQ(m.find("gave up"), std::string::npos) << "a 403 must not be retried: " << m;
    printf("  wrong secret: %s\n", m.c_str());
  }
  EXPECT_LT(seconds_since(started), 5.0);
  EXPECT_EQ(good->read_all("auth/k"), "secret data");  // nothing was overwritten
  good->remove("auth/k");
}

TEST(S3Live, UnknownKeyIdIsRefused) {
  NEED_ENV("HLSFS_S3_ENDPOINT", "HLSFS_S3_BUCKET", "HLSFS_S3_ACCESS_KEY_ID");
  auto bad = load("s3", "media", s3_config({{"access_key_id", "AKIAUNKNOWN000000000"}}));
  BackendError e = error_of([&] { bad->read("auth/k", 0, 1); });
  EXPECT_EQ(e.code, -EACCES) << e.what();
  EXPECT_NE(std::string(e.what()).find("InvalidAccessKeyId"), std::string::npos) << e.what();
}

TEST(S3Live, AServerThatStopsAnsweringTimesOutThenRecovers) {
  NEED_ENV("HLSFS_S3_ENDPOINT", "HLSFS_S3_BUCKET", "HLSFS_S3_ACCESS_KEY_ID", "HLSFS_S3_SERVER_PID");
  auto b = load("s3", "s3media", s3_config({{"retries", "2"}, {"connect_timeout", "1"}, {"request_timeout", "1"}}));
  b->write("pause/k", "before");
  pid_t pid = static_cast<pid_t>(std::stol(env("HLSFS_S3_SERVER_PID")));
  ASSERT_EQ(kill(pid, SIGSTOP), 0);
  auto started = std::chrono::steady_clock::now();
  BackendError e = error_of([&] { b->read("pause/k", 0, 6); });
  double took = seconds_since(started);
  ASSERT_EQ(kill(pid, SIGCONT), 0);
  printf("  server paused: %.1f s, %s\n", took, e.what());
  EXPECT_EQ(e.code, -ETIMEDOUT) << e.what();
  EXPECT_NE(std::string(e.what()).find("gave up after 3 attempts"), std::string::npos) << e.what();
  EXPECT_LT(took, 15.0);
  EXPECT_GE(took, 2.5);  // three attempts of about 1 s each
  EXPECT_EQ(b->read_all("pause/k"), "before");  // the same store works again
  b->remove("pause/k");
}

// ---- Without authentication: the OSS plugin's data path; a server that goes away ----

TEST(OssLive, DataPathV4) {
  NEED_ENV("HLSFS_OPEN_ENDPOINT", "HLSFS_OPEN_BUCKET");
  auto b = load("oss", "ossmedia", oss_config());
  EXPECT_EQ(b->plugin(), "oss");
  exercise_data_path(*b, "oss4");
}

TEST(OssLive, DataPathV1) {
  NEED_ENV("HLSFS_OPEN_ENDPOINT", "HLSFS_OPEN_BUCKET");
  auto b = load("oss", "ossmedia", oss_config({{"signature_version", "v1"}}));
  exercise_data_path(*b, "oss1");
}

TEST(OssLive, MultipartAboveTheThreshold) {
  NEED_ENV("HLSFS_OPEN_ENDPOINT", "HLSFS_OPEN_BUCKET");
  // moto wants S3's 5 MiB parts (OSS takes 100 KiB).
  auto b = load("oss", "ossmedia", oss_config({{"multipart_threshold", "5MiB"}, {"part_size", "5MiB"}}));
  exercise_multipart(*b, "ossmulti/big.bin");
}

TEST(OpenLive, AStoppedServerFailsFastThenRecovers) {
  NEED_ENV("HLSFS_OPEN_ENDPOINT", "HLSFS_OPEN_BUCKET", "HLSFS_OPEN_STOP", "HLSFS_OPEN_START");
  Config quick{{"retries", "2"}, {"connect_timeout", "2"}, {"request_timeout", "5"}};
  Config s3c = open_config({{"access_key_id", "ak"}, {"secret_access_key", "sk"}});
  s3c.insert(quick.begin(), quick.end());
  auto s3 = load("s3", "s3open", s3c);
  auto oss = load("oss", "ossopen", oss_config(quick));
  s3->write("down/k", "x");
  ASSERT_EQ(system(env("HLSFS_OPEN_STOP").c_str()), 0);
  for (auto* b : {s3.get(), oss.get()}) {
    auto started = std::chrono::steady_clock::now();
    BackendError e = error_of([&] { b->stat("down/k"); });
    double took = seconds_since(started);
    printf("  server stopped (%s): %.2f s, %s\n", b->plugin().c_str(), took, e.what());
    EXPECT_EQ(e.code, -EIO) << e.what();
    EXPECT_NE(std::string(e.what()).find("no answer from " + env("HLSFS_OPEN_ENDPOINT")), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("gave up after 3 attempts"), std::string::npos) << e.what();
    EXPECT_LT(took, 15.0);
  }
  ASSERT_EQ(system(env("HLSFS_OPEN_START").c_str()), 0);  // a new, empty server
  s3->write("down/k", "after");
  EXPECT_EQ(oss->read_all("down/k"), "after");
  oss->remove("down/k");
  EXPECT_FALSE(s3->stat("down/k"));
}

TEST(OpenLive, SlowDownIsRetriedABoundedNumberOfTimes) {
  NEED_ENV("HLSFS_SLOWDOWN_ENDPOINT");
  Config c{{"endpoint", env("HLSFS_SLOWDOWN_ENDPOINT")}, {"bucket", "busy"}, {"access_key_id", "ak"},
           {"secret_access_key", "sk"}, {"retries", "3"}};
  auto b = load("s3", "busy", c);
  auto started = std::chrono::steady_clock::now();
  BackendError e = error_of([&] { b->read("a.ts", 0, 100); });
  double took = seconds_since(started);
  printf("  503 SlowDown: %.2f s, %s\n", took, e.what());
  EXPECT_EQ(e.code, -EIO) << e.what();
  EXPECT_NE(std::string(e.what()).find("HTTP 503 SlowDown: Please reduce your request rate."), std::string::npos)
      << e.what();
  EXPECT_NE(std::string(e.what()).find("gave up after 4 attempts"), std::string::npos) << e.what();
  EXPECT_LT(took, 0.2 + 0.4 + 0.8 + 1.0);  // the waits are below 200, 400, 800 ms
}

// The "local" backend plugin, loaded for real through Backend::load (dlopen),
// on real temporary directories.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/unit/storage_test_support.h"
#include "actors/storage/backend.h"
#include "backends/local/unsynced_keys.h"

using namespace hlsfs;
using namespace hlsfs::testing;
namespace fs = std::filesystem;

namespace {



void put(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::shared_ptr<Backend> load_local(const std::string& root, const std::string& store = "media") {
  return Backend::load({plugin_dir()}, "local", store, {{"root", root}});
}


std::vector<std::string> list_keys(Backend& b, const std::string& prefix) {
  std::vector<std::string> keys;
  b.list(prefix, [&](const std::string& k, const ObjectStat&) {
    keys.push_back(k);
    return true;
  });
  return keys;
}

// All of a descriptor from open_read(), which it closes.
std::string read_fd(std::optional<int> fd) {
  if (!fd) return "(no descriptor)";
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(*fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  close(*fd);
  return out;
}

// Names of the files in a directory, temp files included.
std::vector<std::string> dir_entries(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}


}  // namespace

TEST(LocalBackend, LoadsThePluginAndNamesIt) {
  TempDir root;
  auto b = load_local(root.path);
  EXPECT_EQ(b->store(), "media");
  EXPECT_EQ(b->plugin(), "local");
  EXPECT_EQ(b->plugin_path(), plugin_dir() + "/libhlsfs-backend-local.so");
}

TEST(LocalBackend, LoadErrorsNameTheStoreAndThePlugin) {
  TempDir root;
  auto missing = error_of([&] { Backend::load({"/nonexistent/a", "/nonexistent/b"}, "local", "media", {{"root", root.path}}); });
  EXPECT_STREQ(missing.what(),
               "store \"media\": plugin \"local\" not found (tried /nonexistent/a/libhlsfs-backend-local.so, "
               "/nonexistent/b/libhlsfs-backend-local.so)");
  EXPECT_EQ(missing.code, -ENOENT);

  auto bad_name = error_of([&] { Backend::load({plugin_dir()}, "../local", "media", {}); });
  EXPECT_STREQ(bad_name.what(), "store \"media\": invalid plugin name \"../local\"");

  // A file that is not a shared object.
  TempDir dir;
  put(dir.path + "/libhlsfs-backend-junk.so", "not an ELF file");
  std::string junk = error_of([&] { Backend::load({dir.path}, "junk", "media", {}); }).what();
  EXPECT_EQ(junk.rfind("store \"media\": cannot load " + dir.path + "/libhlsfs-backend-junk.so: ", 0), 0u) << junk;
}

TEST(LocalBackend, ConfigErrors) {
  TempDir root;
  put(root.path + "/file", "x");
  auto open_with = [&](std::map<std::string, std::string> cfg) {
    return std::string(error_of([&] { Backend::load({plugin_dir()}, "local", "media", cfg); }).what());
  };
  EXPECT_EQ(open_with({}), "store \"media\" (local): config key \"root\": required (an absolute directory)");
  EXPECT_EQ(open_with({{"root", "relative/dir"}}),
            "store \"media\" (local): config key \"root\": \"relative/dir\": must be an absolute path");
  EXPECT_EQ(open_with({{"root", root.path + "/nope"}}),
            "store \"media\" (local): config key \"root\": \"" + root.path + "/nope\": No such file or directory");
  EXPECT_EQ(open_with({{"root", root.path + "/file"}}),
            "store \"media\" (local): config key \"root\": \"" + root.path + "/file\": Not a directory");
  EXPECT_EQ(open_with({{"root", root.path}, {"bucket", "x"}}),
            "store \"media\" (local): config key \"bucket\": unknown (the local backend takes only root)");
  // The store's own plugin selector may come along with the mapping.
  EXPECT_NO_THROW(Backend::load({plugin_dir()}, "local", "media", {{"root", root.path}, {"plugin", "local"}}));
}

TEST(LocalBackend, WriteCreatesParentsAndReadsBack) {
  TempDir root;
  auto b = load_local(root.path);
  b->write("movies/2024/a.bin", "hello world");
  EXPECT_EQ(slurp(root.path + "/movies/2024/a.bin"), "hello world");
  EXPECT_EQ(b->read_all("movies/2024/a.bin"), "hello world");

  auto st = b->stat("movies/2024/a.bin");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->size, 11);
  EXPECT_FALSE(st->is_dir);
  EXPECT_EQ(st->etag, "");
  struct stat raw {};
  ASSERT_EQ(::stat((root.path + "/movies/2024/a.bin").c_str(), &raw), 0);
  EXPECT_EQ(st->mtime_ns, raw.st_mtim.tv_sec * 1000000000LL + raw.st_mtim.tv_nsec);

  auto dir = b->stat("movies/2024");
  ASSERT_TRUE(dir);
  EXPECT_TRUE(dir->is_dir);

  EXPECT_EQ(read_fd(b->open_read("movies/2024/a.bin")), "hello world");

  b->write("empty", "");
  EXPECT_EQ(b->read_all("empty"), "");
  EXPECT_EQ(b->stat("empty")->size, 0);
}

TEST(LocalBackend, RangedReadsStopAtTheEnd) {
  TempDir root;
  auto b = load_local(root.path);
  b->write("f", "0123456789");
  EXPECT_EQ(b->read("f", 0, 4), "0123");
  EXPECT_EQ(b->read("f", 3, 4), "3456");
  EXPECT_EQ(b->read("f", 8, 100), "89");  // short only at the end
  EXPECT_EQ(b->read("f", 10, 5), "");     // at the end
  EXPECT_EQ(b->read("f", 1000, 5), "");   // past it
  EXPECT_EQ(b->read("f", 2, 0), "");
  char buf[16];
  EXPECT_EQ(b->read_into("f", 5, buf, sizeof buf), 5);
  EXPECT_EQ(std::string(buf, 5), "56789");

  auto neg = error_of([&] { b->read("f", -1, 4); });
  EXPECT_EQ(neg.code, -EINVAL);
  EXPECT_STREQ(neg.what(), "store \"media\": f: invalid range (offset -1, length 4)");
}

TEST(LocalBackend, MissingKeys) {
  TempDir root;
  auto b = load_local(root.path);
  EXPECT_FALSE(b->stat("nope/x.mp4"));
  auto e = error_of([&] { b->read("nope/x.mp4", 0, 10); });
  EXPECT_EQ(e.code, -ENOENT);
  EXPECT_STREQ(e.what(), "store \"media\": nope/x.mp4: No such file or directory");
  EXPECT_STREQ(error_of([&] { b->read_all("x.mp4"); }).what(), "store \"media\": x.mp4: No such file or directory");
  EXPECT_EQ(error_of([&] { b->open_read("x.mp4"); }).code, -ENOENT);
  EXPECT_NO_THROW(b->remove("nope/x.mp4"));
  EXPECT_NO_THROW(b->remove("x.mp4"));
  EXPECT_TRUE(list_keys(*b, "nope/").empty());
}

TEST(LocalBackend, DirectoriesAreNotObjects) {
  TempDir root;
  auto b = load_local(root.path);
  b->write("d/f", "x");
  auto r = error_of([&] { b->read("d", 0, 1); });
  EXPECT_EQ(r.code, -EISDIR);
  EXPECT_STREQ(r.what(), "store \"media\": d: is a directory");
  auto rm = error_of([&] { b->remove("d"); });
  EXPECT_EQ(rm.code, -EISDIR);
  auto w = error_of([&] { b->write("d", "x"); });
  EXPECT_STREQ(w.what(), "store \"media\": d: cannot replace: Is a directory");
  EXPECT_EQ(dir_entries(root.path + ""), std::vector<std::string>{"d"});  // no temp file left
}

TEST(LocalBackend, KeysThatEscapeAreRefused) {
  TempDir outer;
  std::string rootdir = outer.path + "/root";
  fs::create_directories(rootdir);
  put(outer.path + "/secret", "secret");
  auto b = load_local(rootdir);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"../secret", "'..' element"},
      {"a/../../secret", "'..' element"},
      {"./secret", "'.' element"},
      {"a/./b", "'.' element"},
      {"..", "'..' element"},
      {"", "empty key"},
      {"/etc/passwd", "leading '/' (keys are relative to the store)"},
      {"a//b", "empty path element"},
      {"a/", "empty path element"},
      {".hlsfs-tmp-1-2", "names starting with .hlsfs-tmp- are reserved"},
  };
  for (const auto& [key, why] : bad) {
    std::string want = "store \"media\": " + (key.empty() ? std::string() : key) + ": invalid key: " + why;
    for (auto op : std::vector<std::function<void()>>{
             [&, k = key] { b->stat(k); }, [&, k = key] { b->read(k, 0, 1); }, [&, k = key] { b->write(k, "x"); },
             [&, k = key] { b->remove(k); }, [&, k = key] { b->open_read(k); }}) {
      auto e = error_of(op);
      EXPECT_EQ(e.code, -EINVAL) << key;
      EXPECT_EQ(std::string(e.what()), want);
    }
  }
  EXPECT_STREQ(error_of([&] { list_keys(*b, "../"); }).what(), "store \"media\": ../: invalid prefix: '..' element");
  EXPECT_STREQ(error_of([&] { list_keys(*b, "/etc/"); }).what(),
               "store \"media\": /etc/: invalid prefix: leading '/' (keys are relative to the store)");
  EXPECT_EQ(slurp(outer.path + "/secret"), "secret");
  EXPECT_FALSE(fs::exists(outer.path + "/x"));
}

// Symlinks, checked by the kernel (openat2 RESOLVE_BENEATH) and by the
// realpath fallback that older kernels get.
class LocalSymlinks : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) setenv("HLSFS_LOCAL_NO_OPENAT2", "1", 1);
    rootdir = outer.path + "/root";
    outside = outer.path + "/outside";
    put(outside + "/secret", "secret");
    put(rootdir + "/real/f.txt", "inside");
    fs::create_directory_symlink(outside, rootdir + "/abs_dir");           // absolute, out
    fs::create_directory_symlink("../outside", rootdir + "/rel_dir");      // relative, out
    fs::create_symlink(outside + "/secret", rootdir + "/abs_file");        // absolute file, out
    fs::create_symlink("../../outside/secret", rootdir + "/real/up");      // relative file, out
    fs::create_symlink("/nonexistent/dir", rootdir + "/dangling");         // out and missing
    fs::create_directory_symlink("real", rootdir + "/alias");              // in
    fs::create_symlink("real/f.txt", rootdir + "/link.txt");               // in
    fs::create_symlink("../real/f.txt", rootdir + "/real/sibling.txt");     // in, via ".."
    b = load_local(rootdir);
    unsetenv("HLSFS_LOCAL_NO_OPENAT2");
  }
  TempDir outer;
  std::string rootdir, outside;
  std::shared_ptr<Backend> b;
};

TEST_P(LocalSymlinks, SymlinksOutOfTheRootAreRefused) {
  for (std::string key : {"abs_dir/secret", "rel_dir/secret", "abs_file", "real/up"}) {
    std::string want = "store \"media\": " + key + ": refused: resolves outside the store root";
    for (auto op : std::vector<std::function<void()>>{[&] { b->stat(key); }, [&] { b->read(key, 0, 10); },
                                                     [&] { b->open_read(key); }}) {
      auto e = error_of(op);
      EXPECT_EQ(e.code, -EACCES) << key;
      EXPECT_EQ(std::string(e.what()), want);
    }
  }
  // Writing through a symlinked directory must not create anything outside.
  for (std::string key : {"abs_dir/new", "rel_dir/new", "rel_dir/sub/new"}) {
    auto e = error_of([&] { b->write(key, "x"); });
    EXPECT_EQ(e.code, -EACCES) << key;
    EXPECT_EQ(std::string(e.what()), "store \"media\": " + key + ": refused: resolves outside the store root");
  }
  EXPECT_THROW(b->write("dangling/new", "x"), BackendError);
  EXPECT_EQ(dir_entries(outside), std::vector<std::string>{"secret"});
  EXPECT_FALSE(fs::exists("/nonexistent/dir"));
  // Removing a symlink removes the link, never its target.
  b->remove("abs_file");
  EXPECT_FALSE(fs::exists(fs::symlink_status(rootdir + "/abs_file")));
  EXPECT_EQ(slurp(outside + "/secret"), "secret");
}

TEST_P(LocalSymlinks, SymlinksInsideTheRootWork) {
  EXPECT_EQ(b->read_all("link.txt"), "inside");
  EXPECT_EQ(b->read_all("alias/f.txt"), "inside");
  EXPECT_EQ(b->read_all("real/sibling.txt"), "inside");
  EXPECT_EQ(b->stat("link.txt")->size, 6);
  EXPECT_TRUE(b->stat("alias")->is_dir);
  EXPECT_EQ(read_fd(b->open_read("link.txt")), "inside");
  b->write("alias/g.txt", "through the alias");
  EXPECT_EQ(slurp(rootdir + "/real/g.txt"), "through the alias");
  // Listed: regular files and symlinks to files inside; symlinked
  // directories are not walked (no loops, no duplicates).
  EXPECT_EQ(list_keys(*b, ""), (std::vector<std::string>{"link.txt", "real/f.txt", "real/g.txt", "real/sibling.txt"}));
}

INSTANTIATE_TEST_SUITE_P(Resolve, LocalSymlinks, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "realpath" : "openat2"; });

TEST(LocalBackend, ListIsRecursiveSortedAndSkipsTempFiles) {
  TempDir root;
  auto b = load_local(root.path);
  b->write("a.txt", "1");
  b->write("b/c.txt", "22");
  b->write("b/d/e.txt", "333");
  b->write("b-x.txt", "4444");
  fs::create_directories(root.path + "/empty/dir");
  put(root.path + "/b/.hlsfs-tmp-99-1", "half-written");
  mkfifo((root.path + "/b/fifo").c_str(), 0644);  // not a regular file: not listed

  EXPECT_EQ(list_keys(*b, ""), (std::vector<std::string>{"a.txt", "b-x.txt", "b/c.txt", "b/d/e.txt"}));
  EXPECT_EQ(list_keys(*b, "b/"), (std::vector<std::string>{"b/c.txt", "b/d/e.txt"}));
  EXPECT_EQ(list_keys(*b, "b"), (std::vector<std::string>{"b-x.txt", "b/c.txt", "b/d/e.txt"}));
  EXPECT_EQ(list_keys(*b, "b/d"), (std::vector<std::string>{"b/d/e.txt"}));
  EXPECT_EQ(list_keys(*b, "b/c"), (std::vector<std::string>{"b/c.txt"}));
  EXPECT_TRUE(list_keys(*b, "zzz/").empty());
  EXPECT_TRUE(list_keys(*b, "a.txt/").empty());  // a file is not a directory

  std::map<std::string, int64_t> sizes;
  b->list("", [&](const std::string& k, const ObjectStat& st) {
    sizes[k] = st.size;
    EXPECT_FALSE(st.is_dir);
    EXPECT_GT(st.mtime_ns, 0);
    return true;
  });
  EXPECT_EQ(sizes, (std::map<std::string, int64_t>{{"a.txt", 1}, {"b-x.txt", 4}, {"b/c.txt", 2}, {"b/d/e.txt", 3}}));

  int seen = 0;
  b->list("", [&](const std::string&, const ObjectStat&) { return ++seen < 2; });
  EXPECT_EQ(seen, 2);  // stopped when asked

  EXPECT_THROW(b->list("", [](const std::string&, const ObjectStat&) -> bool { throw std::runtime_error("stop"); }),
               std::runtime_error);

  // A FIFO is never opened for reading (it would block): refused at once.
  auto fifo = error_of([&] { b->read("b/fifo", 0, 1); });
  EXPECT_STREQ(fifo.what(), "store \"media\": b/fifo: not a regular file");
}

// list_dir: one level, in the order an object store lists (a directory's
// place is its name + "/"), after a cursor, a page at a time.
TEST(LocalBackend, ListDirIsOneLevelInPagesAfterACursor) {
  TempDir root;
  auto b = load_local(root.path);
  b->write("a.txt", "1");
  b->write("b/c.txt", "22");
  b->write("b-x.txt", "4444");
  b->write("b.txt", "55555");
  fs::create_directories(root.path + "/empty");
  put(root.path + "/.hlsfs-tmp-99-1", "half-written");
  mkfifo((root.path + "/fifo").c_str(), 0644);             // neither a file nor a directory
  fs::create_symlink("a.txt", root.path + "/link.txt");               // to a file inside: listed
  fs::create_symlink("/etc/passwd", root.path + "/out.txt");         // out of the root: not
  fs::create_directory_symlink(root.path + "/b", root.path + "/linkdir");  // a symlinked directory: not
  struct Seen {
    std::string key;
    ObjectStat st;
  };
  auto page = [&](const std::string& prefix, const std::string& after, int max, bool* more) {
    std::vector<Seen> out;
    *more = b->list_dir(prefix, after, max, [&](const std::string& k, const ObjectStat& st) { out.push_back({k, st}); });
    return out;
  };
  auto keys = [](const std::vector<Seen>& v) {
    std::vector<std::string> k;
    for (const auto& s : v) k.push_back(s.key + (s.st.is_dir ? "/" : ""));
    return k;
  };
  bool more = false;
  auto all = page("", "", 100, &more);
  EXPECT_FALSE(more);
  // "b-x.txt" < "b.txt" < "b/" ('-' < '.' < '/'), as S3 orders "b/c.txt".
  EXPECT_EQ(keys(all), (std::vector<std::string>{"a.txt", "b-x.txt", "b.txt", "b/", "empty/", "link.txt"}));
  EXPECT_EQ(all[1].st.size, 4);
  EXPECT_GT(all[1].st.ino, 0u);
  EXPECT_GT(all[1].st.ctime_ns, 0);
  EXPECT_TRUE(all[3].st.is_dir);

  // Pages of 2, each after the last one's cursor: the same, each once.
  std::vector<std::string> paged;
  std::string after;
  int pages = 0;
  do {
    auto p = page("", after, 2, &more);
    EXPECT_LE(p.size(), 2u);
    for (const auto& k : keys(p)) paged.push_back(k);
    if (!p.empty()) after = keys(p).back();  // "b/" for a directory
    ++pages;
  } while (more && pages < 10);
  EXPECT_EQ(paged, keys(all));
  EXPECT_EQ(pages, 3);
  // After a directory's place, its contents are not listed again.
  EXPECT_EQ(keys(page("", "b/", 100, &more)), (std::vector<std::string>{"empty/", "link.txt"}));
  EXPECT_EQ(keys(page("b/", "", 100, &more)), (std::vector<std::string>{"b/c.txt"}));
  EXPECT_TRUE(page("nothing/", "", 100, &more).empty());
  EXPECT_FALSE(more);
  EXPECT_EQ(error_of([&] { page("b", "", 10, &more); }).code, -EINVAL);  // a directory's prefix ends with '/'
  EXPECT_EQ(error_of([&] { page("", "", 0, &more); }).code, -EINVAL);
}

// What tells a same-size replacement with the mtime set back: the inode
// (renamed over) and the ctime (rewritten in place).
TEST(LocalBackend, StatReportsInodeAndCtime) {
  TempDir root;
  auto b = load_local(root.path);
  b->write("a.mp4", "0123456789");
  auto before = b->stat("a.mp4");
  ASSERT_TRUE(before);
  struct stat st {};
  ASSERT_EQ(::stat((root.path + "/a.mp4").c_str(), &st), 0);
  EXPECT_EQ(before->ino, static_cast<uint64_t>(st.st_ino));
  EXPECT_EQ(before->ctime_ns, st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec);
  b->write("a.mp4", "9876543210");  // atomic: a new file renamed over
  auto after = b->stat("a.mp4");
  EXPECT_NE(after->ino, before->ino);
}

TEST(LocalBackend, WriteReplacesAtomically) {
  TempDir root;
  auto b = load_local(root.path);
  const std::string big(300000, 'A'), small(70000, 'B');
  b->write("seg/x.ts", big);
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0}, reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t)
    readers.emplace_back([&] {
      while (!stop) {
        std::string got = b->read_all("seg/x.ts");
        if (got != big && got != small) ++bad;
        ++reads;
      }
    });
  for (int i = 0; i < 100; ++i) b->write("seg/x.ts", i % 2 ? big : small);
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad, 0) << "a reader saw a partial object in " << reads << " reads";
  EXPECT_EQ(b->read_all("seg/x.ts"), big);
  EXPECT_EQ(dir_entries(root.path + "/seg"), std::vector<std::string>{"x.ts"});
}

TEST(LocalBackend, ConcurrentWritersOfDifferentKeys) {
  TempDir root;
  auto b = load_local(root.path);
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) b->write("d" + std::to_string(i % 3) + "/k" + std::to_string(t * 100 + i), std::to_string(i));
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(list_keys(*b, "").size(), 100u);
}

TEST(LocalBackend, FailedWriteLeavesTheOldObjectAndNoTempFile) {
  TempDir root;
  auto b = load_local(root.path);
  b->write("big.bin", "old");
  // RLIMIT_FSIZE makes write(2) fail with EFBIG part-way, the same path as
  // ENOSPC/EDQUOT on a full disk.
  struct rlimit saved {};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto old_handler = signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = saved;
  small.rlim_cur = 16 * 1024;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  auto e = error_of([&] { b->write("big.bin", std::string(100000, 'x')); });
  setrlimit(RLIMIT_FSIZE, &saved);
  signal(SIGXFSZ, old_handler);
  EXPECT_EQ(e.code, -EFBIG);
  EXPECT_STREQ(e.what(), "store \"media\": big.bin: cannot write: File too large");
  EXPECT_EQ(b->read_all("big.bin"), "old");
  EXPECT_EQ(dir_entries(root.path), std::vector<std::string>{"big.bin"});
}

TEST(LocalBackend, UnwritableDirectoryIsReported) {
  TempDir root;
  auto b = load_local(root.path);
  fs::create_directories(root.path + "/ro");
  ASSERT_EQ(chmod(root.path.c_str(), 0755), 0);
  ASSERT_EQ(chmod((root.path + "/ro").c_str(), 0555), 0);
  std::string got = unprivileged([&] {
    try {
      b->write("ro/x", "x");
      return std::string("written");
    } catch (const BackendError& e) {
      return std::to_string(e.code) + " " + e.what();
    }
  });
  EXPECT_EQ(got, std::to_string(-EACCES) + " store \"media\": ro/x: cannot create a temporary file: Permission denied");
  EXPECT_TRUE(fs::is_empty(root.path + "/ro"));
}

TEST(LocalBackend, RemoveDeletesTheObject) {
  TempDir root;
  auto b = load_local(root.path);
  b->write("a/b", "x");
  b->remove("a/b");
  EXPECT_FALSE(b->stat("a/b"));
  EXPECT_FALSE(fs::exists(root.path + "/a/b"));
}

TEST(LocalBackend, DefaultPluginDirsStartNextToTheExecutable) {
  auto dirs = Backend::default_plugin_dirs();
  ASSERT_EQ(dirs.size(), 4u);
  std::string exe = fs::read_symlink("/proc/self/exe").parent_path().string();
  EXPECT_EQ(dirs[0], exe + "/../lib");
  EXPECT_EQ(dirs[1], exe + "/../lib/hlsfs/backends");
  EXPECT_EQ(dirs[2], "/usr/lib/hlsfs/backends");
  EXPECT_EQ(dirs[3], "/usr/local/lib/hlsfs/backends");
  // The test binary lives in build/bin, the plugin in build/lib.
  EXPECT_NO_THROW(Backend::load(dirs, "local", "media", {{"root", "/"}}));
}

TEST(LocalBackend, PluginExportsOnlyItsEntry) {
  std::string cmd = "nm -D --defined-only " + plugin_dir() + "/libhlsfs-backend-local.so";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_TRUE(p);
  std::vector<std::string> exported;
  char line[1024];
  while (fgets(line, sizeof line, p)) {
    std::string l = line;
    std::string name = l.substr(l.rfind(' ') + 1);
    name.erase(name.find_last_not_of("\n") + 1);
    char type = l.size() > 17 ? l[17] : ' ';
    if (type == 'T' || type == 'D' || type == 'B' || type == 'W' || type == 'V') exported.push_back(name);
  }
  ASSERT_EQ(pclose(p), 0) << cmd;
  EXPECT_EQ(exported, std::vector<std::string>{"hlsfs_backend_entry"});
}

// A source is read through the descriptor the plugin opened after its
// checks: what is swapped in at the name afterwards (a symlink to a file
// outside the root) is never read.
TEST(LocalBackend, OpenReadReadsWhatWasChecked) {
  TempDir outer;
  put(outer.path + "/outside/secret", "secret");
  put(outer.path + "/root/a.mp4", "inside");
  auto b = load_local(outer.path + "/root");
  std::optional<int> fd = b->open_read("a.mp4");
  ASSERT_TRUE(fd);
  fs::remove(outer.path + "/root/a.mp4");
  fs::create_symlink(outer.path + "/outside/secret", outer.path + "/root/a.mp4");
  EXPECT_EQ(read_fd(fd), "inside");
  EXPECT_EQ(error_of([&] { b->open_read("a.mp4"); }).code, -EACCES);
}

TEST(LocalBackend, OpenReadRefusesWhatIsNotAFileWithoutBlocking) {
  TempDir root;
  auto b = load_local(root.path);
  ASSERT_EQ(mkfifo((root.path + "/fifo.mp4").c_str(), 0600), 0);
  auto e = error_of([&] { b->open_read("fifo.mp4"); });  // a FIFO with no writer: open() would wait for ever
  EXPECT_EQ(e.code, -EINVAL);
  EXPECT_STREQ(e.what(), "store \"media\": fifo.mp4: not a regular file");
  fs::create_directories(root.path + "/dir");
  EXPECT_EQ(error_of([&] { b->open_read("dir"); }).code, -EISDIR);
}

TEST(LocalBackend, KeysWithControlCharactersAreRefused) {
  TempDir root;
  put(root.path + "/victim.mp4", "victim");
  auto b = load_local(root.path);
  // A NUL would cut the key in the plugin's C string and name victim.mp4.
  auto e = error_of([&] { b->write(std::string("victim.mp4\0.m3u8", 16), "overwritten"); });
  EXPECT_EQ(e.code, -EINVAL);
  EXPECT_EQ(slurp(root.path + "/victim.mp4"), "victim");
  e = error_of([&] { b->write("a\nb.m3u8", "x"); });
  EXPECT_EQ(e.code, -EINVAL);
  EXPECT_STREQ(e.what(), "store \"media\": a\nb.m3u8: invalid key: control character in the key");
}

// A batch of writes left unsynced, then one flush (a generate's playlists):
// readers see whole files at once, nothing temporary stays, keys are
// checked as write()'s are.
TEST(LocalBackend, UnsyncedWritesThenOneSync) {
  TempDir root;
  auto b = load_local(root.path);
  ASSERT_TRUE(b->defers_sync());
  b->write_unsynced("out/t/720p.m3u8", "#EXTM3U\n720");
  b->write_unsynced("out/t/master.m3u8", "#EXTM3U\nmaster");
  b->write_unsynced("out/t/master.m3u8", "#EXTM3U\nmaster 2");  // replaced, as write() does
  EXPECT_EQ(slurp(root.path + "/out/t/720p.m3u8"), "#EXTM3U\n720");
  b->sync();
  EXPECT_EQ(slurp(root.path + "/out/t/master.m3u8"), "#EXTM3U\nmaster 2");
  std::vector<std::string> names;  // no temporary file left (list() would hide one)
  for (const auto& e : fs::directory_iterator(root.path + "/out/t")) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"720p.m3u8", "master.m3u8"}));
  BackendError e = error_of([&] { b->write_unsynced("../escape.m3u8", "x"); });
  EXPECT_EQ(e.code, -EINVAL);
  EXPECT_FALSE(fs::exists(root.path + "/../escape.m3u8"));
}

// A sync flushes what its own thread wrote: another thread's keys are left
// for that thread's sync (so concurrent generates' flushes overlap and each
// waits for, and hears the errors of, its own files alone).
TEST(UnsyncedKeys, EachThreadTakesItsOwnKeys) {
  hlsfs_local::UnsyncedKeys keys;
  keys.add("a/1.m3u8");
  std::vector<std::string> other_took;
  std::thread other([&] {
    keys.add("b/1.m3u8");
    keys.add("b/2.m3u8");
    EXPECT_EQ(keys.threads_waiting(), 2u);
    other_took = keys.take_mine();
  });
  other.join();
  EXPECT_EQ(other_took, (std::vector<std::string>{"b/1.m3u8", "b/2.m3u8"}));
  keys.add("a/2.m3u8");
  EXPECT_EQ(keys.take_mine(), (std::vector<std::string>{"a/1.m3u8", "a/2.m3u8"}));
  EXPECT_TRUE(keys.take_mine().empty());
  EXPECT_EQ(keys.threads_waiting(), 0u);
}

// Many generates at once, each writing its batch and flushing it from its
// own thread: every flush returns, every file is whole.
TEST(LocalBackend, ConcurrentBatchesFlushEachTheirOwn) {
  TempDir root;
  auto b = load_local(root.path);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (const char* name : {"360p", "720p", "master"})
          b->write_unsynced("t" + std::to_string(t) + "/" + name + ".m3u8", std::to_string(round));
        b->sync();
      }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t)
    for (const char* name : {"360p", "720p", "master"})
      EXPECT_EQ(slurp(root.path + "/t" + std::to_string(t) + "/" + name + ".m3u8"), "19");
}

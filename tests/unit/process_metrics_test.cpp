// The process_* metrics: procfs parsing on known text, a fake procfs tree,
// and this test process itself as the kernel sees it.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>

#include "metrics/process_metrics.h"

using namespace hlsfs;
namespace fs = std::filesystem;

namespace {

// Fields 1-24 of /proc/<pid>/stat around a command name.
std::string stat_line(const std::string& comm, const std::string& utime, const std::string& stime,
                      const std::string& start, const std::string& vsize, const std::string& rss) {
  return "4242 (" + comm + ") S 1 4242 4242 0 -1 4194560 100 0 0 0 " + utime + " " + stime +
         " 0 0 20 0 3 0 " + start + " " + vsize + " " + rss + " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1\n";
}

struct FakeProc {
  fs::path root;
  FakeProc() {
    std::string tmpl = (fs::temp_directory_path() / "hlsfs-proc-XXXXXX").string();
    root = mkdtemp(tmpl.data());
    fs::create_directories(root / "self" / "fd");
  }
  ~FakeProc() { fs::remove_all(root); }
  void write(const std::string& rel, const std::string& text) const { std::ofstream(root / rel) << text; }
};

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

TEST(ProcessMetrics, ParsesAStatLineWhoseCommandHasSpacesAndParentheses) {
  auto p = parse_proc_stat(stat_line("a) (b c)", "150", "50", "123456", "987654321", "2500"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->utime_ticks, 150u);
  EXPECT_EQ(p->stime_ticks, 50u);
  EXPECT_EQ(p->start_ticks, 123456u);
  EXPECT_EQ(p->vsize_bytes, 987654321u);
  EXPECT_EQ(p->rss_pages, 2500);
}

TEST(ProcessMetrics, RefusesWhatIsNotAStatLine) {
  EXPECT_FALSE(parse_proc_stat(""));
  EXPECT_FALSE(parse_proc_stat("4242 hlsfsd S 1 2 3"));                   // no ')'
  EXPECT_FALSE(parse_proc_stat("4242 (hlsfsd) S 1 2 3 4 5 6 7 8 9 10"));  // too short
  EXPECT_FALSE(parse_proc_stat(stat_line("x", "many", "50", "1", "2", "3")));
}

TEST(ProcessMetrics, ReadsTheBootTime) {
  EXPECT_EQ(parse_boot_time("cpu  1 2 3\nintr 5\nbtime 1733300000\nprocesses 9\n"), 1733300000u);
  EXPECT_FALSE(parse_boot_time("cpu  1 2 3\n"));
  EXPECT_FALSE(parse_boot_time("btime soon\n"));
}

TEST(ProcessMetrics, ComputesEachValueFromAProcTree) {
  FakeProc proc;
  proc.write("self/stat", stat_line("hlsfsd", "150", "50", "123400", "987654321", "2500"));
  proc.write("stat", "cpu  1 2 3\nbtime 1733300000\n");
  for (const char* fd : {"0", "1", "2"}) proc.write(std::string("self/fd/") + fd, "");
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK)), page = static_cast<double>(sysconf(_SC_PAGESIZE));
  ProcessStats s = read_process_stats(proc.root.string());
  EXPECT_DOUBLE_EQ(s.cpu_seconds, 200 / ticks);
  EXPECT_DOUBLE_EQ(s.resident_bytes, 2500 * page);
  EXPECT_DOUBLE_EQ(s.virtual_bytes, 987654321);
  EXPECT_DOUBLE_EQ(s.start_time_seconds, 1733300000 + 123400 / ticks);
  EXPECT_EQ(s.open_fds, 3);
  EXPECT_GT(s.max_fds, 0);
}

TEST(ProcessMetrics, AMissingOrBrokenFileIsNamed) {
  FakeProc proc;
  try {
    read_process_stats(proc.root.string());
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("self/stat"), std::string::npos) << e.what();
  }
  proc.write("self/stat", stat_line("x", "1", "1", "1", "1", "1"));
  proc.write("stat", "cpu 1\n");
  try {
    read_process_stats(proc.root.string());
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("btime"), std::string::npos) << e.what();
  }
}

TEST(ProcessMetrics, FollowThisProcess) {
  ProcessStats before = read_process_stats();
  EXPECT_LE(before.start_time_seconds, now_seconds() + 1);
  EXPECT_GT(before.start_time_seconds, now_seconds() - 3600) << "this test started less than an hour ago";
  EXPECT_GT(before.resident_bytes, 0);
  EXPECT_GE(before.virtual_bytes, before.resident_bytes);

  // Exactly the descriptors opened meanwhile, not the listing's own.
  int a = open("/dev/null", O_RDONLY | O_CLOEXEC), b = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ProcessStats with_two = read_process_stats();
  close(a);
  close(b);
  EXPECT_EQ(with_two.open_fds, before.open_fds + 2);
  EXPECT_EQ(read_process_stats().open_fds, before.open_fds);

  // 64 MiB touched: resident.
  constexpr size_t kBig = 64u << 20;
  std::unique_ptr<char[]> big(new char[kBig]);
  memset(big.get(), 1, kBig);
  EXPECT_GE(read_process_stats().resident_bytes, before.resident_bytes + kBig / 2);
  EXPECT_EQ(big[kBig - 1], 1);

  // About 0.3 s of CPU burnt: the counter moves by about that.
  const std::clock_t start = std::clock();
  volatile double x = 0;
  while (std::clock() - start < CLOCKS_PER_SEC * 3 / 10) x = x + 1;
  double burnt = read_process_stats().cpu_seconds - before.cpu_seconds;
  EXPECT_GE(burnt, 0.2);
  EXPECT_LT(burnt, 5);
}

TEST(ProcessMetrics, RenderedWithTheClientLibrariesNamesAndTypes) {
  MetricsRegistry reg;
  register_process_metrics(reg);
  std::string text = reg.render();
  for (const char* line :
       {"# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total ",
        "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes ",
        "# TYPE process_virtual_memory_bytes gauge\nprocess_virtual_memory_bytes ",
        "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds ",
        "# TYPE process_open_fds gauge\nprocess_open_fds ", "# TYPE process_max_fds gauge\nprocess_max_fds "})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\nin:\n" << text;

  // A procfs that cannot be read leaves the lines out, the rest stays.
  MetricsRegistry broken;
  broken.counter("other_total", "O.");
  register_process_metrics(broken, "/nonexistent");
  EXPECT_EQ(broken.render().find("\nprocess_cpu_seconds_total "), std::string::npos);
  EXPECT_NE(broken.render().find("other_total 0\n"), std::string::npos);
}

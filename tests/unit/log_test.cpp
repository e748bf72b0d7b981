// The log's journald priority prefixes (sd-daemon(3)), when they are used
// (JOURNAL_STREAM naming stderr), and its key=value fields.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>

#include "hlsfs/log.h"

using namespace hlsfs;

namespace {

std::string dev_ino(int fd) {
  struct stat st {};
  EXPECT_EQ(fstat(fd, &st), 0);
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

// What log_line writes to fd 2, caught in a pipe.
std::string logged(LogLevel level, const std::string& message, bool prefix) {
  int p[2];
  EXPECT_EQ(pipe(p), 0);
  fflush(stderr);
  int saved = dup(2);
  dup2(p[1], 2);
  set_log_priority_prefix(prefix);
  log_line(level, "test", message);
  set_log_priority_prefix(false);
  dup2(saved, 2);
  close(saved);
  close(p[1]);
  char buf[4096];
  ssize_t n = read(p[0], buf, sizeof buf);
  close(p[0]);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

}  // namespace

TEST(LogPriority, MatchesSdDaemonLevels) {
  EXPECT_STREQ(journal_priority(LogLevel::error), SD_ERR);
  EXPECT_STREQ(journal_priority(LogLevel::warning), SD_WARNING);
  EXPECT_STREQ(journal_priority(LogLevel::info), SD_INFO);
  EXPECT_STREQ(journal_priority(LogLevel::debug), SD_DEBUG);
}

TEST(LogPriority, JournalLinesStartWithThePriorityAndNoTimestamp) {
  timeval tv{1764849600, 123000};  // 2025-12-04T12:00:00.123Z
  EXPECT_EQ(format_log_line(LogLevel::error, "hlsfsd", "boom", true, tv), "<3>error hlsfsd: boom");
  EXPECT_EQ(format_log_line(LogLevel::warning, "gc", "w", true, tv), "<4>warn  gc: w");
  EXPECT_EQ(format_log_line(LogLevel::info, "fuse", "i", true, tv), "<6>info  fuse: i");
  EXPECT_EQ(format_log_line(LogLevel::debug, "x", "d", true, tv), "<7>debug x: d");
}

TEST(LogPriority, PlainLinesKeepTheirTimestamp) {
  timeval tv{1764849600, 123000};
  EXPECT_EQ(format_log_line(LogLevel::error, "hlsfsd", "boom", false, tv), "2025-12-04T12:00:00.123Z error hlsfsd: boom");
}

TEST(LogPriority, OneEventIsOneLine) {
  timeval tv{0, 0};
  // A second line would reach the journal without the priority (as info).
  EXPECT_EQ(format_log_line(LogLevel::error, "c", "a\nb\r\nc", true, tv), "<3>error c: a\\nb\\r\\nc");
}

TEST(LogPriority, LogLineWritesThePrefixOnlyWhenAsked) {
  EXPECT_EQ(logged(LogLevel::error, "cannot make " + log_kv("store", "media"), true), "<3>error test: cannot make store=media\n");
  std::string plain = logged(LogLevel::warning, "w", false);
  EXPECT_TRUE(std::regex_match(plain, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z warn  test: w\n)"))) << plain;
}

TEST(JournalStream, MatchesOnlyTheStreamItNames) {
  // journald hands out a stream socket; each end has an inode of its own.
  int p[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, p), 0);
  const std::string mine = dev_ino(p[1]);
  EXPECT_TRUE(stream_is_journal(mine.c_str(), p[1]));
  EXPECT_FALSE(stream_is_journal(mine.c_str(), p[0]));
  EXPECT_FALSE(stream_is_journal(nullptr, p[1]));
  EXPECT_FALSE(stream_is_journal("", p[1]));
  EXPECT_FALSE(stream_is_journal((mine + "x").c_str(), p[1]));
  EXPECT_FALSE(stream_is_journal((mine + ":1").c_str(), p[1]));
  EXPECT_FALSE(stream_is_journal("12", p[1]));
  EXPECT_FALSE(stream_is_journal(mine.c_str(), 987));  // not open
  close(p[0]);
  close(p[1]);
}

TEST(JournalStream, AutoFollowsJournalStreamOnStderr) {
  const char* before = getenv("JOURNAL_STREAM");
  std::string saved = before ? before : "";
  setenv("JOURNAL_STREAM", dev_ino(2).c_str(), 1);
  EXPECT_TRUE(priority_prefix_wanted("auto"));
  EXPECT_FALSE(priority_prefix_wanted("off"));
  // Inherited by a process whose stderr was redirected elsewhere: no prefix.
  setenv("JOURNAL_STREAM", "1:1", 1);
  EXPECT_FALSE(priority_prefix_wanted("auto"));
  EXPECT_TRUE(priority_prefix_wanted("on"));
  unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(priority_prefix_wanted("auto"));
  if (before) setenv("JOURNAL_STREAM", saved.c_str(), 1);
}

TEST(LogFields, KeyValueQuotedOnlyWhenNeeded) {
  EXPECT_EQ(log_kv("store", "media"), "store=media");
  EXPECT_EQ(log_kv("key", "out/a b.ts"), "key=\"out/a b.ts\"");
  EXPECT_EQ(log_kv("key", "x=\"y\""), "key=\"x=\\\"y\\\"\"");
  EXPECT_EQ(log_kv("token", ""), "token=\"\"");
  EXPECT_EQ(log_kv("segment", uint32_t{7}), "segment=7");
}

#include "hlsfs/log.h"

#include <sys/stat.h>
#include <sys/time.h>

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace hlsfs {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::info)};
std::atomic<bool> g_prefix{false};
std::mutex g_mu;
const char* name_of(LogLevel l) {
  switch (l) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info ";
    case LogLevel::warning: return "warn ";
    case LogLevel::error: return "error";
  }
  return "?";
}
}  // namespace

void set_log_level(LogLevel level) { g_level = static_cast<int>(level); }

LogLevel parse_log_level(const std::string& n) {
  if (n == "debug") return LogLevel::debug;
  if (n == "warning" || n == "warn") return LogLevel::warning;
  if (n == "error") return LogLevel::error;
  return LogLevel::info;
}

bool log_enabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

void set_log_priority_prefix(bool on) { g_prefix = on; }

bool stream_is_journal(const char* env, int fd) {
  if (env == nullptr || *env == '\0') return false;
  uintmax_t dev = 0, ino = 0;
  int used = 0;
  if (sscanf(env, "%ju:%ju%n", &dev, &ino, &used) != 2 || env[used] != '\0') return false;
  struct stat st {};
  if (fstat(fd, &st) != 0) return false;
  return static_cast<uintmax_t>(st.st_dev) == dev && static_cast<uintmax_t>(st.st_ino) == ino;
}

bool priority_prefix_wanted(const std::string& setting) {
  if (setting == "on") return true;
  if (setting == "off") return false;
  return stream_is_journal(getenv("JOURNAL_STREAM"), 2);
}

const char* journal_priority(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "<7>";    // SD_DEBUG
    case LogLevel::info: return "<6>";     // SD_INFO
    case LogLevel::warning: return "<4>";  // SD_WARNING
    case LogLevel::error: return "<3>";    // SD_ERR
  }
  return "<6>";
}

std::string format_log_line(LogLevel level, const std::string& component, const std::string& message,
                            bool priority_prefix, const timeval& now) {
  std::string line;
  line.reserve(message.size() + component.size() + 40);
  if (priority_prefix) {
    line += journal_priority(level);  // journald keeps its own timestamp
  } else {
    tm t{};
    gmtime_r(&now.tv_sec, &t);
    char ts[64];
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
             t.tm_hour, t.tm_min, t.tm_sec, static_cast<int>(now.tv_usec / 1000));
    line += ts;
  }
  line += name_of(level);
  line += ' ';
  line += component;
  line += ": ";
  // One event, one line: a newline would start a line of its own (and, in
  // the journal, one without this line's priority).
  for (char ch : message) {
    if (ch == '\n') line += "\\n";
    else if (ch == '\r') line += "\\r";
    else line += ch;
  }
  return line;
}

std::string log_kv(const std::string& name, const std::string& value) {
  bool plain = !value.empty();
  for (unsigned char ch : value)
    if (ch <= ' ' || ch == '"' || ch == '=' || ch == 0x7f) plain = false;
  if (plain) return name + "=" + value;
  std::string out = name + "=\"";
  for (char ch : value) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

void log_line(LogLevel level, const std::string& component, const std::string& message) {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  std::string line = format_log_line(level, component, message, g_prefix.load(std::memory_order_relaxed), tv);
  line += '\n';
  std::lock_guard<std::mutex> lock(g_mu);
  fwrite(line.data(), 1, line.size(), stderr);
  fflush(stderr);
}

}  // namespace hlsfs

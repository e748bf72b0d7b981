#include "hlsfs/log.h"

#include <sys/time.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace hlsfs {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::info)};
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

void log_line(LogLevel level, const std::string& component, const std::string& message) {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  tm t{};
  gmtime_r(&tv.tv_sec, &t);
  char ts[40];
  snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour,
           t.tm_min, t.tm_sec, static_cast<int>(tv.tv_usec / 1000));
  std::lock_guard<std::mutex> lock(g_mu);
  fprintf(stderr, "%s %s %s: %s\n", ts, name_of(level), component.c_str(), message.c_str());
  fflush(stderr);
}

}  // namespace hlsfs

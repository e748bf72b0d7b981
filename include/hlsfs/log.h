// One-line logs on stderr (journald keeps them under systemd), with a level
// and a timestamp: "2026-11-25T12:00:00.123Z info  transcoder: made media/out/a-<tok>-3.ts (512 KiB, 1.2 s)".
#pragma once
#include <sstream>
#include <string>

namespace hlsfs {

enum class LogLevel { debug = 0, info = 1, warning = 2, error = 3 };

void set_log_level(LogLevel level);
LogLevel parse_log_level(const std::string& name);  // unknown -> info
bool log_enabled(LogLevel level);
void log_line(LogLevel level, const std::string& component, const std::string& message);

}  // namespace hlsfs

// LOG(info, "fuse") << "mounted " << path;
#define HLSFS_LOG(level, component)                                   \
  for (bool hlsfs_once_ = ::hlsfs::log_enabled(::hlsfs::LogLevel::level); hlsfs_once_; hlsfs_once_ = false) \
  ::hlsfs::LogStream(::hlsfs::LogLevel::level, component).stream()

namespace hlsfs {
class LogStream {
 public:
  LogStream(LogLevel level, std::string component) : level_(level), component_(std::move(component)) {}
  ~LogStream() { log_line(level_, component_, out_.str()); }
  std::ostringstream& stream() { return out_; }

 private:
  LogLevel level_;
  std::string component_;
  std::ostringstream out_;
};
}  // namespace hlsfs

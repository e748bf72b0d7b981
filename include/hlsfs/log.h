// One-line logs on stderr, with a level and a timestamp:
//   2026-11-25T12:00:00.123Z info  transcoder: made segment=3 store=media key=out/a-<tok>-3.ts (512 KiB, 1.2 s)
// Under systemd (stderr connected to the journal, see stderr_is_journal) each
// line starts with its syslog priority instead of the timestamp, as
// sd-daemon(3) describes ("<3>error hlsfsd: ..."): journald stamps and files
// it by priority, so `journalctl -p err -u hlsfsd` shows the errors only.
// Messages name things as key=value (store=, key=, token=, segment=) so one
// event is one greppable line; a newline inside a message is escaped.
#pragma once
#include <sys/time.h>

#include <sstream>
#include <string>
#include <type_traits>

namespace hlsfs {

enum class LogLevel { debug = 0, info = 1, warning = 2, error = 3 };

void set_log_level(LogLevel level);
LogLevel parse_log_level(const std::string& name);  // unknown -> info
bool log_enabled(LogLevel level);
void log_line(LogLevel level, const std::string& component, const std::string& message);

// Priority prefixes on (journald) or off (a terminal, a file).
void set_log_priority_prefix(bool on);
// systemd sets JOURNAL_STREAM="<dev>:<inode>" of the stream it connects to
// the journal; stderr is that stream only if its own dev:inode match (a child
// whose stderr was redirected still inherits the variable).
bool stream_is_journal(const char* journal_stream_env, int fd);
// log.priority_prefix: "auto" (by JOURNAL_STREAM on stderr), "on", "off".
bool priority_prefix_wanted(const std::string& setting);

// "<3>" for error ... "<7>" for debug (syslog priorities, sd-daemon.h's SD_ERR etc.).
const char* journal_priority(LogLevel level);
// The line as written (without the final newline).
std::string format_log_line(LogLevel level, const std::string& component, const std::string& message,
                            bool priority_prefix, const timeval& now);

// name=value for a log line ("store=media", "key=out/a-3.ts"); the value is
// double-quoted (with \" and \\ escaped) when it is empty or holds a space, a
// quote, '=' or a control character, so every field splits the same way.
std::string log_kv(const std::string& name, const std::string& value);
template <class T, std::enable_if_t<std::is_integral<T>::value, int> = 0>
std::string log_kv(const std::string& name, T value) {
  return name + "=" + std::to_string(value);
}

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

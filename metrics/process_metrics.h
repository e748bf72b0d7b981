// The process_* metrics every Prometheus client library exports (CPU time,
// memory, file descriptors, start time), read from procfs when /metrics is
// scraped, so that dashboards and alerts written for any exporter work here.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "metrics/metrics.h"

namespace hlsfs {

// The fields of /proc/<pid>/stat the metrics need (proc(5)); times in clock
// ticks, sizes as the kernel gives them.
struct ProcStat {
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  uint64_t start_ticks = 0;  // after boot
  uint64_t vsize_bytes = 0;
  int64_t rss_pages = 0;
};
// One line of /proc/<pid>/stat. The command name (field 2) may hold spaces
// and parentheses: the fields after it are counted from its last ')'.
std::optional<ProcStat> parse_proc_stat(const std::string& line);
// "btime N" of /proc/stat: the boot time, seconds since the epoch.
std::optional<uint64_t> parse_boot_time(const std::string& proc_stat);

struct ProcessStats {
  double cpu_seconds = 0;  // user + system
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double start_time_seconds = 0;  // since the epoch
  double open_fds = 0;
  double max_fds = 0;  // the soft RLIMIT_NOFILE
};
// This process as seen in `proc_root` (/proc; tests give a directory of
// their own with self/stat, self/fd/ and stat). Throws std::runtime_error
// naming the file it could not read.
ProcessStats read_process_stats(const std::string& proc_root = "/proc");

// process_cpu_seconds_total (counter), process_resident_memory_bytes,
// process_virtual_memory_bytes, process_start_time_seconds, process_open_fds
// and process_max_fds (gauges), each read at render time. A scrape whose
// procfs read fails leaves those lines out.
void register_process_metrics(MetricsRegistry& registry, const std::string& proc_root = "/proc");

}  // namespace hlsfs

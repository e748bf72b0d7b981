// procfs parsing for the process_* metrics.
#include "metrics/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace hlsfs {

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Entries of a descriptor directory (/proc/self/fd) but ".", ".." and the
// descriptor this listing itself holds open.
size_t count_descriptors(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (!d) throw std::runtime_error("cannot read " + dir);
  const std::string own = std::to_string(dirfd(d));
  size_t n = 0;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != ".." && name != own) ++n;
  }
  closedir(d);
  return n;
}

double sysconf_or(int name, double fallback) {
  long v = sysconf(name);
  return v > 0 ? static_cast<double>(v) : fallback;
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(const std::string& line) {
  size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  // Fields from 3 (state) on; field k is rest[k - 3].
  std::istringstream in(line.substr(close + 1));
  std::vector<std::string> rest;
  for (std::string f; in >> f;) rest.push_back(f);
  if (rest.size() < 22) return std::nullopt;  // up to field 24, rss
  try {
    ProcStat p;
    p.utime_ticks = std::stoull(rest[14 - 3]);
    p.stime_ticks = std::stoull(rest[15 - 3]);
    p.start_ticks = std::stoull(rest[22 - 3]);
    p.vsize_bytes = std::stoull(rest[23 - 3]);
    p.rss_pages = std::stoll(rest[24 - 3]);
    return p;
  } catch (const std::exception&) {  // not numbers: not a stat line
    return std::nullopt;
  }
}

std::optional<uint64_t> parse_boot_time(const std::string& proc_stat) {
  std::istringstream in(proc_stat);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("btime ", 0) != 0) continue;
    try {
      return std::stoull(line.substr(6));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

ProcessStats read_process_stats(const std::string& proc_root) {
  const std::string stat_path = proc_root + "/self/stat";
  std::optional<ProcStat> p = parse_proc_stat(slurp(stat_path));
  if (!p) throw std::runtime_error(stat_path + ": not a stat line");
  const double ticks = sysconf_or(_SC_CLK_TCK, 100), page = sysconf_or(_SC_PAGESIZE, 4096);
  ProcessStats s;
  s.cpu_seconds = static_cast<double>(p->utime_ticks + p->stime_ticks) / ticks;
  s.resident_bytes = static_cast<double>(p->rss_pages) * page;
  s.virtual_bytes = static_cast<double>(p->vsize_bytes);
  if (auto boot = parse_boot_time(slurp(proc_root + "/stat")))
    s.start_time_seconds = static_cast<double>(*boot) + static_cast<double>(p->start_ticks) / ticks;
  else
    throw std::runtime_error(proc_root + "/stat: no btime line");
  s.open_fds = static_cast<double>(count_descriptors(proc_root + "/self/fd"));
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0)
    s.max_fds = lim.rlim_cur == RLIM_INFINITY ? -1 : static_cast<double>(lim.rlim_cur);
  return s;
}

void register_process_metrics(MetricsRegistry& registry, const std::string& proc_root) {
  auto read = [proc_root](double ProcessStats::*field) {
    return [proc_root, field] { return read_process_stats(proc_root).*field; };
  };
  registry.counter_callback("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                            read(&ProcessStats::cpu_seconds));
  registry.gauge_callback("process_resident_memory_bytes", "Resident memory size in bytes.",
                          read(&ProcessStats::resident_bytes));
  registry.gauge_callback("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                          read(&ProcessStats::virtual_bytes));
  registry.gauge_callback("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                          read(&ProcessStats::start_time_seconds));
  registry.gauge_callback("process_open_fds", "Number of open file descriptors.", read(&ProcessStats::open_fds));
  registry.gauge_callback("process_max_fds", "Maximum number of open file descriptors.", read(&ProcessStats::max_fds));
}

}  // namespace hlsfs

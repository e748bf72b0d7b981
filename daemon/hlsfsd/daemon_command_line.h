// hlsfsd's command line (CLI11): argv in, what to do out.
#pragma once
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

namespace hlsfs {

struct DaemonOptions {
  std::string config_path;   // --config, else the default given to the parser
  bool check_only = false;   // --check-config: read the configuration, say whether it is valid, exit
  bool clean_only = false;   // --clean-mount: detach a mount left by a crash, exit
};

struct DaemonParse {
  std::optional<DaemonOptions> options;  // set: run
  int exit_code = 0;                     // else: exit with this (help, version or the error printed)
};

DaemonParse parse_daemon_command_line(int argc, const char* const* argv, const std::string& default_config,
                                      const std::function<std::string()>& version_text, std::ostream& out,
                                      std::ostream& err);

// hlsfsd's libraries: libav*, CAF, RocksDB and libfuse, as they run where
// they can say so.
std::string daemon_version_text();

}  // namespace hlsfs

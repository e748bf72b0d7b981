#include "daemon/hlsfsd/daemon_command_line.h"

#include <ostream>

#include "daemon/cli/parse_command_line.h"

namespace hlsfs {

DaemonParse parse_daemon_command_line(int argc, const char* const* argv, const std::string& default_config,
                                      const std::function<std::string()>& version_text, std::ostream& out,
                                      std::ostream& err) {
  DaemonOptions opt;
  opt.config_path = default_config;
  CLI::App app("hlsfsd: the hlsfs daemon. Runs in the foreground (systemd: Type=notify);\n"
               "SIGHUP reloads what can change while running (log level, cache policy,\n"
               "prefetch); SIGTERM or SIGINT unmounts and stops.",
               "hlsfsd");
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.set_version_flag("--version", [&] { return version_text(); },
                       "Print the versions of hlsfs and its libraries, and exit");
  app.add_option("--config", opt.config_path, "The configuration (YAML)")->type_name("FILE")->capture_default_str();
  app.add_flag("--check-config", opt.check_only, "Read the configuration, say whether it is valid, and exit");
  app.add_flag("--clean-mount", opt.clean_only, "Detach the mount a crashed daemon left (the configuration's), and exit");
  app.footer(
      "Exit status:\n"
      "  0  stopped by SIGTERM/SIGINT; --check-config: the configuration is valid;\n"
      "     --clean-mount: done\n"
      "  1  failed: a store or the state does not open, the mount or a listener\n"
      "     cannot be set up\n"
      "  2  usage: the command line is wrong, or the configuration is refused\n"
      "     (its message names the key)");

  DaemonParse result;
  if (auto exit_code = parse_command_line(app, argc, argv, out, err)) {
    result.exit_code = *exit_code;
    return result;
  }
  result.options = std::move(opt);
  return result;
}

}  // namespace hlsfs

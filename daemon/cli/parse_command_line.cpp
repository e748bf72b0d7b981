#include "daemon/cli/parse_command_line.h"

#include <ostream>

#include "daemon/cli/exit_codes.h"

namespace hlsfs {

std::string chosen_command_path(const CLI::App& app) {
  std::string path = app.get_name();
  const CLI::App* at = &app;
  while (true) {
    auto chosen = at->get_subcommands();
    if (chosen.empty()) return path;
    at = chosen.front();
    path += " " + at->get_name();
  }
}

std::optional<int> parse_command_line(CLI::App& app, int argc, const char* const* argv, std::ostream& out,
                                      std::ostream& err) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::CallForHelp&) {
    // help() shows the help of the subcommand argv chose, if any.
    out << app.help() << std::flush;
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All) << std::flush;
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << std::flush;
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    std::string command = chosen_command_path(app);
    err << command << ": " << e.what() << "\n"
        << "Run '" << command << " --help' for its usage.\n"
        << std::flush;
    return kExitUsage;
  }
}

}  // namespace hlsfs

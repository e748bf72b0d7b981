// One way for both programs to end a parse that is not going to run anything:
// --help and --version print to stdout and exit 0; a usage error goes to
// stderr, names the command to ask --help of, and exits 2.
#pragma once
#include <CLI/CLI.hpp>

#include <iosfwd>
#include <optional>

namespace hlsfs {

// Parses argv into the options bound to `app`. nullopt: go on and run;
// otherwise the process's exit status, after printing what there was to print.
std::optional<int> parse_command_line(CLI::App& app, int argc, const char* const* argv, std::ostream& out,
                                      std::ostream& err);

// "hlsfsctl sign": the deepest (sub)command argv chose, for pointing at its --help.
std::string chosen_command_path(const CLI::App& app);

}  // namespace hlsfs

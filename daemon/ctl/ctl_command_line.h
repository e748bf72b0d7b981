// hlsfsctl's command line (CLI11): argv in, the chosen command and its
// options out. Nothing here runs a command; main.cpp does.
#pragma once
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include "daemon/ctl/formats_command.h"
#include "daemon/ctl/remote.h"
#include "daemon/ctl/render.h"
#include "daemon/ctl/signing_commands.h"

namespace hlsfs {

enum class CtlCommand { generate, status, gc, quarantine, sign, nginx_site, formats, render };

struct CtlInvocation {
  std::string config_path;  // --config, else the default given to the parser
  std::string endpoint;     // --endpoint ("" = the config's control.socket)
  CtlCommand command = CtlCommand::status;
  // The chosen command's options (the others keep their defaults).
  GenerateOptions generate;
  StatusOptions status;
  GcOptions gc;
  QuarantineOptions quarantine;
  SignRequest sign;
  NginxSiteRequest nginx_site;
  FormatsOptions formats;
  RenderOptions render;
};

struct CtlParse {
  std::optional<CtlInvocation> invocation;  // set: run it
  int exit_code = 0;                        // else: exit with this (help, version or the error printed)
};

// default_config: what --config is when not given. version_text: what
// --version prints (asked only then). --help goes to `out`, usage errors and
// the help of a bare `hlsfsctl` to `err`.
CtlParse parse_ctl_command_line(int argc, const char* const* argv, const std::string& default_config,
                                const std::function<std::string()>& version_text, std::ostream& out,
                                std::ostream& err);

}  // namespace hlsfs

// hlsfsctl: the command-line client of hlsfs. ctl_command_line.cpp reads
// argv; this runs the chosen command and turns its failures into the exit
// status its --help documents.
#include <iostream>
#include <stdexcept>
#include <string>

#include "actors/transcoder/av_util.h"
#include "actors/transcoder/heap_policy.h"
#include "daemon/cli/exit_codes.h"
#include "daemon/cli/program_version.h"
#include "daemon/ctl/ctl_command_line.h"

namespace {

std::string ctl_version_text() {
  std::vector<hlsfs::LibraryVersion> libs = hlsfs::libav_versions();
  const std::string note = "hlsfsd's; hlsfsctl does not load it";
  libs.push_back(hlsfs::caf_version_built(note));
  libs.push_back(hlsfs::rocksdb_version_built(note));
  return hlsfs::version_text("hlsfsctl", libs);
}

int run(const hlsfs::CtlInvocation& inv) {
  using namespace hlsfs;
  switch (inv.command) {
    case CtlCommand::generate:
    case CtlCommand::status:
    case CtlCommand::gc:
    case CtlCommand::quarantine: {
      std::string endpoint = control_endpoint(inv.config_path, inv.endpoint);
      if (inv.command == CtlCommand::generate) return run_generate(endpoint, inv.generate);
      if (inv.command == CtlCommand::gc) return run_gc(endpoint, inv.gc);
      if (inv.command == CtlCommand::quarantine) return run_quarantine(endpoint, inv.quarantine);
      return run_status(endpoint, inv.status);
    }
    case CtlCommand::sign:
      return sign_command(inv.config_path, inv.sign);
    case CtlCommand::nginx_site:
      return nginx_site_command(inv.config_path, inv.nginx_site);
    case CtlCommand::formats:
      return run_formats(inv.formats);
    case CtlCommand::render:
      return run_render(inv.render);
  }
  return kExitFailed;
}

}  // namespace

int main(int argc, char** argv) {
  hlsfs::quiet_libav_logs();
  hlsfs::keep_large_allocations();
  hlsfs::CtlParse parsed =
      hlsfs::parse_ctl_command_line(argc, argv, HLSFS_DEFAULT_CONFIG, ctl_version_text, std::cout, std::cerr);
  if (!parsed.invocation) return parsed.exit_code;
  const hlsfs::CtlInvocation& inv = *parsed.invocation;
  try {
    return run(inv);
  } catch (const std::invalid_argument& e) {
    // What the command line named, refused on a closer look (sign, nginx-site).
    bool usage = inv.command == hlsfs::CtlCommand::sign || inv.command == hlsfs::CtlCommand::nginx_site;
    std::cerr << "error: " << e.what() << "\n";
    return usage ? hlsfs::kExitUsage : hlsfs::kExitFailed;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return hlsfs::kExitFailed;
  }
}

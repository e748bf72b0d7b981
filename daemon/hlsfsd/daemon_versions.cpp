// hlsfsd --version: apart from the parser, as it needs libfuse and RocksDB
// linked (the parser's tests do not).
#define FUSE_USE_VERSION 34
#include <fuse3/fuse_lowlevel.h>  // fuse_pkgversion() (fuse_common.h is not for direct use)
#include <rocksdb/version.h>

#include "daemon/cli/program_version.h"
#include "daemon/hlsfsd/daemon_command_line.h"

namespace hlsfs {

std::string daemon_version_text() {
  std::vector<LibraryVersion> libs = libav_versions();
  libs.push_back(caf_version_built("CAF 0.17 has no runtime query"));
  libs.push_back({"RocksDB", rocksdb::GetRocksVersionAsString(true), "runtime"});
  libs.push_back({"libfuse", fuse_pkgversion(), "runtime"});
  return version_text("hlsfsd", libs);
}

}  // namespace hlsfs

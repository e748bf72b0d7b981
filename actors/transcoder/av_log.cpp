#include <cstdlib>

#include "actors/transcoder/av_util.h"

extern "C" {
#include <libavutil/log.h>
}

namespace hlsfs {

void quiet_libav_logs() {
  // Demuxers complain loudly about damaged input that we handle; hlsfs reports
  // the outcome itself. HLSFS_AV_LOG=info|verbose|debug brings libav's voice back.
  const char* lvl = getenv("HLSFS_AV_LOG");
  int level = AV_LOG_QUIET;
  if (lvl) {
    std::string l = lvl;
    level = l == "debug" ? AV_LOG_DEBUG : l == "verbose" ? AV_LOG_VERBOSE : l == "info" ? AV_LOG_INFO
            : l == "warning" ? AV_LOG_WARNING : AV_LOG_ERROR;
  }
  av_log_set_level(level);
}

}  // namespace hlsfs

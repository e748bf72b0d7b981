// One transcode job in the daemon: (token, n) -> a segment file in the hot
// tier. A pure function of the published rendition and the source version.
#pragma once
#include <cstdint>
#include <string>

#include "actors/services.h"

namespace hlsfs {

struct MadeSegment {
  int32_t err = 0;  // 0, or an errno for the reader (ENOENT unknown token, EIO failure, ENOSPC)
  int64_t size = 0;
  std::string checksum;  // SHA-256 hex of the bytes
  double seconds = 0;
  std::string message;   // why it failed, for the log
};

// progress: updated while it encodes (may be null).
MadeSegment make_segment(const Services& svc, const std::string& token, uint32_t n,
                         EncodeProgress* progress = nullptr);

}  // namespace hlsfs

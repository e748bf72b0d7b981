#include "actors/playlist/source_limits.h"

#include <cstdio>

namespace hlsfs {

std::string timeline_problem(const MediaInfo& media) {
  for (const StreamInfo& s : media.streams) {
    if (s.kind != StreamKind::video && s.kind != StreamKind::audio) continue;
    if (s.packets < 1 || s.start_pts == kNoTimestamp || s.end_pts == kNoTimestamp) continue;
    double span = s.end_seconds() - s.start_seconds();
    if (span <= kMaxSecondsPerPacket * static_cast<double>(s.packets)) continue;
    char text[200];
    snprintf(text, sizeof text, "%s stream %d has %lld packet%s over %.0f s: its timestamps jump (at most one packet per %.0f s is believable)",
             to_string(s.kind), s.index, static_cast<long long>(s.packets), s.packets == 1 ? "" : "s", span,
             kMaxSecondsPerPacket);
    return text;
  }
  return "";
}

}  // namespace hlsfs

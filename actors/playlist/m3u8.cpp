#include "actors/playlist/m3u8.h"

#include <cmath>
#include <cstdio>

namespace hlsfs {

int target_duration(const SegmentPlan& plan) {
  int td = 1;
  for (size_t k = 0; k < plan.size(); ++k) td = std::max<int>(td, static_cast<int>(std::lround(plan.extinf(k))));
  return td;
}

std::string media_playlist(const RenditionSpec& r) {
  std::string out;
  out += "#EXTM3U\n#EXT-X-VERSION:3\n";
  out += "#EXT-X-TARGETDURATION:" + std::to_string(target_duration(r.plan)) + "\n";
  out += "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  char buf[64];
  for (size_t k = 0; k < r.plan.size(); ++k) {
    snprintf(buf, sizeof buf, "#EXTINF:%.6f,\n", r.plan.extinf(k));
    out += buf;
    out += r.segment_name(k) + "\n";
  }
  out += "#EXT-X-ENDLIST\n";
  return out;
}

std::string master_playlist(const std::vector<MasterEntry>& entries) {
  std::string out = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  for (const auto& e : entries) {
    out += "#EXT-X-STREAM-INF:BANDWIDTH=" + std::to_string(e.bandwidth) +
           ",AVERAGE-BANDWIDTH=" + std::to_string(e.average_bandwidth);
    if (e.rendition->video) {
      const auto& v = *e.rendition->video;
      out += ",RESOLUTION=" + std::to_string(v.geometry.width) + "x" + std::to_string(v.geometry.height);
      char fr[32];
      snprintf(fr, sizeof fr, ",FRAME-RATE=%.3f", v.frame_rate.to_double());
      out += fr;
    }
    out += ",CODECS=\"" + e.codecs + "\"\n" + e.relative_uri + "\n";
  }
  return out;
}

std::string relative_uri(const std::string& from_uri, const std::string& to_uri) {
  std::string dir = from_uri.substr(0, from_uri.rfind('/') + 1);
  if (to_uri.rfind(dir, 0) == 0) return to_uri.substr(dir.size());
  return to_uri;
}

}  // namespace hlsfs

#include "actors/playlist/rendition_record.h"

namespace hlsfs {

RenditionSpec rendition_of_record(const MediaInfo& media, const nlohmann::json& rec) {
  PlaylistRequest req = parse_request(rec.at("request"));
  EncoderConfig enc{rec.at("encoder").at("preset"), rec.at("encoder").at("threads"),
                    rec.at("encoder").at("x264_params")};
  // Records before tracks existed name only their target.
  RenditionOrigin origin = rec.contains("origin") ? rec.at("origin").get<RenditionOrigin>()
                                                  : RenditionOrigin::of_target(rec.at("target").get<size_t>());
  return rebuild_rendition(media, req, origin, enc);
}

}  // namespace hlsfs

#include "actors/transcoder/segment_muxer.h"

#include "actors/transcoder/fmp4_init.h"
#include "actors/transcoder/fmp4_muxer.h"
#include "actors/transcoder/ts_muxer.h"

namespace hlsfs {

std::unique_ptr<SegmentMuxer> make_segment_muxer(const RenditionSpec& r, const MediaInfo& media, size_t k) {
  if (!r.fmp4) return std::make_unique<TsMuxer>();
  return std::make_unique<Fmp4Muxer>(static_cast<uint32_t>(k + 1), fmp4_init_segment(r, media));
}

}  // namespace hlsfs

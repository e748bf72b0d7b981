#include "actors/transcoder/segment_job.h"

#include <cerrno>
#include <chrono>
#include <cstring>

#include "actors/playlist/token.h"
#include "actors/segment_cache/segment_store.h"
#include "actors/storage/atomic_file.h"
#include "actors/transcoder/segment_encoder.h"

namespace hlsfs {

MadeSegment make_segment(const Services& svc, const std::string& token, uint32_t n, EncodeProgress* progress) {
  MadeSegment out;
  auto t0 = std::chrono::steady_clock::now();
  auto r = svc.catalog->by_token(token);
  if (!r || n >= r->spec.plan.size()) {
    out.err = ENOENT;
    out.message = "no such segment";
    return out;
  }
  try {
    auto opener = svc.source_opener();
    // The token names one version of the source: never make its segments
    // from another.
    SourceIdentity now = opener->identify(r->spec.source_uri);
    if (now.size != r->media->source.size || now.version != r->media->source.version)
      throw MediaError(r->spec.source_uri + " changed since the playlist was made; generate it again");
    SegmentResult seg = encode_segment(*opener, *r->media, r->spec, n, progress);
    out.checksum = sha256_hex(seg.bytes);
    write_file_atomic(svc.segments->path_of(token, n), seg.bytes);
    out.size = static_cast<int64_t>(seg.bytes.size());
  } catch (const MediaError& e) {
    out.err = EIO;
    out.message = e.what();
  } catch (const std::exception& e) {
    std::string msg = e.what();
    out.err = msg.find(strerror(ENOSPC)) != std::string::npos ? ENOSPC : EIO;
    out.message = msg;
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace hlsfs

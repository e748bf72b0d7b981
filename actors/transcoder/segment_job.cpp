#include "actors/transcoder/segment_job.h"

#include <cerrno>
#include <chrono>
#include <cstring>

#include "actors/playlist/token.h"
#include "actors/segment_cache/segment_store.h"
#include "actors/storage/atomic_file.h"
#include "actors/transcoder/segment_encoder.h"
#include "daemon/http/metrics.h"
#include "hlsfs/log.h"

namespace hlsfs {

std::string segment_key(const PublishedRendition& r, uint32_t n) { return r.dir + r.spec.segment_name(n); }

bool is_remote_store(const Backend& b) { return b.plugin() != "local"; }

namespace {

// A segment evicted from the hot tier but kept in its object store comes back
// from there: one GET instead of a transcode. Its bytes are the ones made
// here before (the token pins source, settings and layout). Any failure is
// not fatal: the segment is then made again.
bool fetch_from_store(const Services& svc, const PublishedRendition& r, const std::string& token, uint32_t n, MadeSegment& out) {
  auto backend = svc.backend(r.store);
  if (!backend || !is_remote_store(*backend)) return false;
  const std::string key = segment_key(r, n);
  try {
    auto st = backend->stat(key);
    if (!st || st->size <= 0) return false;
    std::string bytes = backend->read_all(key);
    if (static_cast<int64_t>(bytes.size()) != st->size) return false;
    out.checksum = sha256_hex(bytes);
    write_file_atomic(svc.segments->path_of(token, n), bytes);
    out.size = static_cast<int64_t>(bytes.size());
    out.fetched = true;
    return true;
  } catch (const std::exception& e) {
    HLSFS_LOG(warning, "transcoder") << "cannot fetch " << r.store << "/" << key << " (" << e.what()
                                     << "): making it again";
    return false;
  }
}

}  // namespace

MadeSegment make_segment(const Services& svc, const std::string& token, uint32_t n, EncodeProgress* progress) {
  MadeSegment out;
  auto t0 = std::chrono::steady_clock::now();
  auto r = svc.catalog->by_token(token);
  if (!r || n >= r->spec.plan.size()) {
    out.err = ENOENT;
    out.message = "no such segment";
    return out;
  }
  if (fetch_from_store(svc, *r, token, n, out)) {
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
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
    if (svc.metrics && opener->remote_bytes_fetched() > 0)
      svc.metrics->counter("hlsfs_source_bytes_fetched_total", "Source bytes read from object stores by segment jobs")
          .inc(static_cast<uint64_t>(opener->remote_bytes_fetched()));
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

#include "actors/transcoder/segment_job.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "actors/playlist/token.h"
#include "actors/segment_cache/segment_store.h"
#include "actors/storage/atomic_file.h"
#include "actors/transcoder/segment_encoder.h"
#include "actors/daemon_metrics.h"
#include "actors/transcoder/worker_dispatch.h"
#include "hlsfs/log.h"
#include "hlsfs/source_version.h"

namespace hlsfs {

std::string segment_key(const PublishedRendition& r, uint32_t n) { return r.dir + r.spec.segment_name(n); }

bool is_remote_store(const Backend& b) { return b.plugin() != "local"; }

namespace {

// A segment already in its object store comes back from there: one GET
// instead of a transcode, whichever node of a cluster made it (or this one,
// before evicting it). Its bytes are the ones a transcode would make (the
// token pins source, settings and layout). One GET, no HEAD first: a cold
// segment costs the bucket one 404 (a HEAD of a missing key would also LIST,
// to tell a directory). Any failure is not fatal: the segment is then made.
// Two nodes making the same cold segment at once both miss and both make it:
// harmless, the bytes are identical (docs/operations.md, "Cluster").
constexpr int64_t kSegmentFirstRead = 16 << 20;  // most segments: one GET; longer ones read on

bool fetch_from_store(const Services& svc, const PublishedRendition& r, const std::string& token, uint32_t n, MadeSegment& out) {
  auto backend = svc.backend(r.store);
  if (!backend || !is_remote_store(*backend)) return false;
  const std::string key = segment_key(r, n);
  try {
    std::optional<std::string> got = backend->get(key, kSegmentFirstRead);
    if (!got || got->empty()) return false;
    std::string bytes = std::move(*got);
    if (auto d = current_deadline(); d && d->over()) return false;  // left behind: nobody records it
    out.checksum = sha256_hex(bytes);
    const std::string temp = svc.segments->temp_path(token, n);
    write_file_synced(temp, bytes);
    out.temp = temp;
    out.size = static_cast<int64_t>(bytes.size());
    out.fetched = true;
    return true;
  } catch (const std::exception& e) {
    HLSFS_LOG(warning, "transcoder") << "cannot fetch the stored copy (" << e.what() << "), making it again: "
                                     << log_kv("store", r.store) << " " << log_kv("key", key) << " "
                                     << log_kv("token", token) << " " << log_kv("segment", n);
    return false;
  }
}

// Encodes segment n of renditions sharing a decode and writes each to a temp
// file for the owner to place; failures become errno + message per segment
// (and leave no file: the temps already written for the group go too).
std::vector<MadeSegment> encode_and_store(const Services& svc,
                                          const std::vector<std::shared_ptr<const PublishedRendition>>& rs,
                                          uint32_t n, EncodeProgress* progress) {
  std::vector<MadeSegment> out(rs.size());
  auto fail_all = [&](int32_t err, const std::string& msg) {
    for (auto& m : out) {
      if (!m.temp.empty()) unlink(m.temp.c_str());
      m.temp.clear();
      m.err = err;
      m.message = msg;
    }
  };
  try {
    const PublishedRendition& lead = *rs.front();
    auto opener = svc.source_opener();
    // The token names one version of the source: never make its segments
    // from another.
    SourceIdentity now = opener->identify(lead.spec.source_uri);
    // Compared on the fields the record holds (hlsfs/source_version.h): a
    // generated title's mtime and inode, a library title's ctime too, a
    // record made before them its mtime.
    if (now.size != lead.media->source.size || !same_source_version(lead.media->source.version, now.version))
      throw MediaError(lead.spec.source_uri + " changed since the playlist was made; generate it again");
    std::vector<const RenditionSpec*> specs;
    for (const auto& r : rs) specs.push_back(&r->spec);
    std::vector<SegmentResult> segs = svc.worker_pool ? encode_in_worker(svc, *opener, rs, n, progress)
                                                      : encode_segments(*opener, *lead.media, specs, n, progress);
    // Cut or rewritten while it was read: the decoder met an early end and
    // held the last frame to the segment's end. Such a segment is not kept.
    SourceIdentity after = now;
    try {
      after = opener->identify(lead.spec.source_uri);
    } catch (const std::exception&) {  // a store that does not answer now: the check before stands
    }
    if (after.size != now.size || !same_source_version(lead.media->source.version, after.version))
      throw MediaError(lead.spec.source_uri + " changed while segment " + std::to_string(n) +
                       " was made from it; generate it again");
    if (svc.meters && opener->remote_bytes_fetched() > 0)
      svc.meters->transcoder.source_bytes_fetched->inc(static_cast<uint64_t>(opener->remote_bytes_fetched()));
    // A job left behind by its waiter (watched_thread.h) that got on again
    // stops here: nobody records what it would write.
    check_deadline();
    for (size_t i = 0; i < rs.size(); ++i) {
      if (segs[i].capped) {
        HLSFS_LOG(info, "transcoder") << "above its rate cap at CRF, made again in two passes at "
                                      << rate_cap(*rs[i]->spec.video) << " bit/s: " << segment_label(svc, rs[i]->spec.token, n);
        if (svc.meters) svc.meters->transcoder.capped->inc();
      }
      out[i].checksum = sha256_hex(segs[i].bytes);
      const std::string temp = svc.segments->temp_path(rs[i]->spec.token, n);
      write_file_synced(temp, segs[i].bytes);
      out[i].temp = temp;
      out[i].size = static_cast<int64_t>(segs[i].bytes.size());
    }
  } catch (const JobAbandoned& e) {
    fail_all(ESHUTDOWN, e.what());
  } catch (const JobTimedOut& e) {
    fail_all(ETIMEDOUT, e.what());
  } catch (const MediaError& e) {
    fail_all(EIO, e.what());
  } catch (const std::exception& e) {
    std::string msg = e.what();
    // A full cache_dir (or its quota): the segment cache makes room and tries again.
    bool full = msg.find(strerror(ENOSPC)) != std::string::npos || msg.find(strerror(EDQUOT)) != std::string::npos;
    fail_all(full ? ENOSPC : EIO, msg);
  }
  return out;
}

}  // namespace

std::shared_ptr<ProgressDeadline> segment_deadline(const Services& svc, const std::string& token, uint32_t n) {
  auto r = svc.catalog->by_token(token);
  const double seconds = r && n < r->spec.plan.size() ? r->spec.plan.extinf(n) : 0;
  // No name of its own: whoever reports the timeout names the segment.
  return std::make_shared<ProgressDeadline>(segment_job_limit(svc.tunables()->job_timeout_ms, seconds), "");
}

std::string segment_label(const Services& svc, const std::string& token, uint32_t n) {
  auto r = svc.catalog->by_token(token);
  const std::string ids = log_kv("token", token) + " " + log_kv("segment", n);
  return r ? log_kv("store", r->store) + " " + log_kv("key", segment_key(*r, n)) + " " + ids : ids;
}

MadeSegment make_segment(const Services& svc, const std::string& token, uint32_t n, EncodeProgress* progress) {
  MadeSegment out;
  auto t0 = std::chrono::steady_clock::now();
  auto r = svc.catalog->by_token(token);
  if (!r || !r->spec.has_segment(n)) {
    out.err = ENOENT;
    out.message = "no such segment";
    return out;
  }
  if (fetch_from_store(svc, *r, token, n, out)) {
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
  }
  note_progress();  // the fetch (bounded by its store's timeouts) is over
  std::vector<MadeSegment> made = encode_and_store(svc, {r}, n, progress);
  out = made.front();
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

std::vector<MadeSegment> make_segments(const Services& svc, const std::vector<std::string>& tokens, uint32_t n,
                                       EncodeProgress* progress) {
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<const PublishedRendition>> rs;
  for (const auto& t : tokens) {
    auto r = svc.catalog->by_token(t);
    if (!r || !r->spec.has_segment(n)) {
      MadeSegment missing;
      missing.err = ENOENT;
      missing.message = "no such segment";
      return std::vector<MadeSegment>(tokens.size(), missing);
    }
    rs.push_back(std::move(r));
  }
  std::vector<MadeSegment> out = encode_and_store(svc, rs, n, progress);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (auto& m : out) m.seconds = secs;
  return out;
}

bool can_make_together(const Services& svc, const std::string& lead, const std::string& other, uint32_t n) {
  auto a = svc.catalog->by_token(lead), b = svc.catalog->by_token(other);
  if (!a || !b || a->media->source.size != b->media->source.size ||
      a->media->source.version != b->media->source.version || !can_share_decode(a->spec, b->spec, n))
    return false;
  for (const auto& r : {a, b}) {
    auto backend = svc.backend(r->store);
    if (!backend || is_remote_store(*backend)) return false;
  }
  return true;
}

}  // namespace hlsfs

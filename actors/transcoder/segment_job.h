// One transcode job in the daemon: (token, n) -> a segment file in cache_dir's
// temp area, which the segment cache renames into the hot tier. A pure
// function of the published rendition and the source version.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/playlist/catalog.h"
#include "actors/services.h"
#include "actors/storage/backend.h"
#include "actors/transcoder/job_deadline.h"

namespace hlsfs {

struct MadeSegment {
  // 0, or an errno for the reader: ENOENT unknown token, EIO failure,
  // ENOSPC, ESHUTDOWN abandoned as hlsfsd stops, ETIMEDOUT no progress for
  // its limit (job_deadline.h; readers get EIO), EBUSY not run (too many
  // jobs stuck, watched_thread.h).
  int32_t err = 0;
  int64_t size = 0;
  std::string checksum;  // SHA-256 hex of the bytes
  double seconds = 0;
  std::string message;   // why it failed, for the log
  bool fetched = false;  // copied back from the target store (evicted here, kept there)
  // Made (err 0): the file in cache_dir's temp area holding it, written and
  // fsynced (SegmentStore::temp_path). The segment cache, the owner, renames
  // it into place; a job never creates a segment's name in cache_dir.
  std::string temp;
};

// The key of segment n in its rendition's store ("out/a/720p-<token>-3.ts").
std::string segment_key(const PublishedRendition& r, uint32_t n);
// True for stores whose files are not on this machine (S3, OSS): made
// segments are written back there, and fetched from there when evicted here.
bool is_remote_store(const Backend& b);

// The deadline of a job making segment n of `token`: transcoder.job_timeout,
// or by default from the segment's length (segment_job_limit).
std::shared_ptr<ProgressDeadline> segment_deadline(const Services& svc, const std::string& token, uint32_t n);

// "media/out/a/720p-<token>-3.ts" (the token and n when it is unknown).
std::string segment_label(const Services& svc, const std::string& token, uint32_t n);

// progress: updated while it encodes (may be null). Under the thread's
// deadline, if any: JobTimedOut becomes ETIMEDOUT.
MadeSegment make_segment(const Services& svc, const std::string& token, uint32_t n,
                         EncodeProgress* progress = nullptr);

// Segment n of renditions that share a decode (siblings_of): made together,
// one decode; one result per token, in order. No fetching from object
// stores: the scheduler groups only renditions kept on this machine.
std::vector<MadeSegment> make_segments(const Services& svc, const std::vector<std::string>& tokens, uint32_t n,
                                       EncodeProgress* progress = nullptr);

// Whether segment n of `other` can be made in one decode with `lead`'s
// (same source, frame grid and cut; both kept on this machine).
bool can_make_together(const Services& svc, const std::string& lead, const std::string& other, uint32_t n);

}  // namespace hlsfs

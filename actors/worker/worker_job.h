// What the daemon asks of a worker process and what it answers, as JSON on
// the worker channel (channel.h). A segment job carries what rebuilds its
// renditions exactly as the daemon published them (each playlist's state
// record: request, origin, encoder; and the probe), never a path or a
// credential: the bytes of its sources come as descriptors or over the
// channel.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/playlist/rendition.h"
#include "actors/transcoder/segment_encoder.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

struct WorkerSource {
  SourceIdentity id;
  bool local = true;  // a descriptor comes with the job (in sources order); else ranged reads
};

struct WorkerJob {
  std::string kind = "segment";          // "segment" or "probe"
  uint32_t segment = 0;
  bool background = false;               // run at nice 19 (prefetch, initial)
  std::vector<std::string> tokens;       // the renditions, made in one decode
  std::vector<std::string> records;      // their playlist records (JSON text), in order
  nlohmann::json media;                  // the probe (segment jobs)
  std::vector<WorkerSource> sources;     // [0] the source; then subtitle files
  std::string failpoint;                 // tests only (worker_failpoint.h)
};

void to_json(nlohmann::json&, const WorkerJob&);
void from_json(const nlohmann::json&, WorkerJob&);

// The renditions of a segment job, rebuilt from their records; a record that
// does not rebuild to its token is refused (std::runtime_error).
std::vector<RenditionSpec> rebuild_specs(const WorkerJob& job, const MediaInfo& media);

// Results without the bytes (those go through the output descriptors).
nlohmann::json results_json(const std::vector<SegmentResult>& segs);
// Fills the counts and flags of `segs` (one per rendition, bytes already
// read) from a worker's answer; std::runtime_error when it does not fit.
void read_results(const nlohmann::json& j, std::vector<SegmentResult>& segs);

}  // namespace hlsfs

// Probe: streams, timing and keyframe index of a source, read from packet
// headers and flags (no decoding beyond one check frame per stream).
#pragma once
#include <string>

#include "actors/transcoder/job_deadline.h"
#include "actors/transcoder/source.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

// Throws MediaError with one clear line: which file, what is wrong, libav's reason.
// Reads under the thread's deadline (job_deadline.h), armed while it reads;
// JobTimedOut when the source makes no progress for its limit.
MediaInfo probe_source(SourceOpener& opener, const std::string& uri);

}  // namespace hlsfs

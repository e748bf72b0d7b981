// Probe: streams, timing and keyframes of a source, from the container's
// index and a head and a tail of its packets (probe_reader.h); a small file,
// or one with neither an index nor a tail readable alone, is read whole. No
// decoding beyond one check frame per stream.
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

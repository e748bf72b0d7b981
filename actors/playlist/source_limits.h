// What one source or one request may cost: a rendition has at most
// kMaxSegments segments, and a source's timestamps must not jump beyond
// reason (a 17 KB file whose second frame is at 1,000,000 s would otherwise
// give a 12 MB playlist of 200,000 segments, and as many jobs).
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>

#include "hlsfs/media_info.h"

namespace hlsfs {

// 50,000 segments: 69 hours at the shortest Duration (5 s).
constexpr size_t kMaxSegments = 50000;

// A stream whose packets are on average further apart than this is not a
// recording but a timestamp jump (a slideshow of one picture every 10 s is
// far below it).
constexpr double kMaxSecondsPerPacket = 60.0;

// "" when every video and audio stream of `media` covers its time span with
// packets at a believable rate, else the jump, named: "video stream 0 has 2
// packets over 1000000 s (a timestamp jump?)".
std::string timeline_problem(const MediaInfo& media);

// A source generate refuses for what it is, not for the request: 400
// InvalidSource from the API, exit 1 from `hlsfsctl render`.
struct SourceRejected : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace hlsfs

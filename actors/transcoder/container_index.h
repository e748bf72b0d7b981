// What a container's own index says about one stream: the sample table of an
// MP4/MOV (every sample), Matroska Cues, AVI idx1/OpenDML, FLV keyframe
// metadata, the ASF index object; filled by libavformat when it opens the
// file. Read instead of the packets, so a probe costs the index and a head
// and tail, not the whole source.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "actors/transcoder/av_util.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

struct StreamIndex {
  int64_t entries = 0;                 // entries not marked discard (edit lists)
  int64_t first_ts = kNoTimestamp;     // index timestamps: decode times for MP4,
  int64_t last_ts = kNoTimestamp;      // presentation times for Matroska
  std::vector<Keyframe> keyframes;     // pts and dts are both the index timestamp
  // Truncation: the last entry whose bytes all lie inside the file, and
  // whether any entry points past its end.
  int64_t last_whole_ts = kNoTimestamp;
  bool runs_past_end = false;
};

// The index of `st` checked against a file of `file_size` bytes (-1 unknown).
StreamIndex read_stream_index(AVStream* st, int64_t file_size);

// True for the containers that carry an index of their own: MP4/MOV/3GP,
// Matroska/WebM, AVI, FLV, ASF/WMV. Other demuxers note index entries only
// for what they read or searched (MPEG-TS seeks note packets of any kind).
bool container_has_index(const AVInputFormat* format);

// True for the containers whose packets carry their own timestamps and that
// find their feet after a seek to any byte (MPEG-TS, MPEG-PS, Matroska, FLV,
// ASF, RealMedia, Ogg): their tail can be read alone. Raw streams, MP3, WAV
// or FLAC number packets by counting from the start, so a tail read alone
// tells nothing.
bool tail_readable_alone(const AVInputFormat* format);

// True for demuxers whose index entries are the stream's packets (the
// MP4/MOV sample table), so their count is its packet count.
bool index_counts_packets(const AVInputFormat* format);

// True for demuxers whose index lists every sample, so a seek can land on
// any of them (MP4/MOV, AVI idx1): a tail of seconds, not of a GOP.
bool index_seeks_any_sample(const AVInputFormat* format);

}  // namespace hlsfs

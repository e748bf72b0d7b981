#include "actors/transcoder/container_index.h"

#include <cstring>
#include <initializer_list>
#include <string>

namespace hlsfs {

StreamIndex read_stream_index(AVStream* st, int64_t file_size) {
  StreamIndex ix;
  const int n = avformat_index_get_entries_count(st);
  for (int i = 0; i < n; ++i) {
    const AVIndexEntry* e = avformat_index_get_entry(st, i);
    if (!e || (e->flags & AVINDEX_DISCARD_FRAME) || e->timestamp == AV_NOPTS_VALUE) continue;
    ++ix.entries;
    if (ix.first_ts == kNoTimestamp || e->timestamp < ix.first_ts) ix.first_ts = e->timestamp;
    if (ix.last_ts == kNoTimestamp || e->timestamp > ix.last_ts) ix.last_ts = e->timestamp;
    if (e->flags & AVINDEX_KEYFRAME) ix.keyframes.push_back(Keyframe{e->timestamp, e->timestamp, e->pos});
    if (file_size > 0 && e->pos >= 0) {
      if (e->pos + static_cast<int64_t>(e->size) > file_size) {
        ix.runs_past_end = true;
      } else if (ix.last_whole_ts == kNoTimestamp || e->timestamp > ix.last_whole_ts) {
        ix.last_whole_ts = e->timestamp;
      }
    }
  }
  return ix;
}

namespace {

// The demuxer's first name: "mov" of "mov,mp4,m4a,3gp,3g2,mj2".
std::string first_name(const AVInputFormat* format) {
  if (!format || !format->name) return "";
  const char* comma = std::strchr(format->name, ',');
  return comma ? std::string(format->name, comma) : std::string(format->name);
}

bool named(const AVInputFormat* format, std::initializer_list<const char*> names) {
  const std::string name = first_name(format);
  for (const char* n : names)
    if (name == n) return true;
  return false;
}

}  // namespace

bool container_has_index(const AVInputFormat* format) {
  return named(format, {"mov", "matroska", "avi", "flv", "asf", "asf_o"});
}

bool tail_readable_alone(const AVInputFormat* format) {
  return named(format, {"mpegts", "mpeg", "matroska", "flv", "asf", "asf_o", "rm", "ogg"});
}

bool index_counts_packets(const AVInputFormat* format) { return named(format, {"mov"}); }

bool index_seeks_any_sample(const AVInputFormat* format) { return named(format, {"mov", "avi"}); }

}  // namespace hlsfs

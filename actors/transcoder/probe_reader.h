// How a probe reads a source's timing without reading all of it: a head
// (start times, the decode checks, a packet rate), then the container's
// index and a tail (the end), or for a file with no index a tail read alone.
// Small files, and files whose tail cannot be read alone, are read whole.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "actors/transcoder/av_util.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

// A file this small is read whole: exact, and cheap.
constexpr int64_t kReadWholeBelow = 16 << 20;

// The packets of one input, read in order, noted into a MediaInfo's streams
// (slot: container stream index -> position in info.streams).
class PacketReader {
 public:
  PacketReader(AVFormatContext* fmt, MediaInfo& info, const std::map<int, size_t>& slot);

  // The next packet, noted; null at the end of the file (or of what can be
  // read). The head counts packets and keeps keyframes; a tail only extends
  // the streams' ends.
  const AVPacket* next(bool head);

  // Packets of a stream since forget_seen(), and the latest timestamp a tail
  // read saw in it (kNoTimestamp: none).
  int64_t seen(int index) const;
  int64_t tail_end(int index) const;
  void forget_seen() {
    seen_.clear();
    tail_end_.clear();
  }

  std::string last_error;
  int64_t first_pos = -1, last_pos = -1;  // byte span of the head's packets

 private:
  void note(StreamInfo& s, const AVStream* st, bool head);
  void note_gop(StreamInfo& s, const AVStream* st, bool head);

  AVFormatContext* fmt_;
  MediaInfo& info_;
  const std::map<int, size_t>& slot_;
  PacketPtr pkt_;
  std::map<int, int64_t> seen_;
  std::map<int, int64_t> tail_end_;
  int consecutive_errors_ = 0;
  std::map<int, int> head_keyframes_;  // the head's first keyframe starts the stream: not a sample
  std::map<int, bool> cra_pending_;    // HEVC CRA/BLA seen: its next picture tells whether it is open
};

// The NAL unit type of the first picture slice in an H.264 (1..5) or HEVC
// (0..31) packet; -1 when it holds none. length_size: the NAL length field
// of MP4/Matroska packets (1, 2 or 4), 0 for Annex B (MPEG-TS).
int first_slice_nal_type(const uint8_t* data, int size, int length_size, bool hevc);

// The NAL length field size from a stream's extradata (avcC, hvcC), 0 when
// it is Annex B (no such record).
int nal_length_size(const uint8_t* extradata, int size, bool hevc);

// Up to `count` keyframes of the main video stream after its first, from the
// container's index (evenly spread), each read a few packets (bounded: the
// probe's bytes matter) so PacketReader classifies them (StreamInfo::open_gop).
void sample_keyframes(AVFormatContext* fmt, PacketReader& reader, const StreamInfo& video,
                      const std::vector<Keyframe>& index_keys, int count);

// After the head: fills each timed stream's end, packet count and keyframes
// from the container's index and a tail ("index"), or a tail read alone
// ("head+tail"); sets info.probe_method. False when neither works (the
// caller reads every packet). MediaError when the index names data past the
// end of the file: "truncated or damaged: the header says X s but the media
// data ends at Y s".
bool read_index_and_tail(AVFormatContext* fmt, PacketReader& reader, MediaInfo& info, const std::string& uri);

// Every packet of a fresh input of the same source, noted into `info` (which
// keeps its streams' kinds): the probe of a small file, or when nothing cheaper
// works.
void read_every_packet(AVFormatContext* fmt, MediaInfo& info, const std::map<int, size_t>& slot,
                       std::string* last_error);

// "uri: truncated or damaged: the header says X s but the media data ends at Y s (error)"
std::string truncated_message(const std::string& uri, double header, double media_end, const std::string& error);

}  // namespace hlsfs

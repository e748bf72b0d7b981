// One stream of a source: open, seek to a keyframe or a time, decode forward.
// Other streams are discarded at the demuxer. Packets read and frames
// decoded are progress of the thread's deadline (job_deadline.h), which is
// checked at every packet: past it, reading throws JobTimedOut rather than
// pass an interrupted read for the end of the stream.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/transcoder/job_deadline.h"
#include "actors/transcoder/source.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

struct DecodeStart {
  int64_t keyframe_pts = kNoTimestamp;  // decoding begins at this keyframe (stream ticks)
  std::vector<PacketPtr> pending;       // packets read while seeking, to decode first
};

class Demuxer {
 public:
  Demuxer(SourceOpener& opener, const std::string& uri, int stream_index);

  AVStream* stream() const { return fmt_->streams[index_]; }
  AVCodecContext* decoder() const { return dec_.get(); }

  // Position the demuxer so decoding starts at the last keyframe whose
  // presentation time is at or before `need` (stream ticks), found by seeking
  // and reading forward: the same keyframe whatever was read before, with or
  // without a keyframe index (MPEG-TS has none; an MP4 index holds decode
  // times only). The first keyframe when none is at or before `need`.
  DecodeStart start_at_keyframe_before(int64_t need);
  // Position at or before `ts` (stream ticks); any packet can start decoding.
  DecodeStart start_at_time(int64_t ts);
  // Back to the first packet.
  DecodeStart start_at_beginning();

  // Decodes from `start` on; on_frame returns false to stop. At the end of the
  // stream the decoder is drained.
  void decode(DecodeStart& start, AVFrame* frame, const std::function<bool(AVFrame*)>& on_frame);

 private:
  void open();
  bool read(AVPacket* pkt);  // next packet of our stream; false at the end
  // start_at_time through a video track's index, when ours has none (Matroska
  // cues): nothing when that does not apply or cannot find the packet.
  std::optional<DecodeStart> start_at_time_by_video_index(int64_t ts);
  int video_index_to_seek_by() const;  // -1: seek our own stream
  bool seek_by_index(int stream_index, int64_t ts);
  static int64_t ts_of(const AVPacket* p) { return p->pts != AV_NOPTS_VALUE ? p->pts : p->dts; }

  SourceOpener& opener_;
  std::string uri_;
  int index_;
  std::shared_ptr<ProgressDeadline> deadline_;  // fmt_'s interrupt callback: outlives it
  InputPtr fmt_;
  CodecPtr dec_;
  bool moved_ = false;  // packets were consumed since open
};

}  // namespace hlsfs

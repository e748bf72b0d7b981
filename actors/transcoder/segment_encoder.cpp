#include "actors/transcoder/segment_encoder.h"

#include "actors/transcoder/audio_source.h"
#include "actors/transcoder/encoders.h"
#include "actors/transcoder/ts_muxer.h"
#include "actors/transcoder/video_source.h"

namespace hlsfs {

namespace {

const StreamInfo& stream_by_index(const MediaInfo& media, int index) {
  for (const auto& s : media.streams)
    if (s.index == index) return s;
  throw MediaError(media.source.uri + ": stream " + std::to_string(index) + " is not in the probe");
}

}  // namespace

SegmentResult encode_segment(SourceOpener& opener, const MediaInfo& media, const RenditionSpec& spec, size_t k) {
  if (k >= spec.plan.size())
    throw MediaError("segment " + std::to_string(k) + " does not exist (the playlist has " +
                     std::to_string(spec.plan.size()) + ")");
  SegmentResult result;
  TsMuxer mux;
  CodecPtr venc, aenc;
  int vstream = -1, astream = -1;
  if (spec.video) {
    venc = open_video_encoder(*spec.video, stream_by_index(media, spec.video->stream));
    vstream = mux.add_stream(venc.get());
  }
  if (spec.audio) {
    aenc = open_audio_encoder(*spec.audio);
    astream = mux.add_stream(aenc.get());
  }

  if (spec.video) {
    const StreamInfo& vs = stream_by_index(media, spec.video->stream);
    VideoFrameSource source(opener, spec.source_uri, vs, *spec.video, spec.origin);
    FramePtr frame = make_frame();
    auto on_packet = [&](AVPacket* p) { mux.add_packet(vstream, p, venc->time_base); };
    const int64_t first = spec.plan.begin(k);
    source.produce(first, spec.plan.end(k), [&](int64_t j, AVFrame* picture) {
      av_frame_unref(frame.get());
      av_check(av_frame_ref(frame.get(), picture), "video frame");
      frame->pts = j;  // global: frame j has the same time in every segment
      frame->pict_type = j == first ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;  // IDR (forced-idr)
      encode_frame(venc.get(), frame.get(), on_packet);
      ++result.video_frames;
    });
    encode_frame(venc.get(), nullptr, on_packet);
    result.decoded_frames = source.decoded_frames();
  }

  if (spec.audio) {
    const StreamInfo& as = stream_by_index(media, spec.audio->stream);
    auto [m0, m1] = spec.audio_frames(k);
    AudioFrameSource source(opener, spec.source_uri, as, *spec.audio, spec.origin);
    const int64_t lo = m0 * AudioFrameSource::kFrame, hi = m1 * AudioFrameSource::kFrame;
    auto on_packet = [&](AVPacket* p) {
      // The encoder stamps each packet with the time of the audio it decodes
      // to; keep exactly this segment's frames.
      if (p->pts >= lo && p->pts < hi) {
        mux.add_packet(astream, p, aenc->time_base);
        ++result.audio_frames;
      }
    };
    source.produce(std::max<int64_t>(0, m0 - kAudioPreroll), m1 + kAudioPostroll,
                   [&](int64_t, AVFrame* f) { encode_frame(aenc.get(), f, on_packet); });
    encode_frame(aenc.get(), nullptr, on_packet);
  }

  if (mux.packets() == 0) throw MediaError("segment " + std::to_string(k) + " came out empty");
  result.bytes = mux.finish();
  return result;
}

}  // namespace hlsfs

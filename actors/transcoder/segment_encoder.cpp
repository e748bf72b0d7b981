#include "actors/transcoder/segment_encoder.h"

#include <unistd.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "actors/transcoder/audio_source.h"
#include "actors/transcoder/encoders.h"
#include "actors/transcoder/subtitle_cues.h"
#include "actors/transcoder/ts_muxer.h"
#include "actors/transcoder/video_source.h"

namespace hlsfs {

namespace {

const StreamInfo& stream_by_index(const MediaInfo& media, int index) {
  for (const auto& s : media.streams)
    if (s.index == index) return s;
  throw MediaError(media.source.uri + ": stream " + std::to_string(index) + " is not in the probe");
}

// x264's two-pass statistics for one job: a private file, removed after.
class StatsFile {
 public:
  StatsFile() {
    static std::atomic<unsigned> counter{0};
    const char* tmp = getenv("TMPDIR");
    path_ = std::string(tmp && *tmp ? tmp : "/tmp") + "/hlsfs-x264-" + std::to_string(getpid()) + "-" +
            std::to_string(counter++) + ".log";
  }
  ~StatsFile() {
    // x264's files, then x265's.
    for (const char* suffix : {"", ".mbtree", ".temp", ".mbtree.temp", ".cutree", ".cutree.temp"})
      unlink((path_ + suffix).c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// MPEG-TS ticks every timestamp of a rendition is shifted by: its video
// encoder's reorder delay (see encode_video).
int64_t clock_offset(const AVCodecContext* venc) {
  return av_rescale_q(venc->has_b_frames, venc->time_base, AVRational{1, 90000});
}

// The same offset for an alternate audio track, from the video rendition it
// follows: its segments then carry that video's clock, and a player playing
// the track beside the video keeps lip sync. Opening x264 costs a few
// milliseconds; the answer depends only on the settings, so it is kept.
int64_t grid_clock_offset(const VideoSpec& v, const StreamInfo& vs) {
  static std::mutex mu;
  static std::map<std::string, int64_t> known;
  std::string key = v.codec + "/" + v.preset + "/" + std::to_string(v.bframes) + "/" + std::to_string(v.refs) + "/" +
                    v.x264_params + "/" + std::to_string(v.frame_rate.num) + "/" + std::to_string(v.frame_rate.den) +
                    "/" + std::to_string(v.crf) + "/" + std::to_string(v.bitrate);
  {
    std::lock_guard lock(mu);
    if (auto it = known.find(key); it != known.end()) return it->second;
  }
  VideoSpec one = v;
  one.threads = 1;
  CodecPtr enc = open_video_encoder(one, vs);
  int64_t offset = clock_offset(enc.get());
  std::lock_guard lock(mu);
  known[key] = offset;
  return offset;
}

// WebVTT segment k of a subtitle track: the cues it overlaps, mapped onto
// the MPEG-TS clock of the video it follows (X-TIMESTAMP-MAP), so players
// show them at their source times.
SegmentResult subtitle_segment(SourceOpener& opener, const MediaInfo& media, const RenditionSpec& spec, size_t k) {
  auto cues = subtitle_track_cues(opener, spec);
  int64_t time_zero = TsMuxer::kStartTicks;
  if (spec.grid_video)
    time_zero += grid_clock_offset(*spec.grid_video, stream_by_index(media, spec.grid_video->stream));
  SegmentResult result;
  result.bytes = webvtt_segment(*cues, spec.plan.seconds(spec.plan.begin(k)), spec.plan.seconds(spec.plan.end(k)),
                                spec.subtitle->cue_origin, time_zero);
  return result;
}

// Video of segment k into the muxer. A Bitrate rendition is encoded in two
// passes (the first fast, over the same frames decoded again): one-pass ABR
// over a few seconds misses its target and loses ~2 dB against the ffmpeg
// CLI; two passes hit the bitrate and the quality.
void encode_video(SourceOpener& opener, const MediaInfo& media, const RenditionSpec& spec, size_t k, TsMuxer& mux,
                  SegmentResult& result, EncodeProgress* progress) {
  const StreamInfo& vs = stream_by_index(media, spec.video->stream);
  const int64_t first = spec.plan.begin(k), last = spec.plan.end(k);
  const bool two_pass = spec.video->bitrate > 0;
  if (progress) progress->total = (last - first) * (two_pass ? 2 : 1);
  StatsFile stats;
  VideoEncoderMode mode;
  mode.stats_path = stats.path();

  FramePtr frame = make_frame();
  auto run = [&](AVCodecContext* enc, const std::function<void(AVPacket*)>& on_packet) {
    VideoFrameSource source(opener, spec.source_uri, vs, *spec.video, spec.origin);
    source.produce(first, last, [&](int64_t j, AVFrame* picture) {
      av_frame_unref(frame.get());
      av_check(av_frame_ref(frame.get(), picture), "video frame");
      frame->pts = j;  // global: frame j has the same time in every segment
      frame->pict_type = j == first ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;  // IDR (forced-idr)
      encode_frame(enc, frame.get(), on_packet);
      if (progress) ++progress->frames;
    });
    encode_frame(enc, nullptr, on_packet);
    result.decoded_frames += source.decoded_frames();
  };

  if (two_pass) {
    mode.pass = 1;
    CodecPtr pass1 = open_video_encoder(*spec.video, vs, mode);
    run(pass1.get(), [](AVPacket*) {});
    mode.pass = 2;
  }
  CodecPtr venc = open_video_encoder(*spec.video, vs, mode);
  const int vstream = mux.add_stream(venc.get());
  // B-frames put the first DTS before the first PTS. Shift the whole
  // rendition (audio too) by that reorder delay, as the ffmpeg CLI does, so
  // decoding starts at the timeline's start: players (hls.js) otherwise see a
  // hole before the first picture and stall at 0. The same constant in every
  // segment keeps frame j at one PTS everywhere.
  mux.set_offset(clock_offset(venc.get()));
  run(venc.get(), [&](AVPacket* p) {
    mux.add_packet(vstream, p, venc->time_base);
    ++result.video_frames;
  });
}

// Audio of segment k: AAC frames [m0, m1) of the global grid, encoded with
// pre- and post-roll that is then dropped. Returns the number of frames kept.
int64_t encode_audio(SourceOpener& opener, const MediaInfo& media, const RenditionSpec& spec, size_t k,
                     AVCodecContext* aenc, std::vector<PacketPtr>& out) {
  const StreamInfo& as = stream_by_index(media, spec.audio->stream);
  auto [m0, m1] = spec.audio_frames(k);
  AudioFrameSource source(opener, spec.source_uri, as, *spec.audio, spec.origin);
  // The first segment also keeps the encoder's priming frame (AAC frame -1,
  // decoding to the lead-in before sample 0), as the ffmpeg CLI does: audio
  // then starts just before the first picture, and players (Chromium's MSE
  // through hls.js) start playback at once instead of stalling for a second.
  const int64_t lo = (m0 == 0 ? -1 : m0) * AudioFrameSource::kFrame, hi = m1 * AudioFrameSource::kFrame;
  auto on_packet = [&](AVPacket* p) {
    // The encoder stamps each packet with the time of the audio it decodes
    // to; keep exactly this segment's frames.
    if (p->pts >= lo && p->pts < hi) {
      PacketPtr copy = make_packet();
      av_check(av_packet_ref(copy.get(), p), "audio packet");
      out.push_back(std::move(copy));
    }
  };
  source.produce(std::max<int64_t>(0, m0 - kAudioPreroll), m1 + kAudioPostroll,
                 [&](int64_t, AVFrame* f) { encode_frame(aenc, f, on_packet); });
  encode_frame(aenc, nullptr, on_packet);
  return static_cast<int64_t>(out.size());
}

}  // namespace

SegmentResult encode_segment(SourceOpener& opener, const MediaInfo& media, const RenditionSpec& spec, size_t k,
                             EncodeProgress* progress) {
  if (k >= spec.plan.size())
    throw MediaError("segment " + std::to_string(k) + " does not exist (the playlist has " +
                     std::to_string(spec.plan.size()) + ")");
  if (spec.subtitle) return subtitle_segment(opener, media, spec, k);
  SegmentResult result;
  TsMuxer mux;
  // Audio runs beside the video (it is one thread of work; the video keeps
  // the decoder's and x264's threads busy): a segment costs max, not sum.
  std::vector<PacketPtr> audio_packets;
  CodecPtr aenc;
  int astream = -1;
  std::exception_ptr audio_error;
  std::thread audio_thread;
  if (spec.audio) {
    aenc = open_audio_encoder(*spec.audio);
    astream = mux.add_stream(aenc.get());
    audio_thread = std::thread([&]() {
      try {
        result.audio_frames = encode_audio(opener, media, spec, k, aenc.get(), audio_packets);
      } catch (...) {
        audio_error = std::current_exception();
      }
    });
  }
  std::exception_ptr video_error;
  try {
    if (spec.video) encode_video(opener, media, spec, k, mux, result, progress);
  } catch (...) {
    video_error = std::current_exception();
  }
  if (!spec.video && spec.grid_video) {
    try {
      mux.set_offset(grid_clock_offset(*spec.grid_video, stream_by_index(media, spec.grid_video->stream)));
    } catch (...) {
      video_error = std::current_exception();
    }
  }
  if (audio_thread.joinable()) audio_thread.join();
  if (video_error) std::rethrow_exception(video_error);
  if (audio_error) std::rethrow_exception(audio_error);
  for (auto& p : audio_packets) mux.add_packet(astream, p.get(), aenc->time_base);

  if (mux.packets() == 0) throw MediaError("segment " + std::to_string(k) + " came out empty");
  result.bytes = mux.finish();
  return result;
}

}  // namespace hlsfs

#include "actors/transcoder/segment_encoder.h"

#include <unistd.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "actors/transcoder/audio_source.h"
#include "actors/transcoder/encoders.h"
#include "actors/transcoder/fmp4_init.h"
#include "actors/transcoder/fmp4_muxer.h"
#include "actors/transcoder/scratch_dir.h"
#include "actors/transcoder/subtitle_cues.h"
#include "actors/transcoder/segment_muxer.h"
#include "actors/transcoder/sprite_sheet.h"
#include "actors/transcoder/ts_muxer.h"
#include "actors/transcoder/video_copy.h"
#include "actors/transcoder/video_source.h"

namespace hlsfs {

namespace {

const StreamInfo& stream_by_index(const MediaInfo& media, int index) {
  for (const auto& s : media.streams)
    if (s.index == index) return s;
  throw MediaError(media.source.uri + ": stream " + std::to_string(index) + " is not in the probe");
}

// x264's two-pass statistics for one job: a file in this process's private
// directory (scratch_dir.h), removed after.
class StatsFile {
 public:
  StatsFile() {
    static std::atomic<unsigned> counter{0};
    path_ = scratch_dir() + "/x264-" + std::to_string(counter++) + ".log";
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

// The clock offset of a track on spec's grid (alternate audio, subtitles):
// its video's, a transcoded one's from its encoder, a passthrough's from the
// source.
int64_t grid_offset(SourceOpener& opener, const MediaInfo& media, const RenditionSpec& spec) {
  const VideoSpec& v = *spec.grid_video;
  if (v.passthrough) return passthrough_clock_offset(opener, spec.source_uri, v);
  return grid_clock_offset(v, stream_by_index(media, v.stream));
}

// WebVTT segment k of a subtitle track: the cues it overlaps, mapped onto
// the MPEG-TS clock of the video it follows (X-TIMESTAMP-MAP), so players
// show them at their source times.
SegmentResult subtitle_segment(SourceOpener& opener, const MediaInfo& media, const RenditionSpec& spec, size_t k) {
  auto cues = subtitle_track_cues(opener, spec);
  int64_t time_zero = TsMuxer::kStartTicks;
  if (spec.grid_video)
    time_zero += grid_offset(opener, media, spec);
  SegmentResult result;
  result.bytes = webvtt_segment(*cues, spec.plan.seconds(spec.plan.begin(k)), spec.plan.seconds(spec.plan.end(k)),
                                spec.subtitle->cue_origin, time_zero);
  return result;
}

// Video of segment k of every rendition in `specs` (renditions that share a
// decode: can_share_decode) into their muxers, from one decode of the source.
// A Bitrate rendition is encoded in two passes (the first fast, over the
// same frames decoded again): one-pass ABR over a few seconds misses its
// target and loses ~2 dB against the ffmpeg CLI; two passes hit the bitrate
// and the quality. A CRF rendition whose segment runs above its rate cap is
// encoded again that way at the cap (rate_cap in rendition.h).
void encode_video(SourceOpener& opener, const MediaInfo& media, const std::vector<const RenditionSpec*>& specs,
                  size_t k, std::vector<std::unique_ptr<SegmentMuxer>>& muxes, std::vector<SegmentResult>& results,
                  EncodeProgress* progress) {
  const RenditionSpec& lead = *specs.front();
  const StreamInfo& vs = stream_by_index(media, lead.video->stream);
  const int64_t first = lead.plan.begin(k), last = lead.plan.end(k);
  const size_t n = specs.size();
  std::vector<VideoSpec> video;  // what each rendition is encoded with (a capped one changes)
  std::vector<VideoEncoderMode> modes;  // how (an fMP4 rendition's parameter sets are its init segment's)
  for (const RenditionSpec* s : specs) {
    video.push_back(*s->video);
    modes.push_back(s->fmp4 ? fmp4_video_mode(*s->video, vs) : VideoEncoderMode{});
  }
  std::vector<size_t> all, two_pass;
  for (size_t i = 0; i < n; ++i) {
    all.push_back(i);
    if (video[i].bitrate > 0) two_pass.push_back(i);
  }
  if (progress) progress->total = (last - first) * (two_pass.empty() ? 1 : 2);
  std::vector<StatsFile> stats(n);

  // One decode feeding the encoders of `which` (indexes into specs).
  FramePtr frame = make_frame();
  using OnPacket = std::function<void(size_t, AVPacket*)>;
  auto run = [&](const std::vector<size_t>& which, const std::vector<AVCodecContext*>& encoders,
                 const OnPacket& on_packet) {
    std::vector<VideoSpec> outputs;
    for (size_t i : which) outputs.push_back(video[i]);
    VideoFrameSource source(opener, lead.source_uri, vs, std::move(outputs), lead.origin);
    source.produce(first, last, [&](int64_t j, size_t o, AVFrame* picture) {
      av_frame_unref(frame.get());
      av_check(av_frame_ref(frame.get(), picture), "video frame");
      frame->pts = j;  // global: frame j has the same time in every segment
      frame->pict_type = j == first ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;  // IDR (forced-idr)
      encode_frame(encoders[o], frame.get(), [&](AVPacket* p) { on_packet(which[o], p); });
      if (progress && o == 0) {
        ++progress->frames;
        progress->yield_to_readers();
      }
    });
    for (size_t o = 0; o < which.size(); ++o)
      encode_frame(encoders[o], nullptr, [&](AVPacket* p) { on_packet(which[o], p); });
    for (size_t i : which) results[i].decoded_frames += source.decoded_frames();
  };
  std::vector<CodecPtr> encoders(n);
  // Encodes `which`: a first pass for those in two-pass mode, then the
  // packets kept (the last encode of a rendition wins).
  std::vector<std::vector<PacketPtr>> packets(n);
  auto encode = [&](const std::vector<size_t>& which) {
    std::vector<size_t> first_pass;
    for (size_t i : which)
      if (video[i].bitrate > 0) first_pass.push_back(i);
    if (!first_pass.empty()) {
      std::vector<CodecPtr> pass1;
      std::vector<AVCodecContext*> raw;
      for (size_t i : first_pass) {
        VideoEncoderMode mode = modes[i];
        mode.stats_path = stats[i].path();
        mode.pass = 1;
        pass1.push_back(open_video_encoder(video[i], vs, mode));
        raw.push_back(pass1.back().get());
      }
      run(first_pass, raw, [](size_t, AVPacket*) {});
    }
    std::vector<AVCodecContext*> raw;
    for (size_t i : which) {
      VideoEncoderMode mode = modes[i];
      mode.stats_path = stats[i].path();
      mode.pass = video[i].bitrate > 0 ? 2 : 0;
      try {
        encoders[i] = open_video_encoder(video[i], vs, mode);
      } catch (const EncoderRefused&) {
        // x264 refuses a second pass whose target is below what its highest
        // quantizer reaches for these pictures ("requested bitrate is too
        // low"; a 4K source at 10 kbit/s). A requested Bitrate then gets one
        // ABR pass at it: as few bits as the encoder can spend, instead of
        // EIO for every segment. The first pass's statistics are
        // deterministic, so the decision is the same every time. (A rate
        // cap's refusal is handled below: that segment keeps its CRF encode.)
        if (mode.pass != 2 || specs[i]->video->bitrate <= 0) throw;
        mode.pass = 0;
        encoders[i] = open_video_encoder(video[i], vs, mode);
      }
      raw.push_back(encoders[i].get());
      packets[i].clear();
    }
    run(which, raw, [&](size_t i, AVPacket* p) {
      PacketPtr copy = make_packet();
      av_check(av_packet_ref(copy.get(), p), "video packet");
      packets[i].push_back(std::move(copy));
    });
  };
  encode(all);

  // CRF segments above their cap: again, two passes at the cap. The decision
  // depends only on the bytes of a deterministic encode, so it is the same
  // every time the segment is made.
  const double seconds = lead.plan.extinf(k);
  std::vector<size_t> over;
  for (size_t i : all) {
    const int64_t cap = rate_cap(video[i]);
    if (cap <= 0) continue;
    int64_t bytes = 0;
    for (const auto& p : packets[i]) bytes += p->size;
    if (static_cast<double>(bytes) * 8 <= static_cast<double>(cap) * seconds) continue;
    video[i].crf = -1;  // Bitrate mode: no cap of its own
    video[i].bitrate = cap;
    results[i].capped = true;
    over.push_back(i);
  }
  if (!over.empty()) {
    if (progress) progress->total += (last - first) * 2;
    // x264 refuses a rate below what its highest quantizer reaches (a small
    // picture's cap is a few kbit/s): such a segment keeps its CRF encode,
    // the same decision every time it is made.
    std::vector<CodecPtr> crf_encoders;
    std::vector<std::vector<PacketPtr>> crf_packets;
    for (size_t i : over) {
      crf_encoders.push_back(std::move(encoders[i]));
      crf_packets.push_back(std::move(packets[i]));
    }
    try {
      encode(over);
    } catch (const EncoderRefused&) {
      for (size_t o = 0; o < over.size(); ++o) {
        size_t i = over[o];
        encoders[i] = std::move(crf_encoders[o]);
        packets[i] = std::move(crf_packets[o]);
        video[i] = *specs[i]->video;
        results[i].capped = false;
      }
    }
  }

  for (size_t i : all) {
    AVCodecContext* enc = encoders[i].get();
    int stream = muxes[i]->add_stream(enc);
    // B-frames put the first DTS before the first PTS. Shift the whole
    // rendition (audio too) by that reorder delay, as the ffmpeg CLI does, so
    // decoding starts at the timeline's start: players (hls.js) otherwise see
    // a hole before the first picture and stall at 0. The same constant in
    // every segment keeps frame j at one PTS everywhere (a capped segment's
    // encoder has the same preset, so the same delay).
    muxes[i]->set_offset(clock_offset(enc));
    for (const auto& p : packets[i]) muxes[i]->add_packet(stream, p.get(), enc->time_base);
    results[i].video_frames = static_cast<int64_t>(packets[i].size());
  }
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

// Segment k (or the init segment) of a passthrough rendition: its video
// copied (video_copy.h), its audio encoded as a transcoded rendition's is,
// on the same cut (audio_frames), so joins stay seamless the same way.
SegmentResult passthrough_segment(SourceOpener& opener, const MediaInfo& media, const RenditionSpec& spec, size_t k) {
  CopiedVideo video = copy_video(opener, spec, k, !spec.fmp4);
  std::unique_ptr<SegmentMuxer> mux;
  Fmp4Muxer* fmp4 = nullptr;
  if (spec.fmp4) {
    auto m = std::make_unique<Fmp4Muxer>(static_cast<uint32_t>(k == kInitSegment ? 1 : k + 1));
    fmp4 = m.get();
    mux = std::move(m);
  } else {
    mux = std::make_unique<TsMuxer>();
  }
  const int vstream = mux->add_stream(video.params.get());
  mux->set_offset(video.clock_offset);
  CodecPtr aenc;
  int astream = -1;
  if (spec.audio) {
    aenc = open_audio_encoder(*spec.audio);
    astream = mux->add_stream(aenc.get());
  }
  SegmentResult result;
  if (k == kInitSegment) {
    if (!fmp4) throw MediaError(spec.playlist_uri() + " is MPEG-TS: it has no init segment");
    result.bytes = fmp4->init_segment();
    return result;
  }
  std::vector<PacketPtr> audio;
  if (spec.audio) {
    // Output time 0 is the first keyframe's presentation as the source says
    // it (the plan may name keyframes by decode time): the audio follows it.
    RenditionSpec timed = spec;
    timed.origin = video.origin;
    result.audio_frames = encode_audio(opener, media, timed, k, aenc.get(), audio);
  }
  for (auto& p : video.packets) mux->add_packet(vstream, p.get(), video.params->time_base);
  for (auto& p : audio) mux->add_packet(astream, p.get(), aenc->time_base);
  result.video_frames = static_cast<int64_t>(video.packets.size());
  if (mux->packets() == 0) throw MediaError(spec.segment_name(k) + ": segment " + std::to_string(k) + " came out empty");
  result.bytes = mux->finish();
  return result;
}

}  // namespace

bool can_share_decode(const RenditionSpec& a, const RenditionSpec& b, size_t k) {
  return a.video && b.video && !a.video->passthrough && !b.video->passthrough && a.source_uri == b.source_uri && a.video->stream == b.video->stream &&
         a.video->frame_rate == b.video->frame_rate && a.origin == b.origin && k < a.plan.size() &&
         k < b.plan.size() && a.plan.begin(k) == b.plan.begin(k) && a.plan.end(k) == b.plan.end(k);
}

SegmentResult encode_segment(SourceOpener& opener, const MediaInfo& media, const RenditionSpec& spec, size_t k,
                             EncodeProgress* progress) {
  return std::move(encode_segments(opener, media, {&spec}, k, progress).front());
}

std::vector<SegmentResult> encode_segments(SourceOpener& opener, const MediaInfo& media,
                                           const std::vector<const RenditionSpec*>& specs, size_t k,
                                           EncodeProgress* progress) {
  for (const RenditionSpec* spec : specs)
    if (k > UINT32_MAX || !spec->has_segment(static_cast<uint32_t>(k)))
      throw MediaError("segment " + std::to_string(k) + " does not exist (the playlist has " +
                       std::to_string(spec->plan.size()) + ")");
  const RenditionSpec& lead = *specs.at(0);
  for (size_t i = 1; i < specs.size(); ++i)
    if (!can_share_decode(lead, *specs[i], k))
      throw MediaError(specs[i]->target_uri + " cannot share a decode with " + lead.target_uri);
  if (lead.subtitle) return {subtitle_segment(opener, media, lead, k)};
  if (lead.video && lead.video->passthrough) return {passthrough_segment(opener, media, lead, k)};
  if (lead.thumbnails) return {make_sprite_sheet(opener, media, lead, k, progress)};  // a JPEG of keyframes
  if (k == kInitSegment) {  // made from the rendition's settings, not from the source (fmp4_init.h)
    SegmentResult init;
    init.bytes = fmp4_init_segment(lead, media);
    return {std::move(init)};
  }
  const size_t n = specs.size();
  std::vector<SegmentResult> results(n);
  std::vector<std::unique_ptr<SegmentMuxer>> muxes;
  for (size_t i = 0; i < n; ++i) muxes.push_back(make_segment_muxer(*specs[i], media, k));
  // Audio runs beside the video (it is one thread of work per rendition; the
  // video keeps the decoder's and x264's threads busy): a segment costs max,
  // not sum.
  struct Audio {
    std::vector<PacketPtr> packets;
    CodecPtr encoder;
    int stream = -1;
    std::exception_ptr error;
    std::thread thread;
  };
  std::vector<Audio> audio(n);
  const auto deadline = current_deadline();  // the job's: its audio threads keep it too
  for (size_t i = 0; i < n; ++i) {
    if (!specs[i]->audio) continue;
    Audio& a = audio[i];
    a.encoder = open_audio_encoder(*specs[i]->audio);
    a.stream = muxes[i]->add_stream(a.encoder.get());
    a.thread = std::thread([&, i]() {
      DeadlineScope scope(deadline);
      try {
        results[i].audio_frames = encode_audio(opener, media, *specs[i], k, audio[i].encoder.get(), audio[i].packets);
      } catch (...) {
        audio[i].error = std::current_exception();
      }
    });
  }
  std::exception_ptr video_error;
  try {
    if (lead.video) {
      encode_video(opener, media, specs, k, muxes, results, progress);
    } else if (lead.grid_video) {
      muxes[0]->set_offset(grid_offset(opener, media, lead));
    }
  } catch (...) {
    video_error = std::current_exception();
  }
  for (auto& a : audio)
    if (a.thread.joinable()) a.thread.join();
  if (video_error) std::rethrow_exception(video_error);
  for (size_t i = 0; i < n; ++i) {
    if (audio[i].error) std::rethrow_exception(audio[i].error);
    for (auto& p : audio[i].packets) muxes[i]->add_packet(audio[i].stream, p.get(), audio[i].encoder->time_base);
    if (muxes[i]->packets() == 0)
      throw MediaError(specs[i]->segment_name(k) + ": segment " + std::to_string(k) + " came out empty");
    results[i].bytes = muxes[i]->finish();
  }
  return results;
}

}  // namespace hlsfs

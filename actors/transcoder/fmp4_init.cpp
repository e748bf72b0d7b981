#include "actors/transcoder/fmp4_init.h"

#include <deque>
#include <map>
#include <mutex>

#include "actors/transcoder/codec_string.h"
#include "actors/transcoder/fmp4_muxer.h"

namespace hlsfs {

namespace {

const StreamInfo& stream_of(const MediaInfo& media, int index) {
  for (const auto& s : media.streams)
    if (s.index == index) return s;
  throw MediaError(media.source.uri + ": stream " + std::to_string(index) + " is not in the probe");
}

// A small map of recent answers: the key names everything the value depends on.
class Recent {
 public:
  explicit Recent(size_t limit) : limit_(limit) {}
  template <class Make>
  std::string get(const std::string& key, Make make) {
    {
      std::lock_guard lock(mu_);
      if (auto it = known_.find(key); it != known_.end()) return it->second;
    }
    std::string value = make();
    std::lock_guard lock(mu_);
    if (known_.emplace(key, value).second) {
      order_.push_back(key);
      if (order_.size() > limit_) {
        known_.erase(order_.front());
        order_.pop_front();
      }
    }
    return value;
  }

 private:
  size_t limit_;
  std::mutex mu_;
  std::map<std::string, std::string> known_;
  std::deque<std::string> order_;
};

std::string level_key(const VideoSpec& v) {
  return v.codec + "/" + v.preset + "/" + std::to_string(v.threads) + "/" + std::to_string(v.bframes) + "/" +
         std::to_string(v.refs) + "/" + v.x264_params + "/" + std::to_string(v.frame_rate.num) + "/" +
         std::to_string(v.frame_rate.den) + "/" + std::to_string(v.crf) + "/" + std::to_string(v.bitrate) + "/" +
         std::to_string(v.max_bitrate) + "/" + std::to_string(v.buffer_size) + "/" + std::to_string(v.keyint) + "/" +
         std::to_string(v.geometry.width) + "x" + std::to_string(v.geometry.height);
}

}  // namespace

VideoEncoderMode fmp4_video_mode(const VideoSpec& v, const StreamInfo& source) {
  VideoEncoderMode mode;
  mode.global_header = true;
  mode.fixed_parameter_sets = true;
  if (v.codec != "h264") return mode;
  // The level x264 picks for the rendition's own settings (CRF, or one pass
  // at its Bitrate: the level rule of two-pass too).
  static Recent levels(256);
  std::string level = levels.get(level_key(v), [&] {
    CodecPtr enc = open_video_encoder(v, source, mode);
    std::string avc1 = avc1_from_extradata(enc->extradata, static_cast<size_t>(enc->extradata_size));
    return std::to_string(std::stoi(avc1.substr(avc1.size() - 2), nullptr, 16));
  });
  mode.level = std::stoi(level);
  return mode;
}

std::string fmp4_init_segment(const RenditionSpec& r, const MediaInfo& media) {
  if (!r.fmp4) throw MediaError(r.playlist_uri() + " is MPEG-TS: it has no init segment");
  static Recent inits(64);
  // The token names the source version and every setting: one init each.
  return inits.get(r.token, [&] {
    Fmp4Muxer mux;
    CodecPtr video, audio;
    if (r.video) {
      const StreamInfo& vs = stream_of(media, r.video->stream);
      video = open_video_encoder(*r.video, vs, fmp4_video_mode(*r.video, vs));
      mux.add_stream(video.get());
    }
    if (r.audio) {
      audio = open_audio_encoder(*r.audio);
      mux.add_stream(audio.get());
    }
    if (!video && !audio) throw MediaError(r.playlist_uri() + " has no stream for an init segment");
    return mux.init_segment();
  });
}

}  // namespace hlsfs

#include "actors/transcoder/codec_string.h"

#include "actors/transcoder/encoders.h"

namespace hlsfs {

std::string avc1_from_extradata(const uint8_t* d, size_t n) {
  auto fmt = [](int p, int c, int l) {
    char buf[32];
    snprintf(buf, sizeof buf, "avc1.%02X%02X%02X", p, c, l);
    return std::string(buf);
  };
  if (n >= 4 && d[0] == 1) return fmt(d[1], d[2], d[3]);  // avcC record
  for (size_t i = 0; i + 6 < n; ++i)                       // Annex B: find the SPS NAL
    if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1 && (d[i + 3] & 0x1f) == 7) return fmt(d[i + 4], d[i + 5], d[i + 6]);
  return "avc1.640028";  // High@4.0: what x264 makes up to 1080p30
}

std::string codecs_string(const RenditionSpec& r, const MediaInfo& media) {
  std::string out;
  if (r.video) {
    const StreamInfo* s = nullptr;
    for (const auto& st : media.streams)
      if (st.index == r.video->stream) s = &st;
    VideoSpec probe_spec = *r.video;
    probe_spec.threads = 1;
    VideoEncoderMode mode;
    mode.global_header = true;
    CodecPtr enc = open_video_encoder(probe_spec, s ? *s : StreamInfo{}, mode);
    out = avc1_from_extradata(enc->extradata, static_cast<size_t>(enc->extradata_size));
  }
  if (r.audio) out += std::string(out.empty() ? "" : ",") + "mp4a.40.2";
  return out;
}

}  // namespace hlsfs

#include "actors/transcoder/codec_string.h"

#include <cstdio>
#include <vector>

#include "actors/playlist/lru_cache.h"
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

namespace {

// The RBSP of a NAL unit: emulation-prevention bytes (00 00 03) removed.
std::vector<uint8_t> unescape(const uint8_t* d, size_t n) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i < n; ++i) {
    if (i >= 2 && d[i] == 3 && d[i - 1] == 0 && d[i - 2] == 0) continue;
    out.push_back(d[i]);
  }
  return out;
}

}  // namespace

namespace {

// general_profile_tier_level (12 bytes: space/tier/profile, 4 compatibility
// bytes, 6 constraint bytes, level) as RFC 6381 / ISO 14496-15 names it.
std::string hvc1_from_ptl(const uint8_t* ptl) {
  int space = ptl[0] >> 6, tier = (ptl[0] >> 5) & 1, profile = ptl[0] & 0x1f;
  uint32_t compat = (uint32_t(ptl[1]) << 24) | (uint32_t(ptl[2]) << 16) | (uint32_t(ptl[3]) << 8) | ptl[4];
  uint32_t reversed = 0;  // the compatibility flags in reverse bit order
  for (int b = 0; b < 32; ++b)
    if (compat & (1u << b)) reversed |= 1u << (31 - b);
  char buf[64];
  snprintf(buf, sizeof buf, "hvc1.%s%d.%X.%c%d", space ? std::string(1, char('A' + space - 1)).c_str() : "", profile,
           reversed, tier ? 'H' : 'L', ptl[11]);
  std::string out = buf;
  int last = 6;  // constraint bytes, trailing zero bytes left out
  while (last > 0 && ptl[4 + last] == 0) --last;
  for (int k = 1; k <= last; ++k) {
    snprintf(buf, sizeof buf, ".%X", ptl[4 + k]);
    out += buf;
  }
  return out;
}

}  // namespace

std::string hvc1_from_extradata(const uint8_t* d, size_t n) {
  // hvcC (MP4, Matroska): the same 12 bytes follow its version byte.
  if (n >= 23 && d[0] == 1) return hvc1_from_ptl(d + 1);
  // Annex B: find the SPS (NAL type 33), then its profile_tier_level.
  for (size_t i = 0; i + 4 < n; ++i) {
    if (!(d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1) || ((d[i + 3] >> 1) & 0x3f) != 33) continue;
    size_t end = i + 3;
    while (end + 2 < n && !(d[end] == 0 && d[end + 1] == 0 && (d[end + 2] == 1 || d[end + 2] == 0))) ++end;
    if (end + 2 >= n) end = n;
    std::vector<uint8_t> sps = unescape(d + i + 5, end - (i + 5));  // after the 2-byte NAL header
    if (sps.size() < 13) break;
    // sps[0]: vps id, max sub layers, nesting; sps[1..12]: general profile_tier_level.
    return hvc1_from_ptl(sps.data() + 1);
  }
  return "hvc1.1.6.L120.90";  // Main, level 4: what x265 makes up to 1080p30
}

std::string source_codec_string(const AVCodecParameters* par) {
  const uint8_t* d = par->extradata;
  const size_t n = par->extradata_size > 0 ? static_cast<size_t>(par->extradata_size) : 0;
  if (par->codec_id == AV_CODEC_ID_H264) {
    bool sps = n >= 4 && d[0] == 1;
    for (size_t i = 0; !sps && i + 6 < n; ++i) sps = d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1 && (d[i + 3] & 0x1f) == 7;
    return sps ? avc1_from_extradata(d, n) : "";
  }
  if (par->codec_id == AV_CODEC_ID_HEVC) {
    bool sps = n >= 23 && d[0] == 1;
    for (size_t i = 0; !sps && i + 4 < n; ++i)
      sps = d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1 && ((d[i + 3] >> 1) & 0x3f) == 33;
    return sps ? hvc1_from_extradata(d, n) : "";
  }
  return "";
}

std::string codecs_string(const RenditionSpec& r, const MediaInfo& media) {
  std::string out;
  if (r.video && r.video->passthrough) {
    // The source's own parameter sets, as the probe read them; a probe
    // record older than that field: the highest level players take.
    for (const auto& st : media.streams)
      if (st.index == r.video->stream) out = st.codec_string;
    if (out.empty()) out = r.video->codec == "h265" ? "hvc1.2.4.L153.B0" : "avc1.640033";
  } else if (r.video) {
    const StreamInfo* s = nullptr;
    for (const auto& st : media.streams)
      if (st.index == r.video->stream) s = &st;
    VideoSpec probe_spec = *r.video;
    probe_spec.threads = 1;
    VideoEncoderMode mode;
    mode.global_header = true;
    CodecPtr enc = open_video_encoder(probe_spec, s ? *s : StreamInfo{}, mode);
    out = r.video->codec == "h265" ? hvc1_from_extradata(enc->extradata, static_cast<size_t>(enc->extradata_size))
                                   : avc1_from_extradata(enc->extradata, static_cast<size_t>(enc->extradata_size));
  }
  if (r.audio) out += std::string(out.empty() ? "" : ",") + "mp4a.40.2";
  return out;
}

// CODECS strings by rendition token (codecs_string opens an encoder to read
// its sequence header back, milliseconds each). The token names everything
// that changes a rendition's bytes (source version, every encoder setting,
// the layout), so it names its CODECS too, and a setting added later is in
// the key without anyone listing it here. A target's settings_token is that
// token without the URI: titles of one source with one ladder (a library's,
// a site's) share their encoder opens.
namespace {
LruCache<std::string, std::string>& codecs_memo() {
  static LruCache<std::string, std::string> memo(4096);  // cost 1 each
  return memo;
}
}  // namespace

std::string codecs_cached(const RenditionSpec& r, const MediaInfo& media) {
  const std::string& key = r.settings_token.empty() ? r.token : r.settings_token;
  if (key.empty()) return codecs_string(r, media);  // not named yet: nothing to key by
  if (auto hit = codecs_memo().get(key)) return *hit;
  std::string made = codecs_string(r, media);
  codecs_memo().put(key, std::make_shared<const std::string>(made), 1);
  return made;
}

}  // namespace hlsfs

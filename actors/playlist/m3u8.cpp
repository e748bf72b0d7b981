#include "actors/playlist/m3u8.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace hlsfs {

int target_duration(const SegmentPlan& plan) {
  int td = 1;
  for (size_t k = 0; k < plan.size(); ++k) td = std::max<int>(td, static_cast<int>(std::lround(plan.extinf(k))));
  return td;
}

std::string media_playlist(const RenditionSpec& r) {
  if (r.thumbnails)  // its "playlist" is the WebVTT track of its tiles
    return thumbnails_vtt(thumbnail_cues(r.thumbnails->layout), [&](uint32_t k) { return r.segment_name(k); });
  std::string out;
  // RFC 8216 section 7: EXT-X-MAP in a playlist that is not I-frames only
  // needs protocol version 6.
  out += r.fmp4 ? "#EXTM3U\n#EXT-X-VERSION:6\n" : "#EXTM3U\n#EXT-X-VERSION:3\n";
  out += "#EXT-X-TARGETDURATION:" + std::to_string(target_duration(r.plan)) + "\n";
  out += "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  if (r.fmp4) out += "#EXT-X-MAP:URI=\"" + r.segment_name(kInitSegment) + "\"\n";
  // Each line as segment_name(k) spells it, built without a string per
  // segment: a generate writes this text for every rendition of a two-hour
  // title (3,600 lines each), and was mostly printf's.
  const std::string stem = r.prefix_name() + "-" + r.token + "-";
  const char* extension = r.segment_extension();
  out.reserve(out.size() + r.plan.size() * (stem.size() + 32));
  char buf[64];
  for (size_t k = 0; k < r.plan.size(); ++k) {
    out += "#EXTINF:";
    // to_chars with a precision writes what printf's "%.6f" writes.
    out.append(buf, std::to_chars(buf, buf + sizeof buf, r.plan.extinf(k), std::chars_format::fixed, 6).ptr);
    out += ",\n";
    out += stem;
    out.append(buf, std::to_chars(buf, buf + sizeof buf, k).ptr);
    out += extension;
    out += '\n';
  }
  out += "#EXT-X-ENDLIST\n";
  return out;
}

namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += (c == '"' || c == '\n' || c == '\r') ? '\'' : c;  // a quoted-string cannot hold these
  return out + "\"";
}

}  // namespace

std::string track_name(const std::string& title, const std::string& language, const std::string& kind, int n,
                       std::vector<std::string>& taken) {
  static const std::pair<const char*, const char*> names[] = {
      {"eng", "English"}, {"fra", "French"},  {"fre", "French"},   {"deu", "German"},   {"ger", "German"},
      {"spa", "Spanish"}, {"ita", "Italian"}, {"por", "Portuguese"}, {"rus", "Russian"}, {"jpn", "Japanese"},
      {"kor", "Korean"},  {"zho", "Chinese"}, {"chi", "Chinese"},  {"ara", "Arabic"},   {"hin", "Hindi"},
      {"nld", "Dutch"},   {"dut", "Dutch"},   {"swe", "Swedish"},  {"pol", "Polish"},   {"tur", "Turkish"}};
  std::string name = title;
  if (name.empty())
    for (const auto& [code, english] : names)
      if (language == code) name = english;
  if (name.empty() && !language.empty() && language != "und") name = language;
  if (name.empty()) name = kind + " " + std::to_string(n);
  std::string unique = name;
  for (int i = 2; std::find(taken.begin(), taken.end(), unique) != taken.end(); ++i)
    unique = name + " (" + std::to_string(i) + ")";
  taken.push_back(unique);
  return unique;
}

std::string master_playlist(const std::vector<MasterEntry>& entries, const std::vector<MediaEntry>& media) {
  std::string out = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  bool audio_group = false, subtitle_group = false;
  for (const auto& m : media) {
    const std::string group = m.type == "AUDIO" ? "audio" : "subs";
    audio_group |= m.type == "AUDIO";
    subtitle_group |= m.type == "SUBTITLES";
    out += "#EXT-X-MEDIA:TYPE=" + m.type + ",GROUP-ID=\"" + group + "\",NAME=" + quoted(m.name);
    if (!m.language.empty() && m.language != "und") out += ",LANGUAGE=" + quoted(m.language);
    out += std::string(",DEFAULT=") + (m.is_default ? "YES" : "NO") + ",AUTOSELECT=YES";
    if (!m.relative_uri.empty()) out += ",URI=" + quoted(m.relative_uri);
    out += "\n";
  }
  for (const auto& e : entries) {
    out += "#EXT-X-STREAM-INF:BANDWIDTH=" + std::to_string(e.bandwidth) +
           ",AVERAGE-BANDWIDTH=" + std::to_string(e.average_bandwidth);
    if (e.rendition->video) {
      const auto& v = *e.rendition->video;
      out += ",RESOLUTION=" + std::to_string(v.geometry.width) + "x" + std::to_string(v.geometry.height);
      char fr[32];
      snprintf(fr, sizeof fr, ",FRAME-RATE=%.3f", v.frame_rate.to_double());
      out += fr;
    }
    out += ",CODECS=\"" + e.codecs + "\"";
    if (audio_group && (e.rendition->audio || e.demuxed_audio)) out += ",AUDIO=\"audio\"";
    if (subtitle_group && e.rendition->video) out += ",SUBTITLES=\"subs\"";
    out += "\n" + e.relative_uri + "\n";
  }
  return out;
}

std::string relative_uri(const std::string& from_uri, const std::string& to_uri) {
  std::string dir = from_uri.substr(0, from_uri.rfind('/') + 1);
  if (to_uri.rfind(dir, 0) == 0) return to_uri.substr(dir.size());
  return to_uri;
}

}  // namespace hlsfs

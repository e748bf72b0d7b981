// GenerateVideoPlaylist bodies as the control API receives them (any bytes).
// parse_request_text either throws RequestError naming a field or returns a
// request that keeps every documented bound (request.h, ../shared/IMM-API.md);
// any other exception, crash or UB is a finding. What it accepts must also
// serialise (its canonical form feeds the token, its strings the response).
#include <cmath>
#include <cstdint>
#include <set>
#include <string>

#include "actors/playlist/request.h"
#include "tests/fuzz/fuzz_check.h"

using namespace hlsfs;

namespace {

// A URI becomes a store key (a C string in the plugin ABI) and a playlist
// line or quoted attribute: no NUL, control character or double quote.
bool line_safe(const std::string& s) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f || c == '"') return false;
  }
  return true;
}

bool valid_uri(const std::string& u) {
  return line_safe(u) && (u.rfind("file:///", 0) == 0 || u.rfind("s3://", 0) == 0 || u.rfind("oss://", 0) == 0);
}

void check_video(const VideoRequest& v) {
  FUZZ_REQUIRE(v.codec == "h264" || v.codec == "h265", v.codec);
  FUZZ_REQUIRE(!(v.crf && v.bitrate), "CRF and Bitrate together");
  FUZZ_REQUIRE(v.effective_crf() >= 0 && v.effective_crf() <= 51, std::to_string(v.effective_crf()));
  for (auto edge : {v.width, v.height})
    FUZZ_REQUIRE(!edge || (*edge >= 16 && *edge <= 4096), std::to_string(edge.value_or(0)));
  if (v.frame_rate) FUZZ_REQUIRE(v.frame_rate->num > 0 && v.frame_rate->den > 0, "frame rate");
  FUZZ_REQUIRE(v.rotation >= 0 && v.rotation <= 270 && v.rotation % 90 == 0, std::to_string(v.rotation));
  FUZZ_REQUIRE(v.pixel_format == "yuv420p", v.pixel_format);
  for (int s : v.streams) FUZZ_REQUIRE(s >= 0 && s <= 1000, std::to_string(s));
}

void check_audio(const AudioRequest& a) {
  static const std::set<int> rates{8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000};
  FUZZ_REQUIRE(a.codec == "aac", a.codec);
  FUZZ_REQUIRE(a.stream >= 0 && a.stream <= 1000, std::to_string(a.stream));
  FUZZ_REQUIRE(!a.sample_rate || rates.count(*a.sample_rate), std::to_string(a.sample_rate.value_or(0)));
  FUZZ_REQUIRE(!a.channels || (*a.channels >= 1 && *a.channels <= 8), std::to_string(a.channels.value_or(0)));
}

void check(const PlaylistRequest& r) {
  FUZZ_REQUIRE(valid_uri(r.source_uri), r.source_uri);
  FUZZ_REQUIRE(!r.targets.empty() && r.targets.size() <= 6, std::to_string(r.targets.size()));
  FUZZ_REQUIRE(r.targets.size() == 1 || r.master_uri, "several targets without MasterURI");
  if (r.master_uri) {
    FUZZ_REQUIRE(valid_uri(*r.master_uri), *r.master_uri);
    FUZZ_REQUIRE(r.master_uri->size() > 5 && r.master_uri->compare(r.master_uri->size() - 5, 5, ".m3u8") == 0,
                 *r.master_uri);
  }
  FUZZ_REQUIRE(r.source_subtitles.size() <= 2, "subtitle files");
  for (const auto& s : r.source_subtitles) {
    FUZZ_REQUIRE(valid_uri(s.uri), s.uri);
    FUZZ_REQUIRE(s.language.size() == 3, s.language);
  }
  FUZZ_REQUIRE(r.user_data.size() <= 2048, "UserData");
  FUZZ_REQUIRE(std::isfinite(r.source_start_time) && r.source_start_time >= 0, "SourceStartTime");
  FUZZ_REQUIRE(std::isfinite(r.source_duration) && r.source_duration >= 0, "SourceDuration");
  std::set<std::string> uris;
  for (const auto& t : r.targets) {
    FUZZ_REQUIRE(valid_uri(t.uri) && t.uri.back() != '/', t.uri);
    FUZZ_REQUIRE(uris.insert(t.uri).second, "duplicate target " + t.uri);
    FUZZ_REQUIRE(t.duration >= 5 && t.duration <= 15, std::to_string(t.duration));
    FUZZ_REQUIRE(t.initial_segments.size() <= 6, "InitialSegments");
    for (double d : t.initial_segments) FUZZ_REQUIRE(d >= 0.5 && d <= 15, std::to_string(d));
    FUZZ_REQUIRE(std::isfinite(t.initial_transcode), "InitialTranscode");
    FUZZ_REQUIRE(t.video || t.audio || t.subtitle, "a target that makes nothing");
    FUZZ_REQUIRE(!(t.subtitle && (t.video || t.audio)), "Subtitle kept beside Video/Audio");
    if (t.video) check_video(*t.video);
    if (t.audio) check_audio(*t.audio);
  }
}

// Everything the daemon later writes out as JSON (the token's canonical
// form, the response, the catalog): dump() throws on what JSON cannot hold.
std::string serialised(const PlaylistRequest& r) {
  nlohmann::json j{{"SourceURI", r.source_uri}, {"UserData", r.user_data}, {"Tags", r.tags}};
  if (r.master_uri) j["MasterURI"] = *r.master_uri;
  for (const auto& t : r.targets) {
    nlohmann::json c = canonical_target(t);
    c["URI"] = t.uri;
    j["Targets"].push_back(c);
  }
  for (const auto& s : r.source_subtitles) j["SourceSubtitles"].push_back({{"URI", s.uri}, {"Language", s.language}});
  return j.dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  PlaylistRequest req;
  try {
    req = parse_request_text(text);
  } catch (const RequestError& e) {
    FUZZ_REQUIRE(*e.what() != '\0', "an error without a message");
    return 0;
  }
  check(req);
  const std::string once = serialised(req);
  // The token depends on this: the same text must always give the same request.
  FUZZ_REQUIRE(serialised(parse_request_text(text)) == once, "parsing is not deterministic");
  return 0;
}

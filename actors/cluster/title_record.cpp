#include "actors/cluster/title_record.h"

#include <algorithm>

#include "actors/cluster/keyframe_pack.h"

#include "actors/playlist/generate.h"
#include "actors/playlist/rendition_record.h"
#include "actors/playlist/request.h"
#include "actors/playlist/token.h"

namespace hlsfs {

namespace {

using json = nlohmann::json;

constexpr const char* kFormat = "hlsfs-title";

// with_media false: its probe is in the master's "sources" (one copy for
// all the renditions of one source).
json title_json(const TitleRecord& r, bool with_media = true) {
  json j{{"token", r.token},         {"store", r.store},           {"playlist_key", r.playlist_key},
         {"record", r.playlist_record}, {"source_key", r.source_key}};
  if (with_media) j["media"] = pack_media(r.media);
  return j;
}

// sources: a master's probes by source key (version 2), or null.
TitleRecord title_of(const json& j, const json* sources) {
  TitleRecord r;
  r.token = j.at("token").get<std::string>();
  r.store = j.at("store").get<std::string>();
  r.playlist_key = j.at("playlist_key").get<std::string>();
  r.playlist_record = j.at("record");
  r.source_key = j.at("source_key").get<std::string>();
  if (j.contains("media") || !sources) r.media = unpack_media(j.at("media"), "its probe");
  else r.media = unpack_media(sources->at(r.source_key), "its probe");
  if (!is_token(r.token)) throw TitleRecordError("token \"" + r.token + "\" is not 32 hex digits");
  if (!r.playlist_record.is_object()) throw TitleRecordError("record is not an object");
  return r;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The token of a segment name "<prefix>-<token>-<n>.ts" (or .m4s, .vtt, a
// thumbnails track's sprite sheet .jpg), or of an fMP4 init segment
// "<prefix>-<token>-init.mp4" (rendition.h).
std::optional<std::string> token_in_segment_name(const std::string& name) {
  static const std::string init = "-init.mp4";
  if (ends_with(name, init)) {
    const std::string stem = name.substr(0, name.size() - init.size());
    if (stem.size() < 33 || stem[stem.size() - 33] != '-') return std::nullopt;
    std::string token = stem.substr(stem.size() - 32);
    if (!is_token(token)) return std::nullopt;
    return token;
  }
  const bool four = ends_with(name, ".m4s") || ends_with(name, ".vtt") || ends_with(name, ".jpg");
  size_t ext = ends_with(name, ".ts") ? 3 : four ? 4 : 0;
  if (!ext) return std::nullopt;
  std::string stem = name.substr(0, name.size() - ext);
  size_t dash = stem.rfind('-');
  if (dash == std::string::npos || dash < 33 || dash + 1 == stem.size()) return std::nullopt;
  if (stem.find_first_not_of("0123456789", dash + 1) != std::string::npos) return std::nullopt;
  std::string token = stem.substr(dash - 32, 32);
  if (!is_token(token) || stem[dash - 33] != '-') return std::nullopt;
  return token;
}

}  // namespace

std::string encode_title_record(const TitleRecord& r) {
  json j = title_json(r);
  j["format"] = kFormat;
  j["version"] = TitleRecord::kVersion;
  j["kind"] = "rendition";
  return j.dump();
}

std::string encode_master_record(const MasterRecord& m) {
  // Renditions of one source share its probe: written once, in "sources".
  json renditions = json::array(), sources = json::object();
  for (const auto& r : m.renditions) {
    auto same = m.renditions.begin();
    while (same->source_key != r.source_key) ++same;  // the first of this source
    const bool shared = same->media == r.media;
    if (shared && !sources.contains(r.source_key)) sources[r.source_key] = pack_media(r.media);
    renditions.push_back(title_json(r, !shared));
  }
  return json{{"format", kFormat},       {"version", TitleRecord::kVersion}, {"kind", "master"},
              {"state_key", m.state_key}, {"record", m.record},              {"sources", sources},
              {"renditions", renditions}}
      .dump();
}

BucketRecord decode_bucket_record(const std::string& text, const std::string& what) {
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception& e) {
    throw TitleRecordError(what + ": not a title record (" + e.what() + ")");
  }
  try {
    if (!j.is_object() || j.value("format", "") != kFormat) throw TitleRecordError("not a title record");
    // 1: probes as the state holds them; 2: keyframes packed, a master's
    // probes once per source.
    int version = j.at("version").get<int>();
    if (version < 1 || version > TitleRecord::kVersion)
      throw TitleRecordError("version " + std::to_string(version) + ", this hlsfs reads versions 1 to " +
                             std::to_string(TitleRecord::kVersion));
    BucketRecord out;
    std::string kind = j.at("kind").get<std::string>();
    if (kind == "rendition") {
      out.title = title_of(j, nullptr);
    } else if (kind == "master") {
      MasterRecord m;
      m.state_key = j.at("state_key").get<std::string>();
      m.record = j.at("record");
      if (m.state_key.rfind("master:", 0) != 0) throw TitleRecordError("state_key \"" + m.state_key + "\"");
      const json* sources = j.contains("sources") ? &j.at("sources") : nullptr;
      for (const auto& r : j.at("renditions")) m.renditions.push_back(title_of(r, sources));
      out.master = std::move(m);
    } else {
      throw TitleRecordError("unknown kind \"" + kind + "\"");
    }
    return out;
  } catch (const TitleRecordError& e) {
    throw TitleRecordError(what + ": " + e.what());
  } catch (const std::exception& e) {  // json's type and missing-key errors
    throw TitleRecordError(what + ": malformed title record (" + e.what() + ")");
  }
}

MediaInfo media_of(const TitleRecord& r, const std::string& what) {
  try {
    return r.media.get<MediaInfo>();
  } catch (const std::exception& e) {
    throw TitleRecordError(what + ": its probe is unreadable (" + e.what() + ")");
  }
}

RenditionSpec verify_title_record(const TitleRecord& r, const MediaInfo& media, const std::string& what) {
  try {
    const json& rec = r.playlist_record;
    if (rec.at("source").get<std::string>() != r.source_key)
      throw TitleRecordError("its probe's key does not match its record's source");
    RenditionSpec spec = rendition_of_record(media, rec);
    if (spec.token != r.token)
      throw TitleRecordError("its token " + r.token + " does not match the one its record gives (" + spec.token +
                             "): damaged, or written by an hlsfs that plans differently");
    return spec;
  } catch (const TitleRecordError& e) {
    throw TitleRecordError(what + ": " + e.what());
  } catch (const std::exception& e) {  // RequestError, MediaError, json errors
    throw TitleRecordError(what + ": cannot rebuild the rendition: " + e.what());
  }
}

std::string encode_usage_record(const UsageRecord& u) {
  json segments = json::object();
  for (const auto& [n, ms] : u.last_use) segments[std::to_string(n)] = ms;
  return json{{"format", "hlsfs-usage"}, {"version", 1}, {"node", u.node}, {"token", u.token}, {"segments", segments}}
      .dump();
}

UsageRecord decode_usage_record(const std::string& text, const std::string& what) {
  try {
    json j = json::parse(text);
    if (!j.is_object() || j.value("format", "") != "hlsfs-usage") throw TitleRecordError("not a usage record");
    if (j.at("version").get<int>() != 1)
      throw TitleRecordError("version " + std::to_string(j.at("version").get<int>()) + ", this hlsfs reads version 1");
    UsageRecord u;
    u.node = j.at("node").get<std::string>();
    u.token = j.at("token").get<std::string>();
    for (const auto& [n, ms] : j.at("segments").items()) {
      if (n.empty() || n.size() > 9 || n.find_first_not_of("0123456789") != std::string::npos)
        throw TitleRecordError("segment \"" + n + "\" is not a number");
      u.last_use[static_cast<uint32_t>(std::stoul(n))] = ms.get<int64_t>();
    }
    return u;
  } catch (const TitleRecordError& e) {
    throw TitleRecordError(what + ": " + e.what());
  } catch (const std::exception& e) {
    throw TitleRecordError(what + ": malformed usage record (" + e.what() + ")");
  }
}

void merge_usage(UsageRecord& into, const UsageRecord& from) {
  for (const auto& [n, ms] : from.last_use) {
    int64_t& t = into.last_use[n];
    t = std::max(t, ms);
  }
}

// ---- keys -----------------------------------------------------------------

std::string dir_of(const std::string& key) {
  auto slash = key.rfind('/');
  return slash == std::string::npos ? "" : key.substr(0, slash + 1);
}

std::string token_record_key(const std::string& dir, const std::string& token) {
  return dir + kRecordFolder + token + ".json";
}

std::string playlist_record_key(const std::string& playlist_key) {
  std::string dir = dir_of(playlist_key);
  return dir + kRecordFolder + playlist_key.substr(dir.size()) + ".json";
}

std::string dir_record_key(const std::string& dir) { return dir + kRecordFolder + "dir.json"; }

std::vector<std::string> dirs_up(const std::string& dir) {
  std::vector<std::string> out;
  std::string d = dir;
  while (!d.empty()) {
    out.push_back(d);
    d = dir_of(d.substr(0, d.size() - 1));
  }
  return out;
}

std::string usage_prefix(const std::string& dir, const std::string& token) {
  return dir + kRecordFolder + "used/" + token + "/";
}

std::string usage_key(const std::string& dir, const std::string& token, const std::string& node) {
  return usage_prefix(dir, token) + node + ".json";
}

std::optional<std::string> record_key_for_lookup(const std::string& key) {
  if (key.empty() || key.back() == '/') return std::nullopt;
  const std::string folder = std::string(kRecordFolder).substr(0, 6);  // ".hlsfs"
  if (key == folder || key.rfind(folder + "/", 0) == 0 || key.find("/" + folder + "/") != std::string::npos ||
      ends_with(key, "/" + folder))
    return std::nullopt;
  const std::string dir = dir_of(key), name = key.substr(dir.size());
  if (auto token = token_in_segment_name(name)) return token_record_key(dir, *token);
  // A thumbnails track's WebVTT file is its rendition's "playlist".
  if (ends_with(name, ".m3u8") || ends_with(name, "_thumbnails.vtt")) return playlist_record_key(key);
  return dir_record_key(key + "/");
}

}  // namespace hlsfs

#include "actors/playlist/request.h"

#include <cmath>
#include <set>

namespace hlsfs {
namespace {

using json = nlohmann::json;

// Reads one JSON object field by field; whatever is left unread is an
// unknown field and an error (a typo must not silently fall back to a default).
class ObjectReader {
 public:
  ObjectReader(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) throw RequestError(path_.empty() ? "request" : path_, "must be a JSON object");
  }

  std::string path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  const json* get(const std::string& key) {
    seen_.insert(key);
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  std::optional<std::string> str(const std::string& key) {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) throw RequestError(path(key), "must be a string");
    return v->get<std::string>();
  }

  std::optional<double> number(const std::string& key, double lo, double hi) {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_number()) throw RequestError(path(key), "must be a number");
    double d = v->get<double>();
    if (!std::isfinite(d) || d < lo || d > hi)
      throw RequestError(path(key), "must be between " + fmt(lo) + " and " + fmt(hi) + ", got " + fmt(d));
    return d;
  }

  std::optional<int64_t> integer(const std::string& key, int64_t lo, int64_t hi) {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_number_integer() && !(v->is_number_float() && std::floor(v->get<double>()) == v->get<double>()))
      throw RequestError(path(key), "must be an integer");
    auto outside = [&](const std::string& got) {
      return RequestError(path(key), "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + got);
    };
    // Checked before converting: a double or an unsigned beyond int64 has no
    // int64 value (the cast would be UB or wrap into the range).
    if (v->is_number_unsigned() && (hi < 0 || v->get<uint64_t>() > static_cast<uint64_t>(hi)))
      throw outside(std::to_string(v->get<uint64_t>()));
    if (v->is_number_float() && !(v->get<double>() >= lo && v->get<double>() <= hi)) throw outside(fmt(v->get<double>()));
    int64_t i = v->is_number_integer() ? v->get<int64_t>() : static_cast<int64_t>(v->get<double>());
    if (i < lo || i > hi) throw outside(std::to_string(i));
    return i;
  }

  bool boolean(const std::string& key) {
    const json* v = get(key);
    if (!v) return false;
    if (!v->is_boolean()) throw RequestError(path(key), "must be true or false");
    return v->get<bool>();
  }

  template <class E>
  std::optional<E> choice(const std::string& key, std::initializer_list<std::pair<const char*, E>> options) {
    auto s = str(key);
    if (!s) return std::nullopt;
    std::string allowed;
    for (auto& [name, value] : options) {
      if (*s == name) return value;
      allowed += (allowed.empty() ? "" : ", ") + std::string(name);
    }
    throw RequestError(path(key), "must be one of " + allowed + ", got \"" + *s + "\"");
  }

  // IMM-only fields that mean nothing here: accepted, logged.
  void ignore(const std::string& key, std::vector<std::string>& warnings) {
    if (get(key)) warnings.push_back(path(key) + " is an IMM-only field and is ignored");
  }

  void finish() const {
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!seen_.count(it.key())) throw RequestError(path(it.key()), "unknown field");
  }

 private:
  static std::string fmt(double d) {
    char buf[32];
    snprintf(buf, sizeof buf, "%g", d);
    return buf;
  }
  const json& j_;
  std::string path_;
  std::set<std::string> seen_;
};

bool valid_uri(const std::string& u) {
  return u.rfind("file:///", 0) == 0 || u.rfind("s3://", 0) == 0 || u.rfind("oss://", 0) == 0;
}

// A URI becomes a store key (a C string in the plugin ABI: a NUL would cut
// it and name another object) and a line or a quoted attribute of a
// playlist (a newline would inject a line, a quote end the attribute). The
// message names the character by its code: the URI itself cannot be shown.
void check_uri_text(const std::string& field, const std::string& uri) {
  for (size_t i = 0; i < uri.size(); ++i) {
    auto c = static_cast<unsigned char>(uri[i]);
    if (c < 0x20 || c == 0x7f || c == '"') {
      char code[8];
      snprintf(code, sizeof code, "U+%04X", c);
      throw RequestError(field, std::string("must not contain ") + (c == '"' ? "a double quote" : "control characters") +
                                    " (" + code + " at byte " + std::to_string(i) + ")");
    }
  }
}

// Store URIs of every field: one of our schemes, nothing a key or a playlist
// line cannot carry.
void check_store_uri(const std::string& field, const std::string& uri) {
  check_uri_text(field, uri);
  if (!valid_uri(uri)) throw RequestError(field, "must start with file:///, s3:// or oss://, got \"" + uri + "\"");
}

ValueOption value_option(ObjectReader& r, const std::string& key) {
  return r
      .choice<ValueOption>(key, {{"adaptive", ValueOption::adaptive},
                                 {"fixed", ValueOption::fixed},
                                 {"fall", ValueOption::fall}})
      .value_or(ValueOption::adaptive);
}

// IMM's Stream field: an index or a list of indexes.
std::vector<int> stream_list(ObjectReader& r, const std::string& key) {
  const json* v = r.get(key);
  if (!v) return {};
  std::vector<int> out;
  auto one = [&](const json& x) {
    if (!x.is_number_integer() || x.get<int64_t>() < 0 || x.get<int64_t>() > 1000)
      throw RequestError(r.path(key), "must be a stream index (0-1000) or a list of them");
    out.push_back(x.get<int>());
  };
  if (v->is_array()) {
    for (auto& x : *v) one(x);
  } else {
    one(*v);
  }
  return out;
}

std::pair<std::optional<int>, std::optional<int>> parse_resolution(const std::string& s, const std::string& field) {
  auto x = s.find('x');
  if (x == std::string::npos || s.find('x', x + 1) != std::string::npos)
    throw RequestError(field, "must look like \"1280x720\", \"1280x\" or \"x720\", got \"" + s + "\"");
  auto edge = [&](const std::string& part) -> std::optional<int> {
    if (part.empty()) return std::nullopt;
    for (char c : part)
      if (c < '0' || c > '9') throw RequestError(field, "edges must be whole numbers, got \"" + s + "\"");
    if (part.size() > 5) throw RequestError(field, "an edge is larger than 4096: \"" + s + "\"");
    int v = std::stoi(part);
    if (v < 16 || v > 4096) throw RequestError(field, "each edge must be between 16 and 4096, got \"" + s + "\"");
    return v;
  };
  auto w = edge(s.substr(0, x));
  auto h = edge(s.substr(x + 1));
  if (!w && !h) throw RequestError(field, "needs at least one edge, got \"" + s + "\"");
  return {w, h};
}

VideoRequest parse_transcode_video(const json& j, const std::string& path) {
  ObjectReader r(j, path);
  VideoRequest v;
  v.codec = r.choice<std::string>("Codec", {{"h264", "h264"}, {"h265", "h265"}}).value_or("h264");
  if (auto crf = r.integer("CRF", 0, 51)) v.crf = static_cast<int>(*crf);
  v.bitrate = r.integer("Bitrate", 10000, 200000000);
  v.max_bitrate = r.integer("MaxBitrate", 10000, 200000000);
  v.buffer_size = r.integer("BufferSize", 10000, 400000000);
  if (v.crf && v.bitrate) throw RequestError(r.path("Bitrate"), "give CRF or Bitrate, not both");
  if (auto fps = r.number("FrameRate", 1, 120)) v.frame_rate = frame_rate_from_double(*fps);
  if (auto res = r.str("Resolution")) std::tie(v.width, v.height) = parse_resolution(*res, r.path("Resolution"));
  v.adaptive_resolution_direction = r.boolean("AdaptiveResolutionDirection");
  v.scale_type = r.choice<ScaleType>("ScaleType", {{"stretch", ScaleType::stretch},
                                                    {"crop", ScaleType::crop},
                                                    {"fill", ScaleType::fill},
                                                    {"fit", ScaleType::fit}})
                     .value_or(ScaleType::stretch);
  v.bitrate_option = value_option(r, "BitrateOption");
  v.frame_rate_option = value_option(r, "FrameRateOption");
  v.resolution_option = value_option(r, "ResolutionOption");
  v.pixel_format = r.str("PixelFormat").value_or("yuv420p");
  if (v.pixel_format != "yuv420p")
    throw RequestError(r.path("PixelFormat"), "only yuv420p is produced (what every HLS player decodes), got \"" +
                                                  v.pixel_format + "\"");
  if (auto b = r.integer("BFrames", 0, 16)) v.bframes = static_cast<int>(*b);
  if (auto f = r.integer("Refs", 1, 16)) v.refs = static_cast<int>(*f);
  v.rotation = static_cast<int>(r.integer("Rotation", 0, 270).value_or(0));
  if (v.rotation % 90) throw RequestError(r.path("Rotation"), "must be 0, 90, 180 or 270");
  r.finish();
  return v;
}

std::optional<VideoRequest> parse_video(const json* j, const std::string& path) {
  if (!j) return std::nullopt;
  ObjectReader r(*j, path);
  bool disabled = r.boolean("DisableVideo");
  auto streams = stream_list(r, "Stream");
  const json* tv = r.get("TranscodeVideo");
  VideoRequest v = tv ? parse_transcode_video(*tv, r.path("TranscodeVideo")) : VideoRequest{};
  v.passthrough = r.boolean("Passthrough");
  if (v.passthrough && tv)
    throw RequestError(r.path("Passthrough"),
                       "copies the source's video as it is: give Passthrough or TranscodeVideo, not both");
  if (!streams.empty()) v.streams = streams;
  r.finish();
  if (disabled) return std::nullopt;
  return v;
}

std::optional<AudioRequest> parse_audio(const json* j, const std::string& path) {
  if (!j) return std::nullopt;
  ObjectReader r(*j, path);
  bool disabled = r.boolean("DisableAudio");
  auto streams = stream_list(r, "Stream");
  if (streams.size() > 1) throw RequestError(r.path("Stream"), "one audio stream per target");
  AudioRequest a;
  if (!streams.empty()) a.stream = streams[0];
  if (const json* ta = r.get("TranscodeAudio")) {
    ObjectReader t(*ta, r.path("TranscodeAudio"));
    a.codec = t.choice<std::string>("Codec", {{"aac", "aac"}}).value_or("aac");
    a.bitrate = t.integer("Bitrate", 1000, 10000000);
    if (auto q = t.integer("Quality", 0, 100)) a.quality = static_cast<int>(*q);
    if (auto sr = t.integer("SampleRate", 8000, 96000)) {
      static const std::set<int64_t> rates{8000, 11025, 12000, 16000, 22050, 24000,
                                           32000, 44100, 48000, 64000, 88200, 96000};
      if (!rates.count(*sr))
        throw RequestError(t.path("SampleRate"), "must be one of 8000, 11025, 12000, 16000, 22050, 24000, 32000, "
                                                 "44100, 48000, 64000, 88200, 96000");
      a.sample_rate = static_cast<int>(*sr);
    }
    // IMM documents "Channel"; the design says "Channels". Both mean the same.
    auto ch = t.integer("Channel", 1, 8);
    if (auto ch2 = t.integer("Channels", 1, 8)) ch = ch2;
    if (ch) a.channels = static_cast<int>(*ch);
    a.bitrate_option = value_option(t, "BitrateOption");
    a.sample_rate_option = value_option(t, "SampleRateOption");
    t.finish();
  }
  r.finish();
  if (disabled) return std::nullopt;
  return a;
}

std::optional<SubtitleRequest> parse_subtitle(const json* j, const std::string& path) {
  if (!j) return std::nullopt;
  ObjectReader r(*j, path);
  bool disabled = r.boolean("DisableSubtitle");
  SubtitleRequest s;
  s.streams = stream_list(r, "Stream");
  r.finish();
  if (disabled) return std::nullopt;
  return s;
}

TargetRequest parse_target(const json& j, const std::string& path) {
  ObjectReader r(j, path);
  TargetRequest t;
  auto uri = r.str("URI");
  if (!uri || uri->empty()) throw RequestError(r.path("URI"), "is required");
  check_uri_text(r.path("URI"), *uri);
  t.uri = *uri;
  if (t.uri.size() > 5 && t.uri.compare(t.uri.size() - 5, 5, ".m3u8") == 0)
    throw RequestError(r.path("URI"), "is the output prefix without extension (\"…/name\", not \"…/name.m3u8\")");
  if (t.uri.back() == '/') throw RequestError(r.path("URI"), "must end with a file name prefix, not \"/\"");
  t.duration = r.number("Duration", 5, 15).value_or(10);
  if (const json* is = r.get("InitialSegments")) {
    if (!is->is_array()) throw RequestError(r.path("InitialSegments"), "must be a list of seconds, e.g. [2,2,2]");
    if (is->size() > 6) throw RequestError(r.path("InitialSegments"), "at most 6 lengths");
    t.initial_segments.clear();
    for (size_t i = 0; i < is->size(); ++i) {
      const json& x = (*is)[i];
      std::string p = r.path("InitialSegments") + "[" + std::to_string(i) + "]";
      if (!x.is_number()) throw RequestError(p, "must be a number of seconds");
      double d = x.get<double>();
      if (!(d >= 0.5 && d <= 15)) throw RequestError(p, "must be between 0.5 and 15 seconds");
      t.initial_segments.push_back(d);
    }
  }
  t.initial_transcode = r.number("InitialTranscode", -1e9, 1e9).value_or(30);
  if (auto ta = r.integer("TranscodeAhead", 10, 30)) t.transcode_ahead = static_cast<int>(*ta);
  t.video = parse_video(r.get("Video"), r.path("Video"));
  t.audio = parse_audio(r.get("Audio"), r.path("Audio"));
  t.subtitle = parse_subtitle(r.get("Subtitle"), r.path("Subtitle"));
  t.container = r.choice<SegmentContainer>("Container", {{"ts", SegmentContainer::ts}, {"fmp4", SegmentContainer::fmp4}})
                    .value_or(SegmentContainer::ts);
  // IMM: Subtitle is ignored when Video or Audio is set in the same target.
  if (t.video || t.audio) t.subtitle.reset();
  r.finish();
  if (!t.video && !t.audio && !t.subtitle)
    throw RequestError(path, "has no Video, Audio or Subtitle: nothing to make");
  return t;
}

std::string dir_of(const std::string& uri) { return uri.substr(0, uri.rfind('/') + 1); }

// IMM's Notification, its documented fields only (a typo is an error, as
// everywhere): MNS {TopicName, Endpoint}, RocketMQ {Endpoint, InstanceId,
// TopicName}, Kafka {Endpoint, Topic}. No MNS/RocketMQ/Kafka exists here:
// the configured webhook takes their place (notify/notifier.h).
json parse_notification(const json& j) {
  ObjectReader r(j, "Notification");
  json out = json::object();
  auto target = [&](const char* name, std::initializer_list<const char*> keys) {
    const json* t = r.get(name);
    if (!t) return;
    ObjectReader tr(*t, r.path(name));
    json kept = json::object();
    for (const char* k : keys)
      if (auto v = tr.str(k)) {
        check_uri_text(tr.path(k), *v);
        kept[k] = *v;
      }
    tr.finish();
    out[name] = kept;
  };
  target("MNS", {"TopicName", "Endpoint"});
  target("RocketMQ", {"Endpoint", "InstanceId", "TopicName"});
  target("Kafka", {"Endpoint", "Topic"});
  r.finish();
  return out;
}

}  // namespace

const char* to_string(ScaleType s) {
  switch (s) {
    case ScaleType::stretch: return "stretch";
    case ScaleType::crop: return "crop";
    case ScaleType::fill: return "fill";
    case ScaleType::fit: return "fit";
  }
  return "?";
}

const char* to_string(SegmentContainer c) { return c == SegmentContainer::fmp4 ? "fmp4" : "ts"; }

const char* to_string(ValueOption o) {
  switch (o) {
    case ValueOption::adaptive: return "adaptive";
    case ValueOption::fixed: return "fixed";
    case ValueOption::fall: return "fall";
  }
  return "?";
}

Rational frame_rate_from_double(double fps) {
  double ntsc = fps * 1.001;
  if (std::fabs(fps - std::round(fps)) > 1e-6 && std::fabs(ntsc - std::round(ntsc)) < 0.002)
    return Rational{static_cast<int64_t>(std::llround(ntsc)) * 1000, 1001};
  return Rational{static_cast<int64_t>(std::llround(fps * 1000)), 1000}.reduced();
}

PlaylistRequest parse_request(const json& body) {
  ObjectReader r(body, "");
  PlaylistRequest req;
  auto src = r.str("SourceURI");
  if (!src || src->empty()) throw RequestError("SourceURI", "is required");
  check_store_uri("SourceURI", *src);
  req.source_uri = *src;
  req.master_uri = r.str("MasterURI");
  if (req.master_uri) {
    check_store_uri("MasterURI", *req.master_uri);
    const std::string& m = *req.master_uri;
    if (m.size() < 6 || m.compare(m.size() - 5, 5, ".m3u8") != 0)
      throw RequestError("MasterURI", "must name a .m3u8 file");
  }
  if (const json* subs = r.get("SourceSubtitles")) {
    if (!subs->is_array()) throw RequestError("SourceSubtitles", "must be a list of {URI, Language}");
    if (subs->size() > 2) throw RequestError("SourceSubtitles", "at most 2 subtitle files");
    for (size_t i = 0; i < subs->size(); ++i) {
      ObjectReader s((*subs)[i], "SourceSubtitles[" + std::to_string(i) + "]");
      SourceSubtitle sub;
      auto uri = s.str("URI");
      if (!uri) throw RequestError(s.path("URI"), "is required: file:///, s3:// or oss://");
      check_store_uri(s.path("URI"), *uri);
      sub.uri = *uri;
      sub.language = s.str("Language").value_or("und");
      // It is written into the master's LANGUAGE="..." attribute.
      bool letters = sub.language.size() == 3;
      for (char c : sub.language) letters = letters && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
      if (!letters) throw RequestError(s.path("Language"), "must be an ISO 639-2 code like \"eng\"");
      s.finish();
      req.source_subtitles.push_back(sub);
    }
  }
  req.source_start_time = r.number("SourceStartTime", 0, 1e7).value_or(0);
  req.source_duration = r.number("SourceDuration", 0, 1e7).value_or(0);
  req.overwrite_policy = r.choice<OverwritePolicy>("OverwritePolicy", {{"overwrite", OverwritePolicy::overwrite},
                                                                       {"skip-existing", OverwritePolicy::skip_existing}})
                             .value_or(OverwritePolicy::overwrite);
  if (const json* tags = r.get("Tags")) {
    if (!tags->is_object()) throw RequestError("Tags", "must be an object of strings");
    for (auto it = tags->begin(); it != tags->end(); ++it) {
      if (!it->is_string()) throw RequestError("Tags." + it.key(), "must be a string");
      check_uri_text("Tags", it.key());
      check_uri_text("Tags." + it.key(), it->get<std::string>());
      req.tags[it.key()] = it->get<std::string>();
    }
  }
  req.user_data = r.str("UserData").value_or("");
  if (req.user_data.size() > 2048) throw RequestError("UserData", "at most 2048 bytes");
  r.ignore("ProjectName", req.warnings);
  r.ignore("CredentialConfig", req.warnings);
  if (const json* n = r.get("Notification")) req.notification = parse_notification(*n);

  const json* targets = r.get("Targets");
  if (!targets) throw RequestError("Targets", "is required");
  // IMM's SDKs send Targets JSON-encoded, as a string holding the list.
  json decoded_targets;
  if (targets->is_string()) {
    decoded_targets = json::parse(targets->get<std::string>(), nullptr, false);
    if (decoded_targets.is_discarded()) throw RequestError("Targets", "is a string but not a JSON-encoded list of targets");
    targets = &decoded_targets;
  }
  if (!targets->is_array() || targets->empty() || targets->size() > 6)
    throw RequestError("Targets", "must be a list of 1 to 6 targets");
  for (size_t i = 0; i < targets->size(); ++i)
    req.targets.push_back(parse_target((*targets)[i], "Targets[" + std::to_string(i) + "]"));
  r.finish();

  bool any_subs = !req.source_subtitles.empty();
  for (auto& t : req.targets) any_subs = any_subs || t.subtitle.has_value();
  if (!req.master_uri && (req.targets.size() > 1 || any_subs))
    throw RequestError("MasterURI", "is required with more than one target or with subtitles");
  std::set<std::string> uris;
  for (size_t i = 0; i < req.targets.size(); ++i) {
    const auto& t = req.targets[i];
    if (!valid_uri(t.uri))
      throw RequestError("Targets[" + std::to_string(i) + "].URI", "must start with file:///, s3:// or oss://");
    if (!uris.insert(t.uri).second)
      throw RequestError("Targets[" + std::to_string(i) + "].URI", "is used by another target");
    if (req.master_uri && t.uri.rfind(dir_of(*req.master_uri), 0) != 0)
      throw RequestError("Targets[" + std::to_string(i) + "].URI",
                         "must lie in MasterURI's directory or below (" + dir_of(*req.master_uri) + ")");
  }
  for (size_t i = 0; i < req.source_subtitles.size(); ++i)
    if (req.master_uri && req.source_subtitles[i].uri.rfind(dir_of(*req.master_uri), 0) != 0)
      throw RequestError("SourceSubtitles[" + std::to_string(i) + "].URI", "must lie in MasterURI's directory or below");
  return req;
}

PlaylistRequest parse_request_text(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw RequestError("request", std::string("is not valid JSON: ") + e.what());
  } catch (const json::out_of_range& e) {  // a number no double holds: 1e400
    throw RequestError("request", std::string("is not usable JSON: ") + e.what());
  }
  return parse_request(j);
}

json canonical_target(const TargetRequest& t) {
  json j;
  j["Duration"] = t.duration;
  j["InitialSegments"] = t.initial_segments;
  // Only when not the default: the tokens of MPEG-TS renditions stay as they were.
  if (t.container != SegmentContainer::ts) j["Container"] = to_string(t.container);
  if (t.video && t.video->passthrough) {
    // Nothing of TranscodeVideo applies to a copy.
    j["Video"] = json{{"Streams", t.video->streams}, {"Passthrough", true}};
  } else if (t.video) {
    const auto& v = *t.video;
    json jv{{"Streams", v.streams},
            {"Codec", v.codec},
            {"CRF", v.bitrate ? -1 : v.effective_crf()},
            {"Bitrate", v.bitrate.value_or(0)},
            {"MaxBitrate", v.max_bitrate.value_or(0)},
            {"BufferSize", v.buffer_size.value_or(0)},
            {"FrameRate", v.frame_rate ? std::to_string(v.frame_rate->num) + "/" + std::to_string(v.frame_rate->den) : ""},
            {"Width", v.width.value_or(0)},
            {"Height", v.height.value_or(0)},
            {"AdaptiveResolutionDirection", v.adaptive_resolution_direction},
            {"ScaleType", to_string(v.scale_type)},
            {"BitrateOption", to_string(v.bitrate_option)},
            {"FrameRateOption", to_string(v.frame_rate_option)},
            {"ResolutionOption", to_string(v.resolution_option)},
            {"PixelFormat", v.pixel_format},
            {"BFrames", v.bframes.value_or(-1)},
            {"Refs", v.refs.value_or(-1)},
            {"Rotation", v.rotation}};
    j["Video"] = jv;
  }
  if (t.audio) {
    const auto& a = *t.audio;
    j["Audio"] = json{{"Stream", a.stream},
                      {"Codec", a.codec},
                      {"Bitrate", a.bitrate.value_or(0)},
                      {"Quality", a.quality.value_or(-1)},
                      {"SampleRate", a.sample_rate.value_or(0)},
                      {"Channels", a.channels.value_or(0)},
                      {"BitrateOption", to_string(a.bitrate_option)},
                      {"SampleRateOption", to_string(a.sample_rate_option)}};
  }
  return j;
}

}  // namespace hlsfs

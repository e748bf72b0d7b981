#include "hlsfs/media_info.h"

#include <nlohmann/json.hpp>

namespace hlsfs {

const char* to_string(StreamKind k) {
  switch (k) {
    case StreamKind::video: return "video";
    case StreamKind::audio: return "audio";
    case StreamKind::subtitle: return "subtitle";
    case StreamKind::other: return "other";
  }
  return "other";
}

static StreamKind kind_from(const std::string& s) {
  if (s == "video") return StreamKind::video;
  if (s == "audio") return StreamKind::audio;
  if (s == "subtitle") return StreamKind::subtitle;
  return StreamKind::other;
}

const StreamInfo* MediaInfo::nth(StreamKind kind, int n) const {
  for (const auto& s : streams)
    if (s.kind == kind && n-- == 0) return &s;
  return nullptr;
}

int MediaInfo::count(StreamKind kind) const {
  int c = 0;
  for (const auto& s : streams) c += s.kind == kind;
  return c;
}

static nlohmann::json rat(Rational r) { return {r.num, r.den}; }
static Rational rat(const nlohmann::json& j) { return {j.at(0).get<int64_t>(), j.at(1).get<int64_t>()}; }

void to_json(nlohmann::json& j, const MediaInfo& m) {
  j = nlohmann::json{{"uri", m.source.uri},
                     {"size", m.source.size},
                     {"version", m.source.version},
                     {"format", m.format},
                     {"container_duration", m.container_duration},
                     {"probe", {m.probe_method, m.probe_bytes_read}},
                     {"streams", nlohmann::json::array()}};
  for (const auto& s : m.streams) {
    nlohmann::json js{{"index", s.index},         {"kind", to_string(s.kind)}, {"codec", s.codec},
                      {"time_base", rat(s.time_base)}, {"start_pts", s.start_pts}, {"end_pts", s.end_pts},
                      {"packets", s.packets},     {"bit_rate", s.bit_rate},    {"language", s.language},
                      {"title", s.title},         {"default", s.is_default}};
    if (s.kind == StreamKind::video) {
      js.update({{"width", s.width},
                 {"height", s.height},
                 {"sar", rat(s.sar)},
                 {"rotation", s.rotation},
                 {"avg_frame_rate", rat(s.avg_frame_rate)},
                 {"r_frame_rate", rat(s.r_frame_rate)},
                 {"pix_fmt", s.pix_fmt},
                 {"field_order", s.field_order},
                 {"color", {s.color_primaries, s.color_trc, s.color_space, s.color_range}}});
      if (!s.codec_string.empty()) js["codec_string"] = s.codec_string;  // records before it have none
      if (s.open_gop) js["open_gop"] = *s.open_gop;                        // absent: not known
      // Keyframes as flat triples: compact for long files.
      auto& k = js["keyframes"] = nlohmann::json::array();
      for (const auto& kf : s.keyframes) k.push_back({kf.pts, kf.dts, kf.pos});
    }
    if (s.kind == StreamKind::audio)
      js.update({{"sample_rate", s.sample_rate},
                 {"channels", s.channels},
                 {"frame_size", s.frame_size},
                 {"channel_layout", s.channel_layout}});
    j["streams"].push_back(js);
  }
}

void from_json(const nlohmann::json& j, MediaInfo& m) {
  m = MediaInfo{};
  m.source.uri = j.at("uri");
  m.source.size = j.at("size");
  m.source.version = j.at("version");
  m.format = j.at("format");
  m.container_duration = j.at("container_duration");
  // Records made before the probe read indexes have no "probe": they read
  // every packet, and mean exactly what "packets" means today.
  if (auto p = j.find("probe"); p != j.end()) {
    m.probe_method = p->at(0);
    m.probe_bytes_read = p->at(1);
  }
  for (const auto& js : j.at("streams")) {
    StreamInfo s;
    s.index = js.at("index");
    s.kind = kind_from(js.at("kind"));
    s.codec = js.at("codec");
    s.time_base = rat(js.at("time_base"));
    s.start_pts = js.at("start_pts");
    s.end_pts = js.at("end_pts");
    s.packets = js.at("packets");
    s.bit_rate = js.at("bit_rate");
    s.language = js.at("language");
    s.title = js.at("title");
    s.is_default = js.at("default");
    if (s.kind == StreamKind::video) {
      s.width = js.at("width");
      s.height = js.at("height");
      s.sar = rat(js.at("sar"));
      s.rotation = js.at("rotation");
      s.avg_frame_rate = rat(js.at("avg_frame_rate"));
      s.r_frame_rate = rat(js.at("r_frame_rate"));
      s.pix_fmt = js.at("pix_fmt");
      s.field_order = js.at("field_order");
      const auto& c = js.at("color");
      s.color_primaries = c.at(0), s.color_trc = c.at(1), s.color_space = c.at(2), s.color_range = c.at(3);
      s.codec_string = js.value("codec_string", "");
      if (auto g = js.find("open_gop"); g != js.end() && g->is_boolean()) s.open_gop = g->get<bool>();
      for (const auto& k : js.at("keyframes")) s.keyframes.push_back({k.at(0), k.at(1), k.at(2)});
    }
    if (s.kind == StreamKind::audio) {
      s.sample_rate = js.at("sample_rate");
      s.channels = js.at("channels");
      s.frame_size = js.at("frame_size");
      s.channel_layout = js.at("channel_layout");
    }
    m.streams.push_back(std::move(s));
  }
}

}  // namespace hlsfs

#include "actors/cluster/keyframe_pack.h"

namespace hlsfs {

namespace {

using json = nlohmann::json;

// 64 characters, 5 data bits each plus "more follows" (32); '.' (outside
// them) marks a run: the value before it repeats 2 + the varint after it.
constexpr char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kRun = '.';
constexpr size_t kMaxKeyframes = size_t{1} << 24;  // far beyond any source (a keyframe a frame, 24 fps, 8 days)

int digit_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

void put_varint(std::string& out, uint64_t v) {
  do {
    const unsigned bits = v & 31;
    v >>= 5;
    out += kDigits[bits | (v ? 32 : 0)];
  } while (v);
}

uint64_t zigzag(uint64_t d) { return (d << 1) ^ (0 - (d >> 63)); }
uint64_t unzigzag(uint64_t z) { return (z >> 1) ^ (0 - (z & 1)); }

struct Reader {
  const std::string& text;
  const std::string& what;
  size_t at = 0;
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0;; shift += 5) {
      if (at >= text.size()) throw TitleRecordError(what + ": packed keyframes cut short");
      const int d = digit_value(text[at++]);
      if (d < 0) throw TitleRecordError(what + ": packed keyframes: unexpected character");
      if (shift > 60 || (shift == 60 && (d & 31) > 15))
        throw TitleRecordError(what + ": packed keyframes: a value beyond 64 bits");
      v |= static_cast<uint64_t>(d & 31) << shift;
      if (!(d & 32)) return v;
    }
  }
};

}  // namespace

std::string pack_column(const std::vector<int64_t>& values) {
  std::string out;
  uint64_t prev = 0;
  for (size_t i = 0; i < values.size();) {
    // Differences wrap (unsigned): kNoTimestamp next to a time stays exact.
    const uint64_t d = static_cast<uint64_t>(values[i]) - prev;
    size_t run = 1;
    uint64_t last = static_cast<uint64_t>(values[i]);
    while (i + run < values.size() && static_cast<uint64_t>(values[i + run]) - last == d) {
      last = static_cast<uint64_t>(values[i + run]);
      ++run;
    }
    put_varint(out, zigzag(d));
    if (run > 1) {
      out += kRun;
      put_varint(out, run - 2);
    }
    prev = last;
    i += run;
  }
  return out;
}

std::vector<int64_t> unpack_column(const std::string& text, size_t count, const std::string& what) {
  if (count > kMaxKeyframes) throw TitleRecordError(what + ": packed keyframes: " + std::to_string(count) + " of them");
  std::vector<int64_t> out;
  out.reserve(count);
  Reader r{text, what};
  uint64_t prev = 0;
  while (r.at < text.size()) {
    const uint64_t d = unzigzag(r.varint());
    uint64_t run = 1;
    if (r.at < text.size() && text[r.at] == kRun) {
      ++r.at;
      run = r.varint();
      if (run > count) throw TitleRecordError(what + ": packed keyframes: more than " + std::to_string(count));
      run += 2;
    }
    if (out.size() + run > count) throw TitleRecordError(what + ": packed keyframes: more than " + std::to_string(count));
    for (uint64_t k = 0; k < run; ++k) {
      prev += d;
      out.push_back(static_cast<int64_t>(prev));
    }
  }
  if (out.size() != count)
    throw TitleRecordError(what + ": packed keyframes: " + std::to_string(out.size()) + " of " + std::to_string(count));
  return out;
}

json pack_media(const json& media) {
  json out = media;
  if (!out.is_object() || !out.contains("streams") || !out["streams"].is_array()) return out;
  for (json& s : out["streams"]) {
    if (!s.is_object() || !s.contains("keyframes") || !s["keyframes"].is_array()) continue;
    std::vector<int64_t> pts, dts_offset, pos;
    for (const json& k : s["keyframes"]) {
      const int64_t p = k.at(0).get<int64_t>();
      pts.push_back(p);
      // As an offset from pts: constant for a steady B-frame delay (a run).
      dts_offset.push_back(static_cast<int64_t>(static_cast<uint64_t>(k.at(1).get<int64_t>()) - static_cast<uint64_t>(p)));
      pos.push_back(k.at(2).get<int64_t>());
    }
    s["keyframes_packed"] = {
        {"n", pts.size()}, {"pts", pack_column(pts)}, {"dts", pack_column(dts_offset)}, {"pos", pack_column(pos)}};
    s.erase("keyframes");
  }
  return out;
}

json unpack_media(const json& media, const std::string& what) {
  json out = media;
  if (!out.is_object() || !out.contains("streams") || !out["streams"].is_array()) return out;
  try {
    for (json& s : out["streams"]) {
      if (!s.is_object() || !s.contains("keyframes_packed")) continue;
      const json& p = s["keyframes_packed"];
      const size_t n = p.at("n").get<size_t>();
      const auto pts = unpack_column(p.at("pts").get<std::string>(), n, what);
      const auto dts_offset = unpack_column(p.at("dts").get<std::string>(), n, what);
      const auto pos = unpack_column(p.at("pos").get<std::string>(), n, what);
      json k = json::array();
      for (size_t i = 0; i < n; ++i)
        k.push_back({pts[i], static_cast<int64_t>(static_cast<uint64_t>(pts[i]) + static_cast<uint64_t>(dts_offset[i])),
                     pos[i]});
      s["keyframes"] = std::move(k);
      s.erase("keyframes_packed");
    }
  } catch (const json::exception& e) {
    throw TitleRecordError(what + ": packed keyframes unreadable (" + e.what() + ")");
  }
  return out;
}

}  // namespace hlsfs

#include "actors/playlist/thumbnails.h"

#include <algorithm>
#include <cmath>

#include "actors/playlist/webvtt.h"

namespace hlsfs {

int64_t ThumbnailLayout::tiles() const {
  if (interval_ms <= 0 || duration_ms <= 0) return 1;
  return std::max<int64_t>(1, (duration_ms + interval_ms - 1) / interval_ms);
}

uint32_t ThumbnailLayout::sheets() const {
  const int64_t per = std::max<int64_t>(1, tiles_per_sheet());
  return static_cast<uint32_t>((tiles() + per - 1) / per);
}

int64_t ThumbnailLayout::tiles_on(uint32_t sheet) const {
  if (sheet >= sheets()) return 0;
  return std::min(tiles_per_sheet(), tiles() - first_tile(sheet));
}

int ThumbnailLayout::sheet_width(uint32_t sheet) const {
  return static_cast<int>(std::min<int64_t>(columns, tiles_on(sheet))) * tile_width;
}

int ThumbnailLayout::sheet_height(uint32_t sheet) const {
  const int64_t n = tiles_on(sheet);
  return static_cast<int>((n + columns - 1) / columns) * tile_height;
}

ThumbnailLayout thumbnail_layout(double duration_s, const ThumbnailSettings& s, int display_w, int display_h) {
  ThumbnailLayout l;
  l.duration_ms = std::max<int64_t>(1, std::llround(duration_s * 1000.0));
  l.interval_ms = s.interval_ms;
  l.tile_width = s.width;
  // Even edges: the sheet is 4:2:0 (JPEG's usual), chroma needs pairs.
  double h = display_w > 0 && display_h > 0 ? static_cast<double>(s.width) * display_h / display_w : s.width * 9.0 / 16;
  l.tile_height = std::max(2, static_cast<int>(std::lround(h / 2.0)) * 2);
  l.columns = s.columns;
  l.rows = s.rows;
  return l;
}

std::vector<ThumbnailCue> thumbnail_cues(const ThumbnailLayout& l) {
  std::vector<ThumbnailCue> out;
  const int64_t n = l.tiles(), per = l.tiles_per_sheet();
  out.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    ThumbnailCue c;
    c.start_ms = i * l.interval_ms;
    c.end_ms = std::min((i + 1) * l.interval_ms, std::max(l.duration_ms, c.start_ms + 1));
    c.sheet = static_cast<uint32_t>(i / per);
    const int64_t on_sheet = i % per;
    c.x = static_cast<int>(on_sheet % l.columns) * l.tile_width;
    c.y = static_cast<int>(on_sheet / l.columns) * l.tile_height;
    c.w = l.tile_width;
    c.h = l.tile_height;
    out.push_back(c);
  }
  return out;
}

std::string thumbnails_vtt(const std::vector<ThumbnailCue>& cues,
                           const std::function<std::string(uint32_t)>& sheet_name) {
  std::string out = "WEBVTT\n\n";
  std::string name;
  uint32_t named = UINT32_MAX;
  for (const ThumbnailCue& c : cues) {
    if (c.sheet != named) name = sheet_name(named = c.sheet);
    out += webvtt_time(c.start_ms) + " --> " + webvtt_time(c.end_ms) + "\n" + name + "#xywh=" + std::to_string(c.x) +
           "," + std::to_string(c.y) + "," + std::to_string(c.w) + "," + std::to_string(c.h) + "\n\n";
  }
  return out;
}

}  // namespace hlsfs

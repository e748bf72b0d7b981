// Scrubbing thumbnails: the layout of a title's tiles on its sprite sheets
// and the WebVTT track that points at them (the convention of Video.js, JW
// Player, Shaka and Vidstack: a cue per tile whose text is
// "<sheet>.jpg#xywh=x,y,w,h"). Pure arithmetic and text, no libav: the
// sprite sheets themselves are made by actors/transcoder/sprite_sheet.h.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hlsfs {

// The daemon's thumbnails settings (YAML `thumbnails:`). They change the
// sheets' bytes, so they are part of the thumbnails track's token.
struct ThumbnailSettings {
  int64_t interval_ms = 0;  // a tile every this long; 0: no thumbnails track
  int width = 160;          // tile width (px); the height follows the picture's displayed aspect
  int columns = 10;         // tiles per row of a sheet
  int rows = 10;            // rows per sheet
  int quality = 5;          // JPEG quantizer (FFmpeg mjpeg qscale): 2 best .. 31 smallest
  bool enabled() const { return interval_ms > 0; }
  bool operator==(const ThumbnailSettings& o) const {
    return interval_ms == o.interval_ms && width == o.width && columns == o.columns && rows == o.rows &&
           quality == o.quality;
  }
};

// One title's tiles: how many, how big, how they fill the sheets.
struct ThumbnailLayout {
  int64_t duration_ms = 0;   // the title's length (output time)
  int64_t interval_ms = 10000;
  int tile_width = 160, tile_height = 90;
  int columns = 10, rows = 10;

  int64_t tiles() const;              // one per started interval, at least 1
  uint32_t sheets() const;            // ceil(tiles / (columns * rows))
  int64_t tiles_per_sheet() const { return static_cast<int64_t>(columns) * rows; }
  int64_t first_tile(uint32_t sheet) const { return sheet * tiles_per_sheet(); }
  int64_t tiles_on(uint32_t sheet) const;  // a full sheet but the last
  // A sheet is as wide as its longest row and as tall as its rows: the last
  // one is smaller when the title ends before it fills.
  int sheet_width(uint32_t sheet) const;
  int sheet_height(uint32_t sheet) const;
};

// The layout of a title `duration_s` long (> 0) at `s`, the tile height from
// the picture's displayed size (display_w x display_h, after rotation and
// sample aspect): even, at least 2.
ThumbnailLayout thumbnail_layout(double duration_s, const ThumbnailSettings& s, int display_w, int display_h);

struct ThumbnailCue {
  int64_t start_ms = 0, end_ms = 0;  // output time the tile stands for
  uint32_t sheet = 0;
  int x = 0, y = 0, w = 0, h = 0;    // the tile on its sheet
};

// Tile i stands for [i * interval, (i + 1) * interval), the last one ending
// with the title, and shows the picture at its start time (its keyframe).
std::vector<ThumbnailCue> thumbnail_cues(const ThumbnailLayout& l);

// "WEBVTT\n\n" then one cue per tile: "HH:MM:SS.mmm --> HH:MM:SS.mmm\n
// <sheet_name(sheet)>#xywh=x,y,w,h\n\n" (names relative to the track).
std::string thumbnails_vtt(const std::vector<ThumbnailCue>& cues,
                           const std::function<std::string(uint32_t)>& sheet_name);

}  // namespace hlsfs

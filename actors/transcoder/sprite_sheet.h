// One sprite sheet of a thumbnails track (actors/playlist/thumbnail_track.h):
// for each of its tiles, the keyframe at or before the tile's time, decoded
// alone (no frames after it), scaled to the tile, laid on the sheet, and
// the sheet encoded as one baseline JPEG by FFmpeg's mjpeg encoder. Same
// source and settings, same bytes (one thread, bit-exact scaler and encoder).
#pragma once
#include <cstddef>

#include "actors/playlist/rendition.h"
#include "actors/transcoder/segment_encoder.h"
#include "actors/transcoder/source.h"

namespace hlsfs {

// Sheet k of r (r.thumbnails set). video_frames counts the tiles, and
// decoded_frames the keyframes decoded (tiles that share one are decoded once).
// Throws MediaError when no tile of the sheet can be decoded.
SegmentResult make_sprite_sheet(SourceOpener& opener, const MediaInfo& media, const RenditionSpec& r, size_t k,
                                EncodeProgress* progress = nullptr);

// TV-range (16-235 luma, 16-240 chroma) 8-bit samples to the full range JPEG
// expects, in place: exact integer rounding, so every machine agrees.
void tv_to_full_range(uint8_t* data, int linesize, int width, int height, bool chroma);

}  // namespace hlsfs

// A title's thumbnails track as a rendition: a WebVTT file beside the
// playlists ("<name>_thumbnails.vtt") whose cues point at sprite sheets
// ("<name>_thumbnails-<token>-<k>.jpg"). The sheets are "segments" of the
// rendition: made on read, cached, evicted by the GC and served by the mount
// like any segment, under a token of their own.
#pragma once
#include "actors/playlist/rendition.h"

namespace hlsfs {

// The track of the video of target `base_target`, at "<MasterURI without
// .m3u8>_thumbnails" when the request has a master, else at
// "<Targets[base_target].URI>_thumbnails". Throws RequestError when that
// target has no video.
RenditionSpec make_thumbnails_track(const MediaInfo& media, const PlaylistRequest& req, size_t base_target,
                                    const ThumbnailSettings& settings, const EncoderConfig& enc);

// Source time (stream ticks of time base `tb`) whose picture tile `tile`
// shows: the rendition's origin plus the tile's start, rounded down.
int64_t thumbnail_source_ticks(const RenditionSpec& r, int64_t tile, Rational tb);

}  // namespace hlsfs

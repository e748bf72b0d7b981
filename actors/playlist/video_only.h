// The video of a target alone: a variant of an fMP4 master whose audio is
// demuxed. hls.js (1.5) keeps muxed fMP4 audio and video in one
// SourceBuffer and cannot switch to an alternate audio track there; Apple's
// HLS authoring specification recommends demuxed audio for fMP4. So such a
// master's variants are these video-only twins of its targets, and every
// audio stream (the default one too) is an EXT-X-MEDIA rendition with its
// own URI. The target's own playlist keeps its muxed audio: played alone, it
// has sound.
#pragma once
#include "actors/playlist/rendition.h"

namespace hlsfs {

// "<Targets[i].URI>_video": target i's video, settings, grid and clock, no
// audio (its segments carry the same video bytes as the target's, muxed
// alone). Throws RequestError unless target i is an fMP4 target with video
// and audio in a request with a master.
RenditionSpec make_video_only(const MediaInfo& media, const PlaylistRequest& req, size_t target,
                              const EncoderConfig& enc);

}  // namespace hlsfs

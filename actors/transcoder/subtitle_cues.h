// The cues of a text subtitle stream, decoded with FFmpeg 5.1, for the WebVTT
// segments of actors/playlist/webvtt.h.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "actors/playlist/rendition.h"
#include "actors/playlist/request.h"
#include "actors/playlist/webvtt.h"
#include "actors/transcoder/av_util.h"
#include "actors/transcoder/source.h"

namespace hlsfs {

// All cues of a TEXT subtitle stream (subrip/srt, ass/ssa, mov_text, webvtt,
// text...) of an opened input, sorted by start, in source time ms (stream
// timestamps converted with the stream time base). The packet duration, else
// AVSubtitle's end_display_time, gives the end; a cue with neither lasts
// until the next cue's start, at most 5 s. Cues with no text are left out.
// Reads the input from where it stands to its end (a fresh input: all of
// it), discarding the other streams meanwhile (their discard flags are
// restored on return). Throws MediaError for a missing or non-subtitle
// stream, a bitmap codec, or a stream whose every packet failed to decode.
std::vector<SubtitleCue> read_subtitle_cues(AVFormatContext* input, int stream_index);

// The identity (size, version) of each SourceSubtitles file, in order: part
// of its track's token, so an edited file makes a new track. MediaError
// naming the field when one cannot be read.
std::vector<SourceIdentity> identify_subtitle_files(SourceOpener& opener, const PlaylistRequest& req);

// The cues of a subtitle track's source: its embedded stream, or its file's
// first subtitle stream. Reading them costs a pass over the source (every
// packet of the stream, however long), so the answer is kept for the last
// few tracks asked (by token).
std::shared_ptr<const std::vector<SubtitleCue>> subtitle_track_cues(SourceOpener& opener, const RenditionSpec& spec);

}  // namespace hlsfs

// WebVTT subtitle segments for HLS: pure text, no libav. The cues come from
// actors/transcoder/subtitle_cues.h; the playlist side slices them per segment.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hlsfs {

struct SubtitleCue {
  int64_t start_ms = 0, end_ms = 0;  // source time
  std::string text;                  // WebVTT cue payload: escaped, lines joined by '\n'
};

// Text of one WebVTT segment covering output times [t0, t1) seconds: every
// cue that overlaps it (a cue spanning several segments is repeated in each,
// as HLS allows), with times in OUTPUT time = source time - origin_seconds
// (cues ending before origin dropped, starts clamped at 0).
// Header: "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:<mpegts>,LOCAL:00:00:00.000\n\n"
// (mpegts = the 90 kHz MPEG-TS PTS of output time 0 in the video segments).
// Times formatted HH:MM:SS.mmm.
std::string webvtt_segment(const std::vector<SubtitleCue>& cues, double t0, double t1, double origin_seconds,
                           int64_t mpegts);

// Plain payload from a decoded subtitle's ASS "Dialogue" event text (FFmpeg
// 5.1 gives AVSubtitleRect::ass as "ReadOrder,Layer,Style,Name,MarginL,
// MarginR,MarginV,Effect,Text"; a full "Dialogue: Layer,Start,End,..." line
// is accepted too): drops override blocks {...} (and \p drawings), turns \N
// and \n into newlines and \h into a space, escapes &, <, > for WebVTT, trims
// lines and drops empty ones. An empty result means "no cue".
std::string cue_text_from_ass(const std::string& ass_event);

// The same payload rules for plain text (AVSubtitleRect::text): escaped,
// lines trimmed, empty lines dropped.
std::string cue_text_from_plain(const std::string& text);

// "HH:MM:SS.mmm" (hours grow past 99 rather than wrap).
std::string webvtt_time(int64_t ms);

}  // namespace hlsfs

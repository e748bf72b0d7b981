// Which demuxers may read a source: a deliberate list. A source is one file
// (or object) that users upload; formats whose demuxers open other files or
// the network (HLS, DASH, ffconcat, IMF, image sequences, VobSub's .sub),
// that are not media (text, metadata) or that pull in large third-party
// players of game and tracker music are refused by name, with the reason.
#pragma once
#include <string>

namespace hlsfs {

// Comma-separated, as AVFormatContext::format_whitelist takes it.
const char* source_demuxers();

// "" when `demuxer_name` (an AVInputFormat name, which may itself be a list
// such as "mov,mp4,m4a") may read sources, else why not.
std::string source_format_refusal(const char* demuxer_name);

// Every demuxer refused on purpose, with its reason ("name: reason" lines):
// a demuxer that is in neither list is one a newer FFmpeg added and that
// nobody has looked at yet (a unit test fails until someone does).
const char* refused_source_demuxers();

}  // namespace hlsfs

// A probe's keyframe list packed for the bucket's title records (issue 17):
// a two-hour upload has thousands of keyframes, each [pts, dts, pos] as
// JSON (~33 bytes), so a record grew with the title (~120 KiB for 2 h, once
// per rendition of a master). Packed, each column is the differences from
// the keyframe before, zigzag varints in URL-safe base64 text, with runs
// (a steady GOP's times are one run): ~5 bytes a keyframe for the offsets,
// a few bytes in all for the times. Lossless: the probe comes back exact,
// as the state and any later plan need it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/cluster/title_record.h"

namespace hlsfs {

// One column of int64 values as text (differences, runs, varints).
std::string pack_column(const std::vector<int64_t>& values);
// Throws TitleRecordError (naming `what`) on text pack_column cannot have made
// or holding other than `count` values.
std::vector<int64_t> unpack_column(const std::string& text, size_t count, const std::string& what);

// The probe JSON (MediaInfo's) with each stream's "keyframes" array
// replaced by "keyframes_packed": {"n", "pts", "dts", "pos"}; and back.
// unpack throws TitleRecordError naming `what`.
nlohmann::json pack_media(const nlohmann::json& media);
nlohmann::json unpack_media(const nlohmann::json& media, const std::string& what);

}  // namespace hlsfs

// A rendition rebuilt from its playlist record (the JSON that generate
// stores: request, encoder, origin or target), as a restart, a worker and a
// node reading the bucket each need it. The caller checks the token.
#pragma once
#include <nlohmann/json.hpp>

#include "actors/playlist/generate.h"

namespace hlsfs {

RenditionSpec rendition_of_record(const MediaInfo& media, const nlohmann::json& record);

}  // namespace hlsfs

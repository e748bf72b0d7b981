// Tokens name a rendition's segments. Same source version + same parameters =
// same token (a repeated request is idempotent); anything that changes the
// output bytes changes the token, so stale segments are never served.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "hlsfs/digest.h"  // sha256_hex, which tokens and checksums are made of
#include "hlsfs/media_info.h"

namespace hlsfs {

// 32 lowercase hex chars (128 bits of SHA-256) over the source identity and
// the canonical JSON of the parameters (sorted keys, so field order in the
// request does not matter).
std::string make_token(const SourceIdentity& source, const nlohmann::json& params);

bool is_token(const std::string& s);

}  // namespace hlsfs

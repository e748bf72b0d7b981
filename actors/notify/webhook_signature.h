// How a receiver knows a webhook post comes from this hlsfs and was not
// replayed: HMAC-SHA256 with the shared secret (notifications.secret_file)
// over "<timestamp>.<body>", sent as
//   X-Hlsfs-Timestamp: <unix seconds>
//   X-Hlsfs-Signature: sha256=<64 lower-case hex digits>
// The receiver computes the same over the raw body it got and compares in
// constant time, and refuses a timestamp far from its clock (5 minutes, say).
#pragma once
#include <cstdint>
#include <string>

#include "hlsfs/digest.h"  // hmac_sha256_hex

namespace hlsfs {

// The X-Hlsfs-Signature value: "sha256=" + hmac_sha256_hex(secret, "<unix_seconds>.<body>").
std::string webhook_signature(const std::string& secret, int64_t unix_seconds, const std::string& body);

}  // namespace hlsfs

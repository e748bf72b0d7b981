#include "actors/notify/webhook_signature.h"

namespace hlsfs {

std::string webhook_signature(const std::string& secret, int64_t unix_seconds, const std::string& body) {
  return "sha256=" + hmac_sha256_hex(secret, std::to_string(unix_seconds) + "." + body);
}

}  // namespace hlsfs

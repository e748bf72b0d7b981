// The hashes and MACs of Alibaba Cloud's two request signatures, through
// OpenSSL: HMAC-SHA1 (RPC V2, base64 of the raw MAC), SHA-256 and
// HMAC-SHA256 (V3, lower-case hex).
#pragma once
#include <string>
#include <string_view>

namespace hlsfs::imm {

std::string hmac_sha1(std::string_view key, std::string_view data);    // raw 20 bytes
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string sha256(std::string_view data);                             // raw 32 bytes
std::string lower_hex(std::string_view bytes);
// Equal in constant time (for a given length): a signature compare must not
// tell an attacker how many leading bytes were right.
bool same_secret_text(std::string_view a, std::string_view b);

}  // namespace hlsfs::imm

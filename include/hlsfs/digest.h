// Hashes and MACs through OpenSSL's libcrypto, for everything that signs or
// names by content: tokens, segment checksums, the object stores' and IMM's
// request signatures, webhook signatures. Results are raw bytes unless the
// name says hex.
#pragma once
#include <string>
#include <string_view>

namespace hlsfs {

std::string sha256(std::string_view data);  // raw 32 bytes
std::string md5(std::string_view data);     // raw 16 bytes
std::string hmac_sha256(std::string_view key, std::string_view message);  // raw 32 bytes
std::string hmac_sha1(std::string_view key, std::string_view message);    // raw 20 bytes
std::string lower_hex(std::string_view bytes);
inline std::string sha256_hex(std::string_view data) { return lower_hex(sha256(data)); }
inline std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  return lower_hex(hmac_sha256(key, message));
}
// Equal in constant time (for a given length): a signature compare must not
// tell an attacker how many leading bytes were right.
bool same_secret_text(std::string_view a, std::string_view b);

}  // namespace hlsfs

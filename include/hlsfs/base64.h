// Base64 (RFC 4648) through OpenSSL's EVP_EncodeBlock: Content-MD5 and the
// OSS V1 signature (section 4, padded), nginx secure_link hashes (section 5,
// the URL-safe alphabet, no padding).
#pragma once
#include <string>
#include <string_view>

namespace hlsfs {

std::string base64(std::string_view bytes);     // "+/" and '=' padding
std::string base64url(std::string_view bytes);  // "-_" and no padding

}  // namespace hlsfs

// The digests and MACs of the two signature schemes (OpenSSL's libcrypto).
// Results are raw bytes unless the name says hex or base64.
#pragma once
#include <string>
#include <string_view>

#include "hlsfs/base64.h"

namespace objstore {

std::string sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
std::string md5(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view message);
std::string hmac_sha1(std::string_view key, std::string_view message);
using hlsfs::base64;  // Content-MD5, OSS V1 signatures

}  // namespace objstore

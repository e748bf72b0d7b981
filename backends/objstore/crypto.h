// The digests and MACs of the two signature schemes: hlsfs's own
// (include/hlsfs/digest.h, OpenSSL's libcrypto), named here as the signers
// use them. Results are raw bytes unless the name says hex or base64.
#pragma once
#include "hlsfs/base64.h"
#include "hlsfs/digest.h"

namespace objstore {

using hlsfs::base64;  // Content-MD5, OSS V1 signatures
using hlsfs::hmac_sha1;
using hlsfs::hmac_sha256;
using hlsfs::lower_hex;
using hlsfs::md5;
using hlsfs::sha256;
using hlsfs::sha256_hex;

}  // namespace objstore

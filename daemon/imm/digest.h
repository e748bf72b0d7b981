// The hashes and MACs of Alibaba Cloud's two request signatures: HMAC-SHA1
// (RPC V2, base64 of the raw MAC), SHA-256 and HMAC-SHA256 (V3, lower-case
// hex). hlsfs's own (include/hlsfs/digest.h), named here as the endpoint
// uses them.
#pragma once
#include "hlsfs/digest.h"

namespace hlsfs::imm {

using hlsfs::hmac_sha1;
using hlsfs::hmac_sha256;
using hlsfs::lower_hex;
using hlsfs::same_secret_text;
using hlsfs::sha256;

}  // namespace hlsfs::imm

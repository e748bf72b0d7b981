// Alibaba Cloud's RPC signature V2 (SignatureMethod=HMAC-SHA1,
// SignatureVersion=1.0), as its "Request syntax and signature method V2 for
// RPC APIs" describes it:
//   CanonicalizedQueryString = the parameters (query and form body, all but
//     Signature) sorted by name, each percentEncode(name)=percentEncode(value),
//     joined by '&'
//   StringToSign = HTTPMethod & percentEncode("/") & percentEncode(CanonicalizedQueryString)
//   Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))
// percentEncode is RFC 3986: everything but A-Z a-z 0-9 - _ . ~ as %XX in
// upper-case hex (so a space is %20, '*' is %2A, '~' stays).
#pragma once
#include <string>

#include "daemon/imm/rpc_params.h"

namespace hlsfs::imm {

std::string rpc_v2_canonical_query(const Params& params);  // without Signature
std::string rpc_v2_string_to_sign(const std::string& method, const Params& params);
std::string rpc_v2_signature(const std::string& secret, const std::string& string_to_sign);

}  // namespace hlsfs::imm

// Alibaba Cloud's signature V3 (ACS3-HMAC-SHA256), as its "Request syntax and
// signature method V3" describes it:
//   CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n
//                      CanonicalHeaders \n SignedHeaders \n HashedRequestPayload
//     CanonicalQueryString: the query's parameters sorted by name,
//       percentEncode(name)=percentEncode(value) joined by '&' (RFC 3986,
//       as in V2); CanonicalHeaders: each signed header "name:value\n",
//       names in lower case, sorted, values trimmed; SignedHeaders: those
//       names joined by ';'; HashedRequestPayload: hex SHA-256 of the body
//       (the x-acs-content-sha256 header)
//   StringToSign = "ACS3-HMAC-SHA256" \n hex(SHA-256(CanonicalRequest))
//   Signature = hex(HMAC-SHA256(AccessKeySecret, StringToSign))
//   Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<...>,Signature=<...>
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/imm/rpc_params.h"

namespace hlsfs::imm {

constexpr const char* kAcs3Algorithm = "ACS3-HMAC-SHA256";

struct Acs3Authorization {
  std::string algorithm;  // "ACS3-HMAC-SHA256" (another is refused by the caller, not here)
  std::string access_key_id;
  std::vector<std::string> signed_headers;  // as sent: lower case, sorted, ';'-separated
  std::string signature;                    // lower-case hex
};

// The parts of an Authorization header, or nullopt with `why` set when it
// does not have the shape above.
std::optional<Acs3Authorization> parse_acs3_authorization(const std::string& header, std::string& why);

std::string v3_canonical_query(const Params& query);
// `headers`: the request's headers, names in lower case.
std::string v3_canonical_request(const std::string& method, const std::string& canonical_uri, const Params& query,
                                 const std::map<std::string, std::string>& headers,
                                 const std::vector<std::string>& signed_headers, const std::string& hashed_payload);
std::string v3_string_to_sign(const std::string& canonical_request);
std::string v3_signature(const std::string& secret, const std::string& string_to_sign);

}  // namespace hlsfs::imm

// Who signed an RPC call, checked: signature V3 (an "Authorization:
// ACS3-HMAC-SHA256 ..." header) or RPC V2 (Signature, SignatureMethod,
// SignatureVersion, SignatureNonce, Timestamp, AccessKeyId parameters).
// Order of the checks: the scheme's parts present, the key known, the time
// within 15 minutes of ours, the signature right, and only then the nonce
// new (a forged request cannot use up a real client's nonce).
#pragma once
#include <ctime>
#include <string>

#include "daemon/http/http_server.h"
#include "daemon/imm/access_keys.h"
#include "daemon/imm/nonce_cache.h"
#include "daemon/imm/rpc_params.h"

namespace hlsfs::imm {

struct SignedCall {
  std::string access_key_id;
  std::string scheme;   // "V3" or "V2"
  std::string action;   // from x-acs-action (V3) or Action
  std::string version;  // from x-acs-version (V3) or Version
};

// `query` and `body` are the request's parsed parameters (body: those of a
// form body, else empty). Throws ImmError.
SignedCall authenticate(const HttpRequest& req, const Params& query, const Params& body, const AccessKeys& keys,
                        NonceCache& nonces, std::time_t now);

}  // namespace hlsfs::imm

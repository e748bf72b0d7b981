#include "daemon/imm/signature_v2.h"

#include "daemon/imm/digest.h"
#include "hlsfs/base64.h"
#include "hlsfs/percent_decode.h"

namespace hlsfs::imm {

std::string rpc_v2_canonical_query(const Params& params) {
  std::string out;
  // Params is ordered by name, byte by byte: the order V2 asks for.
  for (const auto& [name, value] : params) {
    if (name == "Signature") continue;
    if (!out.empty()) out += '&';
    out += percent_encode(name) + "=" + percent_encode(value);
  }
  return out;
}

std::string rpc_v2_string_to_sign(const std::string& method, const Params& params) {
  return method + "&" + percent_encode("/") + "&" + percent_encode(rpc_v2_canonical_query(params));
}

std::string rpc_v2_signature(const std::string& secret, const std::string& string_to_sign) {
  return base64(hmac_sha1(secret + "&", string_to_sign));
}

}  // namespace hlsfs::imm

#include "actors/notify/webhook_signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace hlsfs {

std::string hmac_sha256_hex(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out += hex[mac[i] >> 4];
    out += hex[mac[i] & 15];
  }
  return out;
}

std::string webhook_signature(const std::string& secret, int64_t unix_seconds, const std::string& body) {
  return "sha256=" + hmac_sha256_hex(secret, std::to_string(unix_seconds) + "." + body);
}

}  // namespace hlsfs

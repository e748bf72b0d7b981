#include "actors/playlist/token.h"

#include <openssl/evp.h>

namespace hlsfs {

std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::string make_token(const SourceIdentity& source, const nlohmann::json& params) {
  nlohmann::json j{{"uri", source.uri}, {"size", source.size}, {"version", source.version}, {"params", params}};
  return sha256_hex(j.dump()).substr(0, 32);  // nlohmann's object keys are sorted: canonical
}

bool is_token(const std::string& s) {
  if (s.size() != 32) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace hlsfs

#include "actors/playlist/token.h"

namespace hlsfs {

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

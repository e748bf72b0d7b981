#include "daemon/control/json_case.h"

#include <cctype>

namespace hlsfs {

std::string pascal_case(const std::string& name) {
  std::string out;
  bool word_start = true;
  for (char c : name) {
    if (c == '_' || c == '-') {
      word_start = true;
      continue;
    }
    out += word_start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    word_start = false;
  }
  return out;
}

nlohmann::json pascal_case_keys(const nlohmann::json& j) {
  if (j.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : j) out.push_back(pascal_case_keys(v));
    return out;
  }
  if (!j.is_object()) return j;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : j.items()) out[pascal_case(key)] = pascal_case_keys(value);
  return out;
}

}  // namespace hlsfs

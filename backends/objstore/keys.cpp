#include "backends/objstore/keys.h"

#include <string_view>

namespace objstore {

std::string key_problem(const char* key) {
  if (!key) return "no key";
  std::string_view k(key);
  if (k.empty()) return "empty key";
  if (k[0] == '/') return "leading '/' (keys are relative to the store)";
  if (k.size() > 1024) return "longer than 1024 bytes";
  for (char c : k)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "control character in the key";
  for (size_t start = 0;;) {
    size_t slash = k.find('/', start);
    std::string_view part = k.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part.empty()) return "empty element";
    if (part == "." || part == "..") return "'" + std::string(part) + "' element";
    if (slash == std::string_view::npos) return "";
    start = slash + 1;
  }
}

std::string prefix_problem(const std::string& prefix) {
  if (prefix.empty()) return "";
  if (prefix[0] == '/') return "leading '/' (keys are relative to the store)";
  size_t slash = prefix.rfind('/');
  if (slash == std::string::npos) return "";
  return key_problem(prefix.substr(0, slash).c_str());
}

}  // namespace objstore

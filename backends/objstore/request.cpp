#include "backends/objstore/request.h"

#include <algorithm>

#include "backends/objstore/encode.h"

namespace objstore {

const std::string* find_header(const Headers& h, std::string_view name) {
  for (const auto& [k, v] : h)
    if (iequals(k, name)) return &v;
  return nullptr;
}

void set_header(Headers& h, const std::string& name, const std::string& value) {
  for (auto& [k, v] : h)
    if (iequals(k, name)) {
      v = value;
      return;
    }
  h.emplace_back(name, value);
}

std::string encode_query(const Params& query, bool bare_empty) {
  std::vector<std::pair<std::string, std::string>> enc;
  for (const auto& [k, v] : query) enc.emplace_back(uri_encode(k, false), uri_encode(v, false));
  // By encoded name, then encoded value (AWS suite: get-vanilla-query-order-key).
  std::sort(enc.begin(), enc.end());
  std::string out;
  for (const auto& [k, v] : enc) {
    if (!out.empty()) out += '&';
    out += k;
    if (!bare_empty || !v.empty()) out += "=" + v;
  }
  return out;
}

}  // namespace objstore

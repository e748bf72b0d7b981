#include "hlsfs/percent_decode.h"

namespace hlsfs {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> percent_decode(std::string_view in, unsigned flags) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      int hi = i + 2 < in.size() ? hex_value(in[i + 1]) : -1;
      int lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        if (hi == 0 && lo == 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
      if (flags & percent::strict) return std::nullopt;
    }
    out += (flags & percent::plus_is_space) && c == '+' ? ' ' : c;
  }
  return out;
}

}  // namespace hlsfs

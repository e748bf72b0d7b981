#include "hlsfs/path_join.h"

namespace hlsfs {

std::string join_path(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out;
  out.reserve(a.size() + 1 + b.size());
  out.append(a).append(1, '/').append(b);
  return out;
}

}  // namespace hlsfs

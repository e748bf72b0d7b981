#include "hlsfs/rational.h"

#include <cstdio>

namespace hlsfs {

std::string format_frame_rate(Rational r) {
  if (!r.valid()) return "0";
  if (r.num % r.den == 0) return std::to_string(r.num / r.den);
  char buf[32];
  snprintf(buf, sizeof buf, "%.3f", r.to_double());
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

}  // namespace hlsfs

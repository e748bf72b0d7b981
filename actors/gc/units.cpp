#include "actors/gc/units.h"

#include <cctype>
#include <cmath>
#include <stdexcept>

namespace hlsfs {

int64_t parse_bytes(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) throw std::invalid_argument("\"" + text + "\" is not a size like 20GiB, 500M or 1048576");
  double v = std::stod(text.substr(0, i));
  std::string unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
  double mult = 1;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "K" || unit == "KiB" || unit == "k") mult = 1024.0;
  else if (unit == "M" || unit == "MiB") mult = 1024.0 * 1024;
  else if (unit == "G" || unit == "GiB") mult = 1024.0 * 1024 * 1024;
  else if (unit == "T" || unit == "TiB") mult = 1024.0 * 1024 * 1024 * 1024;
  else throw std::invalid_argument("\"" + text + "\": unknown size unit \"" + unit + "\" (B, K, M, G, T)");
  return static_cast<int64_t>(std::llround(v * mult));
}

int64_t parse_duration_ms(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) throw std::invalid_argument("\"" + text + "\" is not a duration like 7d, 12h, 30m or 45s");
  double v = std::stod(text.substr(0, i));
  std::string unit = text.substr(i);
  double mult;
  if (unit.empty() || unit == "s") mult = 1000;
  else if (unit == "ms") mult = 1;
  else if (unit == "m") mult = 60e3;
  else if (unit == "h") mult = 3600e3;
  else if (unit == "d") mult = 86400e3;
  else throw std::invalid_argument("\"" + text + "\": unknown duration unit \"" + unit + "\" (ms, s, m, h, d)");
  return static_cast<int64_t>(std::llround(v * mult));
}

}  // namespace hlsfs

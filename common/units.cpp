#include "hlsfs/units.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace hlsfs {

namespace {
// The number before the unit, all of it. std::stod's own errors ("stod", or
// std::out_of_range for 400 digits) would name neither the text nor the key.
double leading_number(const std::string& digits, const std::string& text) {
  try {
    size_t used = 0;
    double v = std::stod(digits, &used);
    if (used == digits.size()) return v;
  } catch (const std::logic_error&) {
  }
  throw std::invalid_argument("\"" + text + "\" does not start with a number");
}
// "20GiB" -> {20, "GiB"}: the number (digits and dots), then whatever
// follows. `expected` completes the error for a text that starts with no
// number ("a size like ...").
struct Quantity {
  double value;
  std::string unit;
};
Quantity split_quantity(const std::string& text, const std::string& expected) {
  size_t i = 0;
  while (i < text.size() && (isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) throw std::invalid_argument("\"" + text + "\" is not " + expected);
  return {leading_number(text.substr(0, i), text), text.substr(i)};
}
// Beyond int64 llround's result is unspecified (it came out negative).
int64_t whole(double v, const std::string& text) {
  if (!(v < 9.2e18)) throw std::invalid_argument("\"" + text + "\" is too large");
  return static_cast<int64_t>(std::llround(v));
}
}  // namespace

int64_t parse_bytes(const std::string& text) {
  auto [v, unit] = split_quantity(text, "a size like 20GiB, 500M or 1048576");
  while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
  double mult = 1;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "K" || unit == "KiB" || unit == "k") mult = 1024.0;
  else if (unit == "M" || unit == "MiB") mult = 1024.0 * 1024;
  else if (unit == "G" || unit == "GiB") mult = 1024.0 * 1024 * 1024;
  else if (unit == "T" || unit == "TiB") mult = 1024.0 * 1024 * 1024 * 1024;
  else throw std::invalid_argument("\"" + text + "\": unknown size unit \"" + unit + "\" (B, K, M, G, T)");
  return whole(v * mult, text);
}

int64_t parse_duration_ms(const std::string& text) {
  const auto [v, unit] = split_quantity(text, "a duration like 7d, 12h, 30m or 45s");
  double mult;
  if (unit.empty() || unit == "s") mult = 1000;
  else if (unit == "ms") mult = 1;
  else if (unit == "m") mult = 60e3;
  else if (unit == "h") mult = 3600e3;
  else if (unit == "d") mult = 86400e3;
  else throw std::invalid_argument("\"" + text + "\": unknown duration unit \"" + unit + "\" (ms, s, m, h, d)");
  return whole(v * mult, text);
}

SizeOrShare parse_size_or_share(const std::string& text) {
  SizeOrShare out;
  if (text.empty() || text.back() != '%') {
    out.bytes = parse_bytes(text);
    return out;
  }
  std::string number = text.substr(0, text.size() - 1);
  while (!number.empty() && number.back() == ' ') number.pop_back();
  size_t i = 0;
  while (i < number.size() && (isdigit(static_cast<unsigned char>(number[i])) || number[i] == '.')) ++i;
  if (i == 0 || i != number.size() || std::count(number.begin(), number.end(), '.') > 1)
    throw std::invalid_argument("\"" + text + "\" is not a share like 5%");
  double percent = leading_number(number, text);
  if (percent > 100) throw std::invalid_argument("\"" + text + "\" is more than 100%");
  out.fraction = percent / 100;
  return out;
}

}  // namespace hlsfs

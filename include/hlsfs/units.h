// Sizes and durations as operators write them in YAML.
#pragma once
#include <cstdint>
#include <string>

namespace hlsfs {

// "20GiB", "500M", "1048576" -> bytes; "7d", "12h", "30m", "45s", "0" -> ms.
// Throw std::invalid_argument naming the text on a bad value.
int64_t parse_bytes(const std::string& text);
int64_t parse_duration_ms(const std::string& text);

// A size or a share of something: "2GiB" -> {bytes}, "5%" -> {fraction
// 0.05}, "0" -> neither (off). Throws std::invalid_argument naming the text
// on a bad value or a share outside 0-100 %.
struct SizeOrShare {
  int64_t bytes = 0;
  double fraction = 0;
};
SizeOrShare parse_size_or_share(const std::string& text);

}  // namespace hlsfs

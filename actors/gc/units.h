// Sizes and durations as operators write them in YAML.
#pragma once
#include <cstdint>
#include <string>

namespace hlsfs {

// "20GiB", "500M", "1048576" -> bytes; "7d", "12h", "30m", "45s", "0" -> ms.
// Throw std::invalid_argument naming the text on a bad value.
int64_t parse_bytes(const std::string& text);
int64_t parse_duration_ms(const std::string& text);

}  // namespace hlsfs

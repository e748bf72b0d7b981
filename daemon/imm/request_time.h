// The request time of both signatures (V2's Timestamp, V3's x-acs-date):
// ISO 8601 in UTC, "yyyy-MM-ddTHH:mm:ssZ", and the window around our clock
// in which a request is taken (15 minutes each way, like Alibaba Cloud).
#pragma once
#include <ctime>
#include <optional>
#include <string>

namespace hlsfs::imm {

constexpr std::time_t kRequestWindowSeconds = 15 * 60;

// "2016-02-23T12:46:24Z" -> seconds since the epoch; nullopt for anything
// else (other shapes, impossible dates).
std::optional<std::time_t> parse_utc_timestamp(const std::string& text);
std::string format_utc_timestamp(std::time_t t);
bool within_request_window(std::time_t request_time, std::time_t now);

}  // namespace hlsfs::imm

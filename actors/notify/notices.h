// The JSON body of each webhook post, one per event about a request:
//   PlaylistGenerated         a GenerateVideoPlaylist answered 200
//   InitialTranscodeFinished  a rendition's InitialTranscode segments are all done
//   SegmentFailed             a segment could not be made
// Every body carries Event, Time (ISO 8601 UTC), the request's UserData and
// Tags, its Notification as given (when it had one), and the event's fields.
// Pure: no I/O, unit-tested (tests/unit/notify_notices_test.cpp).
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "actors/playlist/rendition.h"
#include "actors/playlist/request.h"

namespace hlsfs {

// The answer (IMM's response fields, RequestId, SkippedExisting) of req.
nlohmann::json playlist_generated_notice(const nlohmann::json& response, const PlaylistRequest& req,
                                         int64_t time_ms);
nlohmann::json playlist_generated_notice(const nlohmann::json& response, const PlaylistRequest& req);

// segments: how many InitialTranscode asked for; failed: how many of them
// could not be made (Status "Failed" when any).
nlohmann::json initial_transcode_notice(const RenditionSpec& r, uint32_t segments, uint32_t failed, int64_t time_ms);

nlohmann::json segment_failed_notice(const RenditionSpec& r, uint32_t n, const std::string& message, int64_t time_ms);

// 1733352301123 -> "2024-12-04T22:45:01.123Z".
std::string iso8601_ms(int64_t unix_ms);

}  // namespace hlsfs

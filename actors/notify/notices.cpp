#include "actors/notify/notices.h"

#include <chrono>
#include <ctime>

namespace hlsfs {

namespace {

using json = nlohmann::json;

json common(const char* event, const std::map<std::string, std::string>& tags, const std::string& user_data,
            const json& notification, int64_t time_ms) {
  json j{{"Event", event}, {"Time", iso8601_ms(time_ms)}, {"UserData", user_data}, {"Tags", json(tags)}};
  if (j["Tags"].is_null()) j["Tags"] = json::object();
  if (!notification.is_null()) j["Notification"] = notification;
  return j;
}

json about_rendition(const char* event, const RenditionSpec& r, int64_t time_ms) {
  json j = common(event, r.labels.tags, r.labels.user_data, r.labels.notification, time_ms);
  j["SourceURI"] = r.source_uri;
  j["URI"] = r.playlist_uri();
  j["Token"] = r.token;
  return j;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string iso8601_ms(int64_t unix_ms) {
  time_t secs = static_cast<time_t>(unix_ms / 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];  // room for any int the compiler cannot rule out
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
           tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000));
  return buf;
}

json playlist_generated_notice(const json& response, const PlaylistRequest& req, int64_t time_ms) {
  json j = common("PlaylistGenerated", req.tags, req.user_data, req.notification, time_ms);
  j["SourceURI"] = req.source_uri;
  for (const char* k : {"RequestId", "Duration", "MasterURI", "Token", "VideoPlaylist", "AudioPlaylist",
                        "SubtitlePlaylist", "SkippedExisting"})
    if (response.contains(k)) j[k] = response.at(k);
  return j;
}

json playlist_generated_notice(const json& response, const PlaylistRequest& req) {
  return playlist_generated_notice(response, req, now_ms());
}

json initial_transcode_notice(const RenditionSpec& r, uint32_t segments, uint32_t failed, int64_t time_ms) {
  json j = about_rendition("InitialTranscodeFinished", r, time_ms);
  j["Segments"] = segments;
  j["Failed"] = failed;
  j["Status"] = failed ? "Failed" : "Succeeded";
  return j;
}

json segment_failed_notice(const RenditionSpec& r, uint32_t n, const std::string& message, int64_t time_ms) {
  json j = about_rendition("SegmentFailed", r, time_ms);
  j["Segment"] = n;
  j["SegmentURI"] = r.segment_uri(n);
  j["Message"] = message;
  return j;
}

}  // namespace hlsfs

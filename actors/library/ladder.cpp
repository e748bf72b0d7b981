#include "actors/library/ladder.h"

#include <algorithm>

#include "actors/library/library_names.h"
#include "actors/playlist/geometry.h"

namespace hlsfs {

int displayed_height(const StreamInfo& video) {
  SourcePicture pic{video.width, video.height, video.sar, video.rotation};
  return compute_geometry(pic, VideoRequest{}).height;
}

std::vector<int> choose_rungs(const std::vector<int>& ladder, int height) {
  std::vector<int> sorted = ladder;
  std::sort(sorted.begin(), sorted.end(), std::greater<int>());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<int> out;
  for (int h : sorted)
    if (h <= height) out.push_back(h);
  if (out.empty() && !sorted.empty()) out.push_back(sorted.back());
  return out;
}

std::optional<nlohmann::json> library_request(const LibrarySettings& s, const MediaInfo& media,
                                              const std::string& source_uri, const std::string& title_uri) {
  const StreamInfo* video = media.nth(StreamKind::video, 0);
  if (!video) return std::nullopt;
  const int height = displayed_height(*video);
  nlohmann::json targets = nlohmann::json::array();
  for (int rung : choose_rungs(s.renditions, height)) {
    nlohmann::json tv{{"Codec", s.video_codec},
                      {"CRF", s.crf},
                      {"Resolution", "x" + std::to_string(rung)},
                      {"ScaleType", "fit"}};
    if (s.frame_rate) tv["FrameRate"] = *s.frame_rate;
    // A source shorter than the rung keeps its own height: named after it.
    const int made = std::min(rung, height - height % 2);
    nlohmann::json t{{"URI", title_uri + "/" + std::to_string(made > 0 ? made : rung) + "p"},
                     {"Duration", s.duration},
                     {"InitialSegments", s.initial_segments},
                     {"InitialTranscode", s.initial_transcode},
                     {"Video", {{"TranscodeVideo", tv}}}};
    // A TS title's request stays what it was (its tokens too): the field
    // is written only for fmp4.
    if (s.effective_container() == "fmp4") t["Container"] = "fmp4";
    if (const StreamInfo* a = s.audio ? media.nth(StreamKind::audio, 0) : nullptr) {
      // At most audio_channels: a mono source stays mono.
      const int channels = a->channels > 0 ? std::min(a->channels, s.audio_channels) : s.audio_channels;
      t["Audio"] = {{"TranscodeAudio", {{"Codec", "aac"}, {"Bitrate", s.audio_bitrate}, {"Channel", channels}}}};
    }
    targets.push_back(std::move(t));
  }
  return nlohmann::json{{"SourceURI", source_uri}, {"MasterURI", title_uri + "/" + kMasterName}, {"Targets", targets}};
}

}  // namespace hlsfs

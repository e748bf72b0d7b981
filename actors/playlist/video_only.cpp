#include "actors/playlist/video_only.h"

#include "actors/playlist/token.h"

namespace hlsfs {

RenditionSpec make_video_only(const MediaInfo& media, const PlaylistRequest& req, size_t target,
                              const EncoderConfig& enc) {
  if (!req.master_uri) throw RequestError("MasterURI", "a video-only variant belongs to a master playlist");
  RenditionSpec base = make_rendition(media, req, target, enc);
  const std::string field = "Targets[" + std::to_string(target) + "]";
  if (!base.video || !base.audio)
    throw RequestError(field, "a video-only variant is made of a target with video and audio");
  if (!base.fmp4) throw RequestError(field + ".Container", "demuxed audio is made for fmp4 targets only");
  RenditionSpec r = std::move(base);
  const std::string base_token = r.token;
  r.notes.clear();  // the target's own, logged with it
  r.settings_token.clear();  // no audio: its CODECS differ from the target's
  r.audio.reset();
  r.target_uri += "_video";
  // The target's token holds every setting of its video; the twin differs
  // in having no audio, and in its name.
  r.token = make_token(media.source, {{"Base", base_token}, {"VideoOnly", true}, {"URI", r.target_uri}});
  return r;
}

}  // namespace hlsfs

#include "actors/playlist/thumbnail_track.h"

#include <utility>

#include "actors/playlist/token.h"

namespace hlsfs {

RenditionSpec make_thumbnails_track(const MediaInfo& media, const PlaylistRequest& req, size_t base_target,
                                    const ThumbnailSettings& settings, const EncoderConfig& enc) {
  if (!settings.enabled()) throw RequestError("thumbnails", "no thumbnails interval is configured");
  RenditionSpec base = make_rendition(media, req, base_target, enc);
  if (!base.video) throw RequestError("Targets", "a thumbnails track follows a target with video; there is none");
  const StreamInfo* s = nullptr;
  for (const auto& st : media.streams)
    if (st.index == base.video->stream) s = &st;
  if (!s) throw RequestError("Targets", "the video stream of the thumbnails track is gone");

  RenditionSpec r;
  r.source_uri = base.source_uri;
  r.origin = base.origin;
  r.labels = base.labels;
  r.target_uri = req.master_uri ? req.master_uri->substr(0, req.master_uri->size() - 5) + "_thumbnails"
                                 : base.target_uri + "_thumbnails";
  // The displayed picture (sample aspect and rotation, the source's and the
  // target's), whatever size or crop the target asks for: a thumbnail shows
  // the whole picture.
  const int rotation = ((s->rotation + req.targets.at(base_target).video->rotation) % 360 + 360) % 360;
  double dw = s->width * (s->sar.valid() ? s->sar.to_double() : 1.0), dh = s->height;
  if (rotation == 90 || rotation == 270) std::swap(dw, dh);

  ThumbnailSpec t;
  t.stream = s->index;
  t.settings = settings;
  t.layout = thumbnail_layout(base.plan.duration(), settings, static_cast<int>(dw + 0.5), static_cast<int>(dh + 0.5));
  t.picture = *base.video;
  OutputGeometry g;
  g.width = g.scale_w = t.layout.tile_width;
  g.height = g.scale_h = t.layout.tile_height;
  g.rotation = rotation;
  t.picture.geometry = g;

  // A plan of sheets: one unit per tile, a "segment" per sheet.
  std::vector<int64_t> bounds{0};
  for (uint32_t k = 0; k < t.layout.sheets(); ++k) bounds.push_back(t.layout.first_tile(k) + t.layout.tiles_on(k));
  r.plan = SegmentPlan(Rational{settings.interval_ms, 1000}.reduced(), std::move(bounds));

  nlohmann::json params = {
      {"URI", r.target_uri},
      {"Stream", t.stream},
      {"Origin", {r.origin.num, r.origin.den}},
      {"DurationMs", t.layout.duration_ms},
      {"Thumbnails",
       {{"IntervalMs", settings.interval_ms}, {"Width", t.layout.tile_width}, {"Height", t.layout.tile_height},
        {"Columns", settings.columns}, {"Rows", settings.rows}, {"Quality", settings.quality}, {"Rotation", rotation}}},
      {"Layout", "hlsfs-sprite-v1"}};  // bump when sheet bytes change for the same inputs
  if (t.picture.deinterlace) params["Deinterlace"] = "kerndeint";
  if (t.picture.hdr_to_sdr) params["ToneMap"] = "hable-bt709";
  r.thumbnails = std::move(t);
  r.token = make_token(media.source, params);
  return r;
}

int64_t thumbnail_source_ticks(const RenditionSpec& r, int64_t tile, Rational tb) {
  const Rational at = r.origin + Rational{tile * r.thumbnails->layout.interval_ms, 1000};
  return mul_div_floor(at.num, tb.den, at.den * tb.num);
}

}  // namespace hlsfs

// Scrubbing thumbnails: the tile layout and its WebVTT track (pure), and the
// thumbnails track a generate adds beside the playlists it made before.
#include <gtest/gtest.h>

#include "actors/playlist/catalog.h"
#include "actors/playlist/generate.h"
#include "actors/playlist/m3u8.h"
#include "actors/playlist/thumbnail_track.h"
#include "actors/playlist/thumbnails.h"
#include "daemon/config/config.h"
#include "sample_media.h"

using namespace hlsfs;

namespace {

ThumbnailSettings every(int64_t ms, int width = 160, int columns = 10, int rows = 10) {
  return ThumbnailSettings{ms, width, columns, rows, 5};
}

}  // namespace

TEST(ThumbnailLayout, TileHeightFollowsTheDisplayedAspectAndIsEven) {
  EXPECT_EQ(thumbnail_layout(60, every(10000), 1920, 1080).tile_height, 90);
  EXPECT_EQ(thumbnail_layout(60, every(10000), 640, 480).tile_height, 120);
  EXPECT_EQ(thumbnail_layout(60, every(10000), 1080, 1920).tile_height, 284);  // 284.4: even
  EXPECT_EQ(thumbnail_layout(60, every(10000), 1024, 576).tile_height, 90);    // PAL 16:9 (720x576, SAR 64:45)
  EXPECT_EQ(thumbnail_layout(60, every(10000, 200), 2048, 858).tile_height, 84);  // 83.8
  EXPECT_EQ(thumbnail_layout(60, every(10000, 16), 4000, 100).tile_height, 2);    // never below 2
  EXPECT_EQ(thumbnail_layout(60, every(10000), 1920, 1080).tile_width, 160);
}

TEST(ThumbnailLayout, OneTilePerStartedIntervalAndSheetsOfColumnsByRows) {
  ThumbnailLayout l = thumbnail_layout(1234.5, every(10000), 1920, 1080);
  EXPECT_EQ(l.tiles(), 124);  // 123 whole intervals + the 4.5 s tail
  EXPECT_EQ(l.sheets(), 2u);
  EXPECT_EQ(l.tiles_on(0), 100);
  EXPECT_EQ(l.tiles_on(1), 24);
  EXPECT_EQ(l.tiles_on(2), 0);
  EXPECT_EQ(l.sheet_width(0), 1600);
  EXPECT_EQ(l.sheet_height(0), 900);
  // The last sheet holds 24 tiles: 10 a row, 3 rows.
  EXPECT_EQ(l.sheet_width(1), 1600);
  EXPECT_EQ(l.sheet_height(1), 270);

  ThumbnailLayout exact = thumbnail_layout(100, every(10000), 1920, 1080);
  EXPECT_EQ(exact.tiles(), 10);
  ThumbnailLayout short_one = thumbnail_layout(0.4, every(10000), 1920, 1080);
  EXPECT_EQ(short_one.tiles(), 1);
  EXPECT_EQ(short_one.sheet_width(0), 160);
  EXPECT_EQ(short_one.sheet_height(0), 90);
  ThumbnailLayout narrow = thumbnail_layout(35, every(10000, 160, 3, 2), 1920, 1080);
  EXPECT_EQ(narrow.tiles(), 4);
  EXPECT_EQ(narrow.sheets(), 1u);
  EXPECT_EQ(narrow.sheet_width(0), 480);
  EXPECT_EQ(narrow.sheet_height(0), 180);
}

TEST(ThumbnailLayout, CuesCoverTheTitleAndPointAtTheirTile) {
  ThumbnailLayout l = thumbnail_layout(1234.5, every(10000), 1920, 1080);
  std::vector<ThumbnailCue> cues = thumbnail_cues(l);
  ASSERT_EQ(cues.size(), 124u);
  for (size_t i = 1; i < cues.size(); ++i) EXPECT_EQ(cues[i].start_ms, cues[i - 1].end_ms);  // no gap, no overlap
  EXPECT_EQ(cues.front().start_ms, 0);
  EXPECT_EQ(cues.back().start_ms, 1230000);
  EXPECT_EQ(cues.back().end_ms, 1234500);  // ends with the title
  EXPECT_EQ(cues[3].sheet, 0u);
  EXPECT_EQ(cues[3].x, 480);
  EXPECT_EQ(cues[3].y, 0);
  EXPECT_EQ(cues[57].x, 7 * 160);
  EXPECT_EQ(cues[57].y, 5 * 90);
  EXPECT_EQ(cues[100].sheet, 1u);
  EXPECT_EQ(cues[100].x, 0);
  EXPECT_EQ(cues[100].y, 0);
  EXPECT_EQ(cues[123].sheet, 1u);
  EXPECT_EQ(cues[123].x, 480);
  EXPECT_EQ(cues[123].y, 180);
  for (const auto& c : cues) {
    EXPECT_EQ(c.w, 160);
    EXPECT_EQ(c.h, 90);
    EXPECT_LE(c.x + c.w, l.sheet_width(c.sheet));
    EXPECT_LE(c.y + c.h, l.sheet_height(c.sheet));
  }
}

TEST(ThumbnailLayout, WebVttTrackInThePlayersConvention) {
  ThumbnailLayout l = thumbnail_layout(25, every(10000, 160, 2, 1), 1920, 1080);
  std::string vtt = thumbnails_vtt(thumbnail_cues(l), [](uint32_t k) { return "t-" + std::to_string(k) + ".jpg"; });
  EXPECT_EQ(vtt,
            "WEBVTT\n\n"
            "00:00:00.000 --> 00:00:10.000\nt-0.jpg#xywh=0,0,160,90\n\n"
            "00:00:10.000 --> 00:00:20.000\nt-0.jpg#xywh=160,0,160,90\n\n"
            "00:00:20.000 --> 00:00:25.000\nt-1.jpg#xywh=0,0,160,90\n\n");
}

namespace {

const char* kRequest = R"({"SourceURI":"file:///m/a.mp4","MasterURI":"file:///o/master.m3u8","Targets":[
  {"URI":"file:///o/hi","Video":{"TranscodeVideo":{"CRF":26,"Resolution":"1280x"}},
   "Audio":{"TranscodeAudio":{"Bitrate":128000}}}]})";

GeneratedPlaylists generate(const char* body, const EncoderConfig& enc) {
  return generate_playlists(parse_request_text(body), test::sample_media(), enc,
                            [](const RenditionSpec& r) { return r.video ? "avc1.64001F,mp4a.40.2" : "mp4a.40.2"; });
}

}  // namespace

TEST(ThumbnailTrack, GenerateAddsTheTrackAndChangesNothingElse) {
  EncoderConfig off;
  EncoderConfig on;
  on.thumbnails = every(10000);
  GeneratedPlaylists a = generate(kRequest, off), b = generate(kRequest, on);
  ASSERT_EQ(b.files.size(), a.files.size() + 1);
  for (const auto& [uri, text] : a.files) EXPECT_EQ(b.files.at(uri), text) << uri;
  EXPECT_EQ(a.response, b.response);  // IMM's response: no new field, same Token
  ASSERT_EQ(b.renditions.size(), a.renditions.size() + 1);
  const RenditionSpec& t = b.renditions.back();
  ASSERT_TRUE(t.thumbnails);
  EXPECT_FALSE(b.origins.back().is_target());
  EXPECT_EQ(t.playlist_uri(), "file:///o/master_thumbnails.vtt");
  EXPECT_EQ(t.playlist_name(), "master_thumbnails.vtt");
  EXPECT_EQ(t.segment_name(0), "master_thumbnails-" + t.token + "-0.jpg");
  EXPECT_EQ(t.plan.size(), 1u);  // 60 s: 6 tiles, one sheet
  EXPECT_EQ(t.thumbnails->layout.tiles(), 6);
  EXPECT_EQ(t.thumbnails->layout.tile_height, 90);
  const std::string& vtt = b.files.at("file:///o/master_thumbnails.vtt");
  EXPECT_EQ(vtt.rfind("WEBVTT\n\n", 0), 0u);
  EXPECT_NE(vtt.find("00:00:50.000 --> 00:01:00.000\n" + t.segment_name(0) + "#xywh=800,0,160,90\n"),
            std::string::npos);
  // The mount knows a sheet's name as a segment of that token.
  auto parsed = Catalog::parse_segment_name(t.segment_name(0));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->token, t.token);
  EXPECT_EQ(parsed->index, 0u);
  EXPECT_EQ(parsed->prefix, "master_thumbnails");
  // Without a master: beside the (first video) target.
  GeneratedPlaylists single = generate(
      R"({"SourceURI":"file:///m/a.mp4","Targets":[{"URI":"file:///o/hi","Video":{"TranscodeVideo":{"CRF":26}}}]})", on);
  EXPECT_EQ(single.renditions.back().playlist_uri(), "file:///o/hi_thumbnails.vtt");
}

TEST(ThumbnailTrack, RebuildsFromItsOriginAndTheTokenFollowsTheSettings) {
  EncoderConfig on;
  on.thumbnails = every(10000);
  GeneratedPlaylists g = generate(kRequest, on);
  const RenditionOrigin& o = g.origins.back();
  nlohmann::json j = o;
  RenditionOrigin back = j.get<RenditionOrigin>();
  ASSERT_TRUE(back.thumbnails);
  // A restart or a worker rebuilds it from the record alone (no thumbnails
  // settings in the encoder config it carries).
  RenditionSpec again =
      rebuild_rendition(test::sample_media(), parse_request_text(kRequest), back, EncoderConfig{});
  EXPECT_EQ(again.token, g.renditions.back().token);
  EXPECT_EQ(media_playlist(again), g.files.at("file:///o/master_thumbnails.vtt"));
  EncoderConfig finer = on;
  finer.thumbnails.interval_ms = 5000;
  EXPECT_NE(generate(kRequest, finer).renditions.back().token, g.renditions.back().token);
  EXPECT_EQ(generate(kRequest, finer).renditions.back().thumbnails->layout.tiles(), 12);
  // Tile 4 shows the picture at 40 s: source ticks from the origin.
  EXPECT_EQ(thumbnail_source_ticks(g.renditions.back(), 4, Rational{1, 15360}), 40 * 15360);
}

TEST(ThumbnailTrack, NoVideoNoTrack) {
  EncoderConfig on;
  on.thumbnails = every(10000);
  GeneratedPlaylists g = generate(
      R"({"SourceURI":"file:///m/a.mp4","Targets":[{"URI":"file:///o/a","Audio":{"TranscodeAudio":{"Bitrate":64000}}}]})",
      on);
  for (const auto& r : g.renditions) EXPECT_FALSE(r.thumbnails);
  EXPECT_EQ(g.files.size(), 1u);
}

namespace {

Config cfg(const std::string& yaml) { return parse_config(yaml + "stores: {m: {plugin: local, root: /x}}\n", "/t.yaml"); }

}  // namespace

TEST(ThumbnailConfig, OffUnlessEnabledAndEveryKeyChecked) {
  Config c = cfg("");
  EXPECT_FALSE(c.thumbnails_in_use().enabled());  // a request writes IMM's files only
  EXPECT_EQ(c.thumbnails.interval_ms, 10000);
  EXPECT_EQ(c.thumbnails.width, 160);
  c = cfg("thumbnails: {enabled: true}\n");
  EXPECT_EQ(c.thumbnails_in_use(), (ThumbnailSettings{10000, 160, 10, 10, 5}));
  c = cfg("thumbnails: {enabled: true, interval: 2s, width: 240, columns: 5, rows: 4, quality: 3}\n");
  EXPECT_EQ(c.thumbnails_in_use(), (ThumbnailSettings{2000, 240, 5, 4, 3}));
  c = cfg("thumbnails: {enabled: true, interval: 0}\n");
  EXPECT_FALSE(c.thumbnails_in_use().enabled());
  auto refused = [](const std::string& yaml, const std::string& words) {
    try {
      cfg(yaml);
      ADD_FAILURE() << "accepted: " << yaml;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  refused("thumbnails: {interval: 500ms}\n", "thumbnails.interval");
  refused("thumbnails: {width: 161}\n", "thumbnails.width: must be even");
  refused("thumbnails: {quality: 1}\n", "thumbnails.quality");
  refused("thumbnails: {columns: 200}\n", "thumbnails.columns");
  refused("thumbnails: {interval: soon}\n", "thumbnails.interval");
  refused("thumbnails: {size: 3}\n", "thumbnails.size: unknown key");
  refused("thumbnails: {enabled: maybe}\n", "thumbnails.enabled");
}

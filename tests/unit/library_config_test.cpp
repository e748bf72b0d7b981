#include <gtest/gtest.h>

#include "daemon/config/config.h"

namespace hlsfs {
namespace {

Config parse(const std::string& stores) {
  return parse_config("stores:\n" + stores, "test.yaml");
}

std::string error_of(const std::string& stores) {
  try {
    parse(stores);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(LibraryConfig, DefaultsAndEveryKey) {
  Config plain = parse("  media: {plugin: local, root: /srv/media}\n");
  EXPECT_FALSE(plain.stores[0].library);

  Config c = parse(R"(  movies:
    plugin: local
    root: /srv/movies
    library:
      renditions: [720, 360]
      video: {codec: h265, crf: 26, frame_rate: 25}
      audio: {bitrate: 96000, channels: 1}
      subtitles: text
      duration: 8
      initial_segments: [2, 4]
      initial_transcode: 10
      extensions: [mkv, .mp4]
      list_page: 50
)");
  ASSERT_TRUE(c.stores[0].library);
  const LibrarySettings& l = *c.stores[0].library;
  EXPECT_EQ(l.renditions, (std::vector<int>{720, 360}));
  EXPECT_EQ(l.video_codec, "h265");
  EXPECT_EQ(l.crf, 26);
  EXPECT_EQ(*l.frame_rate, 25);
  EXPECT_EQ(l.audio_bitrate, 96000);
  EXPECT_EQ(l.audio_channels, 1);
  EXPECT_EQ(l.duration, 8);
  EXPECT_EQ(l.initial_segments, (std::vector<double>{2, 4}));
  EXPECT_EQ(l.initial_transcode, 10);
  EXPECT_EQ(l.extensions, (std::vector<std::string>{"mkv", "mp4"}));
  EXPECT_EQ(l.list_page, 50);
  EXPECT_EQ(c.stores[0].options.count("library"), 0u);  // hlsfsd's key, not the plugin's

  Config d = parse("  movies: {plugin: local, root: /srv/movies, library: {audio: off}}\n");
  EXPECT_FALSE(d.stores[0].library->audio);
  EXPECT_EQ(d.stores[0].library->renditions, (std::vector<int>{1080, 720, 480, 360}));
  EXPECT_EQ(d.stores[0].library->list_page, 1000);
}

TEST(LibraryConfig, ErrorsNameTheKey) {
  EXPECT_NE(error_of("  m: {plugin: local, root: /m, library: {renditions: []}}\n").find("stores.m.library.renditions"),
            std::string::npos);
  EXPECT_NE(error_of("  m: {plugin: local, root: /m, library: {renditions: [20000]}}\n").find("renditions[0]"),
            std::string::npos);
  EXPECT_NE(error_of("  m: {plugin: local, root: /m, library: {video: {crf: 99}}}\n").find("stores.m.library.video.crf"),
            std::string::npos);
  EXPECT_NE(error_of("  m: {plugin: local, root: /m, library: {duration: 2}}\n").find("stores.m.library.duration"),
            std::string::npos);
  EXPECT_NE(error_of("  m: {plugin: local, root: /m, library: {subtitles: all}}\n").find("stores.m.library.subtitles"),
            std::string::npos);
  EXPECT_NE(error_of("  m: {plugin: local, root: /m, library: {ladder: [1]}}\n").find("stores.m.library.ladder: unknown key"),
            std::string::npos);
  EXPECT_NE(error_of("  m: {plugin: local, root: /m, library: {extensions: [m.kv]}}\n").find("extensions[0]"),
            std::string::npos);
  EXPECT_NE(error_of("  m: {plugin: local, root: /m, library: {list_page: 0}}\n").find("stores.m.library.list_page"),
            std::string::npos);
  EXPECT_NE(error_of("  m: {plugin: local, root: /m, library: 5}\n").find("stores.m.library: must be a mapping"),
            std::string::npos);
  EXPECT_NE(error_of("  m: {plugin: s3, bucket: b, library: {}}\n").find("only a local store"), std::string::npos);
}

TEST(LibraryConfig, ContainerDefaultsByCodecAndRefusesHevcInTs) {
  auto lib = [](const std::string& body) {
    return *parse("  m: {plugin: local, root: /m, library: " + body + "}\n").stores[0].library;
  };
  EXPECT_EQ(lib("{}").effective_container(), "ts");
  EXPECT_EQ(lib("{video: {codec: h265}}").effective_container(), "fmp4");
  EXPECT_EQ(lib("{container: fmp4}").effective_container(), "fmp4");
  EXPECT_EQ(lib("{container: ts}").effective_container(), "ts");
  EXPECT_EQ(lib("{video: {codec: h265}, container: fmp4}").effective_container(), "fmp4");
  EXPECT_NE(error_of("  m: {plugin: local, root: /m, library: {container: mp4}}\n")
                .find("stores.m.library.container: must be ts or fmp4"),
            std::string::npos);
  const std::string hevc_ts = error_of("  m: {plugin: local, root: /m, library: {video: {codec: h265}, container: ts}}\n");
  EXPECT_NE(hevc_ts.find("stores.m.library.container: ts cannot carry h265"), std::string::npos) << hevc_ts;
}

}  // namespace
}  // namespace hlsfs

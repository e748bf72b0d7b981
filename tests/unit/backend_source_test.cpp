// Sources read through a backend (custom AVIOContext over the real local
// plugin) must demux exactly like the same file opened directly: same probe,
// same segment bytes, and only the bytes a segment needs.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "actors/playlist/rendition.h"
#include "actors/playlist/request.h"
#include "tests/unit/storage_test_support.h"
#include "actors/storage/backend_source.h"
#include "actors/transcoder/probe.h"
#include "actors/transcoder/segment_encoder.h"
#include "hlsfs/source_version.h"

extern "C" {
#include <libavformat/avio.h>
}

using namespace hlsfs;
using namespace hlsfs::testing;
namespace fs = std::filesystem;

namespace {


std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// One media file for the whole suite: 20 s of H.264 (a keyframe every
// second, ~4 Mbit/s so that a segment spans many blocks) + AAC in MP4 with
// the index at the end, as most camera files are.
class BackendSource : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    quiet_libav_logs();
    std::string tmpl = (fs::temp_directory_path() / "hlsfs-source-XXXXXX").string();
    root_ = new std::string(fs::canonical(mkdtemp(tmpl.data())).string());
    fs::create_directories(*root_ + "/media");
    // ctest runs each test in its own process: the clip is made once per
    // build tree ($HLSFS_TEST_MEDIA_CACHE overrides, "" makes it every time).
    const char* cache = getenv("HLSFS_TEST_MEDIA_CACHE");
    if (!cache) cache = HLSFS_TEST_MEDIA_CACHE;
    std::string clip = *root_ + "/media/clip.mp4";
    if (cache && *cache) {
      std::string cached = std::string(cache) + "/clip-640x360-20s.mp4";
      if (!fs::exists(cached)) {
        fs::create_directories(cache);
        std::string temp = cached + ".tmp." + std::to_string(getpid());
        ASSERT_TRUE(make_clip(temp));
        fs::rename(temp, cached);  // atomic: parallel tests never see half a clip
      }
      fs::copy_file(cached, clip);
    } else {
      ASSERT_TRUE(make_clip(clip));
    }
  }
  static bool make_clip(const std::string& path) {
    std::string cmd = "ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=640x360:rate=25:duration=20 "
                      "-f lavfi -i sine=frequency=440:sample_rate=48000:duration=20 -c:v libx264 -preset ultrafast "
                      "-qp 4 -g 25 -pix_fmt yuv420p -c:a aac -b:a 64k -threads 1 -f mp4 " + sh_quote(path);
    int rc = system(cmd.c_str());
    if (rc != 0) ADD_FAILURE() << "ffmpeg failed: " << cmd;
    return rc == 0;
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*root_, ec);
    delete root_;
  }

  void SetUp() override { store = Backend::load({plugin_dir()}, "local", "media", {{"root", *root_}}); }

  // file:///<root>/<key> and s3://bucket/<key> both name keys of the store.
  BackendSourceOpener::Resolver resolver() {
    return [this](const std::string& uri) -> std::pair<std::shared_ptr<Backend>, std::string> {
      std::string file_prefix = "file://" + *root_ + "/";
      if (uri.rfind(file_prefix, 0) == 0) return {store, uri.substr(file_prefix.size())};
      if (uri.rfind("s3://bucket/", 0) == 0) return {store, uri.substr(12)};
      if (uri.rfind("s3://nowhere/", 0) == 0) return {nullptr, ""};
      throw std::runtime_error("no store configured for this URI");
    };
  }
  static std::string file_uri(const std::string& key) { return "file://" + *root_ + "/" + key; }
  static std::string path(const std::string& key) { return *root_ + "/" + key; }

  static std::string* root_;
  std::shared_ptr<Backend> store;
};
std::string* BackendSource::root_ = nullptr;

std::string media_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const MediaError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no MediaError thrown";
  return "";
}


}  // namespace

TEST_F(BackendSource, ProbeMatchesTheLocalFileOpener) {
  LocalFileOpener direct;
  BackendSourceOpener via(resolver());
  std::string uri = file_uri("media/clip.mp4");
  MediaInfo a = probe_source(direct, uri);
  MediaInfo b = probe_source(via, uri);
  ASSERT_EQ(b.streams.size(), 2u);
  ASSERT_NE(b.nth(StreamKind::video, 0), nullptr);
  EXPECT_EQ(b.nth(StreamKind::video, 0)->keyframes.size(), 20u);
  EXPECT_NEAR(b.container_duration, 20.0, 0.1);
  // Same streams, durations, keyframes (with byte positions), and identity.
  EXPECT_EQ(nlohmann::json(a).dump(1), nlohmann::json(b).dump(1));
  EXPECT_EQ(b.source.size, static_cast<int64_t>(fs::file_size(path("media/clip.mp4"))));
}

TEST_F(BackendSource, IdentifyUsesStat) {
  BackendSourceOpener via(resolver());
  SourceIdentity id = via.identify("s3://bucket/media/clip.mp4");
  struct stat st {};
  ASSERT_EQ(::stat(path("media/clip.mp4").c_str(), &st), 0);
  EXPECT_EQ(id.uri, "s3://bucket/media/clip.mp4");
  EXPECT_EQ(id.size, st.st_size);
  EXPECT_EQ(id.version, local_file_version(st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec, st.st_ino,
                                          st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec));
  EXPECT_EQ(via.stats().stat_requests, 1);
  EXPECT_EQ(via.stats().read_requests, 0);
}

TEST_F(BackendSource, AvioReportsTheSizeAndSeeks) {
  BackendSourceOpener via(resolver());
  InputPtr in = via.open("s3://bucket/media/clip.mp4");
  int64_t size = static_cast<int64_t>(fs::file_size(path("media/clip.mp4")));
  EXPECT_EQ(avio_size(in->pb), size);
  std::ifstream f(path("media/clip.mp4"), std::ios::binary);
  for (int64_t off : {size - 7, int64_t{1000}, size / 2, int64_t{0}}) {
    ASSERT_EQ(avio_seek(in->pb, off, SEEK_SET), off);
    unsigned char got[64] = {0};
    int n = avio_read(in->pb, got, sizeof got);
    ASSERT_EQ(n, static_cast<int>(std::min<int64_t>(64, size - off))) << off;
    std::string want(static_cast<size_t>(n), '\0');
    f.seekg(off);
    f.read(want.data(), n);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(got), static_cast<size_t>(n)), want) << off;
  }
  ASSERT_EQ(avio_seek(in->pb, size, SEEK_SET), size);  // avio_seek has no SEEK_END
  unsigned char b;
  EXPECT_EQ(avio_read(in->pb, &b, 1), AVERROR_EOF);
}

TEST_F(BackendSource, SegmentBytesMatchAndCostLittleMoreThanTheSegment) {
  std::string uri = file_uri("media/clip.mp4");
  LocalFileOpener direct;
  MediaInfo media = probe_source(direct, uri);
  PlaylistRequest req = parse_request_text(R"({"SourceURI": ")" + uri + R"(",
      "Targets": [{"URI": "file:///tmp/unused/out", "Duration": 5, "InitialSegments": [],
                   "Video": {"TranscodeVideo": {"CRF": 30, "Resolution": "160x"}},
                   "Audio": {"TranscodeAudio": {"Codec": "aac", "Bitrate": 64000}}}]})");
  EncoderConfig enc{"ultrafast", 1, ""};
  RenditionSpec spec = make_rendition(media, req, 0, enc);
  ASSERT_EQ(spec.plan.size(), 4u);

  BackendSourceOpener via(resolver());  // fresh: nothing cached
  SegmentResult a = encode_segment(direct, media, spec, 2);
  SegmentResult b = encode_segment(via, media, spec, 2);
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_GT(b.video_frames, 0);

  // Segment 2 is 10-15 s. What it needs: the bytes from the keyframe at 10 s
  // on, up to a little past 15 s (the demuxer reads the next packets, as many
  // as the decoder's frame threads hold back: allow one more GOP), plus the
  // file's header (first block) and index (last block). Allowed on top:
  // partial blocks at both ends and one read-ahead run past the end. Video
  // and audio demuxers share blocks, so each is fetched once.
  const auto& keys = media.nth(StreamKind::video, 0)->keyframes;
  ASSERT_EQ(keys.size(), 20u);
  const int64_t span = keys[16].pos - keys[10].pos, block = ReadCacheOptions().block_size;
  const int64_t fetched = via.stats().bytes_fetched;
  RecordProperty("file_bytes", std::to_string(media.source.size));
  RecordProperty("segment_span_bytes", std::to_string(span));
  RecordProperty("bytes_fetched", std::to_string(fetched));
  RecordProperty("read_requests", std::to_string(via.stats().read_requests.load()));
  EXPECT_LE(fetched, span + 2 * block + 2 * block + 3 * block) << "span " << span << ", file " << media.source.size;
  EXPECT_LT(fetched, media.source.size / 2);
  EXPECT_LT(via.stats().read_requests, 20);
}

TEST_F(BackendSource, ReopeningReadsFromTheCache) {
  BackendSourceOpener via(resolver());
  probe_source(via, "s3://bucket/media/clip.mp4");
  int64_t fetched = via.stats().bytes_fetched;
  EXPECT_EQ(fetched, static_cast<int64_t>(fs::file_size(path("media/clip.mp4"))));  // each byte once
  probe_source(via, "s3://bucket/media/clip.mp4");
  EXPECT_EQ(via.stats().bytes_fetched, fetched);
}

TEST_F(BackendSource, AChangedObjectIsReadAfresh) {
  fs::copy_file(path("media/clip.mp4"), path("media/changing.mp4"), fs::copy_options::overwrite_existing);
  BackendSourceOpener via(resolver());
  MediaInfo before = probe_source(via, "s3://bucket/media/changing.mp4");
  std::string cmd = "ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=160x120:rate=25:duration=3 "
                    "-c:v libx264 -preset ultrafast -threads 1 -f mp4 " + sh_quote(path("media/new.mp4"));
  ASSERT_EQ(system(cmd.c_str()), 0);
  store->write("media/changing.mp4", store->read_all("media/new.mp4"));
  MediaInfo after = probe_source(via, "s3://bucket/media/changing.mp4");
  EXPECT_NE(before.source.version + std::to_string(before.source.size),
            after.source.version + std::to_string(after.source.size));
  EXPECT_NEAR(after.container_duration, 3.0, 0.1);
  EXPECT_EQ(after.streams.size(), 1u);
}

TEST_F(BackendSource, ErrorsAreOneLineMediaErrors) {
  BackendSourceOpener via(resolver());
  EXPECT_EQ(media_error([&] { via.identify("s3://bucket/media/nope.mp4"); }),
            "store \"media\": media/nope.mp4: No such file or directory");
  EXPECT_EQ(media_error([&] { via.open("s3://bucket/media/nope.mp4"); }),
            "store \"media\": media/nope.mp4: No such file or directory");
  EXPECT_EQ(media_error([&] { via.identify("s3://bucket/media"); }),
            "store \"media\": media: is a directory, not a media file");
  EXPECT_EQ(media_error([&] { via.identify("s3://bucket/../etc/passwd"); }),
            "store \"media\": ../etc/passwd: invalid key: '..' element");
  EXPECT_EQ(media_error([&] { via.open("oss://other/x.mp4"); }), "oss://other/x.mp4: no store configured for this URI");
  EXPECT_EQ(media_error([&] { via.open("s3://nowhere/x.mp4"); }), "s3://nowhere/x.mp4: no configured store serves this URI");

  store->write("media/notes.mp4", "these are not video frames, just text\n");
  EXPECT_EQ(media_error([&] { via.open("s3://bucket/media/notes.mp4"); }),
            "s3://bucket/media/notes.mp4: not a media file FFmpeg can open (Invalid data found when processing input)");

}

TEST_F(BackendSource, AReadThatFailsWhileOpeningCarriesTheBackendsMessage) {
  // Stat needs no read permission, reading does: an unreadable file passes
  // identify() and fails in the demuxer's first read.
  store->write("media/locked.mp4", store->read_all("media/clip.mp4"));
  ASSERT_EQ(chmod(path("media/locked.mp4").c_str(), 0), 0);
  ASSERT_EQ(chmod(root_->c_str(), 0755), 0);
  BackendSourceOpener via(resolver());
  std::string got = unprivileged([&] {
    try {
      via.open("s3://bucket/media/locked.mp4");
      return std::string("opened");
    } catch (const MediaError& e) {
      return std::string(e.what());
    }
  });
  EXPECT_EQ(got, "store \"media\": media/locked.mp4: Permission denied");
  fs::remove(path("media/locked.mp4"));
}

TEST_F(BackendSource, AnObjectThatVanishesEndsTheReadNotTheProcess) {
  fs::copy_file(path("media/clip.mp4"), path("media/vanishing.mp4"), fs::copy_options::overwrite_existing);
  ReadCacheOptions small;
  small.block_size = 16 * 1024;
  small.max_readahead_blocks = 1;
  BackendSourceOpener via(resolver(), small);
  InputPtr in = via.open("s3://bucket/media/vanishing.mp4");
  store->remove("media/vanishing.mp4");
  int64_t requests = via.stats().read_requests;
  PacketPtr pkt = make_packet();
  int err = 0, calls = 0;
  while (calls++ < 100000) {
    err = av_read_frame(in.get(), pkt.get());
    if (err == AVERROR_EOF || err == AVERROR(ENOENT)) break;
    av_packet_unref(pkt.get());
  }
  EXPECT_EQ(err, AVERROR(ENOENT));
  EXPECT_LE(via.stats().read_requests, requests + 1);  // one failed request, then the error sticks
}

TEST_F(BackendSource, FixturesProbeAlikeThroughBothOpeners) {
  const char* dir = getenv("HLSFS_FIXTURES");
  if (!dir || !*dir) GTEST_SKIP() << "HLSFS_FIXTURES not set";
  auto fixtures = Backend::load({plugin_dir()}, "local", "fixtures", {{"root", dir}});
  std::string prefix = "file://" + fs::canonical(dir).string() + "/";
  BackendSourceOpener via([&](const std::string& uri) { return std::make_pair(fixtures, uri.substr(prefix.size())); });
  LocalFileOpener direct;
  int compared = 0;
  fixtures->list("", [&](const std::string& key, const ObjectStat&) {
    std::string uri = prefix + key;
    std::string a, b;
    try {
      a = nlohmann::json(probe_source(direct, uri)).dump();
    } catch (const MediaError&) {
      a = std::string("error");
    }
    try {
      b = nlohmann::json(probe_source(via, uri)).dump();
    } catch (const MediaError&) {
      b = std::string("error");
    }
    EXPECT_EQ(a, b) << key;
    ++compared;
    return true;
  });
  EXPECT_GT(compared, 0);
}

// A source is one file of its store and nothing else: its demuxer cannot open
// other files (manifests, playlists, concat lists are refused by format, and
// nested opens fail), and a local source is read through the descriptor the
// store checked, so a symlink swapped in at its name is never followed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "actors/services.h"
#include "actors/storage/backend.h"
#include "actors/storage/store_source.h"
#include "actors/transcoder/source.h"
#include "actors/transcoder/source_formats.h"
#include "tests/unit/storage_test_support.h"

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/log.h>
}

using namespace hlsfs;
using namespace hlsfs::testing;
namespace fs = std::filesystem;

namespace {

void put(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

bool make_clip(const std::string& path, const char* size) {
  std::string cmd = std::string("ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=") + size +
                    ":rate=25 -t 1 -c:v libx264 -preset ultrafast '" + path + "'";
  return system(cmd.c_str()) == 0;
}

// A store "media" at <dir>/root with a clip inside, and a clip of another
// size outside the root: what a source must never reach.
class SourceGuard : public ::testing::Test {
 protected:
  void SetUp() override {
    av_log_set_level(AV_LOG_QUIET);
    root = dir.path + "/root";
    outside = dir.path + "/outside/secret.mp4";
    fs::create_directories(root);
    fs::create_directories(dir.path + "/outside");
    ASSERT_TRUE(make_clip(root + "/inside.mp4", "160x120"));
    ASSERT_TRUE(make_clip(outside, "320x240"));
    svc.router.add_local("media", root);
    svc.backends["media"] = Backend::load({plugin_dir()}, "local", "media", {{"root", root}});
    opener = svc.source_opener();
  }
  std::string uri(const std::string& key) const { return "file://" + root + "/" + key; }
  std::string refusal(const std::string& key) {
    try {
      opener->open(uri(key));
    } catch (const MediaError& e) {
      return e.what();
    }
    return "(opened)";
  }

  TempDir dir;
  std::string root, outside;
  Services svc;
  std::unique_ptr<SourceOpener> opener;
};

}  // namespace

TEST(SourceFormats, EveryDemuxerIsAllowedOrRefusedOnPurpose) {
  void* it = nullptr;
  while (const AVInputFormat* f = av_demuxer_iterate(&it)) {
    bool allowed = source_format_refusal(f->name).empty();
    bool refused =
        ("\n" + std::string(refused_source_demuxers())).find("\n" + std::string(f->name) + ":") != std::string::npos;
    EXPECT_TRUE(allowed != refused) << f->name << ": a demuxer nobody has decided about (or on both lists)";
  }
  EXPECT_EQ(source_format_refusal("hls"), "it opens the segments it lists");
  EXPECT_EQ(source_format_refusal("concat"), "it opens the files it lists");
  EXPECT_EQ(source_format_refusal("mov,mp4,m4a,3gp,3g2,mj2"), "");
  EXPECT_EQ(source_format_refusal("matroska,webm"), "");
  EXPECT_EQ(source_format_refusal("some_future_format"), "not on hlsfs's list of source formats");
}

TEST_F(SourceGuard, ManifestsNamingOtherFilesAreRefused) {
  put(root + "/evil.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n" + outside + "\n#EXT-X-ENDLIST\n");
  EXPECT_EQ(refusal("evil.m3u8"),
            uri("evil.m3u8") + ": hls files are not accepted as sources (it opens the segments it lists)");
  // Inside the store too: a manifest is never a source.
  put(root + "/inner.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\ninside.mp4\n#EXT-X-ENDLIST\n");
  EXPECT_NE(refusal("inner.m3u8").find("hls files are not accepted"), std::string::npos);
  fs::create_symlink(outside, root + "/link.mp4");
  put(root + "/evil.ffconcat", "ffconcat version 1.0\nfile link.mp4\n");
  EXPECT_NE(refusal("evil.ffconcat").find("concat files are not accepted"), std::string::npos);
  // The file itself is refused by the store.
  EXPECT_NE(refusal("link.mp4").find("refused: resolves outside the store root"), std::string::npos);
  EXPECT_EQ(refusal("inside.mp4"), "(opened)");
}

// the store checked a name and FFmpeg opened it again
// by name. A thread swaps the name between a file inside and a symlink to a
// file outside (rename is atomic); no open may ever see the outside file.
TEST_F(SourceGuard, ASymlinkSwappedInAfterTheCheckIsNeverRead) {
  fs::create_symlink("inside.mp4", root + "/a.mp4");
  std::atomic<bool> stop{false};
  std::thread swapper([&] {
    int i = 0;
    while (!stop) {
      // A fresh link to one side or the other, renamed over a.mp4.
      std::error_code ec;
      fs::remove(root + "/next.lnk", ec);
      fs::create_symlink((i++ % 2) ? std::string("inside.mp4") : outside, root + "/next.lnk", ec);
      fs::rename(root + "/next.lnk", root + "/a.mp4", ec);
    }
  });
  int opened = 0, outside_seen = 0, refused = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      InputPtr in = opener->open(uri("a.mp4"));
      ++opened;
      if (in->nb_streams > 0 && in->streams[0]->codecpar->width == 320) ++outside_seen;
    } catch (const MediaError&) {
      ++refused;
    }
  }
  stop = true;
  swapper.join();
  EXPECT_EQ(outside_seen, 0) << "the file outside the store was read " << outside_seen << " times of " << opened;
  EXPECT_GT(opened, 10);
  EXPECT_GT(refused, 10);  // both sides of the swap were seen
}

// hlsfsctl render decodes file:/// URIs into paths: decoding must not make
// one the URI did not show.
TEST(LocalPathOf, DecodingMakesNoPathTheUriDidNotShow) {
  EXPECT_EQ(local_path_of("file:///srv/a%20b.mp4"), "/srv/a b.mp4");
  for (const char* uri : {"file:///srv/out/%2e%2e/%2e%2e/etc/x", "file:///srv/out/%2E%2E", "file:///srv/a%00.m3u8",
                          "file:///srv/a%0a.m3u8", "file:///srv/./a", "file:///srv/../etc/passwd"})
    EXPECT_THROW(local_path_of(uri), MediaError) << uri;
}

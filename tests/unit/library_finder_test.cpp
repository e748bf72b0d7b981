// The library finder against the real things: the local store plugin, clips
// made by the ffmpeg CLI, the state store, the catalog, the probe and the
// generate (published only; what the playlist actor's publish runs, without
// the actor).
#include "actors/library/library_finder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>

#include "actors/playlist/playlist_service.h"
#include "actors/segment_cache/state_store.h"
#include "actors/services.h"
#include "actors/storage/backend.h"
#include "tests/unit/storage_test_support.h"

namespace hlsfs {
namespace {

using namespace hlsfs::testing;
namespace fs = std::filesystem;

bool make_clip(const std::string& path, const char* size, int seconds) {
  fs::create_directories(fs::path(path).parent_path());
  std::string cmd = std::string("ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=") + size +
                    ":rate=25 -t " + std::to_string(seconds) + " -c:v libx264 -preset ultrafast '" + path + "'";
  return system(cmd.c_str()) == 0;
}

class LibraryFinderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = dir.path + "/movies";
    fs::create_directories(root);
    svc = std::make_shared<Services>();
    svc->router.add_local("movies", root);
    svc->backends["movies"] = Backend::load({plugin_dir()}, "local", "movies", {{"root", root}});
    svc->state = std::shared_ptr<StateStore>(StateStore::open(dir.path + "/state"));
    svc->catalog = std::make_shared<Catalog>(std::vector<std::string>{"movies"});
    finder = make_finder();
  }
  std::unique_ptr<LibraryFinder> make_finder() {
    finder.reset();
    LibrarySettings s;
    s.renditions = {720, 360, 180};
    return std::make_unique<LibraryFinder>(
        svc, std::map<std::string, LibrarySettings>{{"movies", s}},
        [this](const std::string& request) {
          ++publishes;
          GenerateOutcome o = generate_playlist(*svc, request, [](const PlaylistFile&) { return std::string(); });
          return std::make_pair(o.status, o.body.dump());
        },
        2);
  }
  bool find(const std::string& path) {
    std::promise<bool> p;
    finder->find(path, [&](bool found) { p.set_value(found); });
    return p.get_future().get();
  }
  std::vector<std::string> list(const std::string& path) {
    std::promise<TitleFinder::Listing> p;
    EXPECT_TRUE(finder->lists(path, true, [&](TitleFinder::Listing l) { p.set_value(std::move(l)); }));
    std::vector<std::string> names;
    for (auto& [name, is_dir] : p.get_future().get()) names.push_back(name);
    return names;
  }
  std::string text(const std::string& path) {
    CatalogEntry e = svc->catalog->resolve(path);
    return e.kind == CatalogEntry::text_file ? *e.text : "";
  }

  TempDir dir;
  std::string root;
  std::shared_ptr<Services> svc;
  std::atomic<int> publishes{0};
  std::unique_ptr<LibraryFinder> finder;
};

TEST_F(LibraryFinderTest, FirstLookupPublishesOnceForManyLookups) {
  ASSERT_TRUE(make_clip(root + "/d/a.mp4", "640x360", 1));
  std::vector<std::promise<bool>> answers(8);
  for (auto& a : answers) finder->find("movies/d/a.mp4.hls", [&a](bool found) { a.set_value(found); });
  for (auto& a : answers) EXPECT_TRUE(a.get_future().get());
  EXPECT_EQ(publishes.load(), 1);  // one job for them all
  std::string master = text("movies/d/a.mp4.hls/master.m3u8");
  EXPECT_NE(master.find("360p.m3u8"), std::string::npos) << master;
  EXPECT_NE(master.find("180p.m3u8"), std::string::npos) << master;
  EXPECT_EQ(master.find("720p"), std::string::npos) << master;  // taller than the source
  EXPECT_NE(text("movies/d/a.mp4.hls/360p.m3u8"), "");
  // Nothing was written into the library.
  EXPECT_FALSE(fs::exists(root + "/d/a.mp4.hls"));
  // Looked up again, unchanged: no new generate.
  EXPECT_TRUE(find("movies/d/a.mp4.hls"));
  EXPECT_EQ(publishes.load(), 1);
  EXPECT_TRUE(find("movies/d"));
  EXPECT_EQ(svc->catalog->resolve("movies/d").kind, CatalogEntry::directory);
}

TEST_F(LibraryFinderTest, ChangedFileNewTokenGoneFileWithdrawn) {
  ASSERT_TRUE(make_clip(root + "/a.mkv", "640x360", 1));
  ASSERT_TRUE(find("movies/a.mkv.hls/master.m3u8"));
  std::string before = text("movies/a.mkv.hls/360p.m3u8");
  ASSERT_TRUE(make_clip(dir.path + "/b.mkv", "640x360", 2));
  fs::rename(dir.path + "/b.mkv", root + "/a.mkv");
  ASSERT_TRUE(find("movies/a.mkv.hls"));
  EXPECT_EQ(publishes.load(), 2);
  std::string after = text("movies/a.mkv.hls/360p.m3u8");
  EXPECT_NE(after, "");
  EXPECT_NE(after, before);  // new token, new segment names
  size_t records = 0;
  svc->state->for_each_playlist([&](const std::string&, const std::string&) { return ++records, true; });
  EXPECT_EQ(records, 3u);  // two renditions and the master: the old version's records went
  fs::remove(root + "/a.mkv");
  EXPECT_FALSE(find("movies/a.mkv.hls"));
  EXPECT_EQ(svc->catalog->resolve("movies/a.mkv.hls/master.m3u8").kind, CatalogEntry::none);
  EXPECT_EQ(svc->catalog->resolve("movies/a.mkv.hls").kind, CatalogEntry::none);
  records = 0;
  svc->state->for_each_playlist([&](const std::string&, const std::string&) { return ++records, true; });
  EXPECT_EQ(records, 0u);
}

TEST_F(LibraryFinderTest, AFinderThatNeverSawATitleChecksItInTheCatalog) {
  ASSERT_TRUE(make_clip(root + "/a.mp4", "640x360", 1));
  ASSERT_TRUE(find("movies/a.mp4.hls"));
  std::string made = text("movies/a.mp4.hls/360p.m3u8");
  // As after a restart: the catalog and the state remain, the finder is new.
  finder = make_finder();
  EXPECT_TRUE(find("movies/a.mp4.hls"));
  EXPECT_EQ(publishes.load(), 1);  // the catalog's title is of this version: nothing made
  EXPECT_EQ(text("movies/a.mp4.hls/360p.m3u8"), made);
  // Changed while nobody looked: made again.
  finder = make_finder();
  ASSERT_TRUE(make_clip(dir.path + "/b.mp4", "640x360", 2));
  fs::rename(dir.path + "/b.mp4", root + "/a.mp4");
  EXPECT_TRUE(find("movies/a.mp4.hls"));
  EXPECT_EQ(publishes.load(), 2);
  EXPECT_NE(text("movies/a.mp4.hls/360p.m3u8"), made);
}

TEST_F(LibraryFinderTest, BrokenAndOtherFilesAreNotOffered) {
  ASSERT_TRUE(make_clip(root + "/good.mp4", "320x240", 1));
  std::ofstream(root + "/broken.mp4") << std::string(5000, 'x');
  std::ofstream(root + "/notes.txt") << "words";
  fs::create_symlink("/etc/passwd", root + "/escape.mp4");
  ASSERT_TRUE(make_clip(root + "/sub/x.mkv", "160x120", 1));
  EXPECT_EQ(list("movies"), (std::vector<std::string>{"broken.mp4.hls", "good.mp4.hls", "sub"}));
  EXPECT_FALSE(find("movies/broken.mp4.hls"));
  EXPECT_FALSE(find("movies/broken.mp4.hls"));
  EXPECT_FALSE(find("movies/notes.txt.hls"));
  EXPECT_FALSE(find("movies/escape.mp4.hls"));
  EXPECT_EQ(publishes.load(), 0);  // none reached the generate
  EXPECT_EQ(list("movies"), (std::vector<std::string>{"good.mp4.hls", "sub"}));  // remembered as broken
  EXPECT_EQ(list("movies/sub"), (std::vector<std::string>{"x.mkv.hls"}));
  // Fixed: tried again.
  ASSERT_TRUE(make_clip(root + "/broken.mp4", "160x120", 1));
  EXPECT_TRUE(find("movies/broken.mp4.hls"));
}

TEST_F(LibraryFinderTest, WhatItConfirmsAndLists) {
  EXPECT_TRUE(finder->confirms("movies/d"));
  EXPECT_TRUE(finder->confirms("movies/d/a.mp4.hls"));
  EXPECT_FALSE(finder->confirms("movies/d/a.mp4.hls/master.m3u8"));  // inside a title: immutable names
  EXPECT_FALSE(finder->confirms("movies"));
  EXPECT_FALSE(finder->confirms("media/d"));
  EXPECT_FALSE(finder->lists("movies/a.mp4.hls", true, [](TitleFinder::Listing) {}));
  EXPECT_FALSE(finder->lists("media", true, [](TitleFinder::Listing) {}));
  EXPECT_FALSE(find("media/a.mp4.hls"));
  EXPECT_FALSE(find("movies/nothing/here"));  // a directory that does not exist
}

}  // namespace
}  // namespace hlsfs

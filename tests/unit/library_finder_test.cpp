// The library finder against the real things: the local store plugin, clips
// made by the ffmpeg CLI, the state store, the catalog, the probe and the
// generate (published only; what the playlist actor's publish runs, without
// the actor).
#include "actors/library/library_finder.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>

#include <nlohmann/json.hpp>

#include "actors/playlist/catalog_loader.h"
#include "actors/playlist/playlist_service.h"
#include "actors/playlist/rendition_record.h"
#include "actors/segment_cache/segment_store.h"
#include "actors/segment_cache/state_store.h"
#include "actors/services.h"
#include "actors/storage/backend.h"
#include "actors/transcoder/segment_job.h"
#include "hlsfs/source_version.h"
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
    svc->cache_dir = dir.path + "/cache";
    svc->segments = std::make_shared<SegmentStore>(svc->cache_dir, *svc->state);
    finder = make_finder();
  }
  std::unique_ptr<LibraryFinder> make_finder(int list_page = 1000) {
    finder.reset();
    LibrarySettings s;
    s.renditions = {720, 360, 180};
    s.list_page = list_page;
    return std::make_unique<LibraryFinder>(
        svc, std::map<std::string, LibrarySettings>{{"movies", s}},
        [this](const std::string& request) {
          ++publishes;
          // publish_only, as the playlist actor's publish runs it.
          GenerateOutcome o = generate_playlist(*svc, request, [](const PlaylistFile&) { return std::string(); }, true);
          return std::make_pair(o.status, o.body.dump());
        },
        2);
  }
  bool find(const std::string& path) {
    std::promise<bool> p;
    finder->find(path, [&](bool found) { p.set_value(found); });
    return p.get_future().get();
  }
  TitleFinder::Listing page(const std::string& path, const std::string& after) {
    std::promise<TitleFinder::Listing> p;
    EXPECT_TRUE(finder->lists(path, after, [&](TitleFinder::Listing l) { p.set_value(std::move(l)); }));
    return p.get_future().get();
  }
  // Every page, as readdir reads them.
  std::vector<std::string> list(const std::string& path) {
    std::vector<std::string> names;
    std::string after;
    for (int pages = 0; pages < 100000; ++pages) {
      TitleFinder::Listing l = page(path, after);
      if (l.empty()) break;
      for (const auto& n : l) names.push_back(n.name);
      after = l.back().after;
    }
    return names;
  }
  // The token of a library title's first rendition.
  std::string token_of(const std::string& title) {
    auto tokens = svc->catalog->tokens_in(title, "", 1);
    return tokens.empty() ? "" : tokens.front();
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
  EXPECT_FALSE(finder->lists("movies/a.mp4.hls", "", [](TitleFinder::Listing) {}));
  EXPECT_FALSE(finder->lists("media", "", [](TitleFinder::Listing) {}));
  EXPECT_FALSE(find("media/a.mp4.hls"));
  EXPECT_FALSE(find("movies/nothing/here"));  // a directory that does not exist
}

int64_t mtime_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}
// As `touch -r`: the mtime set back to what it was.
void set_mtime(const std::string& path, int64_t ns) {
  struct timespec times[2] = {{0, UTIME_OMIT}, {static_cast<time_t>(ns / 1000000000LL), static_cast<long>(ns % 1000000000LL)}};
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}
// One byte in the middle of the file changed, in place: same size.
void change_a_byte(const std::string& path) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  const auto middle = static_cast<std::streamoff>(fs::file_size(path) / 2);
  f.seekg(middle);
  char c = 0;
  f.get(c);
  f.seekp(middle);
  f.put(static_cast<char>(c ^ 0x5a));
}

// A file replaced by one of the same size with its mtime set back (`cp -p`,
// `touch -r`): rewritten in place (the ctime tells), or renamed over (the
// inode tells). Each time a new token. (Before the file's inode and ctime
// were part of its version, both kept the old title and token.)
TEST_F(LibraryFinderTest, AFileReplacedWithTheSameSizeAndMtimeGetsANewToken) {
  const std::string file = root + "/a.mp4";
  ASSERT_TRUE(make_clip(file, "320x240", 1));
  ASSERT_TRUE(find("movies/a.mp4.hls"));
  const std::string t1 = token_of("movies/a.mp4.hls");
  ASSERT_FALSE(t1.empty());
  const int64_t mtime = mtime_of(file), size = static_cast<int64_t>(fs::file_size(file));

  change_a_byte(file);
  set_mtime(file, mtime);
  ASSERT_EQ(mtime_of(file), mtime);
  ASSERT_EQ(static_cast<int64_t>(fs::file_size(file)), size);
  ASSERT_TRUE(find("movies/a.mp4.hls"));
  const std::string t2 = token_of("movies/a.mp4.hls");
  EXPECT_NE(t2, t1) << "rewritten in place, same size, mtime set back: the token must change";
  EXPECT_EQ(publishes.load(), 2);

  fs::copy_file(file, dir.path + "/b.mp4");
  change_a_byte(dir.path + "/b.mp4");
  set_mtime(dir.path + "/b.mp4", mtime);
  fs::rename(dir.path + "/b.mp4", file);
  ASSERT_EQ(mtime_of(file), mtime);
  ASSERT_TRUE(find("movies/a.mp4.hls"));
  const std::string t3 = token_of("movies/a.mp4.hls");
  EXPECT_NE(t3, t2) << "renamed over by a same-size copy with the same mtime: the token must change";
  EXPECT_NE(t3, t1);
  EXPECT_EQ(publishes.load(), 3);
  // Unchanged since: the same title, nothing made.
  ASSERT_TRUE(find("movies/a.mp4.hls"));
  EXPECT_EQ(token_of("movies/a.mp4.hls"), t3);
  EXPECT_EQ(publishes.load(), 3);
}

// A title the previous hlsfs recorded (its version the file's mtime alone)
// is made again once, with the file's inode and ctime: after that, a
// same-size replacement with the mtime set back is seen too.
TEST_F(LibraryFinderTest, ATitleRecordedWithoutTheFilesIdentityIsMadeAgainOnce) {
  ASSERT_TRUE(make_clip(root + "/a.mp4", "320x240", 1));
  ASSERT_TRUE(find("movies/a.mp4.hls"));
  const std::string t1 = token_of("movies/a.mp4.hls");
  auto r = svc->catalog->by_token(t1);
  ASSERT_TRUE(r && r->media);
  const std::string version = r->media->source.version;
  ASSERT_TRUE(parse_local_version(version)->ino) << version;
  ASSERT_TRUE(parse_local_version(version)->ctime_ns) << version;  // a library title keeps the ctime
  // As the previous hlsfs recorded it.
  auto old = std::make_shared<PublishedRendition>(*r);
  auto media = std::make_shared<MediaInfo>(*r->media);
  media->source.version = std::to_string(parse_local_version(version)->mtime_ns);
  old->media = media;
  svc->catalog->publish(old, "#EXTM3U\n");
  finder = make_finder();  // as after the upgrade's restart
  ASSERT_TRUE(find("movies/a.mp4.hls"));
  EXPECT_EQ(publishes.load(), 2);  // made again
  const std::string t2 = token_of("movies/a.mp4.hls");
  EXPECT_FALSE(is_mtime_only_version(svc->catalog->by_token(t2)->media->source.version));
  finder = make_finder();
  ASSERT_TRUE(find("movies/a.mp4.hls"));
  EXPECT_EQ(publishes.load(), 2);  // once
  EXPECT_EQ(token_of("movies/a.mp4.hls"), t2);
}

// Generated titles (GenerateVideoPlaylist) record the source's mtime alone,
// as earlier builds did: a chmod (ctime) or a move to another inode with the
// same bytes and mtime (rsync -a to a new disk, a restore) does not stop
// its segments; a new mtime does. Their tokens are the previous build's.
class GeneratedTitleTest : public LibraryFinderTest {
 protected:
  std::string generate(const std::string& name) {
    nlohmann::json req{{"SourceURI", "file://" + root + "/" + name},
                       {"Targets", {{{"URI", "file://" + root + "/out/" + name},
                                     {"Duration", 5},
                                     {"InitialSegments", {2, 2}},
                                     {"Video", {{"TranscodeVideo", {{"CRF", 35}}}}}}}}};
    GenerateOutcome o = generate_playlist(*svc, req.dump(), [](const PlaylistFile&) { return std::string(); });
    EXPECT_EQ(o.status, 200) << o.body.dump();
    for (const auto& t : svc->catalog->tokens_in("movies/out", "", 100)) {
      auto r = svc->catalog->by_token(t);
      if (r && r->spec.source_uri == "file://" + root + "/" + name) return t;
    }
    return "";
  }
};

TEST_F(GeneratedTitleTest, SegmentsCheckTheSourcesMtimeNotItsInodeOrCtime) {
  const std::string file = root + "/g.mp4";
  ASSERT_TRUE(make_clip(file, "160x120", 4));
  const std::string token = generate("g.mp4");
  ASSERT_FALSE(token.empty());
  const std::string recorded = svc->catalog->by_token(token)->media->source.version;
  EXPECT_EQ(recorded, std::to_string(mtime_of(file))) << "the mtime alone";
  EXPECT_EQ(make_segment(*svc, token, 0).err, 0);
  ASSERT_EQ(chmod(file.c_str(), 0600), 0);  // the ctime changes
  MadeSegment after_chmod = make_segment(*svc, token, 1);
  EXPECT_EQ(after_chmod.err, 0) << after_chmod.message;
  // The same bytes and mtime under a new inode (a move to another disk).
  const int64_t mtime = mtime_of(file);
  fs::copy_file(file, dir.path + "/g2.mp4");
  set_mtime(dir.path + "/g2.mp4", mtime);
  fs::rename(dir.path + "/g2.mp4", file);
  MadeSegment moved = make_segment(*svc, token, 0);
  EXPECT_EQ(moved.err, 0) << "moved to a new inode, same bytes and mtime: " << moved.message;
  set_mtime(file, mtime + 1000000000LL);
  MadeSegment changed = make_segment(*svc, token, 0);
  EXPECT_EQ(changed.err, EIO) << "a new mtime: refused";
  EXPECT_NE(changed.message.find("changed since the playlist was made"), std::string::npos) << changed.message;
}

TEST_F(GeneratedTitleTest, ARecordOfThePreviousVersionStillServes) {
  const std::string file = root + "/old.mp4";
  ASSERT_TRUE(make_clip(file, "160x120", 4));
  const std::string token = generate("old.mp4");
  ASSERT_FALSE(token.empty());
  // Its records as the previous hlsfs wrote them: the probe under a source
  // key whose version is the mtime alone, the rendition's token made from it.
  nlohmann::json rec = nlohmann::json::parse(*svc->state->get_playlist(token));
  nlohmann::json media = nlohmann::json::parse(*svc->state->get_source(rec.at("source").get<std::string>()));
  const std::string mtime_only = std::to_string(mtime_of(file));
  media["version"] = mtime_only;
  const MediaInfo old_media = media.get<MediaInfo>();
  ASSERT_EQ(old_media.source.version, mtime_only);
  const std::string old_key = old_media.source.uri + "\n" + std::to_string(old_media.source.size) + "\n" + mtime_only;
  svc->state->put_source(old_key, media.dump());
  rec["source"] = old_key;
  const std::string old_token = rendition_of_record(old_media, rec).token;
  EXPECT_EQ(old_token, token) << "generated tokens are the previous build's";
  svc->state->put_playlist(old_token, rec.dump());

  auto pub = load_rendition(*svc, old_token);
  ASSERT_TRUE(pub) << "the old record loads";
  EXPECT_EQ(pub->media->source.version, mtime_only);
  svc->catalog->publish(pub, "#EXTM3U\n");
  MadeSegment made = make_segment(*svc, old_token, 0);
  EXPECT_EQ(made.err, 0) << made.message;
  ASSERT_EQ(chmod(file.c_str(), 0600), 0);
  made = make_segment(*svc, old_token, 1);
  EXPECT_EQ(made.err, 0) << made.message;
  // A change it can see (the mtime) still stops it.
  set_mtime(file, mtime_of(file) + 1000000000LL);
  EXPECT_EQ(make_segment(*svc, old_token, 0).err, EIO);
}

// A directory listed in pages of list_page store entries: every title once,
// in the store's order, a file added meanwhile after the cursor included
// (one added before it is not: nothing repeats), the middle of a page
// resumed from the page read a moment ago.
TEST_F(LibraryFinderTest, ADirectoryListsInPagesEachNameOnce) {
  finder = make_finder(7);
  fs::create_directories(root + "/many/sub");
  std::vector<std::string> expected;
  for (int i = 0; i < 50; ++i) {
    char name[32];
    snprintf(name, sizeof name, "t%03d.mp4", i);
    std::ofstream(root + "/many/" + name) << "";  // listed by name: nothing is opened
    expected.push_back(std::string(name) + ".hls");
    if (i % 10 == 0) std::ofstream(root + "/many/" + std::string(name) + ".txt") << "";  // not shown
  }
  std::ofstream(root + "/many/sub/x.mkv") << "";
  expected.insert(expected.begin(), "sub");  // "sub/" sorts before "t"

  std::vector<std::string> names;
  std::string after;
  int pages = 0;
  while (true) {
    TitleFinder::Listing l = page("movies/many", after);
    if (l.empty()) break;
    EXPECT_LE(l.size(), 7u);
    if (l.size() > 3) {  // resumed in the middle of the page: the same rest
      TitleFinder::Listing rest = page("movies/many", l[2].after);
      ASSERT_EQ(rest.size(), l.size() - 3);
      EXPECT_EQ(rest.front().name, l[3].name);
    }
    for (const auto& n : l) names.push_back(n.name);
    after = l.back().after;
    if (++pages == 2) {
      std::ofstream(root + "/many/t000a.mp4") << "";  // before the cursor
      std::ofstream(root + "/many/t999.mp4") << "";   // after it
    }
  }
  expected.push_back("t999.mp4.hls");
  EXPECT_GE(pages, 8);
  EXPECT_EQ(names, expected);
  // And afresh: every one, the new ones too.
  std::vector<std::string> again = list("movies/many");
  EXPECT_EQ(again.size(), expected.size() + 1);
  EXPECT_NE(std::find(again.begin(), again.end(), "t000a.mp4.hls"), again.end());
}

}  // namespace
}  // namespace hlsfs

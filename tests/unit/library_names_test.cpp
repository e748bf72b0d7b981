#include "actors/library/library_names.h"

#include <gtest/gtest.h>

namespace hlsfs {
namespace {

TEST(LibraryNames, VideoByExtensionOnly) {
  LibrarySettings s;
  EXPECT_TRUE(is_video_name("a.mkv", s));
  EXPECT_TRUE(is_video_name("A Film (1999).MP4", s));
  EXPECT_FALSE(is_video_name("notes.txt", s));
  EXPECT_FALSE(is_video_name("mkv", s));
  EXPECT_FALSE(is_video_name("a.", s));
  EXPECT_FALSE(is_video_name(".hidden.mkv", s));  // hidden names never
  s.extensions = {"mkv"};
  EXPECT_FALSE(is_video_name("a.mp4", s));
}

TEST(LibraryNames, ParsesTitlesDirectoriesAndInsides) {
  LibrarySettings s;
  auto t = parse_library_path("movies/dir/a.mkv.hls", "movies", s);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, LibraryPath::title);
  EXPECT_EQ(t->key, "dir/a.mkv");
  EXPECT_EQ(t->title_path(), "movies/dir/a.mkv.hls");

  auto m = parse_library_path("movies/a.mkv.hls/master.m3u8", "movies", s);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, LibraryPath::inside_title);
  EXPECT_EQ(m->key, "a.mkv");
  EXPECT_EQ(m->inside, "master.m3u8");

  auto d = parse_library_path("movies/dir/sub", "movies", s);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, LibraryPath::directory);
  EXPECT_EQ(d->key, "dir/sub");

  // A ".hls" directory whose stem is no video name is a plain directory.
  auto plain = parse_library_path("movies/notes.txt.hls", "movies", s);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->kind, LibraryPath::directory);
}

TEST(LibraryNames, RefusesWhatNoLibraryFileCanBe) {
  LibrarySettings s;
  EXPECT_FALSE(parse_library_path("movies", "movies", s));           // the store's root: the catalog's
  EXPECT_FALSE(parse_library_path("media/a.mkv.hls", "movies", s));   // another store
  EXPECT_FALSE(parse_library_path("movies/.git", "movies", s));       // hidden
  EXPECT_FALSE(parse_library_path("movies/a/../b", "movies", s));
  EXPECT_FALSE(parse_library_path("movies//a", "movies", s));
  EXPECT_FALSE(parse_library_path("movies/a.mkv.hls/x/y", "movies", s));  // titles are flat
}

TEST(LibraryNames, ListingShowsSubdirectoriesAndTitlesOnly) {
  LibrarySettings s;
  std::vector<ListedFile> files;
  for (const char* k : {"a.mkv", "b.txt", "c.MP4", "sub/d.avi", "sub/e/f.mkv", ".trash/x.mkv", "other/readme"})
    files.push_back(ListedFile{k, 1, 1, ""});
  EXPECT_EQ(library_listing("", files, s),
            (std::vector<std::string>{"a.mkv.hls", "c.MP4.hls", "other", "sub"}));
  EXPECT_EQ(library_listing("sub/", files, s), (std::vector<std::string>{"d.avi.hls", "e"}));
  // A file remembered as broken is not offered.
  auto keep = [](const ListedFile& f) { return f.key != "a.mkv"; };
  EXPECT_EQ(library_listing("", files, s, keep), (std::vector<std::string>{"c.MP4.hls", "other", "sub"}));
}

}  // namespace
}  // namespace hlsfs

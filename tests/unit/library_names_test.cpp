#include "actors/library/library_names.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "backends/local/page_select.h"

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

TEST(LibraryNames, APageShowsSubdirectoriesAndTitlesOnly) {
  LibrarySettings s;
  auto file = [](const std::string& k) { return ListedFile{k, false, 1, 1, "", 1, 1}; };
  auto dir = [](const std::string& k) { return ListedFile{k, true}; };
  // One level of "" as the store lists it, in its order.
  std::vector<ListedFile> root{file("a.mkv"), file("b.txt"), file("c.MP4"), dir(".trash"), dir("other"), dir("sub"),
                               dir("x.mkv.hls"), dir("y.hls")};
  using E = LibraryEntry;
  EXPECT_EQ(library_page("", root, s), (std::vector<E>{{"a.mkv.hls", "a.mkv"}, {"c.MP4.hls", "c.MP4"},
                                                       {"other", "other/"}, {"sub", "sub/"}, {"y.hls", "y.hls/"}}));
  std::vector<ListedFile> sub{file("sub/d.avi"), dir("sub/e"), file("sub/.hidden.mkv")};
  EXPECT_EQ(library_page("sub/", sub, s), (std::vector<E>{{"d.avi.hls", "d.avi"}, {"e", "e/"}}));
  // A file remembered as broken is not offered.
  auto keep = [](const ListedFile& f) { return f.key != "a.mkv"; };
  EXPECT_EQ(library_page("", root, s, keep),
            (std::vector<E>{{"c.MP4.hls", "c.MP4"}, {"other", "other/"}, {"sub", "sub/"}, {"y.hls", "y.hls/"}}));
}

// The local store's page of a directory read in no order: the first `max`
// after the cursor, never holding more; read page after page, every name
// once, in order, a name added meanwhile after the cursor included.
TEST(LibraryNames, PagesOfADirectoryReadInNoOrder) {
  std::vector<std::string> names;
  for (int i = 0; i < 250; ++i) names.push_back("t" + std::to_string((i * 7919) % 1000) + ".mp4");
  names.push_back("d/");  // a directory's place
  auto read_page = [&](const std::string& after, size_t max, bool* more) {
    hlsfs_local::PageSelect<int> page(after, max);
    for (size_t i = 0; i < names.size(); ++i) page.offer(names[i], static_cast<int>(i));
    *more = page.more();
    std::vector<std::string> out;
    for (auto& [order, index] : page.take()) out.push_back(order);
    return out;
  };
  std::vector<std::string> listed;
  std::string after;
  bool more = true;
  int pages = 0;
  while (more) {
    auto page = read_page(after, 32, &more);
    EXPECT_LE(page.size(), 32u);
    if (page.empty()) break;
    listed.insert(listed.end(), page.begin(), page.end());
    after = page.back();
    if (++pages == 3) {
      names.push_back("t0000.mp4");  // before the cursor: not seen (it sorts before)
      names.push_back("zz.mp4");     // after it: seen, once
    }
  }
  EXPECT_GE(pages, 8);
  std::vector<std::string> sorted = listed;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(listed, sorted);  // in order
  EXPECT_EQ(std::adjacent_find(listed.begin(), listed.end()), listed.end());  // each once
  EXPECT_EQ(listed.size(), 252u);  // the 251 there at the start and zz.mp4
  EXPECT_EQ(listed.back(), "zz.mp4");
  EXPECT_EQ(std::count(listed.begin(), listed.end(), "t0000.mp4"), 0);
  // A page exactly as long as what is left says so.
  bool end_more = true;
  EXPECT_EQ(read_page("zz.mp4", 32, &end_more).size(), 0u);
  EXPECT_FALSE(end_more);
}

}  // namespace
}  // namespace hlsfs

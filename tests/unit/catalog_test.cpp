// The catalog that pages: what it keeps in memory is bounded, what it
// forgets comes back from its index (a real RocksDB here), directories list
// in pages that resume where they stopped, and the FUSE adapter's inode
// table gives back what the kernel forgets.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <set>

#include "actors/playlist/catalog.h"
#include "actors/playlist/catalog_keys.h"
#include "actors/playlist/lru_cache.h"
#include "actors/playlist/m3u8.h"
#include "actors/playlist/token.h"
#include "actors/segment_cache/state_store.h"
#include "fuse/dir_listing.h"
#include "fuse/heap_return_schedule.h"
#include "fuse/inode_table.h"

using namespace hlsfs;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    std::string tmpl = "/tmp/hlsfs-catalog-test.XXXXXX";
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::string token_of(int i) {
  char buf[33];
  snprintf(buf, sizeof buf, "%032x", i + 1);
  return buf;
}

// Title i: "media/lib/t<i>/720p" with a 3-segment plan, its token from i.
std::shared_ptr<PublishedRendition> title(int i, const std::string& prefix = "720p") {
  auto r = std::make_shared<PublishedRendition>();
  char name[32];
  snprintf(name, sizeof name, "t%06d", i);
  r->spec.target_uri = std::string("file:///srv/media/lib/") + name + "/" + prefix;
  r->spec.token = token_of(i);
  r->spec.plan = SegmentPlan(Rational{1, 25}, {0, 50, 100, 150});
  r->store = "media";
  r->dir = std::string("lib/") + name + "/";
  return r;
}

// A loader that knows every title (as the state's records do), counting calls.
struct CountingLoader {
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
  RenditionLoader fn() const {
    auto c = calls;
    return [c](const std::string& token) -> std::shared_ptr<const PublishedRendition> {
      ++*c;
      long i = static_cast<long>(std::stoul(token.substr(24), nullptr, 16)) - 1;
      if (i < 0 || i >= 100000 || token != token_of(i)) return nullptr;
      return title(i);
    };
  }
};

}  // namespace

TEST(LruCache, EvictsTheLeastRecentlyUsedWithinItsBudget) {
  LruCache<std::string, std::string> c(100);
  c.put("a", std::make_shared<const std::string>("A"), 40);
  c.put("b", std::make_shared<const std::string>("B"), 40);
  ASSERT_TRUE(c.get("a"));  // a is now the most recent: b goes first
  c.put("c", std::make_shared<const std::string>("C"), 40);
  EXPECT_TRUE(c.get("a"));
  EXPECT_FALSE(c.get("b"));
  EXPECT_TRUE(c.get("c"));
  EXPECT_EQ(c.cost(), 80u);
  c.put("huge", std::make_shared<const std::string>("H"), 101);  // more than the budget: not kept
  EXPECT_FALSE(c.get("huge"));
  c.put("a", std::make_shared<const std::string>("A2"), 10);  // replaced, cost too
  EXPECT_EQ(*c.get("a"), "A2");
  EXPECT_EQ(c.cost(), 50u);
  c.erase("a");
  EXPECT_EQ(c.size(), 1u);
}

TEST(CatalogPaging, MemoryStaysBoundedAndForgottenRenditionsComeBack) {
  CountingLoader loader;
  Catalog c({"media"}, std::make_shared<MemoryCatalogStore>(), CatalogOptions{256 << 10});
  c.set_loader(loader.fn());
  const int n = 3000;
  for (int i = 0; i < n; ++i) {
    auto r = title(i);
    c.publish(r, media_playlist(r->spec));
  }
  EXPECT_EQ(c.rendition_count(), static_cast<size_t>(n));
  auto stats = c.cache_stats();
  EXPECT_LE(stats.bytes, size_t{256} << 10);
  EXPECT_LT(stats.renditions, static_cast<size_t>(n)) << "the cache kept every rendition";
  EXPECT_EQ(*loader.calls, 0);
  // The first title left the cache long ago: its segment, playlist and
  // directory resolve through the index and the loader.
  auto seg = c.resolve("media/lib/t000000/720p-" + token_of(0) + "-2.ts");
  ASSERT_EQ(seg.kind, CatalogEntry::segment_file);
  EXPECT_EQ(seg.rendition->spec.token, token_of(0));
  EXPECT_GE(*loader.calls, 1);
  auto pl = c.resolve("media/lib/t000000/720p.m3u8");
  ASSERT_EQ(pl.kind, CatalogEntry::text_file);
  EXPECT_EQ(*pl.text, media_playlist(title(0)->spec));
  EXPECT_EQ(c.resolve("media/lib/t000000").kind, CatalogEntry::directory);
  EXPECT_EQ(c.resolve("media/lib").kind, CatalogEntry::directory);
  EXPECT_EQ(c.resolve("media/lib/t999999").kind, CatalogEntry::none);
  EXPECT_EQ(c.resolve("media/lib/t000001/720p-" + token_of(0) + "-2.ts").kind, CatalogEntry::none);  // wrong dir
  EXPECT_EQ(c.cache_stats().bytes <= (size_t{256} << 10), true);
  // A token no record knows: nothing (and no crash).
  EXPECT_FALSE(c.by_token(std::string(32, 'f')));
}

TEST(CatalogPaging, DirectoriesListInPagesThatResumeAfterAName) {
  Catalog c({"media", "other"}, std::make_shared<MemoryCatalogStore>(), CatalogOptions{64 << 10});
  CountingLoader loader;
  c.set_loader(loader.fn());
  const int n = 2500;
  for (int i = n - 1; i >= 0; --i) {  // published in reverse: listing order is the names'
    auto r = title(i);
    c.publish(r, media_playlist(r->spec));
  }
  c.publish_text("media", "lib/index.m3u8", "#EXTM3U\n");
  std::vector<std::string> names;
  std::string after;
  int pages = 0;
  while (true) {
    auto page = c.list_page("media/lib", after, 100);
    if (page.empty()) break;
    ++pages;
    EXPECT_LE(page.size(), 100u);
    for (const auto& ch : page) names.push_back(ch.name);
    after = page.back().name;
  }
  ASSERT_EQ(names.size(), static_cast<size_t>(n + 1));
  EXPECT_EQ(pages, (n + 1 + 99) / 100);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(names.front(), "index.m3u8");
  EXPECT_EQ(names[1], "t000000");
  EXPECT_EQ(names.back(), "t002499");
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  // The root lists the configured stores, indexed or not, once each.
  auto root = c.list("");
  ASSERT_EQ(root.size(), 2u);
  EXPECT_EQ(root[0].name, "media");
  EXPECT_EQ(root[1].name, "other");
  auto root_after = c.list_page("", "media", 10);
  ASSERT_EQ(root_after.size(), 1u);
  EXPECT_EQ(root_after[0].name, "other");
  auto t = c.list("media/lib/t000042");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].name, "720p.m3u8");
  EXPECT_EQ(t[0].kind, CatalogEntry::text_file);
  EXPECT_EQ(c.tokens_in("media/lib/t000042", "", 10), std::vector<std::string>{token_of(42)});
}

TEST(CatalogPaging, ARestartedCatalogFindsEverythingInTheStateWithoutLoadingIt) {
  TempDir dir;
  CountingLoader loader;
  {
    auto state = std::shared_ptr<StateStore>(StateStore::open(dir.path + "/state"));
    Catalog c({"media"}, state_catalog_store(state, false), CatalogOptions{64 << 10});
    c.set_loader(loader.fn());
    for (int i = 0; i < 500; ++i) {
      auto r = title(i);
      c.publish(r, media_playlist(r->spec));
      c.publish(r, media_playlist(r->spec));  // again: counted once
    }
    c.publish_text("media", "lib/t000007/master.m3u8", "#EXTM3U master\n");
  }
  auto state = std::shared_ptr<StateStore>(StateStore::open(dir.path + "/state"));
  Catalog c({"media"}, state_catalog_store(state, false), CatalogOptions{64 << 10});
  c.set_loader(loader.fn());
  *loader.calls = 0;
  EXPECT_EQ(c.rendition_count(), 500u);
  EXPECT_EQ(c.cache_stats().renditions, 0u) << "a start loads nothing";
  EXPECT_EQ(c.resolve("media/lib/t000007").kind, CatalogEntry::directory);
  auto master = c.resolve("media/lib/t000007/master.m3u8");
  ASSERT_EQ(master.kind, CatalogEntry::text_file);
  EXPECT_EQ(*master.text, "#EXTM3U master\n");
  EXPECT_EQ(*loader.calls, 0) << "a directory and a master need no rendition";
  auto pl = c.resolve("media/lib/t000007/720p.m3u8");
  ASSERT_EQ(pl.kind, CatalogEntry::text_file);
  EXPECT_EQ(*pl.text, media_playlist(title(7)->spec));
  EXPECT_EQ(*loader.calls, 1);
  EXPECT_EQ(c.list("media/lib").size(), 500u);
  auto t7 = c.list("media/lib/t000007");
  ASSERT_EQ(t7.size(), 2u);
  EXPECT_EQ(t7[0].name, "720p.m3u8");
  EXPECT_EQ(t7[1].name, "master.m3u8");
}

// A stat (FUSE lookup, getattr) is answered from the index entry: a crawl
// of every name loads no rendition and makes no text. An entry of an older
// build (no format recorded) or another media_playlist() format is not
// trusted: its text is made, as before, and its size and format are then
// recorded (unless the entry changed meanwhile).
TEST(CatalogPaging, AStatIsAnsweredFromTheIndexWithoutMakingTheText) {
  TempDir dir;
  CountingLoader loader;
  {
    auto state = std::shared_ptr<StateStore>(StateStore::open(dir.path + "/state"));
    Catalog c({"media"}, state_catalog_store(state, false), CatalogOptions{64 << 10});
    c.set_loader(loader.fn());
    for (int i = 0; i < 3; ++i) {
      auto r = title(i);
      c.publish(r, media_playlist(r->spec), Catalog::TextIs::derived);
    }
    c.publish_text("media", "lib/t000001/master.m3u8", "#EXTM3U master\n");
    // Title 2's entry as a build before the format was recorded wrote it.
    const std::string text2 = media_playlist(title(2)->spec);
    state->write_catalog({{catalog_keys::child_key("media/lib/t000002", "720p.m3u8"),
                           "r" + token_of(2) + " " + std::to_string(text2.size())}},
                         false);
  }
  auto state = std::shared_ptr<StateStore>(StateStore::open(dir.path + "/state"));
  Catalog c({"media"}, state_catalog_store(state, false), CatalogOptions{64 << 10});
  c.set_loader(loader.fn());
  *loader.calls = 0;
  for (int i = 0; i < 2; ++i) {
    const std::string path = "media/lib/t00000" + std::to_string(i) + "/720p.m3u8";
    auto st = c.resolve(path, Catalog::Want::attributes);
    ASSERT_EQ(st.kind, CatalogEntry::text_file) << path;
    EXPECT_EQ(st.size, static_cast<int64_t>(media_playlist(title(i)->spec).size())) << path;
    EXPECT_FALSE(st.text) << path;
  }
  auto master = c.resolve("media/lib/t000001/master.m3u8", Catalog::Want::attributes);
  ASSERT_EQ(master.kind, CatalogEntry::text_file);
  EXPECT_EQ(master.size, 15);
  EXPECT_EQ(*loader.calls, 0) << "a stat loaded a rendition";
  EXPECT_EQ(c.cache_stats().texts, 0u) << "a stat kept a text";
  // Reading makes the text, of that size.
  auto read = c.resolve("media/lib/t000000/720p.m3u8");
  ASSERT_TRUE(read.text);
  EXPECT_EQ(*read.text, media_playlist(title(0)->spec));
  EXPECT_EQ(read.size, static_cast<int64_t>(read.text->size()));
  EXPECT_EQ(*loader.calls, 1);
  // The older entry: its text is made even for a stat.
  auto old = c.resolve("media/lib/t000002/720p.m3u8", Catalog::Want::attributes);
  ASSERT_EQ(old.kind, CatalogEntry::text_file);
  ASSERT_TRUE(old.text);
  EXPECT_EQ(*old.text, media_playlist(title(2)->spec));
  EXPECT_EQ(old.size, static_cast<int64_t>(old.text->size()));
  EXPECT_EQ(*loader.calls, 2);
  // ... once: its entry now records the size and format, so after a restart
  // a stat of it makes nothing (an upgraded state's crawls get fast too).
  EXPECT_EQ(state->get_catalog(catalog_keys::child_key("media/lib/t000002", "720p.m3u8")),
            "r" + token_of(2) + " " + std::to_string(old.size) + " m" + std::to_string(kMediaPlaylistFormat));
  Catalog restarted({"media"}, state_catalog_store(state, false), CatalogOptions{64 << 10});
  restarted.set_loader(loader.fn());
  auto again = restarted.resolve("media/lib/t000002/720p.m3u8", Catalog::Want::attributes);
  ASSERT_EQ(again.kind, CatalogEntry::text_file);
  EXPECT_EQ(again.size, old.size);
  EXPECT_FALSE(again.text);
  EXPECT_EQ(*loader.calls, 2) << "the recorded entry was not trusted";
  // An entry that changed while its text was made is not written over:
  // the loader republishes it (as another text) before the entry is recorded.
  const std::string key1 = catalog_keys::child_key("media/lib/t000001", "720p.m3u8");
  state->write_catalog({{key1, "r" + token_of(1)}}, false);
  Catalog racing({"media"}, state_catalog_store(state, false), CatalogOptions{64 << 10});
  racing.set_loader([&](const std::string& token) -> std::shared_ptr<const PublishedRendition> {
    state->write_catalog({{key1, "t#EXTM3U republished\n"}}, false);
    return token == token_of(1) ? title(1) : nullptr;
  });
  auto raced = racing.resolve("media/lib/t000001/720p.m3u8", Catalog::Want::attributes);
  EXPECT_EQ(raced.kind, CatalogEntry::text_file);
  EXPECT_EQ(state->get_catalog(key1), "t#EXTM3U republished\n") << "the republished entry was overwritten";
}

// The catalog answers a stat with the size it recorded when a playlist was
// published (AStatIsAnsweredFromTheIndexWithoutMakingTheText). If these bytes
// change, bump kMediaPlaylistFormat (m3u8.h) and then this digest: entries
// recorded by older builds are then made again instead of trusted.
TEST(M3u8, MediaPlaylistBytesArePinned) {
  auto r = title(5);
  r->spec.plan = SegmentPlan(Rational{1001, 30000}, {0, 150, 299, 450, 600, 601});
  EXPECT_EQ(kMediaPlaylistFormat, 1);
  EXPECT_EQ(sha256_hex(media_playlist(r->spec)), "8f854a4a5b7ee5df7a163dee94dbbde626e249cc67e6d1df40570e9089adbbd0") << media_playlist(r->spec);
}

TEST(CatalogPaging, UnpublishedPlaylistsLeaveTheMount) {
  Catalog c({"media"}, std::make_shared<MemoryCatalogStore>(), CatalogOptions{64 << 10});
  auto r = title(3);
  c.publish(r, media_playlist(r->spec));
  c.publish_text("media", "lib/t000003/master.m3u8", "#EXTM3U\n");
  ASSERT_EQ(c.rendition_count(), 1u);
  c.unpublish("media/lib/t000003/720p.m3u8");
  c.unpublish("media/lib/t000003/master.m3u8");
  c.unpublish("media/lib/t000003/nothing.m3u8");
  EXPECT_EQ(c.resolve("media/lib/t000003/720p.m3u8").kind, CatalogEntry::none);
  EXPECT_EQ(c.resolve("media/lib/t000003/master.m3u8").kind, CatalogEntry::none);
  EXPECT_EQ(c.resolve("media/lib/t000003/720p-" + token_of(3) + "-0.ts").kind, CatalogEntry::none);  // no loader
  EXPECT_EQ(c.resolve("media/lib/t000003").kind, CatalogEntry::directory);
  EXPECT_TRUE(c.list("media/lib/t000003").empty());
  EXPECT_TRUE(c.tokens_in("media/lib/t000003", "", 10).empty());
  EXPECT_EQ(c.rendition_count(), 0u);
}

TEST(CatalogPaging, StateScansStopAtTheirPrefix) {
  TempDir dir;
  auto state = std::shared_ptr<StateStore>(StateStore::open(dir.path + "/state"));
  state->write_catalog({{"a\xff", "1"}, {"a\xff\xff", "2"}, {"b", "3"}, {"a", "0"}, {"a\xfe", "x"}}, false);
  std::vector<std::string> keys;
  state->scan_catalog("a\xff", "", [&](const std::string& k, const std::string&) {
    keys.push_back(k);
    return true;
  });
  EXPECT_EQ(keys, (std::vector<std::string>{"a\xff", "a\xff\xff"}));
  keys.clear();
  state->scan_catalog("a", "a\xfe", [&](const std::string& k, const std::string&) {
    keys.push_back(k);
    return true;
  });
  EXPECT_EQ(keys, (std::vector<std::string>{"a\xff", "a\xff\xff"}));
  state->write_catalog({{"a\xff", std::nullopt}}, false);
  EXPECT_FALSE(state->get_catalog("a\xff"));
  EXPECT_EQ(state->get_catalog("b"), "3");
}

TEST(DirListing, PagesOfAnyLengthResumeFromTheirCursorsExactlyOnce) {
  TempDir dir;
  auto state = std::shared_ptr<StateStore>(StateStore::open(dir.path + "/state"));
  Catalog c({"media"}, state_catalog_store(state, false), CatalogOptions{32 << 10});
  CountingLoader loader;
  c.set_loader(loader.fn());
  // 300 titles in one directory, so their renditions live there too; two of
  // them have segments made (one remote only: not listed).
  std::vector<std::string> want{".", ".."};
  for (int i = 0; i < 300; ++i) {
    auto r = title(i);
    r->spec.target_uri = "file:///srv/media/flat/p" + std::to_string(i);
    r->dir = "flat/";
    c.publish(r, "#EXTM3U " + std::to_string(i) + "\n");
  }
  std::set<std::string> playlists;
  for (int i = 0; i < 300; ++i) playlists.insert("p" + std::to_string(i) + ".m3u8");
  want.insert(want.end(), playlists.begin(), playlists.end());
  SegmentRecord local{100, "", SegmentRecord::kLocal, 1, 1}, remote{100, "", SegmentRecord::kRemote, 1, 1};
  for (uint32_t n : {0u, 2u}) state->put_segment(token_of(5), n, local);
  state->put_segment(token_of(9), 1, remote);
  state->put_segment(token_of(9), 0, local);
  // The loader rebuilds a title's usual place; these live in flat/: a loader
  // of their own, noting what it loaded (a listing loads only renditions
  // with segments to list).
  auto loaded = std::make_shared<std::set<std::string>>();
  c.set_loader([loaded](const std::string& token) -> std::shared_ptr<const PublishedRendition> {
    loaded->insert(token);
    long i = static_cast<long>(std::stoul(token.substr(24), nullptr, 16)) - 1;
    auto r = title(i);
    r->spec.target_uri = "file:///srv/media/flat/p" + std::to_string(i);
    r->dir = "flat/";
    return r;
  });
  want.push_back("p5-" + token_of(5) + "-0.ts");
  want.push_back("p5-" + token_of(5) + "-2.ts");
  want.push_back("p9-" + token_of(9) + "-0.ts");
  for (size_t page : {1u, 7u, 64u, 1000u}) {
    std::vector<std::string> got;
    DirCursor from;
    while (true) {
      size_t in_page = 0;
      DirCursor last = from;
      list_directory(c, state.get(), "media/flat", from, [&](const std::string& name, bool, const DirCursor& after) {
        if (in_page == page) return false;
        ++in_page;
        got.push_back(name);
        last = after;
        return true;
      });
      if (in_page == 0) break;
      from = last;
    }
    EXPECT_EQ(got, want) << "pages of " << page;
  }
  EXPECT_EQ(*loaded, (std::set<std::string>{token_of(5), token_of(9)}));
  // An open directory finds the cursors of its last two replies only.
  OpenDirectory od("media/flat");
  od.handed_out({{1, DirCursor{DirCursor::after_dot, "", 0}}});
  od.handed_out({{2, DirCursor{DirCursor::after_dotdot, "", 0}}});
  EXPECT_TRUE(od.cursor_at(1));
  EXPECT_TRUE(od.cursor_at(2));
  od.handed_out({{3, DirCursor{DirCursor::after_child, "p0.m3u8", 0}}});
  EXPECT_FALSE(od.cursor_at(1));
  EXPECT_EQ(od.cursor_at(3)->name, "p0.m3u8");
  EXPECT_EQ(od.cursor_at(0)->phase, DirCursor::start);
}

TEST(InodeTable, ForgetsWhatTheKernelForgetsAndNeverReusesANumber) {
  InodeTable t;
  EXPECT_EQ(t.size(), 1u);  // the root
  EXPECT_EQ(t.path_of(InodeTable::kRoot), "");
  uint64_t a = t.lookup("media/a");
  EXPECT_EQ(t.lookup("media/a"), a);  // counted twice
  uint64_t b = t.lookup("media/b");
  EXPECT_NE(a, b);
  EXPECT_EQ(t.size(), 3u);
  t.forget(a, 1);
  EXPECT_EQ(t.path_of(a), "media/a");  // one lookup left
  t.forget(a, 1);
  EXPECT_FALSE(t.path_of(a));
  EXPECT_FALSE(t.peek("media/a"));
  uint64_t a2 = t.lookup("media/a");
  EXPECT_NE(a2, a) << "a forgotten number came back";
  EXPECT_NE(a2, b);
  t.forget(b, 5);  // more than it had: gone, no underflow
  t.forget(a2, 1);
  t.forget(12345, 1);           // unknown: ignored
  t.forget(InodeTable::kRoot, 100);  // the root stays
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.path_of(InodeTable::kRoot), "");
  for (int i = 0; i < 10000; ++i) t.forget(t.lookup("x/" + std::to_string(i)), 1);
  EXPECT_EQ(t.size(), 1u);
}

TEST(InodeTable, GivesBackItsBucketsWhenTheKernelForgetsACrawl) {
  InodeTable t;
  const size_t empty = t.buckets();
  std::vector<uint64_t> ids;
  for (int i = 0; i < 50000; ++i) ids.push_back(t.lookup("lib/t" + std::to_string(i)));
  EXPECT_GT(t.buckets(), 100000u);
  for (size_t i = 0; i < ids.size(); ++i) {
    t.forget(ids[i], 1);
    if (i == 24999) {  // half forgotten: still sized for them
      EXPECT_GE(t.buckets(), 50000u);
      EXPECT_EQ(t.path_of(ids[25000]), "lib/t25000");
    }
  }
  EXPECT_EQ(t.size(), 1u);
  EXPECT_LE(t.buckets(), std::max<size_t>(empty, 2 * 64 + 2)) << "the buckets of 50,000 names stayed";
  EXPECT_EQ(t.path_of(InodeTable::kRoot), "");
  EXPECT_EQ(t.lookup("lib/again"), ids.back() + 1);  // numbers still never reused
}

TEST(HeapReturnSchedule, TrimsAtEachHalvingOfACrawlsForgetsAndNotForSmallTables) {
  HeapReturnSchedule s;
  for (size_t n = 1; n <= 5000; n += 100) EXPECT_FALSE(s.should_trim(n));
  for (size_t n = 5000; n > 0; n -= 100) EXPECT_FALSE(s.should_trim(n)) << n << " of a peak of 5,000";
  // A crawl of 50,000 names, then the kernel forgets them in batches of 500.
  for (size_t n = 500; n <= 50000; n += 500) EXPECT_FALSE(s.should_trim(n));
  std::vector<size_t> trimmed;
  for (size_t n = 50000; n > 0;) {
    n -= 500;
    if (s.should_trim(n)) trimmed.push_back(n);
  }
  EXPECT_EQ(trimmed, (std::vector<size_t>{25000, 12500, 6000, 3000, 1500, 500, 0})) << "halvings, down to an idle table";
  EXPECT_FALSE(s.should_trim(0));
  // A second crawl trims again.
  EXPECT_FALSE(s.should_trim(40000));
  EXPECT_TRUE(s.should_trim(20000));
}

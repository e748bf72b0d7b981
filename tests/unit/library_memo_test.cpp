#include "actors/library/title_memo.h"

#include <gtest/gtest.h>

#include "hlsfs/source_version.h"

namespace hlsfs {
namespace {

using V = TitleMemo::Verdict;

TEST(TitleMemo, CurrentChangedUnknown) {
  TitleMemo m;
  SourceStamp v1{100, 1000, ""}, v2{100, 2000, ""}, v3{101, 1000, ""};
  EXPECT_EQ(m.check("movies/a.mkv", v1), V::unknown);
  m.published("movies/a.mkv", v1, "tok1");
  EXPECT_EQ(m.check("movies/a.mkv", v1), V::current);
  EXPECT_EQ(m.check("movies/a.mkv", v2), V::changed);  // touched
  EXPECT_EQ(m.check("movies/a.mkv", v3), V::changed);  // rewritten
  EXPECT_EQ(m.check("movies/b.mkv", v1), V::unknown);
  EXPECT_EQ(m.forget("movies/a.mkv"), std::optional<std::string>("tok1"));
  EXPECT_EQ(m.check("movies/a.mkv", v1), V::unknown);
  EXPECT_EQ(m.forget("movies/a.mkv"), std::nullopt);
}

TEST(TitleMemo, BrokenOnceUntilTheFileChanges) {
  TitleMemo m;
  SourceStamp bad{10, 1, ""}, fixed{2000, 2, ""};
  EXPECT_TRUE(m.broken("movies/x.mp4", bad));   // logged
  EXPECT_FALSE(m.broken("movies/x.mp4", bad));  // not again
  EXPECT_EQ(m.check("movies/x.mp4", bad), V::broken);
  EXPECT_TRUE(m.is_broken("movies/x.mp4", bad));
  EXPECT_FALSE(m.is_broken("movies/x.mp4", fixed));
  EXPECT_EQ(m.check("movies/x.mp4", fixed), V::unknown);  // tried again
  m.published("movies/x.mp4", fixed, "t");
  EXPECT_FALSE(m.is_broken("movies/x.mp4", bad));
  EXPECT_TRUE(m.broken("movies/x.mp4", SourceStamp{3, 3, ""}));  // broken again later: said again
}

TEST(TitleMemo, ForgetUnderADirectory) {
  TitleMemo m;
  m.published("movies/d/a.mkv", {1, 1, ""}, "ta");
  m.published("movies/d/e/b.mkv", {1, 1, ""}, "tb");
  m.published("movies/dd.mkv", {1, 1, ""}, "tc");
  auto gone = m.forget_under("movies/d/");
  EXPECT_EQ(gone, (std::vector<std::string>{"ta", "tb"}));
  EXPECT_EQ(m.published_count(), 1u);
}

}  // namespace
}  // namespace hlsfs

namespace hlsfs {
namespace {

TEST(TitleMemo, StaysBoundedHoweverLargeTheLibrary) {
  TitleMemo m;
  for (size_t i = 0; i < TitleMemo::kRemembered; ++i) m.published("movies/" + std::to_string(i) + ".mkv", {1, 1, ""}, "t");
  EXPECT_EQ(m.published_count(), TitleMemo::kRemembered);
  m.published("movies/0.mkv", {1, 2, ""}, "t");  // one it has: kept
  EXPECT_EQ(m.published_count(), TitleMemo::kRemembered);
  m.published("movies/new.mkv", {1, 1, ""}, "t");  // one more: all forgotten (the catalog still knows)
  EXPECT_EQ(m.published_count(), 1u);
  EXPECT_EQ(m.check("movies/5.mkv", {1, 1, ""}), TitleMemo::Verdict::unknown);
}

}  // namespace
}  // namespace hlsfs

namespace hlsfs {
namespace {

// A file replaced by one of the same size with its mtime set back: only its
// inode (a rename over it) or its ctime (a write in place) tells.
TEST(TitleMemo, SameSizeAndMtimeButAnotherInodeOrCtimeIsAChange) {
  TitleMemo m;
  SourceStamp v1{100, 1000, "", 7, 5000};
  m.published("movies/a.mkv", v1, "tok1");
  EXPECT_EQ(m.check("movies/a.mkv", v1), TitleMemo::Verdict::current);
  EXPECT_EQ(m.check("movies/a.mkv", SourceStamp{100, 1000, "", 8, 5000}), TitleMemo::Verdict::changed);  // renamed over
  EXPECT_EQ(m.check("movies/a.mkv", SourceStamp{100, 1000, "", 7, 6000}), TitleMemo::Verdict::changed);  // rewritten
}

TEST(SourceVersion, LocalVersionsRoundTrip) {
  EXPECT_EQ(local_file_version(1700000000123456789, 42, 1700000001000000000), "1700000000123456789:i42:c1700000001000000000");
  EXPECT_EQ(local_file_version(5, 42, 0), "5:i42");
  EXPECT_EQ(local_file_version(5, 0, 9), "5");  // no inode known: as before
  auto v = parse_local_version("1700000000123456789:i42:c1700000001000000000");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->mtime_ns, 1700000000123456789);
  EXPECT_EQ(v->ino, std::optional<uint64_t>(42));
  EXPECT_EQ(v->ctime_ns, std::optional<int64_t>(1700000001000000000));
  EXPECT_TRUE(parse_local_version("-5"));  // before 1970
  for (const char* etag : {"", "\"abc\"", "d41d8cd98f00b204e9800998ecf8427e", "5:x1", "5:c1", "5:i1:i2", "5:i", "5:", ":i1", "5:i1:c2:c3"})
    EXPECT_FALSE(parse_local_version(etag)) << etag;
  EXPECT_EQ(without_ctime("5:i42:c9"), "5:i42");
  EXPECT_EQ(without_ctime("5:i42"), "5:i42");
  EXPECT_EQ(without_ctime("5"), "5");
  EXPECT_EQ(without_ctime("d41d8cd98f00b204e9800998ecf8427e"), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_TRUE(is_mtime_only_version("5"));
  EXPECT_FALSE(is_mtime_only_version("5:i42"));
  EXPECT_FALSE(is_mtime_only_version("\"etag\""));
}

// A record is checked on the fields it holds: a library title's (all three)
// sees any rewrite, a generated title's (mtime, inode) a rename over its
// source but not a chmod, and one made before inodes were (mtime alone)
// keeps serving as it did.
TEST(SourceVersion, ARecordIsCheckedOnTheFieldsItHolds) {
  const std::string now = local_file_version(5, 42, 9);
  EXPECT_TRUE(same_source_version("5:i42:c9", now));
  EXPECT_FALSE(same_source_version("5:i42:c8", now));  // rewritten in place, mtime set back
  EXPECT_FALSE(same_source_version("5:i41:c9", now));  // renamed over
  EXPECT_FALSE(same_source_version("6:i42:c9", now));
  EXPECT_TRUE(same_source_version("5:i42", now));      // generated: a chmod (ctime) is no change
  EXPECT_FALSE(same_source_version("5:i41", now));     // but a rename over it is
  EXPECT_TRUE(same_source_version("5", now));          // an old record: as before, mtime only
  EXPECT_FALSE(same_source_version("4", now));
  EXPECT_TRUE(same_source_version("\"etag\"", "\"etag\""));  // object stores: the ETag
  EXPECT_FALSE(same_source_version("\"etag\"", "\"other\""));
  EXPECT_FALSE(same_source_version("5", "\"5\""));
}

}  // namespace
}  // namespace hlsfs

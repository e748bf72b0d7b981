#include "actors/library/title_memo.h"

#include <gtest/gtest.h>

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

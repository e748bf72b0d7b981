// Output size from Resolution / ScaleType / ResolutionOption.
#include <gtest/gtest.h>

#include "actors/playlist/geometry.h"

using namespace hlsfs;

namespace {
VideoRequest ask(std::optional<int> w, std::optional<int> h, ScaleType s = ScaleType::stretch,
                 ValueOption o = ValueOption::adaptive) {
  VideoRequest v;
  v.width = w;
  v.height = h;
  v.scale_type = s;
  v.resolution_option = o;
  return v;
}
const SourcePicture k1080{1920, 1080, {1, 1}, 0};
}  // namespace

TEST(Geometry, OneEdgeKeepsTheAspect) {
  auto g = compute_geometry(k1080, ask(1280, std::nullopt));
  EXPECT_EQ(g.width, 1280);
  EXPECT_EQ(g.height, 720);
  g = compute_geometry(k1080, ask(std::nullopt, 720));
  EXPECT_EQ(g.width, 1280);
  g = compute_geometry(k1080, ask(720, std::nullopt));  // IMM's 720x -> 720x406 (405 rounded to even)
  EXPECT_EQ(g.width, 720);
  EXPECT_EQ(g.height, 406);
}

TEST(Geometry, NoResolutionMeansTheDisplayedSize) {
  auto g = compute_geometry({853, 479, {1, 1}, 0}, ask(std::nullopt, std::nullopt));
  EXPECT_EQ(g.width, 854);  // nearest even
  EXPECT_EQ(g.height, 480);
}

TEST(Geometry, SampleAspectRatioIsHonoured) {
  // DVD PAL 16:9: 720x576 with SAR 64:45 displays as 1024x576.
  auto g = compute_geometry({720, 576, {64, 45}, 0}, ask(std::nullopt, std::nullopt));
  EXPECT_EQ(g.width, 1024);
  EXPECT_EQ(g.height, 576);
  g = compute_geometry({720, 576, {64, 45}, 0}, ask(std::nullopt, 360));
  EXPECT_EQ(g.width, 640);
}

TEST(Geometry, RotationSwapsTheEdges) {
  SourcePicture portrait{1920, 1080, {1, 1}, 90};
  auto g = compute_geometry(portrait, ask(720, std::nullopt));
  EXPECT_EQ(g.rotation, 90);
  EXPECT_EQ(g.width, 720);
  EXPECT_EQ(g.height, 1280);
  VideoRequest extra = ask(std::nullopt, std::nullopt);
  extra.rotation = 270;  // the request's own rotation adds up
  EXPECT_EQ(compute_geometry(portrait, extra).rotation, 0);
}

TEST(Geometry, StretchIsExact) {
  auto g = compute_geometry(k1080, ask(640, 640));
  EXPECT_EQ(g.width, 640);
  EXPECT_EQ(g.height, 640);
  EXPECT_EQ(g.scale_w, 640);
  EXPECT_EQ(g.scale_h, 640);
}

TEST(Geometry, FitFollowsTheSourceAspect) {
  auto g = compute_geometry(k1080, ask(1280, 1280, ScaleType::fit));
  EXPECT_EQ(g.width, 1280);
  EXPECT_EQ(g.height, 720);
  EXPECT_EQ(g.pad_x + g.pad_y + g.crop_x + g.crop_y, 0);
}

TEST(Geometry, FillPadsAroundTheCentre) {
  auto g = compute_geometry(k1080, ask(1280, 1280, ScaleType::fill));
  EXPECT_EQ(g.width, 1280);
  EXPECT_EQ(g.height, 1280);
  EXPECT_EQ(g.scale_h, 720);
  EXPECT_EQ(g.pad_y, 280);
  EXPECT_EQ(g.pad_x, 0);
}

TEST(Geometry, CropCutsAroundTheCentre) {
  auto g = compute_geometry(k1080, ask(720, 720, ScaleType::crop));
  EXPECT_EQ(g.width, 720);
  EXPECT_EQ(g.height, 720);
  EXPECT_EQ(g.scale_w, 1280);
  EXPECT_EQ(g.scale_h, 720);
  EXPECT_EQ(g.crop_x, 280);
  EXPECT_EQ(g.crop_y, 0);
}

TEST(Geometry, AdaptiveNeverUpscales) {
  SourcePicture small{640, 360, {1, 1}, 0};
  auto g = compute_geometry(small, ask(1280, std::nullopt));
  EXPECT_EQ(g.width, 640);
  EXPECT_EQ(g.height, 360);
  g = compute_geometry(small, ask(1280, 1280, ScaleType::fill));  // the box shrinks with the picture
  EXPECT_EQ(g.width, 640);
  EXPECT_EQ(g.height, 640);
  EXPECT_EQ(g.pad_y, 140);
  g = compute_geometry(small, ask(480, 480));  // stretch: each edge capped
  EXPECT_EQ(g.width, 480);
  EXPECT_EQ(g.height, 360);
}

TEST(Geometry, FixedUpscalesAndFallRefuses) {
  SourcePicture small{640, 360, {1, 1}, 0};
  auto g = compute_geometry(small, ask(1280, std::nullopt, ScaleType::stretch, ValueOption::fixed));
  EXPECT_EQ(g.width, 1280);
  EXPECT_EQ(g.height, 720);
  try {
    compute_geometry(small, ask(1280, std::nullopt, ScaleType::stretch, ValueOption::fall), "Targets[0].Video");
    FAIL() << "fall must refuse a smaller source";
  } catch (const RequestError& e) {
    EXPECT_EQ(e.field, "Targets[0].Video.ResolutionOption");
    EXPECT_NE(std::string(e.what()).find("640x360"), std::string::npos);
  }
}

TEST(Geometry, AdaptiveResolutionDirectionFollowsThePortraitSource) {
  VideoRequest v = ask(1280, 720, ScaleType::fit);
  v.adaptive_resolution_direction = true;
  auto g = compute_geometry({1080, 1920, {1, 1}, 0}, v);
  EXPECT_EQ(g.width, 720);
  EXPECT_EQ(g.height, 1280);
}

TEST(Geometry, EdgesAreAlwaysEven) {
  for (int w = 100; w < 140; ++w)
    for (int h = 50; h < 80; ++h) {
      auto g = compute_geometry({w, h, {1, 1}, 0}, ask(99, std::nullopt, ScaleType::stretch, ValueOption::fixed));
      EXPECT_EQ(g.width % 2, 0);
      EXPECT_EQ(g.height % 2, 0);
    }
}

// A request's Tags as S3/OSS object tags: the header value and the limits.
#include <gtest/gtest.h>

#include "actors/storage/object_tags.h"

using namespace hlsfs;

TEST(ObjectTags, UrlEncodedPairsInKeyOrder) {
  EXPECT_EQ(object_tagging({}), "");
  EXPECT_EQ(object_tagging({{"team", "video"}, {"a", "x y/z"}}), "a=x%20y%2Fz&team=video");
  EXPECT_EQ(object_tagging({{"k=1", "a&b"}}), "k%3D1=a%26b");
  EXPECT_EQ(object_tagging({{"lang", "日本"}}), "lang=%E6%97%A5%E6%9C%AC");
}

TEST(ObjectTags, WhatS3AndOssRefuseIsNamed) {
  EXPECT_EQ(object_tags_problem({{"team", "video"}, {"path", "a/b:c@d+e=f.g_h-i j"}}), "");
  std::map<std::string, std::string> eleven;
  for (int i = 0; i < 11; ++i) eleven["k" + std::to_string(i)] = "v";
  EXPECT_NE(object_tags_problem(eleven).find("at most 10"), std::string::npos);
  EXPECT_NE(object_tags_problem({{std::string(129, 'k'), "v"}}).find("1 to 128"), std::string::npos);
  EXPECT_EQ(object_tags_problem({{std::string(128, 'k'), std::string(256, 'v')}}), "");
  EXPECT_NE(object_tags_problem({{"k", std::string(257, 'v')}}).find("at most 256"), std::string::npos);
  EXPECT_NE(object_tags_problem({{"aws:x", "v"}}).find("reserved"), std::string::npos);
  EXPECT_EQ(object_tags_problem({{"k", "a&b"}}).rfind("Tags.k:", 0), 0u);
  EXPECT_EQ(object_tags_problem({{"日本", "日本語"}}), "");  // letters of any script
}

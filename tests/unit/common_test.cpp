// The helpers of common/ (include/hlsfs): percent-decoding, base64, joining
// mount paths.
#include <gtest/gtest.h>

#include <string>

#include "hlsfs/base64.h"
#include "hlsfs/path_join.h"
#include "hlsfs/percent_decode.h"

using hlsfs::percent_decode;
namespace percent = hlsfs::percent;

TEST(PercentDecode, DecodesEscapesOfEitherCase) {
  EXPECT_EQ(percent_decode("a%20b%2Bc/%E1%88%B4%e2%82%ac"), "a b+c/\xE1\x88\xB4\xE2\x82\xAC");
  EXPECT_EQ(percent_decode(""), "");
  EXPECT_EQ(percent_decode("%41"), "A");
  EXPECT_EQ(percent_decode("\xFF%41\x80"), "\xFF" "A\x80");  // bytes beyond ASCII pass as they are
  EXPECT_EQ(percent_decode("%2e%2e/%2F"), "../\x2F");          // the caller judges what decoding made
}

TEST(PercentDecode, PlusIsASpaceOnlyWhenAsked) {
  EXPECT_EQ(percent_decode("a+b%2Bc"), "a+b+c");
  EXPECT_EQ(percent_decode("a+b%2Bc", percent::plus_is_space), "a b+c");  // S3's encoding-type=url
}

TEST(PercentDecode, MalformedEscapesAreKeptOrRefusedWhenStrict) {
  for (const char* bad : {"100%", "%zz%4", "%", "%4", "a%g1", "%%41"}) {
    EXPECT_EQ(percent_decode(bad), std::string(bad) == "%%41" ? "%A" : bad) << bad;
    EXPECT_EQ(percent_decode(bad, percent::strict), std::nullopt) << bad;
  }
  EXPECT_EQ(percent_decode("a%20b", percent::strict | percent::plus_is_space), "a b");
}

TEST(PercentDecode, NulIsAlwaysRefused) {
  for (unsigned flags : {0u, percent::strict, percent::plus_is_space})
    for (const char* s : {"%00", "a%00b", "dir/%00/../x"}) EXPECT_EQ(percent_decode(s, flags), std::nullopt) << s;
  EXPECT_EQ(percent_decode("%000"), std::nullopt);
  EXPECT_EQ(percent_decode("%0"), "%0");  // not an escape: kept
}

// RFC 4648 section 10's test vectors, and the two characters base64url changes.
TEST(Base64, Rfc4648Vectors) {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* padded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  const char* url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(hlsfs::base64(plain[i]), padded[i]) << plain[i];
    EXPECT_EQ(hlsfs::base64url(plain[i]), url[i]) << plain[i];
  }
  EXPECT_EQ(hlsfs::base64("\xFB\xFF\xBF"), "+/+/");
  EXPECT_EQ(hlsfs::base64url("\xFB\xFF\xBF"), "-_-_");
  EXPECT_EQ(hlsfs::base64url("\xFB\xFF"), "-_8");
  EXPECT_EQ(hlsfs::base64(std::string(3, '\0')), "AAAA");  // bytes, not a C string
}

TEST(JoinPath, EmptyPartsAddNothing) {
  EXPECT_EQ(hlsfs::join_path("media", "out/a.m3u8"), "media/out/a.m3u8");
  EXPECT_EQ(hlsfs::join_path("", "a.ts"), "a.ts");
  EXPECT_EQ(hlsfs::join_path("media", ""), "media");
  EXPECT_EQ(hlsfs::join_path("", ""), "");
}

TEST(PercentEncode, UnreservedKeptTheRestEscapedAndDecodedBack) {
  EXPECT_EQ(hlsfs::percent_encode("file:///m/a b+c.mp4"), "file%3A%2F%2F%2Fm%2Fa%20b%2Bc.mp4");
  EXPECT_EQ(hlsfs::percent_encode("a/b~c", true), "a/b~c");
  EXPECT_EQ(hlsfs::percent_encode("\xff"), "%FF");
  std::string all;
  for (int c = 1; c < 256; ++c) all += static_cast<char>(c);
  EXPECT_EQ(hlsfs::percent_decode(hlsfs::percent_encode(all)), all);
}

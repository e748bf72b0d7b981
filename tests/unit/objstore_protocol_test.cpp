// The protocol pieces of the object-store plugins that need no object
// store: encodings, S3 XML replies, the HTTP exchange's framing checks (against
// a canned loopback server), the retry policy, configuration and credential
// files, date formats.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "backends/objstore/config.h"
#include "backends/objstore/encode.h"
#include "backends/objstore/http.h"
#include "backends/objstore/keys.h"
#include "backends/objstore/replies.h"
#include "backends/objstore/request.h"
#include "backends/objstore/retry.h"
#include "backends/objstore/store.h"
#include "backends/objstore/timefmt.h"
#include "backends/objstore/xml.h"
#include "backends/s3/aws_credentials.h"
#include "hlsfs/percent_decode.h"

using namespace objstore;

// ---- encodings ----

TEST(ObjstoreEncoding, Rfc3986KeepsOnlyUnreservedAndSlashInKeys) {
  EXPECT_EQ(uri_encode("movies/a b+c.mp4", true), "movies/a%20b%2Bc.mp4");
  EXPECT_EQ(uri_encode("movies/a b+c.mp4", false), "movies%2Fa%20b%2Bc.mp4");
  EXPECT_EQ(uri_encode("-._~AZaz09", false), "-._~AZaz09");
  EXPECT_EQ(uri_encode("$&'()*,;=:@!?#[]%", true), "%24%26%27%28%29%2A%2C%3B%3D%3A%40%21%3F%23%5B%5D%25");
  EXPECT_EQ(uri_encode("\xE1\x88\xB4/\xC3\xA9", true), "%E1%88%B4/%C3%A9");  // UTF-8 bytes, upper-case hex
}

// Listed keys are decoded by hlsfs::percent_decode (tested in common_test.cpp).
TEST(ObjstoreEncoding, EncodedKeysDecodeBack) {
  for (std::string key : {"plain", "sp ace/pl+us/%25/\xE2\x82\xAC"})
    EXPECT_EQ(hlsfs::percent_decode(uri_encode(key, true), hlsfs::percent::plus_is_space), key);
}

TEST(ObjstoreEncoding, QueryIsSentSortedWithBareEmptyValues) {
  EXPECT_EQ(encode_query({{"uploadId", "a/b c"}, {"partNumber", "2"}}), "partNumber=2&uploadId=a%2Fb%20c");
  EXPECT_EQ(encode_query({{"uploads", ""}}), "uploads");
  EXPECT_EQ(encode_query({}), "");
}

TEST(ObjstoreEncoding, HeaderValuesAreTrimmedAndCollapsed) {
  EXPECT_EQ(trim_collapse("  a   b \t c  "), "a b c");
  EXPECT_EQ(trim_collapse(""), "");
}

TEST(ObjstoreKeys, RefusesWhatNoPathCanName) {
  EXPECT_EQ(key_problem("movies/a.mp4"), "");
  EXPECT_EQ(key_problem("a b/c+d.ts"), "");
  EXPECT_NE(key_problem(""), "");
  EXPECT_NE(key_problem("/abs"), "");
  EXPECT_NE(key_problem("a//b"), "");
  EXPECT_NE(key_problem("a/"), "");
  EXPECT_NE(key_problem("a/../b"), "");
  EXPECT_NE(key_problem("./b"), "");
  EXPECT_EQ(prefix_problem(""), "");
  EXPECT_EQ(prefix_problem("dir/"), "");
  EXPECT_EQ(prefix_problem("dir/na"), "");
  EXPECT_NE(prefix_problem("/dir"), "");
  EXPECT_NE(prefix_problem("../x"), "");
}

// ---- XML replies ----

TEST(ObjstoreXml, ParsesElementsEntitiesAndCdata) {
  XmlNode root;
  std::string why;
  ASSERT_TRUE(parse_xml("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c --><a:R xmlns:a=\"x\" k='>'>"
                        "<K>&lt;1&amp;2&gt; &#233;&#x20AC;</K><E/><C><![CDATA[<raw>]]></C></a:R>",
                        &root, &why))
      << why;
  EXPECT_EQ(root.name, "R");
  EXPECT_EQ(root.child_text("K"), "<1&2> \xC3\xA9\xE2\x82\xAC");
  ASSERT_NE(root.child("E"), nullptr);
  EXPECT_EQ(root.child_text("C"), "<raw>");
  EXPECT_EQ(root.child("Missing"), nullptr);
}

TEST(ObjstoreXml, RefusesBrokenDocuments) {
  XmlNode root;
  std::string why;
  EXPECT_FALSE(parse_xml("<a><b></a></b>", &root, &why));
  EXPECT_NE(why.find("closes"), std::string::npos);
  EXPECT_FALSE(parse_xml("<a>", &root, &why));
  EXPECT_FALSE(parse_xml("<a>&bogus;</a>", &root, &why));
  EXPECT_FALSE(parse_xml("", &root, &why));
  EXPECT_FALSE(parse_xml("<a/>trailing", &root, &why));
  EXPECT_FALSE(parse_xml(std::string(1000, '<'), &root, &why));  // bounded depth, no stack overflow
}

// A character reference that names no XML character (NUL, a UTF-16
// surrogate, beyond U+10FFFF) or is not plain digits would put bytes into
// keys and messages that no well-formed reply can hold: the reply is refused,
// naming the reference.
TEST(ObjstoreXml, RefusesCharacterReferencesToNoCharacter) {
  for (const char* ref : {"&#0;", "&#x0;", "&#x00000;", "&#xD800;", "&#55296;", "&#xDBFF;", "&#xDC00;", "&#xDFFF;",
                          "&#57343;", "&#x110000;", "&#1114112;", "&#xFFFFFFFF;", "&#4294967297;", "&#x100000041;", "&#-1;",
                          "&#+65;", "&# 65;", "&#x-41;", "&#x+41;", "&#x 41;", "&#0x41;", "&#;", "&#x;", "&#12a;",
                          "&#xG;"}) {
    XmlNode root;
    std::string why;
    std::string doc = std::string("<Error><Key>a") + ref + "b</Key></Error>";
    EXPECT_FALSE(parse_xml(doc, &root, &why)) << ref << " was accepted as \"" << root.child_text("Key") << "\"";
    EXPECT_NE(why.find(std::string("bad character reference ") + ref), std::string::npos) << ref << ": " << why;
  }
  // The edges that are characters still decode.
  XmlNode root;
  std::string why;
  ASSERT_TRUE(parse_xml("<K>&#9;&#x41;&#xD7FF;&#xE000;&#xFFFD;&#x10FFFF;&#1114111;</K>", &root, &why)) << why;
  EXPECT_EQ(root.text, "\tA\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBD\xF4\x8F\xBF\xBF\xF4\x8F\xBF\xBF");
}

// XML cannot carry a NUL byte, raw or as a reference: a reply holding one is
// refused whole, never cut there (keys and messages become C strings later).
TEST(ObjstoreXml, RefusesRawNulBytes) {
  using namespace std::string_literals;
  for (const std::string& doc : {"<Error><Key>a\0/../b</Key></Error>"s, "<a/>\0<b/>"s, "\0<a/>"s, "<a k='\0'/>"s}) {
    XmlNode root;
    std::string why;
    EXPECT_FALSE(parse_xml(doc, &root, &why)) << "accepted as \"" << root.child_text("Key") << "\"";
    EXPECT_NE(why.find("NUL byte"), std::string::npos) << why;
  }
}

TEST(ObjstoreReplies, ParsesAListObjectsV2Page) {
  // Shaped like the ListObjectsV2 example of the S3 API reference, with
  // encoding-type=url keys and a continuation token.
  const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name>
  <Prefix>media%2F</Prefix>
  <KeyCount>3</KeyCount>
  <MaxKeys>3</MaxKeys>
  <EncodingType>url</EncodingType>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <Contents>
    <Key>media/a+b%2Bc.mp4</Key>
    <LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
    <Size>434234</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>media/dir/</Key>
    <LastModified>2009-10-12T17:50:31.500Z</LastModified>
    <ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag>
    <Size>0</Size>
  </Contents>
  <Contents>
    <Key>media/%E2%82%AC.ts</Key>
    <LastModified>2024-02-29T23:59:59Z</LastModified>
    <ETag>"9b2cf535f27731c974343645a3985328-3"</ETag>
    <Size>1</Size>
  </Contents>
</ListBucketResult>)";
  ListPage page;
  std::string why;
  ASSERT_TRUE(parse_list_page(xml, &page, &why)) << why;
  ASSERT_EQ(page.objects.size(), 3u);
  EXPECT_EQ(page.objects[0].key, "media/a b+c.mp4");
  EXPECT_EQ(page.objects[0].size, 434234);
  EXPECT_EQ(page.objects[0].etag, "fba9dede5f27731c9771645a39863328");
  EXPECT_EQ(page.objects[0].mtime_ns, 1255369830LL * 1000000000LL);
  EXPECT_EQ(page.objects[1].key, "media/dir/");
  EXPECT_EQ(page.objects[1].mtime_ns, 1255369831LL * 1000000000LL + 500000000LL);
  EXPECT_EQ(page.objects[2].key, "media/\xE2\x82\xAC.ts");
  EXPECT_EQ(page.objects[2].etag, "9b2cf535f27731c974343645a3985328-3");
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

// A listing with delimiter "/": each "directory" rolled up into one
// CommonPrefixes entry (url-encoded like the keys).
TEST(ObjstoreReplies, ListWithADelimiterHasCommonPrefixes) {
  ListPage page;
  std::string why;
  ASSERT_TRUE(parse_list_page("<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
                              "<Contents><Key>m/a.mp4</Key><Size>5</Size></Contents>"
                              "<CommonPrefixes><Prefix>m/b%20c/</Prefix></CommonPrefixes>"
                              "<CommonPrefixes><Prefix>m/d/</Prefix></CommonPrefixes></ListBucketResult>",
                              &page, &why))
      << why;
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_EQ(page.prefixes, (std::vector<std::string>{"m/b c/", "m/d/"}));
}

TEST(ObjstoreReplies, ListWithoutEncodingTypeKeepsKeysAsTheyAre) {
  ListPage page;
  std::string why;
  ASSERT_TRUE(parse_list_page("<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a+b%20</Key>"
                              "<Size>5</Size></Contents></ListBucketResult>",
                              &page, &why));
  EXPECT_EQ(page.objects.at(0).key, "a+b%20");
  EXPECT_FALSE(page.truncated);
  // An empty listing, and replies that are not listings.
  ASSERT_TRUE(parse_list_page("<ListBucketResult><KeyCount>0</KeyCount></ListBucketResult>", &page, &why));
  EXPECT_TRUE(page.objects.empty());
  EXPECT_FALSE(parse_list_page("<Error><Code>AccessDenied</Code></Error>", &page, &why));
  EXPECT_NE(why.find("Error"), std::string::npos);
  EXPECT_FALSE(parse_list_page("<html>", &page, &why));
  // Truncated without a token would list the same page forever.
  EXPECT_FALSE(parse_list_page("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>", &page, &why));
}

// A key listed with encoding-type=url that decodes to a NUL byte names no
// object a path can reach, and would be cut at the NUL further on ("a%00/x"
// listed as "a"): it is left out of the page, the others stay.
TEST(ObjstoreReplies, AListedKeyWithANulByteIsLeftOut) {
  ListPage page;
  std::string why;
  ASSERT_TRUE(parse_list_page("<ListBucketResult><EncodingType>url</EncodingType>"
                              "<Contents><Key>a%00/x.ts</Key><Size>1</Size></Contents>"
                              "<Contents><Key>b%2Ets</Key><Size>2</Size></Contents></ListBucketResult>",
                              &page, &why))
      << why;
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_EQ(page.objects[0].key, "b.ts");
}

// Found by tests/fuzz (objstore_replies_fuzz): a listed object's Size that
// is not a byte count (negative, not a number, missing) is a reply we cannot
// read, reported as such, not a negative or zero size handed to the daemon.
TEST(ObjstoreReplies, AListedSizeMustBeAByteCount) {
  for (const char* size : {"<Size>-5</Size>", "<Size>12abc</Size>", "<Size></Size>", "<Size> 7</Size>", "",
                           "<Size>99999999999999999999</Size>"}) {
    ListPage page;
    std::string why;
    std::string xml = std::string("<ListBucketResult><Contents><Key>a.ts</Key>") + size + "</Contents></ListBucketResult>";
    EXPECT_FALSE(parse_list_page(xml, &page, &why)) << size;
    EXPECT_NE(why.find("Size"), std::string::npos) << size << ": " << why;
  }
  ListPage page;
  std::string why;
  ASSERT_TRUE(parse_list_page("<ListBucketResult><Contents><Key>a.ts</Key><Size>9223372036854775807</Size></Contents>"
                              "</ListBucketResult>", &page, &why)) << why;
  EXPECT_EQ(page.objects.at(0).size, INT64_MAX);
}

TEST(ObjstoreReplies, ParsesErrorReplies) {
  // The error reply example of the S3 API reference (ErrorResponses).
  const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchKey</Code>
  <Message>The resource you requested does not exist</Message>
  <Resource>/mybucket/myfoto.jpg</Resource>
  <RequestId>4442587FB7D0A2F9</RequestId>
</Error>)";
  ErrorReply e;
  ASSERT_TRUE(parse_error_reply(xml, &e));
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.message, "The resource you requested does not exist");
  EXPECT_FALSE(parse_error_reply("<CompleteMultipartUploadResult/>", &e));
  EXPECT_FALSE(parse_error_reply("", &e));
}

TEST(ObjstoreReplies, MultipartDocuments) {
  EXPECT_EQ(parse_upload_id("<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                            "<Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2FkIElE</UploadId>"
                            "</InitiateMultipartUploadResult>"),
            "VXBsb2FkIElE");
  EXPECT_EQ(parse_upload_id("<Error><Code>AccessDenied</Code></Error>"), "");
  EXPECT_EQ(complete_multipart_body({"a1", "b2"}),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"a1\"</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>\"b2\"</ETag></Part></CompleteMultipartUpload>");
  EXPECT_EQ(strip_quotes("\"abc\""), "abc");
  EXPECT_EQ(strip_quotes("abc"), "abc");
  EXPECT_EQ(strip_quotes("\""), "\"");
}

// ---- retries ----

TEST(ObjstoreRetry, BackoffDoublesUpToTheCapWithFullJitter) {
  RetryPolicy p;  // 200 ms base, 5 s cap
  EXPECT_EQ(backoff_ceiling_ms(p, 0), 200);
  EXPECT_EQ(backoff_ceiling_ms(p, 1), 400);
  EXPECT_EQ(backoff_ceiling_ms(p, 4), 3200);
  EXPECT_EQ(backoff_ceiling_ms(p, 5), 5000);
  EXPECT_EQ(backoff_ceiling_ms(p, 1000), 5000);  // no overflow however many attempts
  for (int attempt = 0; attempt < 40; ++attempt)
    for (double u : {0.0, 0.25, 0.5, 0.999999}) {
      int64_t d = backoff_delay_ms(p, attempt, u);
      EXPECT_GE(d, 0);
      EXPECT_LE(d, backoff_ceiling_ms(p, attempt));
    }
  EXPECT_EQ(backoff_delay_ms(p, 2, 0.5), 400);
  EXPECT_EQ(backoff_delay_ms(p, 2, 7.0), 800);  // out-of-range randomness is clamped
}

TEST(ObjstoreRetry, BoundedByCountAndByTime) {
  RetryPolicy p;
  p.retries = 2;
  p.budget_ms = 10000;
  EXPECT_TRUE(may_retry(p, 1, 0, 100));
  EXPECT_TRUE(may_retry(p, 2, 0, 100));
  EXPECT_FALSE(may_retry(p, 3, 0, 100));      // 1 try + 2 retries
  EXPECT_FALSE(may_retry(p, 1, 9950, 100));   // the wait would end past the budget
  p.retries = 0;
  EXPECT_FALSE(may_retry(p, 1, 0, 0));
  // Worst case of the whole policy: the sum of the ceilings stays within the cap * retries.
  RetryPolicy d;
  int64_t total = 0;
  for (int a = 0; a < d.retries; ++a) total += backoff_ceiling_ms(d, a);
  EXPECT_EQ(total, 200 + 400 + 800 + 1600);
}

TEST(ObjstoreRetry, OnlyTransientFailuresAreRetried) {
  EXPECT_TRUE(is_transient(CURLE_COULDNT_CONNECT, 0, ""));
  EXPECT_TRUE(is_transient(CURLE_OPERATION_TIMEDOUT, 0, ""));
  EXPECT_TRUE(is_transient(CURLE_RECV_ERROR, 0, ""));
  EXPECT_TRUE(is_transient(CURLE_GOT_NOTHING, 0, ""));
  EXPECT_FALSE(is_transient(CURLE_PEER_FAILED_VERIFICATION, 0, ""));  // a bad certificate stays bad
  EXPECT_FALSE(is_transient(CURLE_URL_MALFORMAT, 0, ""));
  EXPECT_TRUE(is_transient(CURLE_OK, 500, "InternalError"));
  EXPECT_TRUE(is_transient(CURLE_OK, 503, "SlowDown"));
  EXPECT_TRUE(is_transient(CURLE_OK, 502, ""));
  EXPECT_TRUE(is_transient(CURLE_OK, 429, ""));
  EXPECT_TRUE(is_transient(CURLE_OK, 400, "RequestTimeout"));
  EXPECT_TRUE(is_transient(CURLE_OK, 200, "InternalError"));  // CompleteMultipartUpload's 200 with an error
  EXPECT_FALSE(is_transient(CURLE_OK, 403, "SignatureDoesNotMatch"));
  EXPECT_FALSE(is_transient(CURLE_OK, 403, "RequestTimeTooSkewed"));
  EXPECT_FALSE(is_transient(CURLE_OK, 404, "NoSuchKey"));
  EXPECT_FALSE(is_transient(CURLE_OK, 400, "InvalidArgument"));
}

// ---- configuration ----

namespace {

struct Kv {
  std::vector<std::string> items;
  std::vector<const char*> ptrs;
  Kv(std::initializer_list<std::string> kv) : items(kv) {
    for (const auto& s : items) ptrs.push_back(s.c_str());
    ptrs.push_back(nullptr);
  }
};

const Dialect kS3{"s3", "us-east-1", [](const std::string& r) { return "https://s3." + r + ".amazonaws.com"; },
                  5 << 20};

std::string config_failure(std::initializer_list<std::string> kv) {
  Kv c(kv);
  ConfigMap m(c.ptrs.data());
  try {
    read_store_config(m, kS3);
    m.finish(kStoreConfigKeys);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ObjstoreConfig, DefaultsForAws) {
  Kv c{"plugin", "s3", "bucket", "media"};
  ConfigMap m(c.ptrs.data());
  StoreConfig s = read_store_config(m, kS3);
  m.finish(kStoreConfigKeys);
  EXPECT_EQ(s.bucket, "media");
  EXPECT_EQ(s.prefix, "");
  EXPECT_EQ(s.region, "us-east-1");
  EXPECT_EQ(s.endpoint.scheme, "https");
  EXPECT_EQ(s.endpoint.authority("media"), "media.s3.us-east-1.amazonaws.com");
  EXPECT_FALSE(s.path_style);
  EXPECT_TRUE(s.http.verify_tls);
  EXPECT_EQ(s.retry.retries, 4);
  EXPECT_EQ(s.multipart_threshold, 16 << 20);
  EXPECT_EQ(s.part_size, 8 << 20);
}

TEST(ObjstoreConfig, LocalEndpointsArePathStyle) {
  Kv c{"bucket", "b", "prefix", "/hls/out/", "endpoint", "http://127.0.0.1:5123/", "region", "eu-west-1",
       "retries", "2", "connect_timeout", "1.5", "request_timeout", "500ms", "multipart_threshold", "5MiB",
       "part_size", "5M", "verify_tls", "no"};
  ConfigMap m(c.ptrs.data());
  StoreConfig s = read_store_config(m, kS3);
  m.finish(kStoreConfigKeys);
  EXPECT_TRUE(s.path_style);
  EXPECT_EQ(s.prefix, "hls/out/");
  EXPECT_EQ(s.endpoint.scheme, "http");
  EXPECT_EQ(s.endpoint.authority(), "127.0.0.1:5123");
  EXPECT_EQ(s.region, "eu-west-1");
  EXPECT_EQ(s.retry.retries, 2);
  EXPECT_EQ(s.http.connect_timeout_ms, 1500);
  EXPECT_EQ(s.http.request_timeout_ms, 500);
  EXPECT_EQ(s.multipart_threshold, 5 << 20);
  EXPECT_EQ(s.part_size, 5 << 20);
  EXPECT_FALSE(s.http.verify_tls);
}

TEST(ObjstoreConfig, ErrorsNameTheKey) {
  EXPECT_EQ(config_failure({}), "config key \"bucket\": required (the bucket's name)");
  EXPECT_NE(config_failure({"bucket", "b", "bukket", "x"}).find("config key \"bukket\": unknown"), std::string::npos);
  EXPECT_NE(config_failure({"bucket", "b", "retries", "many"}).find("config key \"retries\""), std::string::npos);
  EXPECT_NE(config_failure({"bucket", "b", "part_size", "1MiB"}).find("config key \"part_size\""), std::string::npos);
  EXPECT_NE(config_failure({"bucket", "b", "endpoint", "ftp://x"}).find("config key \"endpoint\""), std::string::npos);
  EXPECT_NE(config_failure({"bucket", "b", "endpoint", "http://h/path"}).find("no path"), std::string::npos);
  EXPECT_NE(config_failure({"bucket", "b", "endpoint", "http://h:99999"}).find("bad port"), std::string::npos);
  EXPECT_NE(config_failure({"bucket", "b", "endpoint", "http://127.0.0.1:1", "path_style", "false"})
                .find("config key \"path_style\""),
            std::string::npos);
  EXPECT_NE(config_failure({"bucket", "b", "prefix", "a/../b"}).find("config key \"prefix\""), std::string::npos);
  EXPECT_NE(config_failure({"bucket", "b", "verify_tls", "maybe"}).find("not a boolean"), std::string::npos);
  EXPECT_NE(config_failure({"bucket", "b", "connect_timeout", "0"}).find("not a duration"), std::string::npos);
  EXPECT_NE(config_failure({"bucket", "b", "ca_file", "/nonexistent.pem"}).find("config key \"ca_file\""),
            std::string::npos);
}

TEST(AwsCredentials, ReadsTheProfileOfACredentialsFile) {
  const char* file =
      "# comment\n[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key=SECRETDEFAULT\r\n\n"
      "[media]\n  aws_access_key_id   =  AKIDMEDIA \naws_secret_access_key = SECRET/MEDIA+x=\n"
      "aws_session_token = TOKEN\n[broken]\naws_access_key_id = ONLYID\n";
  Credentials c;
  ASSERT_TRUE(hlsfs_s3::parse_aws_credentials_file(file, "default", &c));
  EXPECT_EQ(c.access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(c.secret, "SECRETDEFAULT");
  EXPECT_EQ(c.session_token, "");
  ASSERT_TRUE(hlsfs_s3::parse_aws_credentials_file(file, "media", &c));
  EXPECT_EQ(c.access_key_id, "AKIDMEDIA");
  EXPECT_EQ(c.secret, "SECRET/MEDIA+x=");
  EXPECT_EQ(c.session_token, "TOKEN");
  EXPECT_FALSE(hlsfs_s3::parse_aws_credentials_file(file, "broken", &c));
  EXPECT_FALSE(hlsfs_s3::parse_aws_credentials_file(file, "missing", &c));
}

TEST(AwsCredentials, ConfigKeysComeFirstAndMustBeComplete) {
  Kv c{"access_key_id", "AKID", "secret_access_key", "S", "session_token", "T"};
  ConfigMap m(c.ptrs.data());
  Credentials creds = hlsfs_s3::resolve_aws_credentials(m);
  EXPECT_EQ(creds.access_key_id, "AKID");
  EXPECT_EQ(creds.session_token, "T");
  Kv half{"access_key_id", "AKID"};
  ConfigMap h(half.ptrs.data());
  EXPECT_THROW(hlsfs_s3::resolve_aws_credentials(h), ConfigError);
}

// ---- replies' framing ----

namespace {

// Answers each connection on 127.0.0.1 with the next of `replies`, as it
// is, then closes it: what a broken or hostile server could send.
class CannedServer {
 public:
  explicit CannedServer(std::vector<std::string> replies) : replies_(std::move(replies)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 8) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      for (const std::string& reply : replies_) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::string request;
        char buf[4096];
        while (request.find("\r\n\r\n") == std::string::npos) {
          ssize_t n = recv(c, buf, sizeof buf, 0);
          if (n <= 0) break;
          request.append(buf, static_cast<size_t>(n));
        }
        if (send(c, reply.data(), reply.size(), MSG_NOSIGNAL) < 0) {
          // The client gave up: the test says so.
        }
        shutdown(c, SHUT_WR);
        while (recv(c, buf, sizeof buf, 0) > 0) {
        }
        close(c);
      }
    });
  }
  ~CannedServer() {
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/bucket/key"; }

 private:
  std::vector<std::string> replies_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace

TEST(ObjstoreHttp, ParsesContentLengthStrictly) {
  int64_t n = -1;
  EXPECT_TRUE(parse_content_length("0", &n));
  EXPECT_EQ(n, 0);
  EXPECT_TRUE(parse_content_length("1234567", &n));
  EXPECT_EQ(n, 1234567);
  EXPECT_TRUE(parse_content_length("9223372036854775807", &n));
  EXPECT_EQ(n, INT64_MAX);
  for (const char* bad : {"", "-5", "-0", "+7", " 7", "7 ", "12abc", "abc", "0x10", "1e3", "7,7", "9223372036854775808",
                          "99999999999999999999999"})
    EXPECT_FALSE(parse_content_length(bad, &n)) << "\"" << bad << "\"";
}

// A reply whose Content-Length is negative or not a number is not a reply:
// the exchange fails, naming the header, instead of a size read as 12 from
// "12abc" (strtoll) or curl's own guess.
TEST(ObjstoreHttp, RefusesAReplyWithABadContentLength) {
  std::vector<std::string> values = {"-5", "12abc", "+7", "abc", "99999999999999999999", "5, 6"};
  std::vector<std::string> replies;
  for (const std::string& v : values)
    replies.push_back("HTTP/1.1 200 OK\r\nContent-Length: " + v + "\r\nConnection: close\r\n\r\n");
  replies.push_back("HTTP/1.1 200 OK\r\nContent-Length: 42\r\nConnection: close\r\n\r\n");
  CannedServer server(replies);
  HttpClient client(HttpOptions{});
  Request r;
  r.method = "HEAD";
  for (const std::string& v : values) {
    HttpResult res = client.perform(server.url(), r, nullptr);
    EXPECT_NE(res.curl, CURLE_OK) << "Content-Length: " << v << " was accepted";
    EXPECT_NE(res.curl_error.find("Content-Length"), std::string::npos) << v << ": " << res.curl_error;
    EXPECT_FALSE(is_transient(res.curl, res.status, "")) << v << ": retrying cannot fix the server's framing";
  }
  HttpResult ok = client.perform(server.url(), r, nullptr);
  EXPECT_EQ(ok.curl, CURLE_OK) << ok.curl_error;
  ASSERT_NE(ok.header("content-length"), nullptr);
  EXPECT_EQ(*ok.header("content-length"), "42");
}

// ---- dates ----

TEST(ObjstoreTime, FormatsAndParsesTheProtocolDates) {
  EXPECT_EQ(iso8601_basic(1369353600), "20130524T000000Z");
  EXPECT_EQ(date_stamp(1440938160), "20150830");
  EXPECT_EQ(http_date(1672223261), "Wed, 28 Dec 2022 10:27:41 GMT");
  EXPECT_EQ(parse_http_date_ns("Wed, 28 Dec 2022 10:27:41 GMT"), 1672223261LL * 1000000000LL);
  EXPECT_EQ(parse_iso8601_ns("2022-12-28T10:27:41.250Z"), 1672223261LL * 1000000000LL + 250000000LL);
  EXPECT_EQ(parse_iso8601_ns("garbage"), 0);
  EXPECT_EQ(parse_http_date_ns("Wed, 28 Foo 2022 10:27:41 GMT"), 0);
}

// Found by tests/fuzz (objstore_replies_fuzz): a server's date after
// 2262-04-11 has no int64 nanosecond count; it is "not such a date" (0), not
// a signed overflow.
TEST(ObjstoreTime, DatesPastInt64NanosecondsAreNotDates) {
  EXPECT_EQ(parse_iso8601_ns("9999-12-31T23:59:59Z"), 0);
  EXPECT_EQ(parse_http_date_ns("Fri, 31 Dec 9999 23:59:59 GMT"), 0);
  EXPECT_EQ(parse_iso8601_ns("2262-04-11T23:47:16.854775807Z"), INT64_MAX);  // the last one that fits
  EXPECT_EQ(parse_iso8601_ns("2262-04-11T23:47:16.854775808Z"), 0);
}

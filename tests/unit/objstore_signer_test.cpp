// The request signers of the object-store plugins, checked against
// published vectors only (never values computed by this code):
//  - the AWS Signature Version 4 test suite (access key AKIDEXAMPLE, 2015-08-30T12:36:00Z,
//    us-east-1, service "service"), cases as published in awslabs/aws-c-auth
//    tests/aws-signing-test-suite/v4/<case>/header-signed-request.txt and, for the
//    2015 edition's get-vanilla-query-order-key and post-x-www-form-urlencoded, in its
//    aws4_testsuite copies (e.g. boto/botocore tests/unit/auth/aws4_testsuite);
//  - the S3 API reference's examples (docs.aws.amazon.com/AmazonS3/latest/API/
//    sig-v4-header-based-auth.html and sigv4-query-string-auth.html): GET Object with
//    Range, PUT Object, GET Bucket Lifecycle, GET Bucket (List Objects), presigned GET;
//  - Alibaba's official OSS SDK: aliyun/alibabacloud-oss-go-sdk-v2 oss/signer/signer_test.go
//    (TestV1AuthHeader, TestV4AuthHeader, TestV4AuthHeaderToken, TestV4AuthQuery,
//    TestV4AuthQueryToken).
#include <gtest/gtest.h>

#include <string>

#include "backends/objstore/crypto.h"
#include "backends/objstore/encode.h"
#include "backends/objstore/sigv4.h"
#include "backends/oss/oss_signer.h"
#include "backends/s3/s3_signer.h"
#include "hlsfs/percent_decode.h"

using namespace objstore;

namespace {

// ---- AWS Signature V4 test suite ----

const Credentials kSuiteKeys{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const time_t kSuiteTime = 1440938160;  // 20150830T123600Z

// The Authorization header the suite's signer gives for one request: Host
// and X-Amz-Date plus `extra` headers, raw path and query.
std::string suite_authorization(const std::string& method, const std::string& raw_path, const Params& query,
                                Headers extra = {}, const std::string& body = "") {
  Headers h{{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  h.insert(h.end(), extra.begin(), extra.end());
  return aws_v4_authorization(method, uri_encode(raw_path, true), query, h, sha256_hex(body), kSuiteKeys,
                              aws_scope("us-east-1", "service"), kSuiteTime);
}

std::string suite_expected(const std::string& signed_headers, const std::string& signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=" +
         signed_headers + ", Signature=" + signature;
}

}  // namespace

TEST(AwsSigV4Suite, GetVanilla) {
  EXPECT_EQ(suite_authorization("GET", "/", {}),
            suite_expected("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST(AwsSigV4Suite, GetVanillaQueryOrderKey) {
  // GET /?Param1=value2&Param1=Value1: sorted by name, then by value.
  EXPECT_EQ(suite_authorization("GET", "/", {{"Param1", "value2"}, {"Param1", "Value1"}}),
            suite_expected("host;x-amz-date", "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"));
}

TEST(AwsSigV4Suite, GetVanillaQueryOrderKeyCase) {
  EXPECT_EQ(suite_authorization("GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}}),
            suite_expected("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
}

TEST(AwsSigV4Suite, GetVanillaEmptyQueryKey) {
  EXPECT_EQ(suite_authorization("GET", "/", {{"Param1", "value1"}}),
            suite_expected("host;x-amz-date", "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"));
}

TEST(AwsSigV4Suite, GetVanillaQueryUnreserved) {
  const std::string unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  EXPECT_EQ(suite_authorization("GET", "/", {{unreserved, unreserved}}),
            suite_expected("host;x-amz-date", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"));
}

TEST(AwsSigV4Suite, GetVanillaQueryOrderEncoded) {
  // GET /?Param-3=Value3&Param=Value2&%E1%88%B4=Value1: sorted by encoded name.
  EXPECT_EQ(suite_authorization("GET", "/", {{"Param-3", "Value3"}, {"Param", "Value2"}, {"\xE1\x88\xB4", "Value1"}}),
            suite_expected("host;x-amz-date", "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"));
}

TEST(AwsSigV4Suite, GetUtf8) {
  // GET /ሴ: the path percent-encoded once.
  EXPECT_EQ(suite_authorization("GET", "/\xE1\x88\xB4", {}),
            suite_expected("host;x-amz-date", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"));
}

TEST(AwsSigV4Suite, GetHeaderValueTrim) {
  EXPECT_EQ(suite_authorization("GET", "/", {}, {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}}),
            suite_expected("host;my-header1;my-header2;x-amz-date",
                           "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));
}

TEST(AwsSigV4Suite, GetVanillaWithSessionToken) {
  EXPECT_EQ(suite_authorization("GET", "/", {},
                                {{"X-Amz-Security-Token",
                                  "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"}}),
            suite_expected("host;x-amz-date;x-amz-security-token",
                           "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"));
}

TEST(AwsSigV4Suite, PostHeaderKeySort) {
  EXPECT_EQ(suite_authorization("POST", "/", {}, {{"My-Header1", "value1"}}),
            suite_expected("host;my-header1;x-amz-date",
                           "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"));
}

TEST(AwsSigV4Suite, PostXWwwFormUrlencoded) {
  // The body is hashed into the signature (9095672b... = sha256("Param1=value1")).
  EXPECT_EQ(sha256_hex("Param1=value1"), "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  EXPECT_EQ(suite_authorization("POST", "/", {}, {{"Content-Type", "application/x-www-form-urlencoded"}},
                                "Param1=value1"),
            suite_expected("content-type;host;x-amz-date",
                           "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
}

// ---- The S3 API reference's examples, through the plugin's own signer ----

namespace {

const Credentials kS3DocKeys{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const time_t kS3DocTime = 1369353600;  // 20130524T000000Z

Request s3_doc_request(const std::string& method, const std::string& key, Params query = {}) {
  Request r;
  r.method = method;
  r.bucket = "examplebucket";
  r.key = key;
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = "/" + uri_encode(key, true);
  r.query = std::move(query);
  set_header(r.headers, "Host", r.host);
  return r;
}

std::string signed_by_s3_signer(Request r) {
  hlsfs_s3::S3Signer signer(kS3DocKeys, "us-east-1");
  signer.prepare(r);
  signer.sign(r, kS3DocTime);
  return *find_header(r.headers, "Authorization");
}

std::string s3_doc_expected(const std::string& signed_headers, const std::string& signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=" +
         signed_headers + ", Signature=" + signature;
}

}  // namespace

TEST(S3Signer, GetObjectWithRangeExample) {
  Request r = s3_doc_request("GET", "test.txt");
  set_header(r.headers, "Range", "bytes=0-9");
  EXPECT_EQ(signed_by_s3_signer(r),
            s3_doc_expected("host;range;x-amz-content-sha256;x-amz-date",
                            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
}

TEST(S3Signer, PutObjectExampleSignsThePayloadHash) {
  const std::string body = "Welcome to Amazon S3.";
  Request r = s3_doc_request("PUT", "test$file.text");
  EXPECT_EQ(r.path, "/test%24file.text");
  r.body = body;
  set_header(r.headers, "Date", "Fri, 24 May 2013 00:00:00 GMT");
  set_header(r.headers, "x-amz-storage-class", "REDUCED_REDUNDANCY");
  EXPECT_EQ(signed_by_s3_signer(r),
            s3_doc_expected("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
                            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"));
  hlsfs_s3::S3Signer signer(kS3DocKeys, "us-east-1");
  signer.prepare(r);
  EXPECT_EQ(*find_header(r.headers, "x-amz-content-sha256"),
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
}

TEST(S3Signer, GetBucketLifecycleExample) {
  EXPECT_EQ(signed_by_s3_signer(s3_doc_request("GET", "", {{"lifecycle", ""}})),
            s3_doc_expected("host;x-amz-content-sha256;x-amz-date",
                            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"));
}

TEST(S3Signer, ListObjectsExample) {
  EXPECT_EQ(signed_by_s3_signer(s3_doc_request("GET", "", {{"prefix", "J"}, {"max-keys", "2"}})),
            s3_doc_expected("host;x-amz-content-sha256;x-amz-date",
                            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"));
}

TEST(S3Signer, PresignedUrlExample) {
  hlsfs_s3::S3Signer signer(kS3DocKeys, "us-east-1");
  EXPECT_EQ(signer.presign(s3_doc_request("GET", "test.txt"), kS3DocTime, 86400),
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F"
            "aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature="
            "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(S3Signer, TemporaryKeysSendAndSignTheirToken) {
  hlsfs_s3::S3Signer signer({"AKIAIOSFODNN7EXAMPLE", "secret", "TOKEN"}, "us-east-1");
  Request r = s3_doc_request("GET", "test.txt");
  signer.sign(r, kS3DocTime);
  EXPECT_EQ(*find_header(r.headers, "x-amz-security-token"), "TOKEN");
  EXPECT_NE(find_header(r.headers, "Authorization")->find("x-amz-security-token"), std::string::npos);
  EXPECT_NE(signer.presign(r, kS3DocTime, 60).find("X-Amz-Security-Token=TOKEN&"), std::string::npos);
}

// ---- OSS: alibabacloud-oss-go-sdk-v2 oss/signer/signer_test.go ----

namespace {

using hlsfs_oss::OssSignature;
using hlsfs_oss::OssSigner;

// The request of the SDK's V4 cases: PUT bucket/"1234+-/123/1.txt" with
// these headers and query parameters.
Request oss_v4_request(const std::string& content_type) {
  Request r;
  r.method = "PUT";
  r.bucket = "bucket";
  r.key = "1234+-/123/1.txt";
  r.host = "bucket.oss-cn-hangzhou.aliyuncs.com";
  r.path = "/" + uri_encode(r.key, true);
  r.headers = {{"x-oss-head1", "value"}, {"abc", "value"}, {"ZAbc", "value"}, {"XYZ", "value"},
               {"content-type", content_type}};
  r.query = {{"param1", "value1"}, {"+param1", "value3"}, {"|param1", "value4"},
             {"+param2", ""},      {"|param2", ""},        {"param2", ""}};
  return r;
}

std::string query_value(const std::string& query, const std::string& name) {
  size_t at = ("&" + query).find("&" + name + "=");
  if (at == std::string::npos) return "";
  size_t start = at + name.size() + 1;
  return hlsfs::percent_decode(query.substr(start, query.find('&', start) - start)).value_or("%00");
}

}  // namespace

TEST(OssSigner, V4AuthHeader) {  // TestV4AuthHeader
  Request r = oss_v4_request("text/plain");
  r.headers.emplace_back("x-oss-content-sha256", "UNSIGNED-PAYLOAD");
  OssSigner({"ak", "sk", ""}, "cn-hangzhou", OssSignature::V4).sign(r, 1702743657);
  EXPECT_EQ(*find_header(r.headers, "Authorization"),
            "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,"
            "Signature=e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe");
  EXPECT_EQ(*find_header(r.headers, "x-oss-date"), "20231216T162057Z");
}

TEST(OssSigner, V4AuthHeaderToken) {  // TestV4AuthHeaderToken
  Request r = oss_v4_request("text/plain");
  r.headers.emplace_back("x-oss-content-sha256", "UNSIGNED-PAYLOAD");
  OssSigner({"ak", "sk", "token"}, "cn-hangzhou", OssSignature::V4).sign(r, 1702784856);
  EXPECT_EQ(*find_header(r.headers, "Authorization"),
            "OSS4-HMAC-SHA256 Credential=ak/20231217/cn-hangzhou/oss/aliyun_v4_request,"
            "Signature=b94a3f999cf85bcdc00d332fbd3734ba03e48382c36fa4d5af5df817395bd9ea");
  EXPECT_EQ(*find_header(r.headers, "x-oss-security-token"), "token");
}

TEST(OssSigner, V4AuthQuery) {  // TestV4AuthQuery: signed at 1702781677, expires at 1702782276
  std::string q =
      OssSigner({"ak", "sk", ""}, "cn-hangzhou", OssSignature::V4).presign(oss_v4_request("application/octet-stream"),
                                                                           1702781677, 599);
  EXPECT_EQ(query_value(q, "x-oss-signature-version"), "OSS4-HMAC-SHA256");
  EXPECT_EQ(query_value(q, "x-oss-expires"), "599");
  EXPECT_EQ(query_value(q, "x-oss-credential"), "ak/20231217/cn-hangzhou/oss/aliyun_v4_request");
  EXPECT_EQ(query_value(q, "x-oss-signature"), "a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe");
}

TEST(OssSigner, V4AuthQueryToken) {  // TestV4AuthQueryToken: signed at 1702785388, expires at 1702785987
  std::string q = OssSigner({"ak", "sk", "token"}, "cn-hangzhou", OssSignature::V4)
                      .presign(oss_v4_request("application/octet-stream"), 1702785388, 599);
  EXPECT_EQ(query_value(q, "x-oss-date"), "20231217T035628Z");
  EXPECT_EQ(query_value(q, "x-oss-signature"), "3817ac9d206cd6dfc90f1c09c00be45005602e55898f26f5ddb06d7892e1f8b5");
}

namespace {

Request oss_v1_request(Params query) {
  Request r;
  r.method = "PUT";
  r.bucket = "examplebucket";
  r.key = "nelson";
  r.host = "examplebucket.oss-cn-hangzhou.aliyuncs.com";
  r.path = "/nelson";
  r.query = std::move(query);
  r.headers = {{"Content-MD5", "eB5eJF1ptWaXm4bijSPyxw=="},
               {"Content-Type", "text/html"},
               {"x-oss-meta-author", "alice"},
               {"x-oss-meta-magic", "abracadabra"},
               {"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"}};
  return r;
}

const time_t kOssV1Time = 1672223261;  // Wed, 28 Dec 2022 10:27:41 GMT

}  // namespace

TEST(OssSigner, V1AuthHeader) {  // TestV1AuthHeader, case 1
  Request r = oss_v1_request({});
  EXPECT_EQ(OssSigner::v1_string_to_sign(r, "Wed, 28 Dec 2022 10:27:41 GMT"),
            "PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 "
            "10:27:41 GMT\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\n/examplebucket/nelson");
  OssSigner({"ak", "sk", ""}, "cn-hangzhou", OssSignature::V1).sign(r, kOssV1Time);
  EXPECT_EQ(*find_header(r.headers, "Authorization"), "OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
  EXPECT_EQ(*find_header(r.headers, "Date"), "Wed, 28 Dec 2022 10:27:41 GMT");
}

TEST(OssSigner, V1AuthHeaderWithSubresource) {  // TestV1AuthHeader, case 2: "?acl"
  Request r = oss_v1_request({{"acl", ""}});
  OssSigner({"ak", "sk", ""}, "cn-hangzhou", OssSignature::V1).sign(r, kOssV1Time);
  EXPECT_EQ(*find_header(r.headers, "Authorization"), "OSS ak:/afkugFbmWDQ967j1vr6zygBLQk=");
}

TEST(OssSigner, BodiesAreBoundByContentMd5) {
  // OSS V4 cannot sign a payload hash; Content-MD5 (a signed header) binds the body.
  Request r = oss_v4_request("text/plain");
  r.body = "Welcome to OSS.";
  OssSigner signer({"ak", "sk", ""}, "cn-hangzhou", OssSignature::V4);
  signer.prepare(r);
  EXPECT_EQ(*find_header(r.headers, "Content-MD5"), base64(md5("Welcome to OSS.")));
  signer.sign(r, 1702743657);
  EXPECT_EQ(*find_header(r.headers, "x-oss-content-sha256"), "UNSIGNED-PAYLOAD");
  Request other = oss_v4_request("text/plain");
  other.body = "Welcome to OSS!";
  signer.prepare(other);
  signer.sign(other, 1702743657);
  EXPECT_NE(*find_header(r.headers, "Authorization"), *find_header(other.headers, "Authorization"));
}

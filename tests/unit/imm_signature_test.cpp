// Alibaba Cloud's two request signatures, checked against the examples its
// documentation publishes (string to sign and signature), and every refusal
// of authenticate(): unknown key, bad signature, changed body or parameter,
// a time outside the 15-minute window, a nonce used twice, unsigned headers.
#include <gtest/gtest.h>

#include "daemon/imm/authenticate.h"
#include "daemon/imm/digest.h"
#include "daemon/imm/imm_error.h"
#include "daemon/imm/request_time.h"
#include "daemon/imm/signature_v2.h"
#include "daemon/imm/signature_v3.h"

using namespace hlsfs;
using namespace hlsfs::imm;

namespace {

// "Request syntax and signature method V2 for RPC APIs": DescribeRegions,
// AccessKeyId testid, AccessKeySecret testsecret.
Params v2_example(const std::string& time_name) {
  return {{"AccessKeyId", "testid"},
          {"Action", "DescribeRegions"},
          {"Format", "XML"},
          {"SignatureMethod", "HMAC-SHA1"},
          {"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
          {"SignatureVersion", "1.0"},
          {time_name, "2016-02-23T12:46:24Z"},
          {"Version", "2014-05-26"}};
}

TEST(ImmSignatureV2, PublishedExampleWithTimeStamp) {
  // The older page writes the parameter "TimeStamp"; its published
  // signature is CT9X0VtwR86fNWSnsc6v8YGOjuE=.
  std::string sts = rpc_v2_string_to_sign("GET", v2_example("TimeStamp"));
  EXPECT_EQ(sts,
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
            "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26TimeStamp%3D2016-02-"
            "23T12%253A46%253A24Z%26Version%3D2014-05-26");
  EXPECT_EQ(rpc_v2_signature("testsecret", sts), "CT9X0VtwR86fNWSnsc6v8YGOjuE=");
}

TEST(ImmSignatureV2, PublishedExampleWithTimestamp) {
  // The same request with the parameter as it is named today; signature
  // worked out by hand from the description (openssl dgst -sha1 -hmac 'testsecret&').
  std::string sts = rpc_v2_string_to_sign("GET", v2_example("Timestamp"));
  EXPECT_EQ(sts,
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
            "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-"
            "23T12%253A46%253A24Z%26Version%3D2014-05-26");
  EXPECT_EQ(rpc_v2_signature("testsecret", sts), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
}

TEST(ImmSignatureV2, PercentEncodingFollowsAlibabasRules) {
  // A space is %20 (not '+'), '*' is %2A, '~' stays, and the canonical
  // string is encoded once more in the string to sign ('%' -> %25).
  Params p{{"A", "a b*c~d/e+f"}, {"Signature", "ignored"}};
  EXPECT_EQ(rpc_v2_canonical_query(p), "A=a%20b%2Ac~d%2Fe%2Bf");
  EXPECT_EQ(rpc_v2_string_to_sign("POST", p), "POST&%2F&A%3Da%2520b%252Ac~d%252Fe%252Bf");
  // Sorted by name, byte order (upper case before lower case).
  EXPECT_EQ(rpc_v2_canonical_query({{"b", "1"}, {"B", "2"}, {"a", "3"}}), "B=2&a=3&b=1");
}

// "Request syntax and signature method V3": RunInstances on ECS, signed
// with AccessKeySecret "YourAccessKeySecret"; the page publishes the
// canonical request's hash and the Authorization header.
HttpRequest v3_example(const std::string& date, const std::string& nonce, const std::string& signature) {
  HttpRequest r;
  r.method = "POST";
  r.query = "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai";
  r.target = "/?" + r.query;
  r.path = "/";
  r.headers = {{"host", "ecs.cn-shanghai.aliyuncs.com"},
               {"x-acs-action", "RunInstances"},
               {"x-acs-version", "2014-05-26"},
               {"x-acs-date", date},
               {"x-acs-signature-nonce", nonce},
               {"x-acs-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
               {"authorization",
                "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;"
                "x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=" +
                    signature}};
  return r;
}
const char* kV3Date = "2023-10-26T10:22:32Z";
const char* kV3Nonce = "3156853299f313e23d1673dc12e1703d";
const char* kV3Signature = "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0";
const Params kV3Query{{"ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"}, {"RegionId", "cn-shanghai"}};

TEST(ImmSignatureV3, PublishedCanonicalRequest) {
  HttpRequest r = v3_example(kV3Date, kV3Nonce, kV3Signature);
  std::string why;
  auto auth = parse_acs3_authorization(r.header("authorization"), why);
  ASSERT_TRUE(auth) << why;
  EXPECT_EQ(auth->algorithm, "ACS3-HMAC-SHA256");
  EXPECT_EQ(auth->access_key_id, "YourAccessKeyId");
  std::string canonical = v3_canonical_request("POST", "/", kV3Query, r.headers, auth->signed_headers,
                                               r.header("x-acs-content-sha256"));
  EXPECT_EQ(canonical,
            "POST\n/\nImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n"
            "host:ecs.cn-shanghai.aliyuncs.com\nx-acs-action:RunInstances\n"
            "x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-acs-date:2023-10-26T10:22:32Z\nx-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n"
            "x-acs-version:2014-05-26\n\n"
            "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  std::string sts = v3_string_to_sign(canonical);
  EXPECT_EQ(sts, "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259");
  EXPECT_EQ(v3_signature("YourAccessKeySecret", sts), kV3Signature);
}

TEST(ImmSignatureV3, SecondPublishedExample) {
  // The Chinese page's example: same request, another date and nonce.
  HttpRequest r = v3_example("2023-10-26T09:01:01Z", "d410180a5abf7fe235dd9b74aca91fc0", "x");
  std::string why;
  auto auth = parse_acs3_authorization(r.header("authorization"), why);
  ASSERT_TRUE(auth);
  std::string sts = v3_string_to_sign(
      v3_canonical_request("POST", "/", kV3Query, r.headers, auth->signed_headers, lower_hex(sha256(""))));
  EXPECT_EQ(v3_signature("YourAccessKeySecret", sts),
            "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804");
}

TEST(ImmSignatureV3, CanonicalQueryEncodesNamesAndValues) {
  EXPECT_EQ(v3_canonical_query({{"Targets", "[{\"URI\":\"file:///a b\"}]"}, {"A", ""}}),
            "A=&Targets=%5B%7B%22URI%22%3A%22file%3A%2F%2F%2Fa%20b%22%7D%5D");
}

TEST(ImmSignatureV3, MalformedAuthorizationHeaders) {
  std::string why;
  EXPECT_FALSE(parse_acs3_authorization("ACS3-HMAC-SHA256", why));
  EXPECT_FALSE(parse_acs3_authorization("ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host", why));
  EXPECT_NE(why.find("Signature"), std::string::npos) << why;
  EXPECT_FALSE(parse_acs3_authorization("ACS3-HMAC-SHA256 Credential=a,SignedHeaders=Host,Signature=00", why));
  EXPECT_FALSE(parse_acs3_authorization("ACS3-HMAC-SHA256 Credential=a,Credential=b,SignedHeaders=host,Signature=0", why));
  EXPECT_TRUE(parse_acs3_authorization("ACS3-HMAC-SHA256 Credential=a, SignedHeaders=host, Signature=00", why)) << why;
}

// --- authenticate(): the published requests, then each refusal.

class Authenticate : public ::testing::Test {
 protected:
  AccessKeys keys{{"YourAccessKeyId", "YourAccessKeySecret"}, {"testid", "testsecret"}};
  NonceCache nonces;
  std::time_t v3_time = *parse_utc_timestamp(kV3Date);
  std::time_t v2_time = *parse_utc_timestamp("2016-02-23T12:46:24Z");

  ImmError refusal(const HttpRequest& r, const Params& query, const Params& body, std::time_t now) {
    try {
      authenticate(r, query, body, keys, nonces, now);
    } catch (const ImmError& e) {
      return e;
    }
    ADD_FAILURE() << "accepted";
    return {};
  }
  HttpRequest v2_request(const Params&) {
    HttpRequest r;
    r.method = "GET";
    r.target = "/";
    r.path = "/";
    return r;
  }
  Params v2_signed(const std::string& secret = "testsecret") {
    Params p = v2_example("Timestamp");
    p["Signature"] = rpc_v2_signature(secret, rpc_v2_string_to_sign("GET", p));
    return p;
  }
};

TEST_F(Authenticate, PublishedV3RequestIsAccepted) {
  SignedCall c = authenticate(v3_example(kV3Date, kV3Nonce, kV3Signature), kV3Query, {}, keys, nonces, v3_time);
  EXPECT_EQ(c.access_key_id, "YourAccessKeyId");
  EXPECT_EQ(c.scheme, "V3");
  EXPECT_EQ(c.action, "RunInstances");
  EXPECT_EQ(c.version, "2014-05-26");
}

TEST_F(Authenticate, V3WrongSignature) {
  std::string bad = kV3Signature;
  bad[0] = bad[0] == '0' ? '1' : '0';
  ImmError e = refusal(v3_example(kV3Date, kV3Nonce, bad), kV3Query, {}, v3_time);
  EXPECT_EQ(e.code, "SignatureDoesNotMatch");
  EXPECT_EQ(e.status, 400);
  EXPECT_NE(e.message.find("7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"), std::string::npos)
      << "the message shows our string to sign: " << e.message;
}

TEST_F(Authenticate, V3WrongSecret) {
  keys["YourAccessKeyId"] = "SomebodyElsesSecret";
  EXPECT_EQ(refusal(v3_example(kV3Date, kV3Nonce, kV3Signature), kV3Query, {}, v3_time).code,
            "SignatureDoesNotMatch");
}

TEST_F(Authenticate, V3ChangedQueryParameter) {
  Params q = kV3Query;
  q["RegionId"] = "cn-hangzhou";
  EXPECT_EQ(refusal(v3_example(kV3Date, kV3Nonce, kV3Signature), q, {}, v3_time).code, "SignatureDoesNotMatch");
}

TEST_F(Authenticate, V3BodyNotTheSignedOne) {
  HttpRequest r = v3_example(kV3Date, kV3Nonce, kV3Signature);
  r.body = "SourceURI=file%3A%2F%2F%2Fother";  // x-acs-content-sha256 is the empty body's
  ImmError e = refusal(r, kV3Query, {}, v3_time);
  EXPECT_EQ(e.code, "SignatureDoesNotMatch");
  EXPECT_NE(e.message.find("x-acs-content-sha256"), std::string::npos) << e.message;
  // Without the header, the body's own hash goes into the canonical request: still refused.
  r.headers.erase("x-acs-content-sha256");
  r.headers["authorization"] =
      "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-date;x-acs-signature-nonce;"
      "x-acs-version,Signature=" + std::string(kV3Signature);
  EXPECT_EQ(refusal(r, kV3Query, {}, v3_time).code, "SignatureDoesNotMatch");
}

TEST_F(Authenticate, V3UnknownKey) {
  keys.erase("YourAccessKeyId");
  ImmError e = refusal(v3_example(kV3Date, kV3Nonce, kV3Signature), kV3Query, {}, v3_time);
  EXPECT_EQ(e.code, "InvalidAccessKeyId.NotFound");
  EXPECT_EQ(e.status, 404);
}

TEST_F(Authenticate, V3StaleAndFutureTimes) {
  HttpRequest r = v3_example(kV3Date, kV3Nonce, kV3Signature);
  EXPECT_EQ(refusal(r, kV3Query, {}, v3_time + 15 * 60 + 1).code, "InvalidTimeStamp.Expired");
  EXPECT_EQ(refusal(r, kV3Query, {}, v3_time - 15 * 60 - 1).code, "InvalidTimeStamp.Expired");
  // At the window's edge it is still taken.
  EXPECT_NO_THROW(authenticate(r, kV3Query, {}, keys, nonces, v3_time + 15 * 60));
}

TEST_F(Authenticate, V3BadDateFormat) {
  ImmError e = refusal(v3_example("2023-10-26 10:22:32", kV3Nonce, kV3Signature), kV3Query, {}, v3_time);
  EXPECT_EQ(e.code, "InvalidTimeStamp.Format");
}

TEST_F(Authenticate, V3ReusedNonce) {
  HttpRequest r = v3_example(kV3Date, kV3Nonce, kV3Signature);
  EXPECT_NO_THROW(authenticate(r, kV3Query, {}, keys, nonces, v3_time));
  ImmError e = refusal(r, kV3Query, {}, v3_time + 60);
  EXPECT_EQ(e.code, "SignatureNonceUsed");
  EXPECT_EQ(e.status, 400);
}

TEST_F(Authenticate, V3ForgedRequestDoesNotUseUpTheNonce) {
  std::string bad = kV3Signature;
  bad[1] = bad[1] == '0' ? '1' : '0';
  EXPECT_EQ(refusal(v3_example(kV3Date, kV3Nonce, bad), kV3Query, {}, v3_time).code, "SignatureDoesNotMatch");
  EXPECT_NO_THROW(authenticate(v3_example(kV3Date, kV3Nonce, kV3Signature), kV3Query, {}, keys, nonces, v3_time));
}

TEST_F(Authenticate, V3UnsignedAcsHeaderIsRefused) {
  HttpRequest r = v3_example(kV3Date, kV3Nonce, kV3Signature);
  r.headers["x-acs-security-token"] = "added on the way";
  ImmError e = refusal(r, kV3Query, {}, v3_time);
  EXPECT_EQ(e.code, "IncompleteSignature");
  EXPECT_NE(e.message.find("x-acs-security-token"), std::string::npos) << e.message;
}

TEST_F(Authenticate, V3OtherAlgorithm) {
  HttpRequest r = v3_example(kV3Date, kV3Nonce, kV3Signature);
  r.headers["authorization"].replace(0, 16, "ACS3-HMAC-SM3");
  EXPECT_EQ(refusal(r, kV3Query, {}, v3_time).code, "InvalidSignatureMethod");
}

TEST_F(Authenticate, V2PublishedRequestIsAccepted) {
  Params p = v2_example("Timestamp");
  p["Signature"] = "OLeaidS1JvxuMvnyHOwuJ+uX5qY=";
  SignedCall c = authenticate(v2_request(p), p, {}, keys, nonces, v2_time);
  EXPECT_EQ(c.access_key_id, "testid");
  EXPECT_EQ(c.scheme, "V2");
  EXPECT_EQ(c.action, "DescribeRegions");
  EXPECT_EQ(c.version, "2014-05-26");
}

TEST_F(Authenticate, V2ParametersMaySitInTheBody) {
  Params all = v2_signed();
  Params query{{"Signature", all["Signature"]}, {"AccessKeyId", "testid"}}, body = all;
  body.erase("Signature");
  body.erase("AccessKeyId");
  HttpRequest r = v2_request(all);
  r.method = "POST";
  // Signed as GET above: the method is part of the string to sign.
  EXPECT_EQ(refusal(r, query, body, v2_time).code, "SignatureDoesNotMatch");
  r.method = "GET";
  EXPECT_NO_THROW(authenticate(r, query, body, keys, nonces, v2_time));
}

TEST_F(Authenticate, V2Refusals) {
  Params wrong = v2_signed("not-the-secret");
  EXPECT_EQ(refusal(v2_request(wrong), wrong, {}, v2_time).code, "SignatureDoesNotMatch");

  Params changed = v2_signed();
  changed["Action"] = "DeleteEverything";
  EXPECT_EQ(refusal(v2_request(changed), changed, {}, v2_time).code, "SignatureDoesNotMatch");

  Params unknown = v2_signed();
  unknown["AccessKeyId"] = "nobody";
  ImmError e = refusal(v2_request(unknown), unknown, {}, v2_time);
  EXPECT_EQ(e.code, "InvalidAccessKeyId.NotFound");
  EXPECT_EQ(e.status, 404);

  Params ok = v2_signed();
  EXPECT_EQ(refusal(v2_request(ok), ok, {}, v2_time + 16 * 60).code, "InvalidTimeStamp.Expired");
  EXPECT_NO_THROW(authenticate(v2_request(ok), ok, {}, keys, nonces, v2_time));
  EXPECT_EQ(refusal(v2_request(ok), ok, {}, v2_time + 1).code, "SignatureNonceUsed");

  Params sha256 = v2_signed();
  sha256["SignatureMethod"] = "HMAC-SHA256";
  EXPECT_EQ(refusal(v2_request(sha256), sha256, {}, v2_time).code, "InvalidSignatureMethod");

  Params no_nonce = v2_signed();
  no_nonce.erase("SignatureNonce");
  e = refusal(v2_request(no_nonce), no_nonce, {}, v2_time);
  EXPECT_EQ(e.code, "MissingSignatureNonce");
}

TEST_F(Authenticate, UnsignedRequest) {
  Params p{{"Action", "GenerateVideoPlaylist"}};
  ImmError e = refusal(v2_request(p), p, {}, v2_time);
  EXPECT_EQ(e.code, "IncompleteSignature");
}

}  // namespace

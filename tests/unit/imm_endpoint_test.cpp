// IMM's RPC endpoint apart from the signatures: parameters (query, form
// body, JSON-encoded complex ones), the AccessKey file, the nonce memory,
// request times, and the handler from HTTP request to IMM's answer, with a
// generate function that records what the playlist actor would be sent.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <nlohmann/json.hpp>

#include "daemon/imm/access_keys.h"
#include "daemon/imm/imm_endpoint.h"
#include "daemon/imm/imm_error.h"
#include "daemon/imm/nonce_cache.h"
#include "daemon/imm/request_time.h"
#include "daemon/imm/rpc_params.h"
#include "daemon/imm/signature_v2.h"
#include "daemon/imm/signature_v3.h"
#include "daemon/imm/digest.h"
#include "hlsfs/percent_decode.h"

using namespace hlsfs;
using namespace hlsfs::imm;
using json = nlohmann::json;

namespace {

template <class F>
ImmError error_of(F f) {
  try {
    f();
  } catch (const ImmError& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return {};
}

TEST(ImmParams, QueryAndFormParsing) {
  Params p = parse_rpc_form("A=1&B=x%20y+z&C=&D", "query");
  EXPECT_EQ(p, (Params{{"A", "1"}, {"B", "x y z"}, {"C", ""}, {"D", ""}}));
  EXPECT_EQ(error_of([] { parse_rpc_form("A=1&A=2", "query"); }).code, "InvalidArgument");
  EXPECT_NE(error_of([] { parse_rpc_form("A=%zz", "body"); }).message.find("body"), std::string::npos);
  EXPECT_EQ(error_of([] { parse_rpc_form("A=%00", "query"); }).code, "InvalidArgument");
  EXPECT_EQ(error_of([] { merge_params({{"A", "1"}}, {{"A", "1"}}); }).code, "InvalidArgument");
}

TEST(ImmParams, PlaylistRequestFromParameters) {
  Params p{{"Action", "GenerateVideoPlaylist"},
           {"Version", "2020-09-30"},
           {"AccessKeyId", "k"},
           {"ProjectName", "p"},
           {"SourceURI", "file:///m/a.mp4"},
           {"SourceStartTime", "1.5"},
           {"Targets", R"([{"URI":"file:///m/out/a","Duration":5}])"},
           {"Tags", R"({"k":"v"})"},
           {"UserData", "{\"not\":\"decoded\"}"}};
  json j = playlist_request_from_params(p);
  EXPECT_EQ(j, json::parse(R"({"ProjectName":"p","SourceURI":"file:///m/a.mp4","SourceStartTime":1.5,
      "Targets":[{"URI":"file:///m/out/a","Duration":5}],"Tags":{"k":"v"},"UserData":"{\"not\":\"decoded\"}"})"));
}

TEST(ImmParams, WrongFormats) {
  ImmError e = error_of([] { playlist_request_from_params({{"Targets", "[{"}}); });
  EXPECT_EQ(e.code, "InvalidParameter.Targets.WrongFormat");
  EXPECT_EQ(e.status, 400);
  e = error_of([] { playlist_request_from_params({{"SourceDuration", "10s"}}); });
  EXPECT_EQ(e.code, "InvalidParameter.SourceDuration.WrongFormat");
  e = error_of([] { playlist_request_from_params({{"Targets.1.URI", "file:///m/a"}}); });
  EXPECT_EQ(e.code, "InvalidParameter.Targets.WrongFormat");
  EXPECT_NE(e.message.find("JSON-encoded"), std::string::npos) << e.message;
}

class KeyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hlsfs-immkeys-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { ASSERT_EQ(system(("rm -rf '" + dir_ + "'").c_str()), 0); }
  Config config(const std::string& text, mode_t mode) {
    std::string path = dir_ + "/keys";
    { std::ofstream(path) << text; }
    chmod(path.c_str(), mode);
    Config c;
    c.path = dir_ + "/hlsfs.yaml";
    c.api_access_keys = path;
    return c;
  }
  std::string dir_;
};

TEST_F(KeyFile, ReadsPairs) {
  AccessKeys k = load_access_keys(config("# comment\n\nLTAI5tExample  0123456789abcdef0123\nother\tsecret-secret-secret\r\n", 0600));
  EXPECT_EQ(k, (AccessKeys{{"LTAI5tExample", "0123456789abcdef0123"}, {"other", "secret-secret-secret"}}));
}

TEST_F(KeyFile, RefusedWhenOthersMayReadIt) {
  for (mode_t mode : {0644, 0640, 0604, 0620}) {
    try {
      load_access_keys(config("id 0123456789abcdef0123\n", mode));
      ADD_FAILURE() << "mode " << std::oct << mode << " accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("api.access_keys"), std::string::npos) << e.what();
    }
  }
}

TEST_F(KeyFile, BadContent) {
  for (const char* text : {"", "# only a comment\n", "id\n", "id short\n", "id 0123456789abcdef0123 extra\n",
                           "b@d 0123456789abcdef0123\n", "id 0123456789abcdef0123\nid 0123456789abcdef9999\n"})
    EXPECT_THROW(load_access_keys(config(text, 0600)), ConfigError) << text;
}

TEST_F(KeyFile, FromASystemdCredential) {
  // LoadCredential= copies the file into $CREDENTIALS_DIRECTORY, private to
  // hlsfsd's user; api.access_keys: credential:NAME reads it there.
  { std::ofstream(dir_ + "/imm-keys") << "credkey 0123456789abcdef0123\n"; }
  chmod((dir_ + "/imm-keys").c_str(), 0400);
  setenv("CREDENTIALS_DIRECTORY", dir_.c_str(), 1);
  Config c;
  c.path = dir_ + "/hlsfs.yaml";
  c.api_access_keys = "credential:imm-keys";
  AccessKeys k = load_access_keys(c);
  unsetenv("CREDENTIALS_DIRECTORY");
  EXPECT_EQ(k, (AccessKeys{{"credkey", "0123456789abcdef0123"}}));
  c.api_access_keys = "";
  EXPECT_TRUE(load_access_keys(c).empty());  // no api section: no keys, no listener
}

TEST(ImmConfig, ApiSection) {
  const std::string base = "stores: {media: {plugin: local, root: /srv/media}}\n";
  Config c = parse_config(base, "t.yaml");
  EXPECT_FALSE(c.api_listen.enabled());
  c = parse_config(base + "api: {listen: 127.0.0.1:8091, access_keys: /etc/hlsfs/imm-keys}\n", "t.yaml");
  EXPECT_EQ(c.api_listen.str(), "127.0.0.1:8091");
  EXPECT_EQ(c.api_access_keys, "/etc/hlsfs/imm-keys");
  c = parse_config(base + "api: {listen: 0.0.0.0:8091, access_keys: credential:imm-keys}\n", "t.yaml");
  EXPECT_EQ(c.api_access_keys, "credential:imm-keys");
  EXPECT_THROW(parse_config(base + "api: {listen: 127.0.0.1:8091}\n", "t.yaml"), ConfigError);
  EXPECT_THROW(parse_config(base + "api: {access_keys: /k}\n", "t.yaml"), ConfigError);
  EXPECT_THROW(parse_config(base + "api: {listen: 127.0.0.1:8091, access_keys: keys}\n", "t.yaml"), ConfigError);
  EXPECT_THROW(parse_config(base + "api: {listen: 127.0.0.1:8091, access_keys: /k, typo: 1}\n", "t.yaml"), ConfigError);
}

TEST(ImmNonceCache, RemembersWithinTheWindowOnly) {
  NonceCache c;
  std::time_t t = 1000000;
  EXPECT_EQ(c.record("k", "n1", t, t), NonceCache::Result::fresh);
  EXPECT_EQ(c.record("k", "n1", t, t + 100), NonceCache::Result::used);
  EXPECT_EQ(c.record("other", "n1", t, t), NonceCache::Result::fresh);  // per key
  EXPECT_EQ(c.record("k", "n1", t, t + kRequestWindowSeconds), NonceCache::Result::used);
  // Once the request's time is out of the window, its nonce is dropped.
  EXPECT_EQ(c.record("k", "n2", t + kRequestWindowSeconds + 1, t + kRequestWindowSeconds + 1),
            NonceCache::Result::fresh);
  EXPECT_EQ(c.size(), 1u);
}

TEST(ImmNonceCache, BoundedWithoutForgettingLiveNonces) {
  NonceCache c(3);
  std::time_t t = 1000000;
  for (const char* n : {"a", "b", "c"}) EXPECT_EQ(c.record("k", n, t, t), NonceCache::Result::fresh);
  EXPECT_EQ(c.record("k", "d", t, t + 1), NonceCache::Result::full);
  EXPECT_EQ(c.record("k", "a", t, t + 1), NonceCache::Result::used);
  EXPECT_EQ(c.record("k", "d", t + 1000, t + kRequestWindowSeconds + 1), NonceCache::Result::fresh);
}

TEST(ImmRequestTime, Format) {
  EXPECT_EQ(parse_utc_timestamp("1970-01-01T00:00:00Z"), std::time_t{0});
  EXPECT_EQ(parse_utc_timestamp("2016-02-23T12:46:24Z"), std::time_t{1456231584});
  EXPECT_EQ(parse_utc_timestamp("2024-02-29T00:00:00Z"), std::time_t{1709164800});
  for (const char* bad : {"2023-02-29T00:00:00Z", "2016-02-23T12:46:24", "2016-02-23 12:46:24Z",
                          "2016-02-23T12:46:24.000Z", "2016-13-01T00:00:00Z", "1456231584", ""})
    EXPECT_FALSE(parse_utc_timestamp(bad)) << bad;
  EXPECT_EQ(format_utc_timestamp(1456231584), "2016-02-23T12:46:24Z");
}

// --- the handler, with signature V2 made here (its vectors are in imm_signature_test.cpp).

class Handler : public ::testing::Test {
 protected:
  std::time_t now = 1700000000;
  std::vector<std::string> sent;  // what would reach the playlist actor
  int32_t answer_status = 200;
  std::string answer_body = R"({"RequestId":"ABC","Duration":12.0,"Token":"t","MasterURI":"file:///m/o/m.m3u8"})";
  HttpHandler handler;
  int nonce = 0;

  void SetUp() override {
    ImmEndpoint e;
    e.keys = {{"key1", "secret-secret-secret"}};
    e.clock = [this] { return now; };
    e.generate = [this](std::string request, std::function<void(int32_t, std::string)> done) {
      sent.push_back(request);
      done(answer_status, answer_body);
    };
    handler = make_imm_handler(std::move(e));
  }
  Params signed_params(Params p, const std::string& method = "POST", const std::string& secret = "secret-secret-secret") {
    p.emplace("Action", "GenerateVideoPlaylist");
    p.emplace("Version", "2020-09-30");
    p.emplace("Format", "JSON");
    p["AccessKeyId"] = "key1";
    p["SignatureMethod"] = "HMAC-SHA1";
    p["SignatureVersion"] = "1.0";
    p["SignatureNonce"] = "nonce-" + std::to_string(++nonce);
    p["Timestamp"] = format_utc_timestamp(now);
    p["Signature"] = rpc_v2_signature(secret, rpc_v2_string_to_sign(method, p));
    return p;
  }
  static std::string form(const Params& p) {
    std::string out;
    for (const auto& [k, v] : p) out += (out.empty() ? "" : "&") + percent_encode(k) + "=" + percent_encode(v);
    return out;
  }
  HttpResponse call(const Params& query, const std::string& method = "POST", const std::string& body = "",
                    const std::string& content_type = "") {
    HttpRequest r;
    r.method = method;
    r.query = form(query);
    r.target = "/?" + r.query;
    r.path = "/";
    r.headers["host"] = "127.0.0.1:8091";
    if (!content_type.empty()) r.headers["content-type"] = content_type;
    r.body = body;
    HttpResponse out;
    handler(r, [&](HttpResponse resp) { out = std::move(resp); });
    return out;
  }
  static json body_of(const HttpResponse& r) { return json::parse(r.body); }
};

const Params kRequest{{"ProjectName", "demo"},
                      {"SourceURI", "file:///m/a.mp4"},
                      {"Targets", R"([{"URI":"file:///m/o/a","Video":{}}])"}};

TEST_F(Handler, GeneratesThroughTheSharedPath) {
  HttpResponse r = call(signed_params(kRequest));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["MasterURI"], "file:///m/o/m.m3u8");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(json::parse(sent[0]), json::parse(R"({"ProjectName":"demo","SourceURI":"file:///m/a.mp4",
      "Targets":[{"URI":"file:///m/o/a","Video":{}}]})"));
}

TEST_F(Handler, ParametersInAFormBody) {
  Params all = signed_params(kRequest);
  Params query{{"Signature", all["Signature"]}}, body = all;
  body.erase("Signature");
  HttpResponse r = call(query, "POST", form(body), "application/x-www-form-urlencoded; charset=UTF-8");
  EXPECT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(json::parse(sent[0])["Targets"][0]["URI"], "file:///m/o/a");
}

TEST_F(Handler, ErrorsHaveImmsShape) {
  HttpResponse r = call(signed_params(kRequest, "POST", "wrong-secret-wrong"));
  EXPECT_EQ(r.status, 400);
  json j = body_of(r);
  EXPECT_EQ(j["Code"], "SignatureDoesNotMatch");
  EXPECT_EQ(j["HostId"], "127.0.0.1:8091");
  EXPECT_EQ(j["RequestId"].get<std::string>().size(), 36u);
  EXPECT_EQ(std::set<std::string>({"RequestId", "HostId", "Code", "Message"}),
            [&] { std::set<std::string> s; for (auto& [k, v] : j.items()) s.insert(k); return s; }());
  EXPECT_TRUE(sent.empty());
}

TEST_F(Handler, ProjectNameIsRequired) {
  Params p = kRequest;
  p.erase("ProjectName");
  HttpResponse r = call(signed_params(p));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body_of(r)["Code"], "MissingProjectName");
  EXPECT_TRUE(sent.empty());
}

TEST_F(Handler, OtherActionsAndVersions) {
  Params p = kRequest;
  p["Action"] = "CreateProject";
  HttpResponse r = call(signed_params(p));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(body_of(r)["Code"], "InvalidAction.NotFound");
  p["Action"] = "GenerateVideoPlaylist";
  p["Version"] = "2017-09-06";
  r = call(signed_params(p));
  EXPECT_EQ(body_of(r)["Code"], "InvalidVersion");
  r = call(signed_params(kRequest), "PUT");
  EXPECT_EQ(body_of(r)["Code"], "UnsupportedHTTPMethod");
  EXPECT_TRUE(sent.empty());
}

TEST_F(Handler, ReplayIsRefused) {
  Params p = signed_params(kRequest);
  EXPECT_EQ(call(p).status, 200);
  HttpResponse r = call(p);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body_of(r)["Code"], "SignatureNonceUsed");
  EXPECT_EQ(sent.size(), 1u);
}

TEST_F(Handler, ActorErrorsGainRequestIdAndHostId) {
  answer_status = 400;
  answer_body = R"({"Code":"InvalidArgument","Message":"Targets[0].Duration: must be between 5 and 15"})";
  HttpResponse r = call(signed_params(kRequest));
  EXPECT_EQ(r.status, 400);
  json j = body_of(r);
  EXPECT_EQ(j["Code"], "InvalidArgument");
  EXPECT_EQ(j["Message"], "Targets[0].Duration: must be between 5 and 15");
  EXPECT_EQ(j["HostId"], "127.0.0.1:8091");
  EXPECT_FALSE(j["RequestId"].get<std::string>().empty());
}

TEST_F(Handler, OnlyFormBodies) {
  Params p = signed_params(kRequest);
  HttpResponse r = call(p, "POST", R"({"SourceURI":"x"})", "application/json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body_of(r)["Code"], "InvalidArgument");
}

TEST_F(Handler, V3SignedCall) {
  // A V3 call built as the SDK builds it: Action and Version in headers,
  // the parameters in the query.
  Params q = kRequest;
  HttpRequest r;
  r.method = "POST";
  r.query = form(q);
  r.target = "/?" + r.query;
  r.path = "/";
  r.headers = {{"host", "127.0.0.1:8091"},
               {"x-acs-action", "GenerateVideoPlaylist"},
               {"x-acs-version", "2020-09-30"},
               {"x-acs-date", format_utc_timestamp(now)},
               {"x-acs-signature-nonce", "v3-nonce"},
               {"x-acs-content-sha256", lower_hex(sha256(""))}};
  std::vector<std::string> names{"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date",
                                 "x-acs-signature-nonce", "x-acs-version"};
  std::string sig = v3_signature("secret-secret-secret",
                                 v3_string_to_sign(v3_canonical_request("POST", "/", q, r.headers, names,
                                                                        lower_hex(sha256("")))));
  r.headers["authorization"] =
      "ACS3-HMAC-SHA256 Credential=key1,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;"
      "x-acs-signature-nonce;x-acs-version,Signature=" + sig;
  HttpResponse out;
  handler(r, [&](HttpResponse resp) { out = std::move(resp); });
  EXPECT_EQ(out.status, 200) << out.body;
  ASSERT_EQ(sent.size(), 1u);
  // The same call with one parameter changed is refused.
  q["SourceURI"] = "file:///m/other.mp4";
  r.query = form(q);
  r.target = "/?" + r.query;
  r.headers["x-acs-signature-nonce"] = "v3-nonce-2";
  handler(r, [&](HttpResponse resp) { out = std::move(resp); });
  EXPECT_EQ(body_of(out)["Code"], "SignatureDoesNotMatch");
  EXPECT_EQ(sent.size(), 1u);
}

}  // namespace

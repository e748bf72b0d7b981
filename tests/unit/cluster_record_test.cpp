// Title records in the bucket (actors/cluster/title_record.h): what generate
// writes comes back whole, verified by its token; damaged, foreign or
// tampered records are refused with a message naming the object; the key
// layout makes every lookup one GET.
#include <gtest/gtest.h>

#include "actors/cluster/title_record.h"
#include "actors/playlist/generate.h"
#include "tests/unit/sample_media.h"

using namespace hlsfs;
using json = nlohmann::json;

namespace {

MediaInfo sample_media() { return test::sample_media(1920, 1080, "s3://media/src/a.mp4", "\"etag1\""); }

const char* kRequest = R"({"SourceURI":"s3://media/src/a.mp4","MasterURI":"s3://media/out/a/master.m3u8",
  "Targets":[{"URI":"s3://media/out/a/720p","Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"1280x"}},"Audio":{}}]})";

// The record generate writes (playlist_service.cpp) for target 0.
TitleRecord generated_record(const MediaInfo& media, EncoderConfig enc = {}) {
  PlaylistRequest req = parse_request_text(kRequest);
  GeneratedPlaylists gen = generate_playlists(req, media, enc, [](const RenditionSpec&) { return "avc1.64001f"; });
  const RenditionSpec& spec = gen.renditions.at(0);
  const std::string source = "s3://media/src/a.mp4\n1000\n\"etag1\"";
  json record{{"version", 1},
              {"request", json::parse(kRequest)},
              {"origin", gen.origins.at(0)},
              {"encoder", {{"preset", enc.preset}, {"threads", enc.threads}, {"x264_params", enc.x264_params}}},
              {"source", source}};
  return TitleRecord{spec.token, "s3", "out/a/720p.m3u8", record, source, json(media)};
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const TitleRecordError& e) {
    return e.what();
  }
  return "(no TitleRecordError)";
}

}  // namespace

TEST(ClusterRecord, RoundTripRebuildsTheSameRendition) {
  const MediaInfo media = sample_media();
  TitleRecord r = generated_record(media);
  BucketRecord back = decode_bucket_record(encode_title_record(r), "out/a/.hlsfs/x.json");
  ASSERT_TRUE(back.title);
  EXPECT_FALSE(back.master);
  EXPECT_EQ(back.title->token, r.token);
  EXPECT_EQ(back.title->playlist_key, "out/a/720p.m3u8");
  MediaInfo m = media_of(*back.title, "x");
  EXPECT_EQ(m.source.version, "\"etag1\"");
  RenditionSpec spec = verify_title_record(*back.title, m, "x");
  EXPECT_EQ(spec.token, r.token);
  EXPECT_GT(spec.plan.size(), 5u);
  EXPECT_EQ(spec.playlist_uri(), "s3://media/out/a/720p.m3u8");
}

TEST(ClusterRecord, MasterCarriesItsRenditions) {
  TitleRecord r = generated_record(sample_media());
  MasterRecord m{"master:0123", json{{"version", 1}, {"store", "s3"}, {"key", "out/a/master.m3u8"}, {"text", "#EXTM3U\n"}},
                 {r}};
  BucketRecord back = decode_bucket_record(encode_master_record(m), "k");
  ASSERT_TRUE(back.master);
  EXPECT_EQ(back.master->state_key, "master:0123");
  ASSERT_EQ(back.master->renditions.size(), 1u);
  EXPECT_EQ(back.master->renditions[0].token, r.token);
  EXPECT_EQ(back.master->record.at("text"), "#EXTM3U\n");
}

TEST(ClusterRecord, AnotherVersionIsRefusedByName) {
  json j = json::parse(encode_title_record(generated_record(sample_media())));
  j["version"] = 2;
  std::string msg = message_of([&] { decode_bucket_record(j.dump(), "out/a/.hlsfs/t.json"); });
  EXPECT_NE(msg.find("out/a/.hlsfs/t.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("version 2"), std::string::npos) << msg;
}

TEST(ClusterRecord, GarbageAndMissingFieldsAreRefused) {
  EXPECT_NE(message_of([] { decode_bucket_record("{not json", "k1"); }).find("k1: not a title record"), std::string::npos);
  EXPECT_NE(message_of([] { decode_bucket_record(R"({"format":"other","version":1})", "k2"); }).find("k2"),
            std::string::npos);
  json j = json::parse(encode_title_record(generated_record(sample_media())));
  j.erase("media");
  EXPECT_NE(message_of([&] { decode_bucket_record(j.dump(), "k3"); }).find("k3: malformed"), std::string::npos);
  j = json::parse(encode_title_record(generated_record(sample_media())));
  j["token"] = "../../etc";
  EXPECT_NE(message_of([&] { decode_bucket_record(j.dump(), "k4"); }).find("not 32 hex"), std::string::npos);
}

// A record whose request says otherwise than its token (tampered, or made by
// an hlsfs that plans differently) must not be served under that token.
TEST(ClusterRecord, TokenNotMatchingTheRecordIsRefused) {
  const MediaInfo media = sample_media();
  TitleRecord r = generated_record(media);
  r.playlist_record["request"]["Targets"][0]["Video"]["TranscodeVideo"]["CRF"] = 20;
  std::string msg = message_of([&] { verify_title_record(r, media, "k"); });
  EXPECT_NE(msg.find("does not match"), std::string::npos) << msg;

  TitleRecord other_settings = generated_record(media);
  other_settings.playlist_record["encoder"]["preset"] = "slow";  // other bytes, so another token
  EXPECT_NE(message_of([&] { verify_title_record(other_settings, media, "k"); }).find("does not match"),
            std::string::npos);

  MediaInfo other_source = media;
  other_source.source.version = "\"etag2\"";  // the source changed: its token is another
  EXPECT_NE(message_of([&] { verify_title_record(generated_record(media), other_source, "k"); }).find("does not match"),
            std::string::npos);

  TitleRecord wrong_probe = generated_record(media);
  wrong_probe.source_key = "s3://media/src/b.mp4\n1\nx";
  EXPECT_NE(message_of([&] { verify_title_record(wrong_probe, media, "k"); }).find("probe"), std::string::npos);
}

TEST(ClusterRecord, EveryLookupIsOneKnownKey) {
  const std::string tok = "0123456789abcdef0123456789abcdef";
  EXPECT_EQ(record_key_for_lookup("out/a/720p-" + tok + "-12.ts"), "out/a/.hlsfs/" + tok + ".json");
  EXPECT_EQ(record_key_for_lookup("720p-" + tok + "-0.ts"), ".hlsfs/" + tok + ".json");
  EXPECT_EQ(record_key_for_lookup("out/a/sub_0-" + tok + "-3.vtt"), "out/a/.hlsfs/" + tok + ".json");
  EXPECT_EQ(record_key_for_lookup("out/a/720p.m3u8"), "out/a/.hlsfs/720p.m3u8.json");
  EXPECT_EQ(record_key_for_lookup("out/a/master.m3u8"), "out/a/.hlsfs/master.m3u8.json");
  EXPECT_EQ(record_key_for_lookup("out/a"), "out/a/.hlsfs/dir.json");
  EXPECT_EQ(record_key_for_lookup("out"), "out/.hlsfs/dir.json");
  // Not a segment name: the token must be 32 hex digits between dashes.
  EXPECT_EQ(record_key_for_lookup("out/720p-xyz-1.ts"), "out/720p-xyz-1.ts/.hlsfs/dir.json");
  // The records themselves are never looked up through the mount.
  EXPECT_EQ(record_key_for_lookup(".hlsfs"), std::nullopt);
  EXPECT_EQ(record_key_for_lookup("out/.hlsfs"), std::nullopt);
  EXPECT_EQ(record_key_for_lookup("out/.hlsfs/dir.json"), std::nullopt);
  EXPECT_EQ(record_key_for_lookup(""), std::nullopt);

  EXPECT_EQ(playlist_record_key("720p.m3u8"), ".hlsfs/720p.m3u8.json");
  EXPECT_EQ(dirs_up("out/a/b/"), (std::vector<std::string>{"out/a/b/", "out/a/", "out/"}));
  EXPECT_TRUE(dirs_up("").empty());
  EXPECT_EQ(usage_key("out/a/", tok, "n2"), "out/a/.hlsfs/used/" + tok + "/n2.json");
}

TEST(ClusterRecord, UsageRecordsMergeToTheLatestUse) {
  UsageRecord a{"n1", "t", {{0, 100}, {3, 500}}};
  UsageRecord b = decode_usage_record(encode_usage_record(UsageRecord{"n1", "t", {{3, 400}, {7, 900}}}), "k");
  EXPECT_EQ(b.node, "n1");
  merge_usage(a, b);
  EXPECT_EQ(a.last_use, (std::map<uint32_t, int64_t>{{0, 100}, {3, 500}, {7, 900}}));
  EXPECT_NE(message_of([] { decode_usage_record(R"({"format":"hlsfs-usage","version":1,"node":"n","token":"t",
     "segments":{"x":1}})", "u1"); }).find("u1"),
            std::string::npos);
}

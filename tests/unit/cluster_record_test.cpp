// Title records in the bucket (actors/cluster/title_record.h): what generate
// writes comes back whole, verified by its token; damaged, foreign or
// tampered records are refused with a message naming the object; the key
// layout makes every lookup one GET.
#include <gtest/gtest.h>

#include <iostream>

#include "actors/cluster/keyframe_pack.h"
#include "actors/cluster/master_merge.h"
#include "actors/cluster/title_record.h"
#include "actors/playlist/generate.h"
#include "actors/playlist/master_bandwidth.h"
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
  j["version"] = 99;
  std::string msg = message_of([&] { decode_bucket_record(j.dump(), "out/a/.hlsfs/t.json"); });
  EXPECT_NE(msg.find("out/a/.hlsfs/t.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("version 99"), std::string::npos) << msg;
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

// A two-hour upload: a keyframe every 2 s (3600), each with its times and
// byte offset, as the probe reads them from an MP4's index.
static MediaInfo two_hour_media() {
  MediaInfo m = sample_media();
  const int64_t hours = 2, kf = 3600 * hours / 2;
  m.container_duration = 3600.0 * hours;
  StreamInfo& v = m.streams[0];
  v.end_pts = 15360 * 3600 * hours;
  v.keyframes.clear();
  int64_t pos = 48;
  for (int64_t k = 0; k < kf; ++k) {
    v.keyframes.push_back({k * 30720, k * 30720 - 512, pos});
    pos += 180000 + (k * 7919) % 90001;  // GOPs of different sizes
  }
  m.streams[1].end_pts = 48000 * 3600 * hours;
  return m;
}

// A record is read at a title's first request on each node and written at
// generate (a rendition's up to 3 + depth times): a two-hour title's must
// stay a few KiB, not grow with its keyframes (or segments), and still give
// back its probe exactly.
TEST(ClusterRecord, ATwoHourTitlesRecordsStaySmallAndExact) {
  const MediaInfo media = two_hour_media();
  TitleRecord r = generated_record(media);
  MediaInfo planned = media_of(r, "x");
  ASSERT_GT(verify_title_record(r, planned, "x").plan.size(), 500u);  // a long plan too
  TitleRecord r2 = r;  // a second rendition of the same source
  r2.token = std::string(32, 'b');
  MasterRecord m{"master:0123", json{{"version", 1}, {"store", "s3"}, {"key", "out/a/master.m3u8"}, {"text", "#EXTM3U\n"}},
                 {r, r2, r2, r2}};
  const std::string rendition = encode_title_record(r), master = encode_master_record(m);
  std::cout << "figure: records of a 2-hour title (" << media.streams[0].keyframes.size() << " keyframes, "
            << verify_title_record(r, planned, "x").plan.size() << " segments): rendition " << rendition.size()
            << " bytes, master of 4 renditions " << master.size() << " bytes (the probe alone, as JSON: "
            << json(media).dump().size() << " bytes)" << std::endl;
  EXPECT_LT(rendition.size(), 24u << 10);
  EXPECT_LT(master.size(), 28u << 10);

  BucketRecord one = decode_bucket_record(rendition, "k");
  ASSERT_TRUE(one.title);
  EXPECT_EQ(one.title->media, r.media);  // the probe as recorded, keyframe for keyframe
  EXPECT_EQ(verify_title_record(*one.title, media_of(*one.title, "k"), "k").token, r.token);
  BucketRecord all = decode_bucket_record(master, "k");
  ASSERT_TRUE(all.master);
  ASSERT_EQ(all.master->renditions.size(), 4u);
  for (const TitleRecord& t : all.master->renditions) EXPECT_EQ(t.media, r.media);
  EXPECT_EQ(all.master->renditions[3].token, r2.token);
}

TEST(ClusterRecord, EveryLookupIsOneKnownKey) {
  const std::string tok = "0123456789abcdef0123456789abcdef";
  EXPECT_EQ(record_key_for_lookup("out/a/720p-" + tok + "-12.ts"), "out/a/.hlsfs/" + tok + ".json");
  EXPECT_EQ(record_key_for_lookup("720p-" + tok + "-0.ts"), ".hlsfs/" + tok + ".json");
  EXPECT_EQ(record_key_for_lookup("out/a/sub_0-" + tok + "-3.vtt"), "out/a/.hlsfs/" + tok + ".json");
  // fMP4: a media segment and the init segment, asked of a node that never
  // saw the title (the front hashes segments, not playlists, to it).
  EXPECT_EQ(record_key_for_lookup("out/a/720p-" + tok + "-4.m4s"), "out/a/.hlsfs/" + tok + ".json");
  EXPECT_EQ(record_key_for_lookup("out/a/720p-" + tok + "-init.mp4"), "out/a/.hlsfs/" + tok + ".json");
  EXPECT_EQ(record_key_for_lookup("out/a/master_thumbnails-" + tok + "-0.jpg"), "out/a/.hlsfs/" + tok + ".json");
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

// The keyframe columns come back exact, whatever they hold: steady runs,
// irregular offsets, unknown values (kNoTimestamp, pos -1) and the extremes.
TEST(ClusterRecord, PackedKeyframeColumnsRoundTripAndRefuseGarbage) {
  const std::vector<std::vector<int64_t>> columns = {
      {},
      {0},
      {5, 5, 5, 5},
      {0, 3000, 6000, 9000, 12000, 15007, 18007},
      {kNoTimestamp, 0, kNoTimestamp, INT64_MAX, INT64_MIN, -1, -1, -1},
      {-1, -1, -1, -1, -1},
      {48, 180048, 367967, 610000, 610001}};
  for (const auto& c : columns) {
    const std::string text = pack_column(c);
    EXPECT_EQ(unpack_column(text, c.size(), "k"), c) << text;
  }
  std::vector<int64_t> steady;
  for (int k = 0; k < 3600; ++k) steady.push_back(k * 30720);
  EXPECT_LT(pack_column(steady).size(), 12u) << pack_column(steady);  // one run

  const std::string three = pack_column({1, 2, 4});
  EXPECT_NE(message_of([&] { unpack_column(three, 2, "k5"); }).find("k5: packed keyframes"), std::string::npos);
  EXPECT_NE(message_of([&] { unpack_column(three, 4, "k6"); }).find("k6: packed keyframes"), std::string::npos);
  EXPECT_NE(message_of([] { unpack_column("A!B", 3, "k7"); }).find("k7"), std::string::npos);
  EXPECT_NE(message_of([] { unpack_column("A.__________________", 1000, "k8"); }).find("k8"), std::string::npos);
  EXPECT_NE(message_of([] { unpack_column("g", 1, "k9"); }).find("cut short"), std::string::npos);  // "more" with no more

  // A probe packed and back is the probe; one with damaged packing is refused by name.
  const json media = json(two_hour_media());
  EXPECT_EQ(unpack_media(pack_media(media), "k"), media);
  json bad = pack_media(media);
  bad["streams"][0]["keyframes_packed"]["n"] = 7;
  EXPECT_NE(message_of([&] { unpack_media(bad, "k10"); }).find("k10"), std::string::npos);
}

// Records written before keyframes were packed (version 1) are still read.
TEST(ClusterRecord, VersionOneRecordsAreStillRead) {
  TitleRecord r = generated_record(sample_media());
  json j = json::parse(encode_title_record(r));
  j["version"] = 1;
  j["media"] = r.media;  // as version 1 wrote it
  BucketRecord back = decode_bucket_record(j.dump(), "k");
  ASSERT_TRUE(back.title);
  EXPECT_EQ(back.title->media, r.media);
  EXPECT_EQ(verify_title_record(*back.title, media_of(*back.title, "k"), "k").token, r.token);
}

// Raises merge per variant to the larger value, in any order, any number
// of times; variants the base does not list are left out.
TEST(ClusterRecord, RaisedMastersMergeToTheLargerValuePerVariant) {
  const std::string planned =
      "#EXTM3U\n#EXT-X-VERSION:3\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=1000,AVERAGE-BANDWIDTH=800,RESOLUTION=1280x720\nhi.m3u8\n"
      "#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=300,BANDWIDTH=500\nlo.m3u8\n";
  EXPECT_EQ(variant_bandwidths(planned),
            (std::vector<std::pair<std::string, int64_t>>{{"hi.m3u8", 1000}, {"lo.m3u8", 500}}));
  const std::string a = *raise_bandwidth(planned, "hi.m3u8", 4000);  // node a raised hi
  const std::string b = *raise_bandwidth(planned, "lo.m3u8", 900);   // node b raised lo
  const std::string ab = *merge_raises(a, b), ba = *merge_raises(b, a);
  EXPECT_EQ(ab, ba);
  EXPECT_EQ(variant_bandwidths(ab), (std::vector<std::pair<std::string, int64_t>>{{"hi.m3u8", 4000}, {"lo.m3u8", 900}}));
  EXPECT_FALSE(merge_raises(ab, a));  // nothing more to write
  EXPECT_FALSE(merge_raises(ab, planned));  // never lowered
  EXPECT_NE(ab.find("AVERAGE-BANDWIDTH=800"), std::string::npos);
  EXPECT_FALSE(merge_raises(planned, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=9999\nother.m3u8\n"));
}

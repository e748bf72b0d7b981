// The webhook's pure parts: the notices' JSON, the request fields they
// carry (Notification, Tags, UserData, TranscodeAhead), and that none of
// those changes a rendition's token.
#include <gtest/gtest.h>

#include "actors/notify/notices.h"
#include "actors/playlist/generate.h"
#include "tests/unit/sample_media.h"

using namespace hlsfs;
using json = nlohmann::json;

namespace {
MediaInfo sample_media() {
  MediaInfo m = test::sample_media(1280, 720);
  m.streams.resize(1);  // video only, 25 fps
  m.streams[0].avg_frame_rate = m.streams[0].r_frame_rate = {25, 1};
  return m;
}

PlaylistRequest request(const std::string& extra) {
  return parse_request_text(R"({"SourceURI":"file:///m/a.mp4",)" + extra +
                            R"("Targets":[{"URI":"file:///o/v","Video":{}}]})");
}
}  // namespace

TEST(RequestFields, NotificationKeepsImmTargetsAndRefusesUnknownFields) {
  auto req = request(R"("Notification":{"MNS":{"TopicName":"done","Endpoint":"http://mns"}},)");
  EXPECT_EQ(req.notification, (json{{"MNS", {{"TopicName", "done"}, {"Endpoint", "http://mns"}}}}));
  EXPECT_TRUE(request("").notification.is_null());
  auto field_of = [](const std::string& extra) {
    try {
      request(extra);
    } catch (const RequestError& e) {
      return e.field;
    }
    return std::string("accepted");
  };
  EXPECT_EQ(field_of(R"("Notification":{"Webhook":"http://evil"},)"), "Notification.Webhook");
  EXPECT_EQ(field_of(R"("Notification":{"MNS":{"Topic":"x"}},)"), "Notification.MNS.Topic");
  EXPECT_EQ(field_of(R"("Notification":{"MNS":{"TopicName":5}},)"), "Notification.MNS.TopicName");
  EXPECT_EQ(field_of(R"("Notification":"MNS",)"), "Notification");
  EXPECT_EQ(field_of(R"("Notification":{"RocketMQ":{"Endpoint":"e","InstanceId":"i","TopicName":"t"},"Kafka":{"Endpoint":"k","Topic":"t"}},)"),
            "accepted");
}

TEST(RequestFields, LabelsAndTranscodeAheadReachTheRenditionButNotItsToken) {
  const MediaInfo media = sample_media();
  RenditionSpec plain = make_rendition(media, request(""), 0, EncoderConfig{});
  PlaylistRequest labelled = parse_request_text(
      R"({"SourceURI":"file:///m/a.mp4","Tags":{"team":"a b"},"UserData":"{\"id\":7}",
          "Notification":{"MNS":{"TopicName":"t"}},
          "Targets":[{"URI":"file:///o/v","TranscodeAhead":12,"Video":{}}]})");
  RenditionSpec r = make_rendition(media, labelled, 0, EncoderConfig{});
  EXPECT_EQ(r.token, plain.token);  // the same bytes: the same names
  EXPECT_EQ(r.labels.transcode_ahead, 12);
  EXPECT_EQ(r.labels.tags.at("team"), "a b");
  EXPECT_EQ(r.labels.user_data, "{\"id\":7}");
  EXPECT_EQ(prefetch_depth(r, 2), 12);
  EXPECT_EQ(prefetch_depth(plain, 2), 2);  // none asked: transcoder.prefetch_segments
  EXPECT_FALSE(plain.labels.transcode_ahead.has_value());
}

TEST(RequestFields, TranscodeAheadKeepsImmsRange) {
  EXPECT_THROW(parse_request_text(R"({"SourceURI":"file:///m/a.mp4",
      "Targets":[{"URI":"file:///o/v","TranscodeAhead":9,"Video":{}}]})"), RequestError);
  EXPECT_THROW(parse_request_text(R"({"SourceURI":"file:///m/a.mp4",
      "Targets":[{"URI":"file:///o/v","TranscodeAhead":31,"Video":{}}]})"), RequestError);
}

TEST(Notices, PlaylistGeneratedCarriesTheAnswerUserDataTagsAndNotification) {
  auto req = request(R"("Tags":{"k":"v"},"UserData":"ud","Notification":{"MNS":{"TopicName":"t"}},)");
  json response{{"RequestId", "R1"}, {"Token", "T"}, {"MasterURI", "file:///o/m.m3u8"}, {"Duration", 60.0},
                {"VideoPlaylist", json::array({{{"URI", "file:///o/v.m3u8"}}})}, {"Unrelated", 1}};
  json n = playlist_generated_notice(response, req, 1733352301123);
  EXPECT_EQ(n["Event"], "PlaylistGenerated");
  EXPECT_EQ(n["Time"], "2024-12-04T22:45:01.123Z");
  EXPECT_EQ(n["UserData"], "ud");
  EXPECT_EQ(n["Tags"], (json{{"k", "v"}}));
  EXPECT_EQ(n["Notification"]["MNS"]["TopicName"], "t");
  EXPECT_EQ(n["RequestId"], "R1");
  EXPECT_EQ(n["VideoPlaylist"][0]["URI"], "file:///o/v.m3u8");
  EXPECT_EQ(n["SourceURI"], "file:///m/a.mp4");
  EXPECT_FALSE(n.contains("Unrelated"));
  EXPECT_FALSE(n.contains("SkippedExisting"));
}

TEST(Notices, WithoutTagsOrNotificationTheFieldsAreEmptyNotMissing) {
  json n = playlist_generated_notice(json{{"RequestId", "R"}}, request(""), 0);
  EXPECT_EQ(n["Tags"], json::object());
  EXPECT_EQ(n["UserData"], "");
  EXPECT_FALSE(n.contains("Notification"));
  EXPECT_EQ(n["Time"], "1970-01-01T00:00:00.000Z");
}

TEST(Notices, RenditionEventsNameThePlaylistTheSegmentAndTheOutcome) {
  auto req = request(R"("Tags":{"k":"v"},"UserData":"ud",)");
  RenditionSpec r = make_rendition(sample_media(), req, 0, EncoderConfig{});
  json done = initial_transcode_notice(r, 4, 0, 1000);
  EXPECT_EQ(done["Event"], "InitialTranscodeFinished");
  EXPECT_EQ(done["URI"], "file:///o/v.m3u8");
  EXPECT_EQ(done["Token"], r.token);
  EXPECT_EQ(done["Segments"], 4);
  EXPECT_EQ(done["Status"], "Succeeded");
  EXPECT_EQ(done["UserData"], "ud");
  EXPECT_EQ(initial_transcode_notice(r, 4, 1, 1000)["Status"], "Failed");
  json failed = segment_failed_notice(r, 3, "decoder said no", 1000);
  EXPECT_EQ(failed["Event"], "SegmentFailed");
  EXPECT_EQ(failed["Segment"], 3);
  EXPECT_EQ(failed["SegmentURI"], "file:///o/v-" + r.token + "-3.ts");
  EXPECT_EQ(failed["Message"], "decoder said no");
  EXPECT_EQ(failed["Tags"]["k"], "v");
}

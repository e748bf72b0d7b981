// The IMM request model: defaults, ranges, clear errors naming the field.
#include <gtest/gtest.h>

#include <functional>

#include "actors/playlist/request.h"

using namespace hlsfs;
using json = nlohmann::json;

namespace {
json minimal() {
  return json::parse(R"({"SourceURI":"file:///m/a.mp4",
    "Targets":[{"URI":"file:///o/a","Video":{"TranscodeVideo":{"Resolution":"1280x"}},"Audio":{}}]})");
}
std::string field_of(const json& j) {
  try {
    parse_request(j);
  } catch (const RequestError& e) {
    return e.field;
  }
  return "(accepted)";
}
}  // namespace

TEST(Request, Defaults) {
  PlaylistRequest r = parse_request(minimal());
  ASSERT_EQ(r.targets.size(), 1u);
  const auto& t = r.targets[0];
  EXPECT_EQ(t.duration, 10);
  EXPECT_EQ(t.initial_segments, (std::vector<double>{2, 2, 2}));
  EXPECT_EQ(t.initial_transcode, 30);
  ASSERT_TRUE(t.video);
  EXPECT_EQ(t.video->codec, "h264");
  EXPECT_EQ(t.video->effective_crf(), 23);
  EXPECT_EQ(t.video->scale_type, ScaleType::stretch);
  EXPECT_EQ(t.video->resolution_option, ValueOption::adaptive);
  EXPECT_EQ(*t.video->width, 1280);
  EXPECT_FALSE(t.video->height);
  ASSERT_TRUE(t.audio);
  EXPECT_EQ(t.audio->codec, "aac");
  EXPECT_EQ(r.overwrite_policy, OverwritePolicy::overwrite);
}

TEST(Request, TheImmMasterExampleParses) {
  json j = json::parse(R"({
    "ProjectName":"test","SourceURI":"oss://bucket/video.mp4","MasterURI":"oss://bucket/out/master.m3u8",
    "Targets":[
      {"URI":"oss://bucket/out/1080p","Duration":10,"InitialSegments":[2,2,2],"InitialTranscode":36,
       "Video":{"TranscodeVideo":{"Codec":"h264","CRF":26,"FrameRate":25,"Resolution":"1920x","ScaleType":"fit"}},
       "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":128000,"SampleRate":44100}}},
      {"URI":"oss://bucket/out/720p","Duration":10,"InitialSegments":[2,2,2],"InitialTranscode":36,
       "Video":{"TranscodeVideo":{"Codec":"h264","CRF":26,"FrameRate":25,"Resolution":"1280x","ScaleType":"fit"}},
       "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":96000,"SampleRate":44100}}},
      {"URI":"oss://bucket/out/540p","Duration":10,"InitialSegments":[2,2,2],"InitialTranscode":36,
       "Video":{"TranscodeVideo":{"Codec":"h264","CRF":26,"FrameRate":25,"Resolution":"720x","ScaleType":"fit"}},
       "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":64000,"SampleRate":44100}}}]})");
  PlaylistRequest r = parse_request(j);
  EXPECT_EQ(r.targets.size(), 3u);
  EXPECT_EQ(r.targets[2].initial_transcode, 36);
  EXPECT_EQ(*r.targets[1].video->frame_rate, (Rational{25, 1}));
  EXPECT_EQ(r.targets[0].audio->bitrate, 128000);
  ASSERT_EQ(r.warnings.size(), 1u);  // ProjectName: accepted, ignored
}

TEST(Request, ErrorsNameTheField) {
  json j = minimal();
  j["Targets"][0]["Duration"] = 3;
  EXPECT_EQ(field_of(j), "Targets[0].Duration");
  j = minimal();
  j["Targets"][0]["Video"]["TranscodeVideo"]["Resolutoin"] = "x720";  // a typo is not ignored
  EXPECT_EQ(field_of(j), "Targets[0].Video.TranscodeVideo.Resolutoin");
  j = minimal();
  j["Targets"][0]["Video"]["TranscodeVideo"]["Resolution"] = "big";
  EXPECT_EQ(field_of(j), "Targets[0].Video.TranscodeVideo.Resolution");
  j = minimal();
  j["Targets"][0]["Video"]["TranscodeVideo"]["CRF"] = 52;
  EXPECT_EQ(field_of(j), "Targets[0].Video.TranscodeVideo.CRF");
  j = minimal();
  j["Targets"][0]["Video"]["TranscodeVideo"]["ScaleType"] = "zoom";
  EXPECT_EQ(field_of(j), "Targets[0].Video.TranscodeVideo.ScaleType");
  j = minimal();
  j["Targets"][0]["Audio"]["TranscodeAudio"] = {{"SampleRate", 44000}};
  EXPECT_EQ(field_of(j), "Targets[0].Audio.TranscodeAudio.SampleRate");
  j = minimal();
  j["Targets"][0]["InitialSegments"] = {2, 2, 2, 2, 2, 2, 2};
  EXPECT_EQ(field_of(j), "Targets[0].InitialSegments");
  j = minimal();
  j.erase("SourceURI");
  EXPECT_EQ(field_of(j), "SourceURI");
  j = minimal();
  j["SourceURI"] = "http://example.com/a.mp4";
  EXPECT_EQ(field_of(j), "SourceURI");
  j = minimal();
  j["Targets"] = json::array();
  EXPECT_EQ(field_of(j), "Targets");
  j = minimal();
  j["Targets"][0]["URI"] = "file:///o/a.m3u8";
  EXPECT_EQ(field_of(j), "Targets[0].URI");
  j = minimal();
  j["Targets"][0]["Video"]["TranscodeVideo"]["Bitrate"] = 1000000;
  j["Targets"][0]["Video"]["TranscodeVideo"]["CRF"] = 20;
  EXPECT_EQ(field_of(j), "Targets[0].Video.TranscodeVideo.Bitrate");
}

TEST(Request, SeveralTargetsNeedAMasterHoldingThem) {
  json j = minimal();
  j["Targets"].push_back(j["Targets"][0]);
  j["Targets"][1]["URI"] = "file:///o/b";
  EXPECT_EQ(field_of(j), "MasterURI");
  j["MasterURI"] = "file:///o/master.m3u8";
  EXPECT_EQ(field_of(j), "(accepted)");
  j["MasterURI"] = "file:///elsewhere/master.m3u8";
  EXPECT_EQ(field_of(j), "Targets[0].URI");
  j["MasterURI"] = "file:///o/master.m3u8";
  j["Targets"][1]["URI"] = "file:///o/a";
  EXPECT_EQ(field_of(j), "Targets[1].URI");  // same URI twice
}

TEST(Request, DisabledVideoIsAbsentAndAnEmptyTargetIsRefused) {
  json j = minimal();
  j["Targets"][0]["Video"]["DisableVideo"] = true;
  PlaylistRequest r = parse_request(j);
  EXPECT_FALSE(r.targets[0].video);
  j["Targets"][0]["Audio"]["DisableAudio"] = true;
  EXPECT_EQ(field_of(j), "Targets[0]");
}

TEST(Request, NotJsonIsAClearError) {
  try {
    parse_request_text("{\"SourceURI\": ");
    FAIL();
  } catch (const RequestError& e) {
    EXPECT_EQ(e.field, "request");
  }
  EXPECT_THROW(parse_request_text("[1,2]"), RequestError);
}

// Found by tests/fuzz (request_fuzz): numbers JSON can write but a double or
// an int64 cannot hold are bad requests naming the field and the number as
// sent, never a 500 (an escaping json exception), UB or a wrapped value.
TEST(Request, NumbersBeyondWhatTheTypesHoldAreClearErrors) {
  try {
    parse_request_text(R"({"SourceURI":"file:///m/a.mp4","Targets":[{"URI":"file:///o/a","Duration":1e400}]})");
    FAIL() << "accepted";
  } catch (const RequestError& e) {
    EXPECT_EQ(e.field, "request");
    EXPECT_NE(std::string(e.what()).find("1e400"), std::string::npos) << e.what();
  }
  auto message_of = [](const json& j) -> std::string {
    try {
      parse_request(j);
    } catch (const RequestError& e) {
      return e.field + ": " + e.what();
    }
    return "(accepted)";
  };
  json j = minimal();
  j["Targets"][0]["Video"]["TranscodeVideo"]["CRF"] = 1e300;  // a whole number as a double, beyond int64
  EXPECT_NE(message_of(j).find("Targets[0].Video.TranscodeVideo.CRF: "), std::string::npos);
  EXPECT_NE(message_of(j).find("got 1e+300"), std::string::npos) << message_of(j);
  j = minimal();
  j["Targets"][0]["Video"]["TranscodeVideo"]["BFrames"] = 18446744073709551615ull;  // beyond int64
  EXPECT_NE(message_of(j).find("got 18446744073709551615"), std::string::npos) << message_of(j);
  j = minimal();
  j["Targets"][0]["Video"]["Stream"] = 18446744073709551615ull;
  EXPECT_EQ(field_of(j), "Targets[0].Video.Stream");
}

TEST(Request, FrameRatesBecomeExact) {
  EXPECT_EQ(frame_rate_from_double(25), (Rational{25, 1}));
  EXPECT_EQ(frame_rate_from_double(29.97), (Rational{30000, 1001}));
  EXPECT_EQ(frame_rate_from_double(23.976), (Rational{24000, 1001}));
  EXPECT_EQ(frame_rate_from_double(59.94), (Rational{60000, 1001}));
  EXPECT_EQ(frame_rate_from_double(12.5), (Rational{25, 2}));
}

// A URI becomes a store key (a C string: a NUL names another object) and a
// playlist line or quoted attribute (a newline injects a line, a quote ends
// the attribute): refused in every field, named, without echoing the URI.
TEST(Request, UrisCannotCarryWhatAKeyOrAPlaylistLineCannot) {
  auto with = [](const std::function<void(json&)>& f) {
    json j = minimal();
    j["MasterURI"] = "file:///o/master.m3u8";
    f(j);
    return j;
  };
  for (const std::string bad : {std::string("file:///o/a\0.m3u8", 17), std::string("file:///o/a\n#EXT-X-ENDLIST"),
                                std::string("file:///o/a\r"), std::string("file:///o/a\x7f"), std::string("file:///o/a\"b")}) {
    EXPECT_EQ(field_of(with([&](json& j) { j["Targets"][0]["URI"] = bad; })), "Targets[0].URI") << bad;
    EXPECT_EQ(field_of(with([&](json& j) { j["SourceURI"] = bad; })), "SourceURI") << bad;
    EXPECT_EQ(field_of(with([&](json& j) { j["MasterURI"] = bad + "/m.m3u8"; })), "MasterURI") << bad;
    EXPECT_EQ(field_of(with([&](json& j) { j["SourceSubtitles"] = json::array({{{"URI", bad}}}); })),
              "SourceSubtitles[0].URI")
        << bad;
  }
  try {
    parse_request(with([](json& j) { j["Targets"][0]["URI"] = std::string("file:///o/victim.mp4\0", 21); }));
    ADD_FAILURE() << "accepted";
  } catch (const RequestError& e) {
    EXPECT_STREQ(e.what(), "Targets[0].URI: must not contain control characters (U+0000 at byte 20)");
  }
  EXPECT_EQ(field_of(with([](json& j) { j["Tags"] = {{"k", "v\nw"}}; })), "Tags.k");
  EXPECT_EQ(field_of(with([](json& j) { j["SourceSubtitles"] = json::array({{{"URI", "file:///o/s.srt"}, {"Language", "e\"g"}}}); })),
            "SourceSubtitles[0].Language");
  EXPECT_EQ(field_of(with([](json&) {})), "(accepted)");
}

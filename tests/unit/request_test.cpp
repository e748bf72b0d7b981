// The IMM request model: defaults, ranges, clear errors naming the field.
#include <gtest/gtest.h>

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

TEST(Request, FrameRatesBecomeExact) {
  EXPECT_EQ(frame_rate_from_double(25), (Rational{25, 1}));
  EXPECT_EQ(frame_rate_from_double(29.97), (Rational{30000, 1001}));
  EXPECT_EQ(frame_rate_from_double(23.976), (Rational{24000, 1001}));
  EXPECT_EQ(frame_rate_from_double(59.94), (Rational{60000, 1001}));
  EXPECT_EQ(frame_rate_from_double(12.5), (Rational{25, 2}));
}

// CODECS strings read back from what the encoders really write.
#include <gtest/gtest.h>

#include "actors/transcoder/codec_string.h"
#include "actors/transcoder/encoders.h"

using namespace hlsfs;

namespace {

RenditionSpec rendition(const std::string& codec, int width, int height) {
  RenditionSpec r;
  VideoSpec v;
  v.stream = 0;
  v.codec = codec;
  v.frame_rate = {30, 1};
  v.geometry.width = width;
  v.geometry.height = height;
  v.preset = "veryfast";
  v.threads = 1;
  r.video = v;
  r.audio = AudioSpec{};
  return r;
}

}  // namespace

TEST(CodecString, H264ProfileAndLevelFromX264) {
  MediaInfo media;
  EXPECT_EQ(codecs_string(rendition("h264", 1280, 720), media), "avc1.64001F,mp4a.40.2");  // High 3.1
  EXPECT_EQ(codecs_string(rendition("h264", 1920, 1080), media), "avc1.640028,mp4a.40.2");  // High 4.0
}

TEST(CodecString, H265ProfileTierLevelFromX265) {
  MediaInfo media;
  // Main profile (1), compatible with Main and Main 10 (flags 1 and 2:
  // reversed 0x6), Main tier, level 3.1 (93) / 4.0 (120); progressive, frame only.
  EXPECT_EQ(codecs_string(rendition("h265", 1280, 720), media), "hvc1.1.6.L93.90,mp4a.40.2");
  EXPECT_EQ(codecs_string(rendition("h265", 1920, 1080), media), "hvc1.1.6.L120.90,mp4a.40.2");
}

TEST(CodecString, H265SpsWithEmulationPreventionAndHighTier) {
  // A hand-made SPS: Main 10 (2) in the high tier, compatibility flag 2 only
  // (reversed: 0x4), level 5.1 (153), one constraint byte 0xB0; runs of
  // zero bytes carry emulation-prevention bytes (00 00 03), as in a stream.
  const uint8_t sps[] = {0x00, 0x00, 0x00, 0x01, 0x42, 0x01,  // start code, NAL header (type 33)
                         0x01,                                // vps id 0, 0 sub layers, nesting
                         0x22,                                // space 0, tier 1, profile 2
                         0x20, 0x00, 0x00, 0x03, 0x00,        // compatibility: flag 2 (+ EPB)
                         0xB0, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00,  // constraints: 6 bytes (+ 2 EPB)
                         0x99,                                // level 153
                         0x00, 0x00, 0x01, 0x44};             // next NAL
  EXPECT_EQ(hvc1_from_extradata(sps, sizeof sps), "hvc1.2.4.H153.B0");
}

TEST(CodecString, UnknownCodecIsAClearError) {
  MediaInfo media;
  try {
    codecs_string(rendition("vp9", 640, 360), media);
    FAIL();
  } catch (const MediaError& e) {
    EXPECT_NE(std::string(e.what()).find("h264, h265"), std::string::npos) << e.what();
  }
}

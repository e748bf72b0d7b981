// RFC 6381 CODECS strings of what the encoders really produce (profile and
// level read back from the encoder's own sequence header).
#pragma once
#include <string>

#include "actors/playlist/rendition.h"
#include "actors/transcoder/av_util.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

// A passthrough rendition's video is the source's: its CODECS come from the
// probe (StreamInfo::codec_string).
std::string codecs_string(const RenditionSpec& r, const MediaInfo& media);

// codecs_string, remembered for the process by the rendition's token: a
// target's by its settings_token (its token without the URI), so titles of
// one source with one ladder (a library's, a site's) share one encoder open.
std::string codecs_cached(const RenditionSpec& r, const MediaInfo& media);

// "avc1..." / "hvc1..." of a source stream from its parameter sets (avcC,
// hvcC or Annex B extradata); "" for other codecs or without them.
std::string source_codec_string(const AVCodecParameters* par);

// "avc1.PPCCLL" from an H.264 sequence parameter set in Annex B or avcC form.
std::string avc1_from_extradata(const uint8_t* data, size_t size);

// "hvc1.<profile>.<compatibility>.<tier><level>.<constraints>" from an H.265
// sequence parameter set in Annex B form (what libx265 puts in extradata),
// or from an hvcC record (MP4, Matroska).
std::string hvc1_from_extradata(const uint8_t* data, size_t size);

}  // namespace hlsfs

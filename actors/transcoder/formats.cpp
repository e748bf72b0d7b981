#include "actors/transcoder/formats.h"

#include <algorithm>

#include "actors/transcoder/source_formats.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

namespace hlsfs {

FormatCounts readable_formats() {
  FormatCounts c;
  void* it = nullptr;
  while (const AVInputFormat* f = av_demuxer_iterate(&it))
    if (source_format_refusal(f->name).empty()) c.demuxers.emplace_back(f->name);  // what sources may be
  it = nullptr;
  while (const AVCodec* codec = av_codec_iterate(&it)) {
    if (!av_codec_is_decoder(codec)) continue;
    if (codec->type == AVMEDIA_TYPE_VIDEO) c.video.emplace_back(codec->name);
    else if (codec->type == AVMEDIA_TYPE_AUDIO) c.audio.emplace_back(codec->name);
    else if (codec->type == AVMEDIA_TYPE_SUBTITLE) c.subtitle.emplace_back(codec->name);
  }
  for (auto* v : {&c.demuxers, &c.video, &c.audio, &c.subtitle}) std::sort(v->begin(), v->end());
  return c;
}

}  // namespace hlsfs

// Deinterlacing, rotation, scaling, HDR tone mapping, crop/pad and pixel
// format conversion of one picture, as an FFmpeg filter graph built from a
// rendition's VideoSpec. One picture in, one out, no state between pictures
// (a segment's frames must not depend on where decoding started). Rebuilt
// when the input picture's size or format changes mid-stream.
#pragma once
#include "actors/playlist/rendition.h"
#include "actors/transcoder/av_util.h"

namespace hlsfs {

class PictureFilter {
 public:
  explicit PictureFilter(const VideoSpec& v) : v_(v) {}
  // Returns the converted picture (owned by the filter until the next call).
  AVFrame* convert(const AVFrame* in);

  // The filter chain description.
  static std::string chain(const VideoSpec& v);

 private:
  void build(const AVFrame* in);
  VideoSpec v_;
  GraphPtr graph_;
  AVFilterContext* src_ = nullptr;
  AVFilterContext* sink_ = nullptr;
  int w_ = 0, h_ = 0, fmt_ = -1;
  FramePtr out_ = make_frame();
};

}  // namespace hlsfs

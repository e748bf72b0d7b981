// Rotation, scaling, crop/pad and pixel format conversion of one picture, as
// an FFmpeg filter graph built from an OutputGeometry. Rebuilt when the input
// picture's size or format changes mid-stream.
#pragma once
#include "actors/playlist/geometry.h"
#include "actors/transcoder/av_util.h"

namespace hlsfs {

class PictureFilter {
 public:
  explicit PictureFilter(const OutputGeometry& g) : g_(g) {}
  // Returns the converted picture (owned by the filter until the next call).
  AVFrame* convert(const AVFrame* in);

  // The filter chain description for an input of this picture format.
  static std::string chain(const OutputGeometry& g);

 private:
  void build(const AVFrame* in);
  OutputGeometry g_;
  GraphPtr graph_;
  AVFilterContext* src_ = nullptr;
  AVFilterContext* sink_ = nullptr;
  int w_ = 0, h_ = 0, fmt_ = -1;
  FramePtr out_ = make_frame();
};

}  // namespace hlsfs

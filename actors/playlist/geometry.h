// Output picture size from a source picture and IMM's Resolution/ScaleType.
//
// ScaleType (IMM's meaning, applied when Resolution gives both edges):
//   stretch  exact WxH, aspect not kept (distorts)            [IMM default]
//   crop     scale to cover WxH keeping aspect, cut the overflow around the centre
//   fill     scale to fit inside WxH keeping aspect, pad black around the centre
//   fit      scale to fit inside WxH keeping aspect, no padding: the output
//            size follows the source's aspect (so it may be smaller than WxH)
// With one edge ("1280x" or "x720") the other follows the source's displayed
// aspect, whatever ScaleType says. The displayed size honours the sample aspect
// ratio and the display rotation. Every output edge is even (4:2:0 chroma).
// ResolutionOption: adaptive (default) never upscales, fixed does as asked,
// fall refuses a source smaller than asked.
#pragma once
#include "actors/playlist/request.h"
#include "hlsfs/rational.h"

namespace hlsfs {

struct SourcePicture {
  int width = 0, height = 0;  // coded size
  Rational sar{1, 1};         // sample aspect ratio; 0/x means unknown = square
  int rotation = 0;           // clockwise degrees needed to display it upright: 0, 90, 180, 270
};

struct OutputGeometry {
  int width = 0, height = 0;    // encoded picture
  int scale_w = 0, scale_h = 0; // the source picture after rotation and scaling
  int crop_x = 0, crop_y = 0;   // crop: offset of the kept window in the scaled picture
  int pad_x = 0, pad_y = 0;     // fill: offset of the scaled picture in the output
  int rotation = 0;             // clockwise rotation applied before scaling
};

// Throws RequestError ("...ResolutionOption") for `fall` with a smaller source.
OutputGeometry compute_geometry(const SourcePicture& src, const VideoRequest& req,
                                const std::string& field = "Video.TranscodeVideo");

int round_even(double x);

}  // namespace hlsfs

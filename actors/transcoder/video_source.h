// Decoded, converted source pictures on the output's constant frame grid.
//
// Output frame j (global index, 0 = playlist start) shows the last source
// frame whose timestamp is < origin + (j + 1/2) / fps, or the first source
// frame when none is that early. The rule depends only on j, so any segment,
// decoded from any keyframe, picks the same picture for the same j: joins are
// seamless and a frame never appears twice or goes missing.
#pragma once
#include <functional>
#include <vector>

#include "actors/playlist/rendition.h"
#include "actors/transcoder/source.h"

namespace hlsfs {

class VideoFrameSource {
 public:
  // sink(j, frame): frame is yuv420p at the output size; valid during the call.
  using Sink = std::function<void(int64_t, AVFrame*)>;
  // sink(j, output, frame): the same for output `output` of several.
  using MultiSink = std::function<void(int64_t, size_t, AVFrame*)>;

  VideoFrameSource(SourceOpener& opener, const std::string& uri, const StreamInfo& stream, const VideoSpec& spec,
                   Rational origin);
  // Several outputs of one decode: the same frame rate (so the same source
  // picture for each j), each its own size and picture filter.
  VideoFrameSource(SourceOpener& opener, const std::string& uri, const StreamInfo& stream,
                   std::vector<VideoSpec> outputs, Rational origin);
  ~VideoFrameSource();

  // Emits frames first..last-1, in order (each frame to every output in turn).
  void produce(int64_t first, int64_t last, const Sink& sink);
  void produce(int64_t first, int64_t last, const MultiSink& sink);

  // Statistics of the last produce(): how far before the segment decoding began.
  int64_t decoded_frames() const { return decoded_; }

 private:
  struct Impl;
  int64_t threshold(int64_t j) const;  // stream ticks
  SourceOpener& opener_;
  std::string uri_;
  const StreamInfo& stream_;
  std::vector<VideoSpec> outputs_;
  Rational origin_;
  int64_t decoded_ = 0;
};

}  // namespace hlsfs

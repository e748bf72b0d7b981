// Decoded, resampled source audio on the output's global grid of AAC frames.
//
// Output sample n (0 = playlist start) is the source's audio at time
// origin + n / sample_rate. Positions are counted in samples from the audio
// stream's first sample (snapped to the codec's frame size, so container
// timestamp rounding — 1 ms in Matroska — never shifts the audio), and the
// resampler always starts at a point where the input and output sample grids
// coincide. So every segment computes the same samples for the same n, and
// joined segments neither click nor drift. Where the source has no audio
// (before it starts, after it ends, in gaps) the output is silence.
#pragma once
#include <functional>

#include "actors/playlist/rendition.h"
#include "actors/transcoder/source.h"

namespace hlsfs {

class AudioFrameSource {
 public:
  static constexpr int kFrame = 1024;  // AAC-LC frame
  // sink(m, frame): 1024 samples, planar float, output rate and layout.
  using Sink = std::function<void(int64_t, AVFrame*)>;

  AudioFrameSource(SourceOpener& opener, const std::string& uri, const StreamInfo& stream, const AudioSpec& spec,
                   Rational origin);

  // Emits AAC frames first..last-1 in order (first may be negative: silence).
  void produce(int64_t first, int64_t last, const Sink& sink);

 private:
  SourceOpener& opener_;
  std::string uri_;
  const StreamInfo& stream_;
  AudioSpec spec_;
  Rational origin_;
};

}  // namespace hlsfs

#include "actors/transcoder/video_source.h"

#include <algorithm>
#include <deque>

#include "actors/transcoder/demux.h"
#include "actors/transcoder/picture_filter.h"

namespace hlsfs {

VideoFrameSource::VideoFrameSource(SourceOpener& opener, const std::string& uri, const StreamInfo& stream,
                                   const VideoSpec& spec, Rational origin)
    : VideoFrameSource(opener, uri, stream, std::vector<VideoSpec>{spec}, origin) {}

VideoFrameSource::VideoFrameSource(SourceOpener& opener, const std::string& uri, const StreamInfo& stream,
                                   std::vector<VideoSpec> outputs, Rational origin)
    : opener_(opener), uri_(uri), stream_(stream), outputs_(std::move(outputs)), origin_(origin) {
  for (const auto& o : outputs_)
    if (!(o.frame_rate == outputs_.front().frame_rate))
      throw MediaError("outputs of one decode must share their frame rate");
}

VideoFrameSource::~VideoFrameSource() = default;

int64_t VideoFrameSource::threshold(int64_t j) const {
  // The last tick strictly before origin + (j + 1/2) / fps: a source frame
  // exactly half-way between two output frames goes to the later one, as
  // FFmpeg's fps filter rounds.
  const Rational& f = outputs_.front().frame_rate;
  Rational t = origin_ + Rational{(2 * j + 1) * f.den, 2 * f.num};
  return -to_ticks_floor(Rational{-t.num, t.den}, stream_.time_base) - 1;
}

void VideoFrameSource::produce(int64_t first, int64_t last, const Sink& sink) {
  produce(first, last, [&](int64_t j, size_t, AVFrame* f) { sink(j, f); });
}

void VideoFrameSource::produce(int64_t first, int64_t last, const MultiSink& sink) {
  decoded_ = 0;
  // The keyframe to start from: the last one at or before the first frame's
  // threshold, found in the source itself (the probe's keyframe list may be
  // an index of decode times, or only the head of a file with no index).
  // Frames before it in display order (open-GOP leading pictures) are never
  // used, so they may decode broken without harm.
  const int64_t need = threshold(first);
  Demuxer demux(opener_, uri_, stream_.index);
  DecodeStart start = demux.start_at_keyframe_before(need);
  const int64_t start_pts = start.keyframe_pts;

  std::vector<PictureFilter> filters(outputs_.begin(), outputs_.end());
  FramePtr prev = make_frame();  // the latest decoded frame at or before the next slot's threshold
  bool have_prev = false;
  int64_t prev_pts = kNoTimestamp;
  // prev after each output's conversion (lazy: only when a slot uses it)
  std::vector<AVFrame*> converted(outputs_.size(), nullptr);
  auto forget_converted = [&]() { std::fill(converted.begin(), converted.end(), nullptr); };
  int64_t j = first;

  auto emit_prev = [&]() {
    for (size_t o = 0; o < filters.size(); ++o) {
      if (!converted[o]) converted[o] = filters[o].convert(prev.get());
      sink(j, o, converted[o]);
    }
    ++j;
  };

  FramePtr frame = make_frame();
  auto on_frame = [&](AVFrame* f) -> bool {
    ++decoded_;
    int64_t pts = f->best_effort_timestamp;
    if (pts == AV_NOPTS_VALUE) pts = prev_pts == kNoTimestamp ? start_pts : prev_pts + 1;
    if (pts < start_pts) return true;  // leading picture of an open GOP
    if (prev_pts != kNoTimestamp && pts <= prev_pts) pts = prev_pts + 1;  // broken timestamps: keep order
    while (j < last && threshold(j) < pts) {
      if (!have_prev) {  // nothing shown yet: hold the first frame backwards
        av_frame_unref(prev.get());
        av_frame_ref(prev.get(), f);
        have_prev = true;
        forget_converted();
      }
      emit_prev();
    }
    if (j >= last) return false;
    av_frame_unref(prev.get());
    av_check(av_frame_ref(prev.get(), f), "video frame");
    have_prev = true;
    prev_pts = pts;
    forget_converted();
    return true;
  };

  demux.decode(start, frame.get(), on_frame);
  if (!have_prev && j < last) throw MediaError(uri_ + ": no video frame could be decoded for this segment");
  while (j < last) emit_prev();  // past the source's last frame: hold it
}

}  // namespace hlsfs

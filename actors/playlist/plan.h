// The segment plan: where each segment starts and ends, decided before
// anything is encoded, exact to the output grid.
//
// A plan counts in "units": output video frames (1/FrameRate s each) when the
// rendition has video, AAC frames (1024 samples) when it is audio only. Segment
// lengths come from InitialSegments, then Duration; each cumulative boundary is
// rounded to the nearest unit, so every EXTINF is a whole number of units and
// the rounding never accumulates. A last segment shorter than `min_last`
// seconds is merged into the one before (a sub-second tail segment only costs
// players a request).
#pragma once
#include <cstdint>
#include <vector>

#include "hlsfs/rational.h"

namespace hlsfs {

class SegmentPlan {
 public:
  SegmentPlan() = default;
  SegmentPlan(Rational unit, std::vector<int64_t> bounds) : unit_(unit), bounds_(std::move(bounds)) {}

  Rational unit() const { return unit_; }  // seconds per unit
  size_t size() const { return bounds_.empty() ? 0 : bounds_.size() - 1; }
  int64_t begin(size_t k) const { return bounds_[k]; }
  int64_t end(size_t k) const { return bounds_[k + 1]; }
  int64_t total_units() const { return bounds_.empty() ? 0 : bounds_.back(); }
  const std::vector<int64_t>& bounds() const { return bounds_; }

  double seconds(int64_t units) const { return static_cast<double>(units) * unit_.num / unit_.den; }
  double extinf(size_t k) const { return seconds(end(k) - begin(k)); }
  double duration() const { return seconds(total_units()); }
  // Index of the segment holding time t (seconds from the start), clamped.
  size_t segment_at(double t) const;

 private:
  Rational unit_{1, 1};
  std::vector<int64_t> bounds_;
};

// total_units >= 1; unit > 0; durations in seconds.
SegmentPlan make_plan(int64_t total_units, Rational unit, const std::vector<double>& initial_segments,
                      double duration, double min_last = 1.0);

// How many units of `unit` cover `seconds` (rounded to the nearest, at least 1).
int64_t units_for(double seconds, Rational unit);

// AAC frames of `sample_rate` whose start lies in [t0, t1), t0/t1 given as
// video frame indexes at `fps`: the audio that belongs to a video segment.
// Returns the first frame index at or after frame f (ceil(f/fps*sr/1024)).
int64_t aac_frame_at_or_after(int64_t video_frame, Rational fps, int sample_rate);

}  // namespace hlsfs

#include "actors/playlist/plan.h"

#include <algorithm>
#include <cmath>

namespace hlsfs {

int64_t units_for(double seconds, Rational unit) {
  // seconds / (num/den), nearest. Seconds come from a request or a probe and
  // are decimal, so a double is the honest input here.
  long double u = static_cast<long double>(seconds) * unit.den / unit.num;
  return std::max<int64_t>(1, static_cast<int64_t>(std::llround(u)));
}

SegmentPlan make_plan(int64_t total_units, Rational unit, const std::vector<double>& initial_segments,
                      double duration, double min_last) {
  total_units = std::max<int64_t>(1, total_units);
  std::vector<int64_t> bounds{0};
  long double nominal = 0;  // cumulative nominal boundary, seconds
  size_t i = 0;
  while (true) {
    nominal += i < initial_segments.size() ? initial_segments[i] : duration;
    ++i;
    int64_t b = static_cast<int64_t>(std::llround(nominal * unit.den / unit.num));
    if (b >= total_units) break;
    if (b > bounds.back()) bounds.push_back(b);  // a segment shorter than half a unit vanishes
  }
  bounds.push_back(total_units);
  // Merge a tiny tail into the segment before it.
  if (bounds.size() > 2) {
    int64_t last = bounds[bounds.size() - 1] - bounds[bounds.size() - 2];
    if (static_cast<long double>(last) * unit.num / unit.den < min_last) bounds.erase(bounds.end() - 2);
  }
  return SegmentPlan(unit, std::move(bounds));
}

size_t SegmentPlan::segment_at(double t) const {
  if (bounds_.size() < 2) return 0;
  int64_t u = static_cast<int64_t>(std::floor(static_cast<long double>(t) * unit_.den / unit_.num));
  auto it = std::upper_bound(bounds_.begin(), bounds_.end(), u);
  size_t k = it == bounds_.begin() ? 0 : static_cast<size_t>(it - bounds_.begin() - 1);
  return std::min(k, size() - 1);
}

int64_t aac_frame_at_or_after(int64_t video_frame, Rational fps, int sample_rate) {
  // time = f * fps.den / fps.num; frame = ceil(time * sr / 1024)
  __int128 n = static_cast<__int128>(video_frame) * fps.den * sample_rate;
  __int128 d = static_cast<__int128>(fps.num) * 1024;
  __int128 q = n / d;
  if (n % d) ++q;
  return static_cast<int64_t>(q);
}

}  // namespace hlsfs

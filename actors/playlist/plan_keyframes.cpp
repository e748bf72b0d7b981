#include "actors/playlist/plan_keyframes.h"

#include <algorithm>
#include <cmath>

namespace hlsfs {

SegmentPlan make_keyframe_plan(const std::vector<int64_t>& keyframes, int64_t total, Rational unit,
                               const std::vector<double>& initial_segments, double duration, double min_last) {
  total = std::max<int64_t>(1, total);
  std::vector<int64_t> cuts;  // keyframes a segment may start at (not the first)
  for (int64_t k : keyframes)
    if (k > 0 && k < total && (cuts.empty() || k > cuts.back())) cuts.push_back(k);
  std::vector<int64_t> bounds{0};
  long double nominal = 0;  // seconds
  for (size_t i = 0;; ++i) {
    nominal += i < initial_segments.size() ? initial_segments[i] : duration;
    const int64_t target = static_cast<int64_t>(std::llround(nominal * unit.den / unit.num));
    if (target >= total) break;
    auto after = std::lower_bound(cuts.begin(), cuts.end(), target);
    int64_t best = -1;
    if (after != cuts.end()) best = *after;
    if (after != cuts.begin() && (best < 0 || target - *(after - 1) <= best - target)) best = *(after - 1);
    if (best < 0) break;                                // no keyframe to cut at
    if (best > bounds.back()) bounds.push_back(best);  // else its nearest keyframe is a cut already
    if (after == cuts.end()) break;                     // past the last keyframe
  }
  bounds.push_back(total);
  if (bounds.size() > 2) {
    const int64_t last = bounds[bounds.size() - 1] - bounds[bounds.size() - 2];
    if (static_cast<long double>(last) * unit.num / unit.den < min_last) bounds.erase(bounds.end() - 2);
  }
  return SegmentPlan(unit, std::move(bounds));
}

double longest_segment(const SegmentPlan& plan) {
  double longest = 0;
  for (size_t k = 0; k < plan.size(); ++k) longest = std::max(longest, plan.extinf(k));
  return longest;
}

}  // namespace hlsfs

// The segment plan of a passthrough rendition: cuts only where the source
// can be cut, at its keyframes, each the keyframe nearest the boundary a
// transcoded rendition would have (InitialSegments, then Duration, counted
// from the start so the distance never accumulates).
//
// The unit is the source video stream's time base, so every boundary is a
// keyframe's own timestamp and every EXTINF is exact. The plan is a pure
// function of the keyframe list and the request: the same every time.
#pragma once
#include <cstdint>
#include <vector>

#include "actors/playlist/plan.h"

namespace hlsfs {

// keyframes: keyframe times in `unit`s from the rendition's first keyframe
// (0), ascending; total: where the rendition ends, in units (> 0). A
// boundary is the keyframe nearest each nominal boundary (the earlier one on
// a tie) and after the previous boundary; a nominal boundary whose nearest
// keyframe is already a boundary adds none. A last segment shorter than
// `min_last` seconds is merged into the one before.
SegmentPlan make_keyframe_plan(const std::vector<int64_t>& keyframes, int64_t total, Rational unit,
                               const std::vector<double>& initial_segments, double duration, double min_last = 1.0);

// The longest segment of a plan, in seconds (0 for an empty plan).
double longest_segment(const SegmentPlan& plan);

}  // namespace hlsfs

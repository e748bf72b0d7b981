#include "actors/playlist/passthrough_rules.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "actors/playlist/plan_keyframes.h"

namespace hlsfs {

std::string passthrough_refusal(const MediaInfo& media, const StreamInfo& v, SegmentContainer container) {
  const std::string copied = "; transcode this target instead (TranscodeVideo)";
  if (v.codec == "hevc") {
    if (container != SegmentContainer::fmp4)
      return "the source video is HEVC, which HLS players take only in fragmented MP4 (hvc1): set Container to "
             "\"fmp4\", or transcode this target instead (TranscodeVideo)";
    if (!v.pix_fmt.empty() && v.pix_fmt != "yuv420p" && v.pix_fmt != "yuv420p10le")
      return "the source video is HEVC in " + v.pix_fmt + "; players decode 4:2:0 (Main, Main 10) only" + copied;
  } else if (v.codec == "h264") {
    if (!v.pix_fmt.empty() && v.pix_fmt != "yuv420p" && v.pix_fmt != "yuvj420p")
      return "the source video is H.264 in " + v.pix_fmt + "; players decode 8-bit 4:2:0 H.264 only" + copied;
  } else {
    return "the source video is " + v.codec + "; a passthrough copies H.264 (MPEG-TS or fMP4) or HEVC (fMP4) only" +
           copied;
  }
  // Unknown (an older record, no keyframe after the first seen) is let
  // through as before: a segment that cannot start then fails at read.
  if (v.open_gop.value_or(false))
    return "the source video has open GOPs: its keyframes after the first are not IDR (H.264 recovery points, HEVC "
           "CRA pictures with RASL pictures after them), so a segment cut there would not start with a picture that "
           "decodes alone; encode the source with closed GOPs, or transcode this target instead (TranscodeVideo)";
  if (v.rotation != 0)
    return "the source video is shown rotated by " + std::to_string(v.rotation) +
           " degrees, and a copy cannot carry that rotation to HLS players" + copied;
  if (v.field_order == "tt" || v.field_order == "bb" || v.field_order == "tb" || v.field_order == "bt")
    return "the source video is interlaced; players would show its fields combed" + copied;
  if (v.width > 4096 || v.height > 4096)
    return "the source video is " + std::to_string(v.width) + "x" + std::to_string(v.height) +
           ", larger than players take (4096 on an edge)" + copied;
  if (media.probe_method == "head+tail")
    return "the source (" + media.format +
           ") has no keyframe index and is too large to be read whole, so its keyframes are not known" + copied;
  if (v.keyframes.empty() || v.start_pts == kNoTimestamp || v.end_pts == kNoTimestamp)
    return "the source video's keyframes are not known" + copied;
  return "";
}

namespace {

int64_t ticks_of(double seconds, Rational tb) {
  return static_cast<int64_t>(std::floor(static_cast<long double>(seconds) * tb.den / tb.num + 1e-6L));
}

// Bit/s of the busiest segment, from the keyframes' byte offsets (every
// stream's bytes between two cuts: an upper bound of the video's). 0 when
// the offsets do not say (unknown, or not in time order).
int64_t peak_from_offsets(const SegmentPlan& plan, int64_t origin, const std::map<int64_t, int64_t>& pos_of,
                          int64_t file_size) {
  int64_t peak = 0;
  for (size_t k = 0; k < plan.size(); ++k) {
    auto a = pos_of.find(origin + plan.begin(k));
    if (a == pos_of.end() || a->second < 0) return 0;
    int64_t end_pos = file_size;
    if (k + 1 < plan.size() || pos_of.count(origin + plan.end(k))) {
      auto b = pos_of.find(origin + plan.end(k));
      if (b == pos_of.end()) return 0;
      end_pos = b->second;
    }
    if (end_pos <= a->second) return 0;
    const double seconds = std::max(plan.extinf(k), 0.5);  // a short last segment is measured with its neighbour
    peak = std::max(peak, static_cast<int64_t>(std::ceil(static_cast<double>(end_pos - a->second) * 8.0 / seconds)));
  }
  return peak;
}

}  // namespace

PassthroughCut cut_passthrough(const MediaInfo& media, const StreamInfo& v, const TargetRequest& t,
                               double source_start, double source_duration, const std::string& field) {
  PassthroughCut cut;
  const Rational tb = v.time_base;
  std::vector<int64_t> keys;
  std::map<int64_t, int64_t> pos_of;
  for (const Keyframe& k : v.keyframes) {
    if (k.pts == kNoTimestamp) continue;
    keys.push_back(k.pts);
    pos_of.emplace(k.pts, k.pos);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  if (keys.empty()) throw RequestError(field, "the source video's keyframes are not known");

  // An MP4 index names keyframes by decode time: the first keyframe's is the
  // stream's first presentation time less the reorder delay. Times asked in
  // presentation (the start, the end) move by that delay to meet them; the
  // spans between keyframes are the same in either (a constant delay).
  int64_t decode_delay = 0;
  if (media.probe_method == "index" && media.format.rfind("mov", 0) == 0 && keys.front() < v.start_pts)
    decode_delay = v.start_pts - keys.front();
  const int64_t want_start = v.start_pts - decode_delay + ticks_of(source_start, tb);
  auto at_or_before = std::upper_bound(keys.begin(), keys.end(), want_start);
  cut.origin_ts = at_or_before == keys.begin() ? keys.front() : *(at_or_before - 1);
  if (cut.origin_ts >= v.end_pts - decode_delay)
    throw RequestError("SourceStartTime", "is past the source video's last keyframe");
  if (source_start > 0 && cut.origin_ts != want_start) {
    char buf[160];
    snprintf(buf, sizeof buf, "passthrough starts at the keyframe at %.3f s, the last one at or before SourceStartTime",
             v.seconds(cut.origin_ts + decode_delay - v.start_pts));
    cut.notes.push_back(buf);
  }
  int64_t end = v.end_pts - decode_delay;
  if (source_duration > 0) {
    const int64_t want_end = want_start + ticks_of(source_duration, tb);
    auto next = std::lower_bound(keys.begin(), keys.end(), want_end);
    if (next != keys.end() && *next < end) end = *next;
  }
  std::vector<int64_t> rel;
  for (int64_t k : keys)
    if (k >= cut.origin_ts && k < end) rel.push_back(k - cut.origin_ts);
  cut.plan = make_keyframe_plan(rel, end - cut.origin_ts, tb, t.initial_segments, t.duration);

  const double longest = longest_segment(cut.plan);
  if (longest > 3 * t.duration) {
    char buf[240];
    snprintf(buf, sizeof buf,
             "the source's keyframes are up to %.1f s apart, and a passthrough can cut only there: segments would be "
             "far longer than Duration (%g s); transcode this target instead (TranscodeVideo)",
             longest, t.duration);
    throw RequestError(field, buf);
  }

  cut.peak_bitrate = peak_from_offsets(cut.plan, cut.origin_ts, pos_of, media.source.size);
  if (cut.peak_bitrate <= 0) {
    // No usable offsets: twice the average of the source (all its streams).
    const double seconds = std::max(v.end_seconds() - v.start_seconds(), 1.0);
    const int64_t average = media.source.size > 0 ? static_cast<int64_t>(media.source.size * 8 / seconds) : v.bit_rate;
    cut.peak_bitrate = std::max<int64_t>(average, v.bit_rate) * 2;
    cut.notes.push_back("BANDWIDTH of the passthrough is twice the source's average bit rate (no keyframe offsets)");
  }
  return cut;
}

}  // namespace hlsfs

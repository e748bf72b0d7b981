// One segment of one rendition, made on its own: a pure function of the
// source, the rendition and the segment index. Same inputs, same bytes.
#pragma once
#include <atomic>
#include <functional>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "actors/playlist/rendition.h"
#include "actors/transcoder/av_util.h"
#include "actors/transcoder/job_deadline.h"
#include "actors/transcoder/source.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

struct SegmentResult {
  std::string bytes;  // a complete MPEG-TS file
  int64_t video_frames = 0;
  int64_t audio_frames = 0;
  int64_t decoded_frames = 0;  // source pictures decoded (seek cost)
  bool capped = false;  // CRF ran above the rate cap: encoded again at it
};

// AAC frames fed before/after a segment's own frames, then discarded: the
// encoder's state at the join matches a continuous encode (no click).
constexpr int kAudioPreroll = 3;
constexpr int kAudioPostroll = 2;

// An encode ended because hlsfsd stops (not a fault of the source).
struct JobAbandoned : MediaError {
  JobAbandoned() : MediaError("abandoned: hlsfsd is stopping") {}
};

// How far a running encode is, read by other threads (hlsfsctl status):
// video frames through the encoder so far, of `total` (both passes of a
// two-pass encode; 0 while unknown and for audio-only renditions).
// A background encode also yields between frames while `reader_jobs` (jobs
// that readers wait for) are enough to fill the CPUs, and every encode ends
// at its next frame once hlsfsd stops (job_progress.h) or once its thread's
// deadline is over (job_deadline.h).
struct EncodeProgress {
  std::atomic<int64_t> frames{0};
  std::atomic<int64_t> total{0};
  std::atomic<bool> background{false};
  std::shared_ptr<const std::atomic<int>> reader_jobs;
  int pause_at = 1;  // reader jobs that fill the CPUs
  std::shared_ptr<const std::atomic<bool>> stopping;
  // In a worker process: tells the daemon of the frame and waits for its
  // word to go on (the daemon's side of the job does the yielding).
  std::function<void(const EncodeProgress&)> on_frame;
  // Called by the encode after each frame: returns at once for a reader's
  // job, or once readers' jobs leave a CPU free (or this one is raised).
  // Throws JobAbandoned once hlsfsd stops: nobody waits for the segment;
  // JobTimedOut once its deadline is over: its readers were answered.
  void yield_to_readers() const {
    if (on_frame) on_frame(*this);
    for (;;) {
      if (stopping && stopping->load()) throw JobAbandoned();
      check_deadline();
      note_progress();  // a frame went through; and a job waiting for readers is not stuck
      if (!background.load() || !reader_jobs || reader_jobs->load() < pause_at) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
};

// Throws MediaError with one clear line.
SegmentResult encode_segment(SourceOpener& opener, const MediaInfo& media, const RenditionSpec& spec, size_t index,
                             EncodeProgress* progress = nullptr);

// Renditions whose segment k comes from the same source pictures: the same
// video stream, frame rate, origin and frame range (the targets of one
// request, cut alike, at one FrameRate).
bool can_share_decode(const RenditionSpec& a, const RenditionSpec& b, size_t k);

// Segment k of several such renditions from one decode of the source (the
// ffmpeg CLI's split): each keeps its own filter and encoder, and its bytes
// are those encode_segment makes alone. MediaError when they cannot share.
std::vector<SegmentResult> encode_segments(SourceOpener& opener, const MediaInfo& media,
                                           const std::vector<const RenditionSpec*>& specs, size_t index,
                                           EncodeProgress* progress = nullptr);

}  // namespace hlsfs

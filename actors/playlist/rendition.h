// One target of a request, made concrete against a probed source: which
// streams, which output size, frame rate, audio format, and the segment plan.
// A RenditionSpec is all a segment job needs besides the source itself.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "actors/playlist/geometry.h"
#include "actors/playlist/plan.h"
#include "actors/playlist/request.h"
#include "actors/playlist/thumbnails.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

// Encoder settings that come from the daemon's configuration, not the request.
// They change the output bytes, so they are part of the token.
struct EncoderConfig {
  EncoderConfig() = default;
  EncoderConfig(std::string preset_, int threads_, std::string x264_params_, ThumbnailSettings thumbnails_ = {})
      : preset(std::move(preset_)), threads(threads_), x264_params(std::move(x264_params_)), thumbnails(thumbnails_) {}
  std::string preset = "veryfast";
  int threads = 2;  // per job; fixed (not "auto") so output is identical on any machine
  std::string x264_params;  // extra "key=value:..." for x264 (operators' tuning)
  // Each title's thumbnails track (YAML thumbnails:): off unless set, so
  // tools and tests that build their own config get the playlists alone.
  // Not in fingerprint(): only the thumbnails track's token holds it.
  ThumbnailSettings thumbnails;
  std::string fingerprint() const;
};

struct VideoSpec {
  int stream = -1;  // container stream index
  Rational frame_rate;
  OutputGeometry geometry;
  std::string codec = "h264";
  int crf = 23;              // -1 when bitrate is used
  int64_t bitrate = 0;       // bit/s, 0 = CRF
  int64_t max_bitrate = 0;   // x264's VBV: the request's MaxBitrate, 0 = none
  int64_t buffer_size = 0;
  int bframes = -1, refs = -1;  // -1: the preset's
  std::string preset;
  int threads = 2;
  std::string x264_params;
  int keyint = 250;          // frames; every segment also starts with an IDR
  // Source conditions the picture filter corrects (decided from the probe):
  bool deinterlace = false;  // interlaced source: fields woven into progressive frames
  bool hdr_to_sdr = false;   // PQ/HLG source: tone-mapped to SDR BT.709 (8-bit players)
  // Targets[].Video.Passthrough: the source's packets are copied, nothing
  // above from `crf` on applies (crf -1, bitrate 0: no rate cap). The plan's
  // unit is then the stream's time base, its bounds counted from
  // `keyframe_origin` (the first keyframe, as the probe names it); geometry
  // and frame rate are the source's (RESOLUTION, FRAME-RATE).
  bool passthrough = false;
  int64_t keyframe_origin = 0;  // stream ticks
  int64_t peak_bitrate = 0;     // bit/s measured from the source between cuts (BANDWIDTH)
};

// The rate cap of a CRF target without MaxBitrate, so that no segment strays
// far above the BANDWIDTH its master announces (players that trust it would
// stall): 0.15 bit per pixel at CRF 23 (1080p30: 9.3 Mbit/s, near Apple's 7.8
// for that size), halved every 6 CRF steps as x264's rate is. Ordinary
// pictures stay well below it; a hard one (grain, noise, confetti) goes over,
// and its segment is made again in two passes at the cap.
//
// Why not x264's VBV (-maxrate/-bufsize): with more than one encoder thread,
// x264's VBV output changes from run to run (seen with x264 0.164, the ffmpeg
// CLI too), and segments must come out byte-identical whenever they are made.
// Two-pass ABR without a VBV is exact, and a segment is short enough that its
// average is what a player sees. (A request's own MaxBitrate still gets x264's
// VBV, as asked, and with it that caveat.)
int64_t default_video_cap(const VideoSpec& v);

// The cap that applies to v (bit/s of video): default_video_cap for CRF
// without MaxBitrate, else 0 (none).
int64_t rate_cap(const VideoSpec& v);

struct AudioSpec {
  int stream = -1;  // container stream index
  int sample_rate = 48000;
  int channels = 2;
  int64_t bitrate = 128000;
};

// A WebVTT subtitle track: an embedded text stream or a SourceSubtitles file.
struct SubtitleSpec {
  int stream = -1;        // container index of the embedded stream; -1 for a file
  std::string file_uri;   // the SourceSubtitles file (its first subtitle stream)
  std::string language;   // ISO 639-2, may be empty
  std::string title;
  int index = 0;          // SubtitlePlaylist.Index: the source's subtitle stream number; files follow
  // Cue time that is output time 0 (s). Embedded cues are on the source's
  // clock (the rendition's origin); a file's count from the start of the
  // movie as players show it (SourceStartTime).
  double cue_origin = 0;
};

// What a request asks of a rendition besides its bytes. None of it feeds the
// token: the same segments whatever the labels or the prefetch depth (the
// token test in rendition_test.cpp holds this).
struct RenditionLabels {
  std::optional<int> transcode_ahead;      // Targets[].TranscodeAhead; absent: transcoder.prefetch_segments
  std::map<std::string, std::string> tags;  // the request's Tags (status, events, S3/OSS object tags)
  std::string user_data;                    // the request's UserData (events, notifications)
  nlohmann::json notification;              // the request's Notification as given (null: none)
};

// The segment number of a fragmented-MP4 rendition's init segment
// ("<prefix>-<token>-init.mp4"): made on read and cached like a media
// segment, under a number no media segment has (the state keeps 8 digits;
// plans stop at kMaxSegments, far below).
constexpr uint32_t kInitSegment = 99999999;

// A title's thumbnails track (thumbnail_track.h): its "segments" are sprite
// sheets of tiles, each tile one keyframe of the video stream, scaled.
struct ThumbnailSpec {
  int stream = -1;  // container index of the video stream
  ThumbnailSettings settings;
  ThumbnailLayout layout;
  VideoSpec picture;  // a tile's picture filter: geometry = the tile, deinterlace and tone mapping as the video's
};

struct RenditionSpec {
  std::string source_uri;
  std::string target_uri;   // output prefix (IMM Targets[].URI)
  std::string token;        // 32 hex chars
  Rational origin{0, 1};    // source time (s) that is output time 0
  std::optional<VideoSpec> video;
  std::optional<AudioSpec> audio;
  // An alternate audio track (EXT-X-MEDIA) has no video but follows a video
  // rendition: its plan counts that video's frames (same cuts) and its
  // segments carry that video's MPEG-TS clock, so a player mixing them stays
  // in sync.
  std::optional<VideoSpec> grid_video;
  std::optional<SubtitleSpec> subtitle;  // a subtitle track (also follows grid_video)
  std::optional<ThumbnailSpec> thumbnails;  // a thumbnails track: WebVTT + JPEG sprite sheets
  SegmentPlan plan;
  // Targets[].Container fmp4: an init segment plus .m4s media segments
  // (never for a subtitle track: its segments are WebVTT).
  bool fmp4 = false;
  std::vector<std::string> notes;  // decisions worth logging (stream missing, no upscale, ...)
  RenditionLabels labels;          // not part of the token
  // The token of a target's rendition without its URI: what its source and
  // settings alone name (two titles of one source, same ladder, share it).
  // Keys what follows from the encoder (CODECS); "" for other renditions.
  std::string settings_token;

  // A thumbnails track's "playlist" is its WebVTT file.
  std::string playlist_uri() const { return target_uri + (thumbnails ? ".vtt" : ".m3u8"); }
  std::string playlist_name() const { return prefix_name() + (thumbnails ? ".vtt" : ".m3u8"); }
  std::string prefix_name() const;  // last path element of target_uri
  // "<prefix>-<token>-<n>.ts" (".vtt" for subtitles, ".m4s" for fMP4,
  // ".jpg" for sprite sheets; "<prefix>-<token>-init.mp4" for kInitSegment).
  std::string segment_name(size_t n) const;
  const char* segment_extension() const {
    return thumbnails ? ".jpg" : subtitle ? ".vtt" : fmp4 ? ".m4s" : ".ts";
  }
  // A media segment of the plan, or the init segment of an fMP4 rendition.
  bool has_segment(uint32_t n) const { return n < plan.size() || (fmp4 && n == kInitSegment); }
  std::string segment_uri(size_t n) const;
  // AAC frames [first, last) that belong to segment k.
  std::pair<int64_t, int64_t> audio_frames(size_t k) const;
};

// Segments made ahead of a reader of r: its TranscodeAhead, else `configured`
// (transcoder.prefetch_segments).
int prefetch_depth(const RenditionSpec& r, int configured);

// Throws RequestError when the request cannot be met by this source.
RenditionSpec make_rendition(const MediaInfo& media, const PlaylistRequest& req, size_t target_index,
                             const EncoderConfig& enc);

// The n-th audio stream of the source (n counts audio streams) as an
// alternate track of the master: an audio-only rendition on the grid of
// target `base_target` (a target with video and audio), at
// "<MasterURI without .m3u8>_audio<n>". Throws RequestError when it cannot be.
RenditionSpec make_alternate_audio(const MediaInfo& media, const PlaylistRequest& req, size_t base_target, int n,
                                   const EncoderConfig& enc);

// A subtitle track on the grid of target `base_target` (a target with
// video). Embedded: the n-th subtitle stream of the source (text codecs only),
// at "<Targets[named_by].URI>_<n>" when a Subtitle target asks for it, else
// "<MasterURI without .m3u8>_sub<n>". A file: SourceSubtitles[file], whose
// identity (size, version) is part of the token, at "<Master>_subfile<file>".
RenditionSpec make_subtitle_track(const MediaInfo& media, const PlaylistRequest& req, size_t base_target, int n,
                                  int named_by, int file, const SourceIdentity& file_identity,
                                  const EncoderConfig& enc);

// Codecs whose subtitles are text (WebVTT can carry them); bitmap ones
// (dvd_subtitle, hdmv_pgs_subtitle, dvb_subtitle) are not.
bool is_text_subtitle_codec_name(const std::string& codec);

// Source frame rate as a player would name it: avg/r frame rates of the stream,
// snapped to the standard rates (23.976, 25, 29.97, ...).
Rational source_frame_rate(Rational avg, Rational r);

// Output frame rate for a request: adaptive keeps the source's when lower.
Rational choose_frame_rate(Rational source, const std::optional<Rational>& requested, ValueOption option,
                           const std::string& field);

// A sample rate the AAC encoder takes: the requested/source rate, or the
// nearest supported one above it.
int aac_sample_rate(int wanted);

}  // namespace hlsfs

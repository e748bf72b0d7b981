#include "actors/transcoder/encoders.h"

#include <algorithm>
#include <functional>

extern "C" {
#include <libavutil/cpu.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
}

namespace hlsfs {

namespace {

template <class F, class T>
T parse_or(F parse, const std::string& name, T fallback) {
  if (name.empty()) return fallback;
  int v = parse(name.c_str());
  return v < 0 ? fallback : static_cast<T>(v);
}

}  // namespace

namespace {

// libx264: threads fixed by the context; operators' x264_params appended.
void h264_options(const VideoSpec& v, const VideoEncoderMode& mode, AVCodecContext* c, AVDictionary** opts) {
  c->thread_count = v.threads;  // fixed: x264's output depends on its thread count
  if (mode.pass == 1) c->flags |= AV_CODEC_FLAG_PASS1;
  if (mode.pass == 2) c->flags |= AV_CODEC_FLAG_PASS2;
  // x264's AVX-512 code (Debian's x264 0.164) makes the output depend on
  // uninitialised memory: the same frames gave other bytes from run to run
  // (seen with MALLOC_PERTURB_ on an mpeg2 720x480 source). AVX2 and below
  // are exact, so on AVX-512 machines x264 is held to AVX2.
  std::string params = v.x264_params;
  if (mode.fixed_parameter_sets) params += std::string(params.empty() ? "" : ":") + "stitchable=1";
  if (mode.level > 0) c->level = mode.level;
  if (av_get_cpu_flags() & AV_CPU_FLAG_AVX512) params += std::string(params.empty() ? "" : ":") + "asm=avx2";
  if (!params.empty()) av_dict_set(opts, "x264-params", params.c_str(), 0);
  if (mode.pass) av_dict_set(opts, "stats", mode.stats_path.c_str(), 0);
  if (v.bitrate <= 0) av_dict_set_int(opts, "crf", v.crf, 0);
}

// libx265: its own thread pool of a fixed size and one frame thread (a
// segment is short; wavefront rows keep the cores busy), quiet, and two
// passes through x265-params (FFmpeg 5.1's wrapper ignores the pass flags).
void h265_options(const VideoSpec& v, const VideoEncoderMode& mode, AVDictionary** opts) {
  std::string params = "log-level=error:frame-threads=1:pools=" + std::to_string(std::max(1, v.threads));
  if (mode.pass) params += ":pass=" + std::to_string(mode.pass) + ":stats=" + mode.stats_path;
  // x265's info SEI (its version and options, this CPU's features among
  // them) would sit in an fMP4 init segment's hvcC: left out there.
  if (mode.fixed_parameter_sets) params += ":info=0";
  av_dict_set(opts, "x265-params", params.c_str(), 0);
  if (v.bitrate <= 0) av_dict_set_int(opts, "crf", v.crf, 0);
}

}  // namespace

CodecPtr open_video_encoder(const VideoSpec& v, const StreamInfo& source, const VideoEncoderMode& mode) {
  const bool hevc = v.codec == "h265";
  if (!hevc && v.codec != "h264") throw MediaError("video codec " + v.codec + " is not supported (h264, h265)");
  const char* name = hevc ? "libx265" : "libx264";
  const AVCodec* codec = avcodec_find_encoder_by_name(name);
  if (!codec) throw MediaError(std::string("this FFmpeg build has no ") + name + " encoder");
  CodecPtr c(avcodec_alloc_context3(codec));
  if (!c) throw std::bad_alloc();
  c->width = v.geometry.width;
  c->height = v.geometry.height;
  c->pix_fmt = AV_PIX_FMT_YUV420P;
  c->sample_aspect_ratio = {1, 1};
  c->time_base = {static_cast<int>(v.frame_rate.den), static_cast<int>(v.frame_rate.num)};
  c->framerate = {static_cast<int>(v.frame_rate.num), static_cast<int>(v.frame_rate.den)};
  c->gop_size = v.keyint;
  c->color_range = AVCOL_RANGE_MPEG;
  // Colour description of the source, when it has one (the scaler keeps it).
  c->color_primaries = parse_or(av_color_primaries_from_name, source.color_primaries, AVCOL_PRI_UNSPECIFIED);
  c->color_trc = parse_or(av_color_transfer_from_name, source.color_trc, AVCOL_TRC_UNSPECIFIED);
  c->colorspace = parse_or(av_color_space_from_name, source.color_space, AVCOL_SPC_UNSPECIFIED);
  if (v.hdr_to_sdr) {  // the filter made BT.709 pictures
    c->color_primaries = AVCOL_PRI_BT709;
    c->color_trc = AVCOL_TRC_BT709;
    c->colorspace = AVCOL_SPC_BT709;
  }
  if (mode.global_header) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (v.bframes >= 0) c->max_b_frames = v.bframes;
  if (v.refs > 0) c->refs = v.refs;
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "preset", v.preset.c_str(), 0);
  av_dict_set(&opts, "forced-idr", "1", 0);
  if (hevc) {
    h265_options(v, mode, &opts);
  } else {
    h264_options(v, mode, c.get(), &opts);
  }
  if (v.bitrate > 0) c->bit_rate = v.bitrate;
  if (v.max_bitrate > 0) {
    c->rc_max_rate = v.max_bitrate;
    c->rc_buffer_size = static_cast<int>(v.buffer_size > 0 ? v.buffer_size : v.max_bitrate * 2);
  }
  int err = avcodec_open2(c.get(), codec, &opts);
  av_dict_free(&opts);
  if (err < 0)
    throw EncoderRefused(std::string(hevc ? "cannot open the H.265 encoder" : "cannot open the H.264 encoder") + ": " +
                         av_error_text(err));
  return c;
}

CodecPtr open_audio_encoder(const AudioSpec& a) {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
  if (!codec) throw MediaError("this FFmpeg build has no AAC encoder");
  CodecPtr c(avcodec_alloc_context3(codec));
  if (!c) throw std::bad_alloc();
  c->sample_fmt = AV_SAMPLE_FMT_FLTP;
  c->sample_rate = a.sample_rate;
  av_channel_layout_default(&c->ch_layout, a.channels);
  c->bit_rate = a.bitrate;
  c->time_base = {1, a.sample_rate};
  c->profile = FF_PROFILE_AAC_LOW;
  c->thread_count = 1;
  av_check(avcodec_open2(c.get(), codec, nullptr), "cannot open the AAC encoder");
  return c;
}

void encode_frame(AVCodecContext* enc, AVFrame* frame, const std::function<void(AVPacket*)>& on_packet) {
  av_check(avcodec_send_frame(enc, frame), std::string("encoding (") + enc->codec->name + ")");
  PacketPtr pkt = make_packet();
  while (true) {
    int err = avcodec_receive_packet(enc, pkt.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
    av_check(err, std::string("encoding (") + enc->codec->name + ")");
    on_packet(pkt.get());
    av_packet_unref(pkt.get());
  }
}

}  // namespace hlsfs

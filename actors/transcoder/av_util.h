// Small RAII holders and error helpers for libav* objects.
#pragma once
#include <memory>
#include <stdexcept>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libswresample/swresample.h>
}

namespace hlsfs {

// A source or encoding failure, with libav's reason. `what()` is one line.
struct MediaError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline std::string av_error_text(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

// Throws MediaError("<what>: <libav reason>") when err < 0.
inline int av_check(int err, const std::string& what) {
  if (err < 0) throw MediaError(what + ": " + av_error_text(err));
  return err;
}

// What an opener attaches to an input it feeds through custom I/O (its
// AVIOContext and whatever backs it). libav never frees custom I/O, so the
// opener sets AVFMT_FLAG_CUSTOM_IO, stores this in AVFormatContext::opaque,
// and InputCloser deletes it once the demuxer is closed.
struct CustomInput {
  virtual ~CustomInput() = default;
};

struct InputCloser {
  void operator()(AVFormatContext* f) const {
    CustomInput* custom = (f->flags & AVFMT_FLAG_CUSTOM_IO) ? static_cast<CustomInput*>(f->opaque) : nullptr;
    avformat_close_input(&f);
    delete custom;
  }
};
struct CodecCloser {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameFree {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketFree {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct GraphFree {
  void operator()(AVFilterGraph* g) const { avfilter_graph_free(&g); }
};
struct SwrFree {
  void operator()(SwrContext* s) const { swr_free(&s); }
};

using InputPtr = std::unique_ptr<AVFormatContext, InputCloser>;
using CodecPtr = std::unique_ptr<AVCodecContext, CodecCloser>;
using FramePtr = std::unique_ptr<AVFrame, FrameFree>;
using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;
using GraphPtr = std::unique_ptr<AVFilterGraph, GraphFree>;
using SwrPtr = std::unique_ptr<SwrContext, SwrFree>;

inline FramePtr make_frame() {
  FramePtr f(av_frame_alloc());
  if (!f) throw std::bad_alloc();
  return f;
}
inline PacketPtr make_packet() {
  PacketPtr p(av_packet_alloc());
  if (!p) throw std::bad_alloc();
  return p;
}

// libav logs to stderr by default; hlsfs routes it through its own log level.
void quiet_libav_logs();

}  // namespace hlsfs

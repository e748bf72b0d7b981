#include "actors/transcoder/picture_filter.h"

extern "C" {
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/pixdesc.h>
}

namespace hlsfs {

std::string PictureFilter::chain(const VideoSpec& v) {
  const OutputGeometry& g = v.geometry;
  std::string c;
  // kerndeint works inside each frame: one picture in, one out, nothing
  // carried over. The temporal deinterlacers (yadif, bwdif, and estdif too)
  // hold pictures back, and only some pictures pass through this filter
  // (the ones a frame slot uses), so they cannot work here.
  if (v.deinterlace) c += "kerndeint,";
  switch (g.rotation) {
    case 90: c += "transpose=clock,"; break;
    case 180: c += "hflip,vflip,"; break;
    case 270: c += "transpose=cclock,"; break;
    default: break;
  }
  // accurate_rnd + bitexact: the same picture on every CPU (SIMD paths of
  // swscale otherwise differ in the last bit), so segments are byte-identical
  // wherever they are made. out_range=tv: what H.264 players assume.
  c += "scale=w=" + std::to_string(g.scale_w) + ":h=" + std::to_string(g.scale_h) +
       ":flags=bicubic+accurate_rnd+bitexact:out_range=tv";
  // PQ/HLG to SDR BT.709 at the output size (cheaper than at the source's):
  // to linear light, BT.2020 to BT.709 primaries, Hable's curve, back to
  // BT.709 gamma and TV range.
  if (v.hdr_to_sdr)
    c += ",zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,"
         "zscale=t=bt709:m=bt709:r=tv";
  if (g.crop_x || g.crop_y || g.width < g.scale_w || g.height < g.scale_h)
    c += ",crop=" + std::to_string(g.width) + ":" + std::to_string(g.height) + ":" + std::to_string(g.crop_x) + ":" +
         std::to_string(g.crop_y);
  if (g.width > g.scale_w || g.height > g.scale_h)
    c += ",pad=" + std::to_string(g.width) + ":" + std::to_string(g.height) + ":" + std::to_string(g.pad_x) + ":" +
         std::to_string(g.pad_y) + ":black";
  c += ",format=yuv420p,setsar=1";
  return c;
}

void PictureFilter::build(const AVFrame* in) {
  graph_.reset(avfilter_graph_alloc());
  if (!graph_) throw std::bad_alloc();
  graph_->nb_threads = 1;  // one job = fixed work; parallelism comes from jobs and the encoder
  AVRational sar = in->sample_aspect_ratio.num > 0 ? in->sample_aspect_ratio : AVRational{1, 1};
  char args[256];
  snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=1/90000:pixel_aspect=%d/%d", in->width,
           in->height, in->format, sar.num, sar.den);
  av_check(avfilter_graph_create_filter(&src_, avfilter_get_by_name("buffer"), "in", args, nullptr, graph_.get()),
           "video filter input");
  av_check(avfilter_graph_create_filter(&sink_, avfilter_get_by_name("buffersink"), "out", nullptr, nullptr,
                                        graph_.get()),
           "video filter output");
  AVFilterInOut* outputs = avfilter_inout_alloc();
  AVFilterInOut* inputs = avfilter_inout_alloc();
  outputs->name = av_strdup("in");
  outputs->filter_ctx = src_;
  inputs->name = av_strdup("out");
  inputs->filter_ctx = sink_;
  std::string desc = chain(v_);
  int err = avfilter_graph_parse_ptr(graph_.get(), desc.c_str(), &inputs, &outputs, nullptr);
  avfilter_inout_free(&inputs);
  avfilter_inout_free(&outputs);
  av_check(err, "video filter \"" + desc + "\"");
  av_check(avfilter_graph_config(graph_.get(), nullptr), "video filter \"" + desc + "\"");
  w_ = in->width, h_ = in->height, fmt_ = in->format;
}

AVFrame* PictureFilter::convert(const AVFrame* in) {
  if (!graph_ || in->width != w_ || in->height != h_ || in->format != fmt_) build(in);
  FramePtr copy = make_frame();
  av_check(av_frame_ref(copy.get(), in), "video frame");
  copy->pts = 0;
  av_check(av_buffersrc_add_frame_flags(src_, copy.get(), AV_BUFFERSRC_FLAG_KEEP_REF), "video filter");
  av_frame_unref(out_.get());
  av_check(av_buffersink_get_frame(sink_, out_.get()), "video filter");
  return out_.get();
}

}  // namespace hlsfs

#include "actors/transcoder/sprite_sheet.h"

#include <algorithm>
#include <cstring>

#include "actors/playlist/thumbnail_track.h"
#include "actors/transcoder/demux.h"
#include "actors/transcoder/picture_filter.h"

extern "C" {
#include <libavutil/imgutils.h>
}

namespace hlsfs {

namespace {

// The picture of the keyframe `s` starts at, from that packet alone: sent,
// then the decoder drained, so no later frame of its group is decoded. A
// decoder that gives nothing from the keyframe alone (a stream whose
// keyframe flag marks a recovery point) is fed on until its first picture.
bool decode_keyframe(Demuxer& d, DecodeStart& s, AVFrame* out) {
  AVCodecContext* dec = d.decoder();
  if (s.pending.empty()) return false;
  auto drain = [&]() -> bool {
    avcodec_send_packet(dec, nullptr);
    // Draining ends with EOF; a broken picture is skipped, not waited for.
    for (int tries = 0; tries < 64; ++tries) {
      int err = avcodec_receive_frame(dec, out);
      if (err >= 0) return true;
      if (err == AVERROR_EOF) return false;
    }
    return false;
  };
  avcodec_flush_buffers(dec);
  avcodec_send_packet(dec, s.pending.front().get());
  bool got = drain();
  avcodec_flush_buffers(dec);
  if (got) return true;
  for (auto& p : s.pending) {
    if (avcodec_send_packet(dec, p.get()) == AVERROR(EAGAIN)) break;
    note_progress();
    if (avcodec_receive_frame(dec, out) >= 0) {
      avcodec_flush_buffers(dec);
      return true;
    }
  }
  got = drain();
  avcodec_flush_buffers(dec);
  return got;
}

void copy_tile(const AVFrame* tile, AVFrame* sheet, int x, int y) {
  for (int p = 0; p < 3; ++p) {
    const int sx = p ? x / 2 : x, sy = p ? y / 2 : y;
    const int w = p ? tile->width / 2 : tile->width, h = p ? tile->height / 2 : tile->height;
    av_image_copy_plane(sheet->data[p] + static_cast<ptrdiff_t>(sy) * sheet->linesize[p] + sx, sheet->linesize[p],
                        tile->data[p], tile->linesize[p], w, h);
  }
}

std::string encode_jpeg(AVFrame* sheet, int quality) {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
  if (!codec) throw MediaError("no mjpeg encoder in this FFmpeg");
  CodecPtr enc(avcodec_alloc_context3(codec));
  if (!enc) throw std::bad_alloc();
  enc->width = sheet->width;
  enc->height = sheet->height;
  enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
  enc->color_range = AVCOL_RANGE_JPEG;
  enc->time_base = AVRational{1, 1};
  enc->thread_count = 1;
  // BITEXACT: no encoder version in the file, so the bytes do not change
  // with the FFmpeg build. QSCALE: a fixed quantizer (as `ffmpeg -q:v`).
  enc->flags |= AV_CODEC_FLAG_QSCALE | AV_CODEC_FLAG_BITEXACT;
  enc->global_quality = FF_QP2LAMBDA * quality;
  av_check(avcodec_open2(enc.get(), codec, nullptr), "mjpeg encoder");
  sheet->quality = enc->global_quality;
  sheet->pts = 0;
  av_check(avcodec_send_frame(enc.get(), sheet), "mjpeg encoder");
  av_check(avcodec_send_frame(enc.get(), nullptr), "mjpeg encoder");
  PacketPtr pkt = make_packet();
  av_check(avcodec_receive_packet(enc.get(), pkt.get()), "mjpeg encoder");
  return std::string(reinterpret_cast<const char*>(pkt->data), static_cast<size_t>(pkt->size));
}

}  // namespace

void tv_to_full_range(uint8_t* data, int linesize, int width, int height, bool chroma) {
  uint8_t table[256];
  for (int v = 0; v < 256; ++v) {
    // (v - 16) * 255 / 219 for luma, (v - 128) * 255 / 224 + 128 for chroma,
    // rounded half away from zero, clamped.
    const int num = chroma ? (v - 128) * 255 : (v - 16) * 255, den = chroma ? 224 : 219;
    int q = num >= 0 ? (2 * num + den) / (2 * den) : -((-2 * num + den) / (2 * den));
    if (chroma) q += 128;
    table[v] = static_cast<uint8_t>(std::clamp(q, 0, 255));
  }
  for (int y = 0; y < height; ++y) {
    uint8_t* row = data + static_cast<ptrdiff_t>(y) * linesize;
    for (int x = 0; x < width; ++x) row[x] = table[row[x]];
  }
}

SegmentResult make_sprite_sheet(SourceOpener& opener, const MediaInfo& media, const RenditionSpec& r, size_t k,
                                EncodeProgress* progress) {
  const ThumbnailSpec& t = *r.thumbnails;
  const ThumbnailLayout& l = t.layout;
  const uint32_t sheet_no = static_cast<uint32_t>(k);
  const int64_t first = l.first_tile(sheet_no), count = l.tiles_on(sheet_no);
  if (count <= 0) throw MediaError(r.segment_name(k) + ": the track has " + std::to_string(l.sheets()) + " sheets");
  (void)media;

  FramePtr sheet = make_frame();
  sheet->format = AV_PIX_FMT_YUV420P;
  sheet->width = l.sheet_width(sheet_no);
  sheet->height = l.sheet_height(sheet_no);
  av_check(av_frame_get_buffer(sheet.get(), 0), "sprite sheet picture");
  // Black (TV range) where a tile has no picture.
  for (int p = 0; p < 3; ++p)
    for (int y = 0; y < (p ? sheet->height / 2 : sheet->height); ++y)
      memset(sheet->data[p] + static_cast<ptrdiff_t>(y) * sheet->linesize[p], p ? 128 : 16,
             static_cast<size_t>(p ? sheet->width / 2 : sheet->width));

  Demuxer demux(opener, r.source_uri, t.stream);
  const Rational tb{demux.stream()->time_base.num, demux.stream()->time_base.den};
  PictureFilter filter(t.picture);
  FramePtr frame = make_frame();
  SegmentResult out;
  if (progress) progress->total = count;
  int64_t shown_keyframe = kNoTimestamp;  // the keyframe the last tile shows
  AVFrame* last_tile = nullptr;           // the filter's output for it
  FramePtr kept = make_frame();
  for (int64_t i = 0; i < count; ++i) {
    if (progress) progress->yield_to_readers();
    const int64_t tile = first + i;
    DecodeStart s = demux.start_at_keyframe_before(thumbnail_source_ticks(r, tile, tb));
    if (s.keyframe_pts == kNoTimestamp || s.keyframe_pts != shown_keyframe) {
      last_tile = nullptr;
      av_frame_unref(frame.get());
      if (decode_keyframe(demux, s, frame.get())) {
        ++out.decoded_frames;
        av_frame_unref(kept.get());
        av_check(av_frame_ref(kept.get(), filter.convert(frame.get())), "thumbnail picture");
        last_tile = kept.get();
        shown_keyframe = s.keyframe_pts;
      }
    }
    if (last_tile) {
      if (last_tile->width != l.tile_width || last_tile->height != l.tile_height ||
          last_tile->format != AV_PIX_FMT_YUV420P)
        throw MediaError(r.segment_name(k) + ": a tile came out " + std::to_string(last_tile->width) + "x" +
                         std::to_string(last_tile->height) + ", not " + std::to_string(l.tile_width) + "x" +
                         std::to_string(l.tile_height));
      const int64_t on = i;
      copy_tile(last_tile, sheet.get(), static_cast<int>(on % l.columns) * l.tile_width,
                static_cast<int>(on / l.columns) * l.tile_height);
      ++out.video_frames;
    }
    if (progress) progress->frames = i + 1;
  }
  if (out.video_frames == 0) throw MediaError(r.segment_name(k) + ": no keyframe of its tiles could be decoded");
  for (int p = 0; p < 3; ++p)
    tv_to_full_range(sheet->data[p], sheet->linesize[p], p ? sheet->width / 2 : sheet->width,
                     p ? sheet->height / 2 : sheet->height, p > 0);
  sheet->format = AV_PIX_FMT_YUVJ420P;
  sheet->color_range = AVCOL_RANGE_JPEG;
  out.bytes = encode_jpeg(sheet.get(), t.settings.quality);
  return out;
}

}  // namespace hlsfs

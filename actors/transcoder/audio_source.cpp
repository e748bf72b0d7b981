#include "actors/transcoder/audio_source.h"

#include <numeric>

extern "C" {
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/samplefmt.h>
}

#include "actors/transcoder/demux.h"

namespace hlsfs {

namespace {

// Decode this much before the first sample needed: covers the resampler's
// filter and the decoder's own warm-up (MP3 bit reservoir, AAC overlap).
constexpr double kDecodeLeadSeconds = 0.5;

// Output samples by absolute index: a FIFO that knows where its head is.
class SampleQueue {
 public:
  SampleQueue(int channels) : channels_(channels), fifo_(av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, channels, 8192)) {
    if (!fifo_) throw std::bad_alloc();
  }
  ~SampleQueue() { av_audio_fifo_free(fifo_); }
  SampleQueue(const SampleQueue&) = delete;
  SampleQueue& operator=(const SampleQueue&) = delete;

  int64_t head() const { return head_; }
  int64_t tail() const { return head_ + av_audio_fifo_size(fifo_); }
  void reset_head(int64_t h) {
    av_audio_fifo_reset(fifo_);
    head_ = h;
  }
  void write(uint8_t** planes, int n) {
    if (av_audio_fifo_write(fifo_, reinterpret_cast<void**>(planes), n) < n) throw std::bad_alloc();
  }
  // Fills `out` with samples [f0, f0 + n): silence where the queue has none.
  void read_frame(int64_t f0, AVFrame* out) {
    const int n = out->nb_samples;
    if (head_ < f0) {
      int64_t drop = std::min<int64_t>(f0 - head_, av_audio_fifo_size(fifo_));
      av_audio_fifo_drain(fifo_, static_cast<int>(drop));
      head_ = av_audio_fifo_size(fifo_) ? head_ + drop : f0;
    }
    av_samples_set_silence(out->data, 0, n, channels_, AV_SAMPLE_FMT_FLTP);
    int64_t from = std::max(f0, head_), to = std::min(f0 + n, tail());
    if (to > from) {
      void* dst[AV_NUM_DATA_POINTERS];
      for (int c = 0; c < channels_; ++c) dst[c] = reinterpret_cast<float*>(out->data[c]) + (from - f0);
      av_audio_fifo_read(fifo_, dst, static_cast<int>(to - from));
      head_ = to;
    }
  }

 private:
  int channels_;
  AVAudioFifo* fifo_;
  int64_t head_ = 0;
};

// swresample from whatever the decoder gives to planar float at the output
// rate and layout; reconfigured when the input format changes.
class Resampler {
 public:
  Resampler(const AVChannelLayout& out_layout, int out_rate) : out_rate_(out_rate) {
    av_channel_layout_copy(&out_layout_, &out_layout);
  }
  ~Resampler() {
    free_buffer();
    av_channel_layout_uninit(&out_layout_);
    av_channel_layout_uninit(&in_layout_);
  }
  Resampler(const Resampler&) = delete;
  Resampler& operator=(const Resampler&) = delete;

  bool ready() const { return swr_ != nullptr; }

  void configure_for(const AVFrame* f) {
    AVChannelLayout layout;
    if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || f->ch_layout.nb_channels == 0)
      av_channel_layout_default(&layout, std::max(1, f->ch_layout.nb_channels));
    else
      av_channel_layout_copy(&layout, &f->ch_layout);
    if (swr_ && f->format == in_fmt_ && f->sample_rate == in_rate_ && !av_channel_layout_compare(&layout, &in_layout_)) {
      av_channel_layout_uninit(&layout);
      return;
    }
    av_channel_layout_uninit(&in_layout_);
    in_layout_ = layout;
    in_fmt_ = f->format;
    in_rate_ = f->sample_rate;
    swr_.reset();
    SwrContext* s = nullptr;
    int err = swr_alloc_set_opts2(&s, &out_layout_, AV_SAMPLE_FMT_FLTP, out_rate_, &in_layout_,
                                  static_cast<AVSampleFormat>(in_fmt_), in_rate_, 0, nullptr);
    swr_.reset(s);
    av_check(err, "resampler setup");
    av_check(swr_init(swr_.get()), "resampler setup");
  }

  // Converts n input samples (in == nullptr: flush) into the queue.
  void push(const uint8_t** in, int n, SampleQueue& q) {
    int room = swr_get_out_samples(swr_.get(), n);
    if (room <= 0) return;
    if (room > cap_) {
      free_buffer();
      av_check(av_samples_alloc_array_and_samples(&buf_, nullptr, out_layout_.nb_channels, room,
                                                  AV_SAMPLE_FMT_FLTP, 0),
               "audio buffer");
      cap_ = room;
    }
    int got = av_check(swr_convert(swr_.get(), buf_, room, in, n), "resampling");
    if (got > 0) q.write(buf_, got);
  }

  // n samples of silence in the current input format.
  void push_silence(int64_t n, SampleQueue& q) {
    std::vector<uint8_t> zeros;
    const AVSampleFormat fmt = static_cast<AVSampleFormat>(in_fmt_);
    const int ch = in_layout_.nb_channels;
    while (n > 0) {
      int chunk = static_cast<int>(std::min<int64_t>(n, 4096));
      int size = av_samples_get_buffer_size(nullptr, ch, chunk, fmt, 1);
      zeros.assign(static_cast<size_t>(size), 0);
      uint8_t* planes[AV_NUM_DATA_POINTERS] = {nullptr};
      av_samples_fill_arrays(planes, nullptr, zeros.data(), ch, chunk, fmt, 1);
      av_samples_set_silence(planes, 0, chunk, ch, fmt);  // unsigned formats are not 0
      push(const_cast<const uint8_t**>(planes), chunk, q);
      n -= chunk;
    }
  }

 private:
  void free_buffer() {
    if (buf_) av_freep(&buf_[0]);
    av_freep(&buf_);
    cap_ = 0;
  }
  SwrPtr swr_;
  AVChannelLayout out_layout_{}, in_layout_{};
  int out_rate_, in_rate_ = 0, in_fmt_ = -1;
  uint8_t** buf_ = nullptr;
  int cap_ = 0;
};

}  // namespace

AudioFrameSource::AudioFrameSource(SourceOpener& opener, const std::string& uri, const StreamInfo& stream,
                                   const AudioSpec& spec, Rational origin)
    : opener_(opener), uri_(uri), stream_(stream), spec_(spec), origin_(origin) {}

void AudioFrameSource::produce(int64_t first, int64_t last, const Sink& sink) {
  if (last <= first) return;
  const int out_rate = spec_.sample_rate;
  AVChannelLayout out_layout;
  av_channel_layout_default(&out_layout, spec_.channels);
  FramePtr out = make_frame();
  out->format = AV_SAMPLE_FMT_FLTP;
  out->sample_rate = out_rate;
  av_channel_layout_copy(&out->ch_layout, &out_layout);
  out->nb_samples = kFrame;
  av_check(av_frame_get_buffer(out.get(), 0), "audio frame");

  SampleQueue queue(spec_.channels);
  Resampler resampler(out_layout, out_rate);
  av_channel_layout_uninit(&out_layout);
  int64_t m = first;  // next AAC frame to emit
  auto emit_ready = [&](bool eof) {
    while (m < last && (eof || queue.tail() >= (m + 1) * kFrame)) {
      av_check(av_frame_make_writable(out.get()), "audio frame");
      queue.read_frame(m * kFrame, out.get());
      out->pts = m * kFrame;
      sink(m, out.get());
      ++m;
    }
  };

  Demuxer demux(opener_, uri_, stream_.index);
  const int in_rate = demux.decoder()->sample_rate > 0 ? demux.decoder()->sample_rate : stream_.sample_rate;
  if (in_rate <= 0) throw MediaError(uri_ + ": the audio stream has no sample rate");
  // Input sample q (counted from the stream's first sample) lands on output
  // sample o_base + q * out_rate / in_rate: exact when q is a multiple of align_in.
  const int64_t g = std::gcd(in_rate, out_rate);
  const int64_t align_in = in_rate / g, align_out = out_rate / g;
  const Rational tb = stream_.time_base;
  const int64_t start_pts = stream_.start_pts == kNoTimestamp ? 0 : stream_.start_pts;
  const Rational stream_offset = Rational{start_pts * tb.num, tb.den} - origin_;
  const int64_t o_base = mul_div_round(stream_offset.num, out_rate, stream_offset.den);
  auto out_index = [&](int64_t q) { return o_base + q / align_in * align_out; };

  // First input sample to feed: on the common grid, a little before the
  // first frame (the resampler's first outputs lack history).
  const int64_t need_in = mul_div_floor(first * kFrame - o_base, in_rate, out_rate) - 64;
  const int64_t q_start = need_in <= 0 ? 0 : need_in / align_in * align_in;

  // Containers whose clock is coarser than a sample (Matroska, FLV, ASF: 1 ms)
  // round packet times; whole codec frames sit on a grid, so snap them to it.
  const bool coarse_clock = tb.num * static_cast<int64_t>(in_rate) > tb.den;
  const int frame_size = stream_.frame_size;
  auto position_of = [&](int64_t pts, int nb_samples) -> int64_t {
    Rational t{(pts - start_pts) * tb.num, tb.den};
    if (coarse_clock && frame_size > 0 && nb_samples == frame_size)
      return mul_div_round(t.num, in_rate, t.den * frame_size) * frame_size;
    return mul_div_round(t.num, in_rate, t.den);
  };

  bool started = false, seeked = false, overshot = false;
  int64_t q_next = 0;  // source sample index of the next input sample to feed
  const int64_t tolerance = in_rate / 10;  // timestamp jitter below this is ignored

  auto on_frame = [&](AVFrame* f) -> bool {
    resampler.configure_for(f);
    const int64_t pts = f->best_effort_timestamp;
    int64_t q = pts == AV_NOPTS_VALUE ? q_next : position_of(pts, f->nb_samples);
    if (started && std::llabs(q - q_next) <= tolerance) q = q_next;  // continuous
    int skip = 0;
    if (!started) {
      if (q > q_start && seeked) {  // the seek went past what we need
        overshot = true;
        return false;
      }
      if (q + f->nb_samples <= q_start) return true;  // before what we need
      started = true;
      queue.reset_head(out_index(q_start));
      q_next = q_start;
    }
    if (q > q_next) {
      resampler.push_silence(q - q_next, queue);  // audio starts late, or a gap
    } else if (q < q_next) {
      skip = static_cast<int>(std::min<int64_t>(q_next - q, f->nb_samples));  // overlap: drop the repeat
    }
    const int n = f->nb_samples - skip;
    if (n > 0) {
      const AVSampleFormat fmt = static_cast<AVSampleFormat>(f->format);
      const bool planar = av_sample_fmt_is_planar(fmt);
      const int nch = f->ch_layout.nb_channels, bps = av_get_bytes_per_sample(fmt);
      const uint8_t* planes[AV_NUM_DATA_POINTERS] = {nullptr};
      for (int c = 0; c < (planar ? nch : 1); ++c)
        planes[c] = f->extended_data[c] + static_cast<size_t>(skip) * bps * (planar ? 1 : nch);
      resampler.push(planes, n, queue);
    }
    q_next = std::max(q_next, q + f->nb_samples);
    emit_ready(false);
    return m < last;
  };

  FramePtr frame = make_frame();
  const int64_t lead = static_cast<int64_t>(kDecodeLeadSeconds * in_rate);
  DecodeStart start;
  if (q_start - lead > 0) {
    seeked = true;
    start = demux.start_at_time(start_pts + mul_div_floor(q_start - lead, tb.den, in_rate * tb.num));
  } else {
    start = demux.start_at_beginning();
  }
  demux.decode(start, frame.get(), on_frame);
  if (overshot) {  // rare: decode from the top instead
    seeked = overshot = false;
    start = demux.start_at_beginning();
    demux.decode(start, frame.get(), on_frame);
  }
  if (started && m < last) resampler.push(nullptr, 0, queue);  // the resampler's tail
  if (!started) queue.reset_head(first * kFrame);             // no source audio here: silence
  emit_ready(true);
}

}  // namespace hlsfs

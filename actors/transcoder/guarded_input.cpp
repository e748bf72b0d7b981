#include "actors/transcoder/guarded_input.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

#include "actors/transcoder/job_deadline.h"
#include "actors/transcoder/source_formats.h"

extern "C" {
#include <libavformat/avio.h>
}

namespace hlsfs {

namespace {

// libav's read granularity (its own file protocol reads 32 KiB at a time).
constexpr int kAvioBufferSize = 64 * 1024;

int refuse_nested_open(AVFormatContext*, AVIOContext**, const char*, int, AVDictionary**) { return AVERROR(EPERM); }

// A file read by descriptor: pread() at our own position.
struct FdIo : GuardedIo {
  int fd;
  int64_t pos = 0;
  int64_t size;
  FdIo(int f, int64_t s) : fd(f), size(s) {}
  ~FdIo() override { close(fd); }
};

int fd_read(void* opaque, uint8_t* buf, int len) {
  auto* in = static_cast<FdIo*>(static_cast<GuardedIo*>(opaque));
  // A job past its deadline reads no more (a pread blocked in the kernel is
  // left to the watchdog: job_deadline.h).
  if (auto d = current_deadline(); d && d->over()) return AVERROR_EXIT;
  for (;;) {
    ssize_t n = pread(in->fd, buf, static_cast<size_t>(len), in->pos);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return AVERROR(errno);
    if (n == 0) return AVERROR_EOF;
    in->pos += n;
    note_progress();  // a long header or index read is progress too
    return static_cast<int>(n);
  }
}

int64_t fd_seek(void* opaque, int64_t offset, int whence) {
  auto* in = static_cast<FdIo*>(static_cast<GuardedIo*>(opaque));
  whence &= ~AVSEEK_FORCE;
  if (whence == AVSEEK_SIZE) return in->size;
  int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? in->pos : whence == SEEK_END ? in->size : -1;
  if (base < 0 || (offset > 0 && base > INT64_MAX - offset) || base + offset < 0) return AVERROR(EINVAL);
  in->pos = base + offset;
  return in->pos;
}

}  // namespace

GuardedIo::~GuardedIo() {
  if (avio) {
    av_freep(&avio->buffer);  // libav may have replaced the buffer it was given
    avio_context_free(&avio);
  }
}

void attach_avio(GuardedIo& io, int (*read)(void*, uint8_t*, int), int64_t (*seek)(void*, int64_t, int)) {
  auto* buf = static_cast<unsigned char*>(av_malloc(kAvioBufferSize));
  if (!buf) throw std::bad_alloc();
  io.avio = avio_alloc_context(buf, kAvioBufferSize, 0, &io, read, nullptr, seek);
  if (!io.avio) {
    av_free(buf);
    throw std::bad_alloc();
  }
  io.avio->seekable = AVIO_SEEKABLE_NORMAL;
}

InputPtr open_guarded_input(std::unique_ptr<GuardedIo> io, const std::string& name) {
  // Probe first, so that a refused format is named with its reason rather
  // than libav's "Invalid argument".
  const AVInputFormat* format = nullptr;
  int err = av_probe_input_buffer2(io->avio, &format, name.c_str(), nullptr, 0, 0);
  if (err < 0) {
    check_deadline();  // a read ended by the job's deadline says so
    if (!io->error.empty()) throw MediaError(io->error);
    throw MediaError(name + ": not a media file FFmpeg can open (" + av_error_text(err) + ")");
  }
  std::string refusal = source_format_refusal(format->name);
  if (!refusal.empty())
    throw MediaError(name + ": " + format->name + " files are not accepted as sources (" + refusal + ")");

  AVFormatContext* fmt = avformat_alloc_context();
  if (!fmt) throw std::bad_alloc();
  fmt->pb = io->avio;
  fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
  fmt->opaque = static_cast<CustomInput*>(io.get());
  fmt->io_open = refuse_nested_open;
  AVDictionary* opts = nullptr;
  // Belt and braces for demuxers that open nested inputs by themselves:
  // they copy these lists, and no protocol is called "none".
  av_dict_set(&opts, "protocol_whitelist", "none", 0);
  av_dict_set(&opts, "format_whitelist", source_demuxers(), 0);
  err = avformat_open_input(&fmt, name.c_str(), format, &opts);  // frees fmt on failure
  av_dict_free(&opts);
  if (err < 0) {  // the custom I/O is still ours and goes with `io`
    check_deadline();
    if (!io->error.empty()) throw MediaError(io->error);
    throw MediaError(name + ": not a media file FFmpeg can open (" + av_error_text(err) + ")");
  }
  io.release();  // owned by fmt from here on (InputCloser)
  return InputPtr(fmt);
}

InputPtr open_fd_input(int fd, const std::string& name) {
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    throw MediaError(name + ": " + strerror(e));
  }
  return open_fd_input(fd, name, static_cast<int64_t>(st.st_size));
}

InputPtr open_fd_input(int fd, const std::string& name, int64_t size) {
  auto io = std::make_unique<FdIo>(fd, size);
  attach_avio(*io, fd_read, fd_seek);
  return open_guarded_input(std::move(io), name);
}

}  // namespace hlsfs

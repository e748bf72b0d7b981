#include "actors/storage/backend_source.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <new>

extern "C" {
#include <libavformat/avio.h>
}

namespace hlsfs {

namespace {

// libav's read granularity; the block cache behind it decides request sizes.
constexpr int kAvioBufferSize = 64 * 1024;

// The custom I/O of one opened input; freed by InputCloser (see av_util.h).
struct BackendInput : CustomInput {
  BackendReader reader;
  AVIOContext* avio = nullptr;
  std::string error;  // the backend's message after a failed read

  explicit BackendInput(BackendReader r) : reader(std::move(r)) {}
  ~BackendInput() override {
    if (avio) {
      av_freep(&avio->buffer);  // libav may have replaced the buffer we gave it
      avio_context_free(&avio);
    }
  }
};

// Callbacks run inside libav's C code: nothing may throw through them.
int read_packet(void* opaque, uint8_t* buf, int size) {
  auto* in = static_cast<BackendInput*>(opaque);
  try {
    int64_t n = in->reader.read(buf, size);
    return n > 0 ? static_cast<int>(n) : AVERROR_EOF;
  } catch (const BackendError& e) {
    in->error = e.what();
    // Demuxers retry EAGAIN without limit; a store that is busy has already
    // retried inside the plugin, so it reads as an I/O error here.
    int code = e.code < 0 && e.code != -EAGAIN && e.code != AVERROR_EOF ? e.code : AVERROR(EIO);
    return code;
  } catch (const std::bad_alloc&) {
    return AVERROR(ENOMEM);
  } catch (const std::exception& e) {
    in->error = e.what();
    return AVERROR(EIO);
  }
}

int64_t seek(void* opaque, int64_t offset, int whence) {
  auto* in = static_cast<BackendInput*>(opaque);
  BackendReader& r = in->reader;
  whence &= ~AVSEEK_FORCE;  // seeking is free here: it only moves the position
  if (whence == AVSEEK_SIZE) return r.size();
  int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? r.tell() : whence == SEEK_END ? r.size() : -1;
  if (base < 0 || (offset > 0 && base > INT64_MAX - offset) || base + offset < 0) return AVERROR(EINVAL);
  r.seek(base + offset);
  return base + offset;
}

// A demuxer that follows references (HLS/DASH manifests, MOV data
// references, image sequences) would reach other objects or the network:
// a source is the one object it names.
int refuse_nested_open(AVFormatContext*, AVIOContext**, const char* url, int, AVDictionary**) {
  return AVERROR(EPERM);
}

std::string missing(const Backend& b, const std::string& key, const char* why) {
  return "store \"" + b.store() + "\": " + key + ": " + why;
}

}  // namespace

BackendSourceOpener::BackendSourceOpener(Resolver resolve, ReadCacheOptions cache)
    : resolve_(std::move(resolve)),
      cache_(std::make_shared<BlockCache>(cache)),
      stats_(std::make_shared<ReadStats>()) {}

BackendSourceOpener::BackendSourceOpener(Resolver resolve, std::shared_ptr<BlockCache> cache)
    : resolve_(std::move(resolve)), cache_(std::move(cache)), stats_(std::make_shared<ReadStats>()) {}

BackendSourceOpener::Located BackendSourceOpener::locate(const std::string& uri) {
  Located loc;
  try {
    std::tie(loc.backend, loc.key) = resolve_(uri);
  } catch (const MediaError&) {
    throw;
  } catch (const std::exception& e) {
    throw MediaError(uri + ": " + e.what());
  }
  if (!loc.backend) throw MediaError(uri + ": no configured store serves this URI");
  std::optional<ObjectStat> st;
  try {
    ++stats_->stat_requests;
    st = loc.backend->stat(loc.key);
  } catch (const BackendError& e) {
    throw MediaError(e.what());  // already names the store and the key
  }
  if (!st) throw MediaError(missing(*loc.backend, loc.key, "No such file or directory"));
  if (st->is_dir) throw MediaError(missing(*loc.backend, loc.key, "is a directory, not a media file"));
  loc.stat = *st;
  return loc;
}

SourceIdentity BackendSourceOpener::identify(const std::string& uri) {
  Located loc = locate(uri);
  SourceIdentity id;
  id.uri = uri;
  id.size = loc.stat.size;
  id.version = !loc.stat.etag.empty() ? loc.stat.etag : std::to_string(loc.stat.mtime_ns);
  return id;
}

InputPtr BackendSourceOpener::open(const std::string& uri) {
  Located loc = locate(uri);
  std::string version = !loc.stat.etag.empty() ? loc.stat.etag : std::to_string(loc.stat.mtime_ns);
  auto input = std::make_unique<BackendInput>(
      BackendReader(loc.backend, loc.key, version, loc.stat.size, cache_, stats_));

  auto* buf = static_cast<unsigned char*>(av_malloc(kAvioBufferSize));
  if (!buf) throw std::bad_alloc();
  input->avio = avio_alloc_context(buf, kAvioBufferSize, 0, input.get(), read_packet, nullptr, seek);
  if (!input->avio) {
    av_free(buf);
    throw std::bad_alloc();
  }
  input->avio->seekable = AVIO_SEEKABLE_NORMAL;

  AVFormatContext* fmt = avformat_alloc_context();
  if (!fmt) throw std::bad_alloc();
  fmt->pb = input->avio;
  fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
  fmt->opaque = static_cast<CustomInput*>(input.get());
  fmt->io_open = refuse_nested_open;
  // The URI (not the key) as the name: demuxers guess from its extension, and
  // libav's messages then name what the user asked for.
  int err = avformat_open_input(&fmt, uri.c_str(), nullptr, nullptr);
  if (err < 0) {  // fmt is freed; the custom I/O is still ours and goes with `input`
    if (!input->error.empty()) throw MediaError(input->error);
    throw MediaError(uri + ": not a media file FFmpeg can open (" + av_error_text(err) + ")");
  }
  input.release();  // owned by fmt from here on (InputCloser)
  return InputPtr(fmt);
}

}  // namespace hlsfs

#include "actors/storage/backend_source.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <new>

#include "actors/transcoder/guarded_input.h"
#include "hlsfs/source_version.h"

extern "C" {
#include <libavformat/avio.h>
}

namespace hlsfs {

namespace {

// The custom I/O of one opened input; freed by InputCloser (see av_util.h).
struct BackendInput : GuardedIo {
  BackendReader reader;
  explicit BackendInput(BackendReader r) : reader(std::move(r)) {}
};

BackendInput* input_of(void* opaque) { return static_cast<BackendInput*>(static_cast<GuardedIo*>(opaque)); }

// Callbacks run inside libav's C code: nothing may throw through them.
int read_packet(void* opaque, uint8_t* buf, int size) {
  auto* in = input_of(opaque);
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
  BackendReader& r = input_of(opaque)->reader;
  whence &= ~AVSEEK_FORCE;  // seeking is free here: it only moves the position
  if (whence == AVSEEK_SIZE) return r.size();
  int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? r.tell() : whence == SEEK_END ? r.size() : -1;
  if (base < 0 || (offset > 0 && base > INT64_MAX - offset) || base + offset < 0) return AVERROR(EINVAL);
  r.seek(base + offset);
  return base + offset;
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
  id.version = !loc.stat.etag.empty() ? loc.stat.etag : local_file_version(loc.stat.mtime_ns, loc.stat.ino, loc.stat.ctime_ns);
  return id;
}

InputPtr BackendSourceOpener::open(const std::string& uri) {
  Located loc = locate(uri);
  std::string version = !loc.stat.etag.empty() ? loc.stat.etag : local_file_version(loc.stat.mtime_ns, loc.stat.ino, loc.stat.ctime_ns);
  auto input = std::make_unique<BackendInput>(
      BackendReader(loc.backend, loc.key, version, loc.stat.size, cache_, stats_));
  attach_avio(*input, read_packet, seek);
  // The URI (not the key) as the name: demuxers guess from its extension, and
  // libav's messages then name what the user asked for. Nested opens are
  // refused there: a source is the one object it names.
  return open_guarded_input(std::move(input), uri);
}

}  // namespace hlsfs

#include "actors/storage/store_source.h"

#include "actors/storage/backend.h"
#include "actors/storage/backend_source.h"
#include "actors/transcoder/guarded_input.h"
#include "hlsfs/source_version.h"

namespace hlsfs {

std::pair<std::shared_ptr<Backend>, std::string> StoreSourceOpener::route(const std::string& uri) const {
  auto loc = router_.locate(uri);
  if (!loc) throw MediaError(uri + ": no configured store holds this URI (" + router_.describe() + ")");
  auto it = backends_.find(loc->store);
  if (it == backends_.end() || !it->second) throw MediaError(uri + ": store \"" + loc->store + "\" is not open");
  return {it->second, loc->key};
}

SourceIdentity StoreSourceOpener::identify(const std::string& uri) {
  auto [b, key] = route(uri);
  std::optional<ObjectStat> st;
  try {
    st = b->stat(key);
  } catch (const BackendError& e) {
    throw MediaError(e.what());
  }
  if (!st) throw MediaError(uri + ": No such file or directory");
  if (st->is_dir) throw MediaError(uri + ": is a directory, not a media file");
  SourceIdentity id;
  id.uri = uri;
  id.size = st->size;
  id.version = st->etag.empty() ? local_file_version(st->mtime_ns, st->ino, st->ctime_ns) : st->etag;
  return id;
}

InputPtr StoreSourceOpener::open(const std::string& uri) {
  auto [b, key] = route(uri);
  std::optional<int> fd;
  try {
    fd = b->open_read(key);
  } catch (const BackendError& e) {
    throw MediaError(e.what());
  }
  // A local store: read through the descriptor it opened after its checks,
  // never by name again (a symlink swapped in meanwhile is not followed).
  if (fd) return open_fd_input(*fd, uri);
  // An object store: ranged reads through a block cache shared by this job's
  // demuxers (video and audio read the same bytes), never a whole download.
  return remote_.open(uri);
}

}  // namespace hlsfs

// Sources read through a storage backend (local directory, S3, OSS): the
// demuxer gets a custom AVIOContext doing ranged reads through a block cache
// with read-ahead, so nothing is downloaded whole.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "actors/storage/backend.h"
#include "actors/storage/backend_reader.h"
#include "actors/transcoder/source.h"

namespace hlsfs {

class BackendSourceOpener : public SourceOpener {
 public:
  // Maps a source URI (file:///..., s3://bucket/key, oss://bucket/key) to the
  // store that holds it and the key inside that store. May throw (MediaError
  // or any std::exception: it becomes a MediaError naming the URI).
  using Resolver = std::function<std::pair<std::shared_ptr<Backend>, std::string>(const std::string& uri)>;

  explicit BackendSourceOpener(Resolver resolve, ReadCacheOptions cache = {});
  // With a block cache shared beyond this opener (the daemon's: the blocks
  // the probe read at generate, the header of a file, serve later jobs).
  BackendSourceOpener(Resolver resolve, std::shared_ptr<BlockCache> cache);

  // Thread-safe: one opener serves concurrent opens (a segment job opens its
  // source for video and audio at once), and they share the block cache.
  SourceIdentity identify(const std::string& uri) override;  // version = ETag, else mtime in ns
  InputPtr open(const std::string& uri) override;

  const ReadStats& stats() const { return *stats_; }

 private:
  struct Located {
    std::shared_ptr<Backend> backend;
    std::string key;
    ObjectStat stat;
  };
  Located locate(const std::string& uri);  // resolve + stat, MediaError on any failure

  Resolver resolve_;
  std::shared_ptr<BlockCache> cache_;
  std::shared_ptr<ReadStats> stats_;
};

}  // namespace hlsfs

// Sources read through the configured stores: a URI is routed to its store;
// a local store hands over a descriptor of the file (opened after the plugin
// checked the key stays inside its root), object stores go through ranged reads.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "actors/storage/backend_source.h"
#include "actors/storage/store_router.h"

namespace hlsfs {

class StoreSourceOpener : public SourceOpener {
 public:
  using Backends = std::map<std::string, std::shared_ptr<Backend>>;  // by store name
  // router and backends outlive this and do not change meanwhile (Services
  // holds them: Services::source_opener). blocks: the daemon's shared block
  // cache, or null for one of this opener's own. open() is called from two
  // threads at once (video, audio): everything is made here, nothing lazily.
  StoreSourceOpener(const StoreRouter& router, const Backends& backends, std::shared_ptr<BlockCache> blocks)
      : router_(router),
        backends_(backends),
        remote_([this](const std::string& u) { return route(u); },
                blocks ? std::move(blocks) : std::make_shared<BlockCache>()) {}
  SourceIdentity identify(const std::string& uri) override;
  InputPtr open(const std::string& uri) override;
  int64_t remote_bytes_fetched() const override { return remote_.stats().bytes_fetched; }

 private:
  std::pair<std::shared_ptr<Backend>, std::string> route(const std::string& uri) const;
  const StoreRouter& router_;
  const Backends& backends_;
  BackendSourceOpener remote_;  // object stores: ranged reads through a block cache
};

}  // namespace hlsfs

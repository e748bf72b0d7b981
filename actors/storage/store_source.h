// Sources read through the configured stores: a URI is routed to its store;
// a local store hands over a descriptor of the file (opened after the plugin
// checked the key stays inside its root), object stores go through ranged reads.
#pragma once
#include <memory>

#include "actors/services.h"
#include "actors/storage/backend_source.h"

namespace hlsfs {

class StoreSourceOpener : public SourceOpener {
 public:
  // open() is called from two threads at once (video, audio): everything is
  // made here, nothing lazily.
  explicit StoreSourceOpener(const Services& svc)
      : svc_(svc), remote_([this](const std::string& u) { return route(u); }, blocks(svc)) {}
  SourceIdentity identify(const std::string& uri) override;
  InputPtr open(const std::string& uri) override;
  int64_t remote_bytes_fetched() const override { return remote_.stats().bytes_fetched; }

 private:
  std::pair<std::shared_ptr<Backend>, std::string> route(const std::string& uri) const;
  // The daemon's shared block cache, or one of this opener's own.
  static std::shared_ptr<BlockCache> blocks(const Services& svc);
  const Services& svc_;
  BackendSourceOpener remote_;  // object stores: ranged reads through a block cache
};

}  // namespace hlsfs

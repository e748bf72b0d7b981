// Sources read through the configured stores: a URI is routed to its store;
// a local store hands FFmpeg the file itself (after the plugin has checked the
// key stays inside its root), object stores go through ranged reads.
#pragma once
#include "actors/services.h"

namespace hlsfs {

class StoreSourceOpener : public SourceOpener {
 public:
  explicit StoreSourceOpener(const Services& svc) : svc_(svc) {}
  SourceIdentity identify(const std::string& uri) override;
  InputPtr open(const std::string& uri) override;

 private:
  std::pair<std::shared_ptr<Backend>, std::string> route(const std::string& uri) const;
  const Services& svc_;
  LocalFileOpener local_;
};

}  // namespace hlsfs

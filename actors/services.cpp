#include "actors/services.h"

#include "actors/storage/store_source.h"

namespace hlsfs {

std::shared_ptr<Backend> Services::backend(const std::string& store) const {
  auto it = backends.find(store);
  return it == backends.end() ? nullptr : it->second;
}

std::unique_ptr<SourceOpener> Services::source_opener() const {
  return std::make_unique<StoreSourceOpener>(router, backends, source_blocks);
}

}  // namespace hlsfs

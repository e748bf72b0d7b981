// The plugin ABI (include/hlsfs/backend.h) over a Store: everything an
// object-store plugin exports but its open(), which reads the service's
// configuration and chooses its signer.
#pragma once
#include <functional>
#include <memory>

#include "backends/objstore/config.h"
#include "backends/objstore/store.h"
#include "hlsfs/backend.h"

struct hlsfs_backend {
  std::unique_ptr<objstore::Store> store;
};

namespace objstore {

using OpenFn = hlsfs_backend* (*)(const char* const* config, char* err, size_t errlen);

// The operations table of plugin `name` ("s3", "oss") with its open().
hlsfs_backend_ops plugin_ops(const char* name, OpenFn open);

// For an open(): builds the store with make(), turning a ConfigError (or
// any other failure) into NULL and a one-line message in err.
hlsfs_backend* open_store(const char* const* config, char* err, size_t errlen,
                          const std::function<std::unique_ptr<Store>(ConfigMap&)>& make);

}  // namespace objstore

#define HLSFS_EXPORT __attribute__((visibility("default")))

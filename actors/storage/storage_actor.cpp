#include "actors/storage/storage_actor.h"

#include <cerrno>

#include "actors/storage/atomic_file.h"
#include "actors/storage/backend.h"
#include "hlsfs/log.h"

namespace hlsfs {

storage_actor spawn_storage(caf::actor_system& sys, std::shared_ptr<Backend> backend) {
  return sys.spawn<caf::detached>([backend](storage_actor::pointer) -> storage_actor::behavior_type {
    return {
        [=](write_atom, const std::string& key, const std::string& bytes, bool keep_existing,
            const std::string& tagging) -> caf::result<int32_t, std::string> {
          try {
            if (keep_existing && backend->stat(key)) {
              HLSFS_LOG(info, "storage") << "exists, kept: " << log_kv("store", backend->store()) << " " << log_kv("key", key);
              return {int32_t{0}, std::string{}};
            }
            backend->write(key, bytes, tagging);
            return {int32_t{0}, std::string{}};
          } catch (const BackendError& e) {
            HLSFS_LOG(error, "storage") << "write failed: " << e.what() << ": " << log_kv("store", backend->store()) << " "
                                       << log_kv("key", key);
            return {static_cast<int32_t>(-e.code), std::string{e.what()}};
          }
        },
        [=](upload_atom, const std::string& key, const std::string& path,
            const std::string& tagging) -> caf::result<int32_t, std::string> {
          try {
            backend->write(key, read_file(path), tagging);
            return {int32_t{0}, std::string{}};
          } catch (const BackendError& e) {
            return {static_cast<int32_t>(-e.code), std::string{e.what()}};
          } catch (const std::exception& e) {  // the file went (evicted meanwhile): nothing to keep
            return {int32_t{ENOENT}, std::string{e.what()}};
          }
        },
        [=](remove_atom, const std::string& key) -> caf::result<int32_t, std::string> {
          try {
            backend->remove(key);
            return {int32_t{0}, std::string{}};
          } catch (const BackendError& e) {
            return {static_cast<int32_t>(-e.code), std::string{e.what()}};
          }
        },
    };
  });
}

}  // namespace hlsfs

// The mount: a read-only low-level FUSE filesystem that translates kernel
// requests into catalog lookups and segment-cache requests. Reading a segment
// that is not made yet is answered when the segment cache answers; FUSE's
// threads never wait for a transcode.
#pragma once
#include <memory>
#include <string>
#include <thread>

#include "actors/messages.h"
#include "actors/services.h"

struct fuse_session;

namespace hlsfs {

class InodeTable;

class FuseMount {
 public:
  FuseMount(caf::actor_system& sys, std::shared_ptr<Services> svc, segment_cache_actor cache, std::string mountpoint,
            bool allow_other);
  ~FuseMount();
  // Cleans a stale mount of a crashed run, mounts, and serves on own threads.
  void start();
  // Unmounts and waits for the loop to end.
  void stop();
  const std::string& mountpoint() const { return mountpoint_; }

  // Used by the C callbacks.
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  std::string mountpoint_;
  std::thread loop_;
};

// Unmounts a mountpoint left by a crashed process (ENOTCONN); true if it did.
bool clean_stale_mount(const std::string& mountpoint);

}  // namespace hlsfs

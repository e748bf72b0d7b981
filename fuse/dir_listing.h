// An open directory of the mount (a FUSE file handle) and where its pages
// ended. The listing itself is the segment cache's (segment_listing.h), or
// for a library directory its finder's (TitleFinder::lists: the cursor is
// the store's name after which the next page starts).
//
// FUSE hands readdir an integer offset, so each open directory keeps the
// cursors of the entries it handed out in its last two replies (the kernel
// resumes from one of those); any other offset (a seekdir to an old
// telldir) is found by counting from the start.
#pragma once
#include <sys/types.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "actors/segment_cache/segment_listing.h"

namespace hlsfs {

// One open directory (a FUSE file handle).
class OpenDirectory {
 public:
  explicit OpenDirectory(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }
  std::mutex& mutex() { return mu_; }
  // Where offset `off` resumes: the start for 0, nullopt when unknown.
  std::optional<DirCursor> cursor_at(off_t off) const {
    if (off == 0) return DirCursor{};
    for (const auto* m : {&recent_, &older_})
      if (auto it = m->find(off); it != m->end()) return it->second;
    return std::nullopt;
  }
  // The cursors of the entries one reply handed out.
  void handed_out(std::map<off_t, DirCursor> cursors) {
    older_ = std::move(recent_);
    recent_ = std::move(cursors);
  }

 private:
  std::string path_;
  std::mutex mu_;
  std::map<off_t, DirCursor> recent_, older_;
};

}  // namespace hlsfs

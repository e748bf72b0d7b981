// A directory of the mount listed in pages: its children in the catalog
// (directories and playlists, in name order), then the segments that exist
// now of each rendition living there (token order, then segment order).
// Where a page ended is a cursor (the last name, or the last token and
// segment), and the next page starts after it, read from the catalog's
// index: a directory of 100,000 titles is never loaded whole.
//
// FUSE hands readdir an integer offset, so each open directory keeps the
// cursors of the entries it handed out in its last two replies (the kernel
// resumes from one of those); any other offset (a seekdir to an old
// telldir) is found by counting from the start.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace hlsfs {

class Catalog;
class StateStore;

struct DirCursor {
  enum Phase { start = 0, after_dot, after_dotdot, after_child, after_segment } phase = start;
  std::string name;  // after_child: the child; after_segment: the token
  uint32_t n = 0;    // after_segment: the segment
};

// Calls emit(name, is_directory, cursor after it) for each entry after
// `from`, until emit returns false or the listing ends. state may be null
// (no segments listed).
using DirEmit = std::function<bool(const std::string& name, bool is_dir, const DirCursor& after)>;
void list_directory(const Catalog& catalog, StateStore* state, const std::string& dir_path, const DirCursor& from,
                    const DirEmit& emit);

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

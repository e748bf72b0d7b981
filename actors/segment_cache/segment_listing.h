// A directory of the mount listed in pages: its children in the catalog
// (directories and playlists, in name order), then the segments that exist
// now of each rendition living there (token order, then segment order).
// Where a page ended is a cursor (the last name, or the last token and
// segment), and the next page starts after it, read from the catalog's
// index: a directory of 100,000 titles is never loaded whole. Run by the
// segment cache (the owner of segment records); the FUSE adapter asks it.
#pragma once
#include <cstdint>
#include <functional>
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

}  // namespace hlsfs

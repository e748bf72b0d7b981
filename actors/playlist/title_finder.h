// Someone who can make a title appear for a mount path the catalog does not
// know yet: library mode (a video file under a library store, probed on first
// access) and the cluster (a title another node generated, found in the
// bucket). The FUSE adapter asks the finders in order on a lookup miss and
// resolves the path again when one says it published it.
#pragma once
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace hlsfs {

class TitleFinder {
 public:
  virtual ~TitleFinder() = default;
  // path: relative to the mount, no leading '/'. Must call done exactly
  // once, from any thread, never blocking the caller's thread on I/O or a
  // probe: done(true) when the catalog now resolves path (or a parent
  // directory of it that was missing), done(false) when this finder has
  // nothing for it. Called for every miss: return at once (done(false)) for
  // paths outside what the finder serves.
  virtual void find(const std::string& path, std::function<void(bool)> done) = 0;

  // A path the catalog resolves that this finder must still confirm before
  // a lookup is answered (library mode: its source may have changed or gone
  // since it was published): find() is then asked as for a miss. Pure and
  // quick: it is asked on the FUSE thread for every lookup that hits.
  virtual bool confirms(const std::string& path) const { return false; }

  // A directory whose listing this finder makes itself (library mode: the
  // store's own files, not the catalog's titles), a page at a time. false:
  // not one of its directories. true: done is called exactly once, from any
  // thread, never blocking the caller, with the names that follow the
  // cursor `after` ("" from the start, read afresh), in the listing's
  // order, a page of them; none at the end. Each entry carries the cursor
  // after it: resuming there lists each name once, in a stable order (a
  // name added meanwhile after the cursor appears, none repeats), with
  // memory bounded by a page however large the directory.
  struct ListedName {
    std::string name;
    bool is_dir = true;
    std::string after;
  };
  using Listing = std::vector<ListedName>;
  virtual bool lists(const std::string& dir_path, const std::string& after, std::function<void(Listing)> done) {
    return false;
  }

  // A store whose titles this finder makes itself, read-only to requests
  // (library mode): a GenerateVideoPlaylist writing into it is refused.
  virtual bool owns_store(const std::string& store) const { return false; }
};

}  // namespace hlsfs

// What library mode knows of each file it has looked at: the version a
// title was published from (so a lookup can tell current, changed and
// never seen apart with one stat), and which versions proved unplayable
// (broken, or no video), so that they are logged once and not probed again
// until the file changes. Keys are "store/key". Thread-safe.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hlsfs {

// A file's version as its store reports it: size, mtime, inode and ctime
// (local), or size and ETag (object stores). A file renamed over changes
// its inode, one rewritten (even with the same size and its mtime set
// back) its ctime; so does a chmod, chown or link, and the title is then
// made again for nothing: rare, and harmless (hlsfs/source_version.h).
struct SourceStamp {
  int64_t size = -1;
  int64_t mtime_ns = 0;
  std::string etag;
  uint64_t ino = 0;
  int64_t ctime_ns = 0;
  bool operator==(const SourceStamp& o) const {
    return size == o.size && mtime_ns == o.mtime_ns && etag == o.etag && ino == o.ino && ctime_ns == o.ctime_ns;
  }
  bool operator!=(const SourceStamp& o) const { return !(*this == o); }
};

class TitleMemo {
 public:
  enum class Verdict {
    unknown,  // never published from (or not since this process started)
    current,  // published from this very version
    changed,  // published from another version: withdraw it, make it again
    broken,   // this version is known to be unplayable
  };
  Verdict check(const std::string& key, const SourceStamp& now) const;
  bool is_broken(const std::string& key, const SourceStamp& now) const;

  // At most kRemembered files: past that, everything is forgotten (the
  // catalog still knows each title's version: a check costs a read, not a
  // probe), so memory stays flat however large the library.
  static constexpr size_t kRemembered = 100000;
  void published(const std::string& key, const SourceStamp& stamp, const std::string& master_token);
  // Records this version as unplayable. True the first time (log it then).
  bool broken(const std::string& key, const SourceStamp& stamp);
  // The file is gone or changed: what was published of it is forgotten;
  // returns its master token when there was one.
  std::optional<std::string> forget(const std::string& key);
  // Every file under a directory prefix ("store/dir/") that is gone: their master tokens.
  std::vector<std::string> forget_under(const std::string& prefix);
  size_t published_count() const;

 private:
  struct Published {
    SourceStamp stamp;
    std::string master_token;
  };
  mutable std::mutex mu_;
  std::map<std::string, Published> published_;
  std::map<std::string, SourceStamp> broken_;
};

}  // namespace hlsfs

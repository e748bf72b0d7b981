// Library mode: every video file under a library store has a title in the
// mount (library_names.h) that appears on its first lookup, with no API
// call. A lookup the catalog misses (or one of a library directory or title
// it must confirm) comes here from the FUSE adapter; on threads of its own
// the finder stats the file through its store, probes it once (the
// generate's probe, cached in the state), chooses its renditions
// (ladder.h) and hands the request to the playlist actor's publish-only
// generate, then answers. A file that changed is withdrawn and made again,
// one that is gone is withdrawn; unplayable versions are remembered
// (title_memo.h). Concurrent lookups of one file share one job. A library
// directory lists in pages of list_page store entries, each resumed after
// the last name of the one before (lists()).
#pragma once
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "actors/library/library_settings.h"
#include "actors/library/title_memo.h"
#include "actors/playlist/title_finder.h"

namespace hlsfs {

struct Services;
class Counter;
class Histogram;

// The publish-only generate: request JSON -> HTTP status and response JSON.
// Blocking (called on the finder's own threads).
using LibraryPublish = std::function<std::pair<int, std::string>(const std::string& request)>;

class LibraryFinder : public TitleFinder {
 public:
  // libraries: store name -> its policy. threads: titles made at once (probes run
  // in the worker processes; these threads mostly wait).
  LibraryFinder(std::shared_ptr<Services> svc, std::map<std::string, LibrarySettings> libraries,
                LibraryPublish publish, int threads);
  ~LibraryFinder() override;

  void find(const std::string& path, std::function<void(bool)> done) override;
  bool confirms(const std::string& path) const override;
  bool lists(const std::string& dir_path, const std::string& after, std::function<void(Listing)> done) override;
  bool owns_store(const std::string& store) const override { return libraries_.count(store) > 0; }

  const TitleMemo& memo() const { return memo_; }

 private:
  // Threads taking jobs in order. Checks (a stat, a listing) and makes (a
  // probe and a generate) have a lane each, so that a path walk of a title
  // being played never waits behind the probes of a crawl.
  class Lane {
   public:
    explicit Lane(int threads);
    ~Lane();  // waits for the running jobs; queued ones are dropped
    void run(std::function<void()> job);

   private:
    std::mutex mu_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
  };

  const LibrarySettings* library_of(const std::string& path, std::string* store) const;
  void find_dir(const std::string& path, const std::string& store, const std::string& key, std::function<void(bool)> done);
  // The stat and the change check: true/false when that settles it, nullopt
  // when the title must be made (stamp: the version to make it from).
  std::optional<bool> check_title(const std::string& store, const std::string& key, SourceStamp* stamp);
  bool make_title(const std::string& store, const std::string& key, const LibrarySettings& s, const SourceStamp& stamp);
  // The (size, version) the catalog's title of key was made from, if any.
  std::optional<std::pair<int64_t, std::string>> published_version(const std::string& store, const std::string& key) const;
  static std::pair<int64_t, std::string> version_of(const SourceStamp& stamp);
  void answer(const std::string& file, bool found);
  void withdraw(const std::string& store, const std::string& key);
  // One page of a directory read from its store after cursor `from`: the
  // names shown (possibly none: then `more` says whether the store has
  // entries after read_to).
  struct Page {
    std::string from;     // the cursor it was read after
    std::string read_to;  // the store's cursor after the last entry read
    bool more = false;    // the store may have entries after read_to
    Listing names;
  };
  Page read_page(const std::string& store, const std::string& dir_key, const LibrarySettings& s, std::string from);

  // Per store, null without a metrics registry: titles offered (published),
  // refused (not offered: broken, no video, refused by the store; once per
  // version), listings' walk time.
  struct Meters {
    Counter* offered = nullptr;
    Counter* refused = nullptr;
    Histogram* list_seconds = nullptr;
  };
  const Meters& meters(const std::string& store) const;

  std::shared_ptr<Services> svc_;
  std::map<std::string, LibrarySettings> libraries_;
  std::map<std::string, Meters> meters_;
  LibraryPublish publish_;
  TitleMemo memo_;

  std::mutex mu_;
  // One job per file: later lookups of it wait for its answer.
  std::map<std::string, std::vector<std::function<void(bool)>>> in_flight_;
  // Each directory's last page read from its store, kept a moment: readdir
  // takes a page in several replies (as many names as its buffer holds).
  struct CachedPage {
    std::chrono::steady_clock::time_point at;
    Page page;
  };
  std::map<std::string, CachedPage> pages_;
  // Last: their threads end first, while everything they use is there
  // (checks first: a check may hand a make on).
  Lane makes_;
  Lane checks_{1};
};

}  // namespace hlsfs

#include "actors/library/library_finder.h"

#include <nlohmann/json.hpp>

#include "actors/library/ladder.h"
#include "actors/library/library_names.h"
#include "actors/playlist/playlist_service.h"
#include "actors/segment_cache/state_store.h"
#include "actors/services.h"
#include "actors/storage/backend.h"
#include "actors/transcoder/job_deadline.h"
#include "actors/transcoder/watched_thread.h"
#include "actors/worker/quarantine.h"
#include "hlsfs/log.h"
#include "hlsfs/source_version.h"
#include "metrics/metrics.h"

namespace hlsfs {

namespace {

// A page read from the store serves readdir's next replies for this long.
constexpr auto kPageKept = std::chrono::seconds(2);
// Directories whose last page is kept at once (each at most list_page names).
constexpr size_t kPagesKept = 64;

bool dir_exists(Backend& b, const std::string& key) {
  if (auto st = b.stat(key)) return st->is_dir;
  // Object stores have no directories: a prefix with any key under it is one.
  bool any = false;
  b.list(key + "/", [&](const std::string&, const ObjectStat&) {
    any = true;
    return false;
  });
  return any;
}

}  // namespace

LibraryFinder::Lane::Lane(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i)
    threads_.emplace_back([this] {
      while (true) {
        std::function<void()> job;
        {
          std::unique_lock<std::mutex> lock(mu_);
          wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
          if (stopping_) return;
          job = std::move(jobs_.front());
          jobs_.pop_front();
        }
        job();
      }
    });
}

LibraryFinder::Lane::~Lane() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void LibraryFinder::Lane::run(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

LibraryFinder::LibraryFinder(std::shared_ptr<Services> svc, std::map<std::string, LibrarySettings> libraries,
                             LibraryPublish publish, int threads)
    : svc_(std::move(svc)), libraries_(std::move(libraries)), publish_(std::move(publish)), makes_(threads) {
  for (const auto& [store, settings] : libraries_) {
    Meters& m = meters_[store];
    if (!svc_->metrics) continue;
    const MetricLabels labels{{"store", store}};
    m.offered = &svc_->metrics->counter("hlsfs_library_titles_offered_total",
                                        "Library titles published (first lookup of a file, or of its new version)", labels);
    m.refused = &svc_->metrics->counter(
        "hlsfs_library_titles_refused_total",
        "Library files not offered (broken, no video, refused by the store), once per version", labels);
    m.list_seconds = &svc_->metrics->histogram("hlsfs_library_list_seconds",
                                               "Time to read one page of a library directory from its store",
                                               {0.001, 0.01, 0.1, 0.5, 1, 5, 30}, labels);
  }
}

const LibraryFinder::Meters& LibraryFinder::meters(const std::string& store) const {
  static const Meters none;
  auto it = meters_.find(store);
  return it == meters_.end() ? none : it->second;
}

LibraryFinder::~LibraryFinder() = default;

const LibrarySettings* LibraryFinder::library_of(const std::string& path, std::string* store) const {
  std::string first = path.substr(0, path.find('/'));
  auto it = libraries_.find(first);
  if (it == libraries_.end()) return nullptr;
  if (store) *store = first;
  return &it->second;
}

bool LibraryFinder::confirms(const std::string& path) const {
  std::string store;
  const LibrarySettings* s = library_of(path, &store);
  if (!s) return false;
  auto lp = parse_library_path(path, store, *s);
  return lp && lp->kind != LibraryPath::inside_title;
}

void LibraryFinder::find(const std::string& path, std::function<void(bool)> done) {
  std::string store;
  const LibrarySettings* s = library_of(path, &store);
  auto lp = s ? parse_library_path(path, store, *s) : std::nullopt;
  if (!lp) return done(false);
  if (lp->kind == LibraryPath::directory) {
    checks_.run([this, path, store, key = lp->key, done] { find_dir(path, store, key, done); });
    return;
  }
  const std::string file = store + "/" + lp->key;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& waiters = in_flight_[file];
    waiters.push_back(std::move(done));
    if (waiters.size() > 1) return;  // its job is on the way
  }
  checks_.run([this, file, store, key = lp->key, s] {
    SourceStamp stamp;
    std::optional<bool> settled;
    try {
      settled = check_title(store, key, &stamp);
    } catch (const std::exception& e) {
      HLSFS_LOG(warning, "library") << "cannot look at " << file << ": " << e.what();
      settled = false;
    }
    if (settled) return answer(file, *settled);
    makes_.run([this, file, store, key, s, stamp] {
      bool found = false;
      try {
        found = make_title(store, key, *s, stamp);
      } catch (const std::exception& e) {
        HLSFS_LOG(warning, "library") << "cannot make the title of " << file << ": " << e.what();
      }
      answer(file, found);
    });
  });
}

void LibraryFinder::answer(const std::string& file, bool found) {
  std::vector<std::function<void(bool)>> waiters;
  {
    std::lock_guard<std::mutex> lock(mu_);
    waiters.swap(in_flight_[file]);
    in_flight_.erase(file);
  }
  for (auto& w : waiters) w(found);
}

void LibraryFinder::find_dir(const std::string& path, const std::string& store, const std::string& key,
                             std::function<void(bool)> done) {
  bool exists = false;
  try {
    exists = dir_exists(*svc_->backend(store), key);
  } catch (const BackendError& e) {  // refused (a symlink out of the store) or unreadable: not shown
    HLSFS_LOG(debug, "library") << e.what();
  }
  if (exists) {
    if (svc_->catalog->resolve(path).kind != CatalogEntry::directory) svc_->catalog->publish_dir(path);
    return done(true);
  }
  // Gone, with every title under it (when it was there: a name that never
  // was costs no write).
  if (svc_->catalog->resolve(path).kind == CatalogEntry::none) return done(false);
  std::vector<std::string> masters;
  std::vector<std::string> tokens = svc_->catalog->withdraw(path, &masters);
  for (const auto& t : memo_.forget_under(path + "/"))
    if (!t.empty()) masters.push_back("master:" + t);
  for (const auto& t : tokens) masters.push_back(t);
  for (const auto& k : masters) svc_->state->delete_playlist(k);
  if (!tokens.empty()) HLSFS_LOG(info, "library") << "directory gone, its titles withdrawn: " << path;
  done(false);
}

std::optional<std::pair<int64_t, std::string>> LibraryFinder::published_version(const std::string& store,
                                                                                  const std::string& key) const {
  auto tokens = svc_->catalog->tokens_in(store + "/" + key + kTitleSuffix, "", 1);
  auto r = tokens.empty() ? nullptr : svc_->catalog->by_token(tokens.front());
  if (!r || !r->media) return std::nullopt;
  return std::make_pair(r->media->source.size, r->media->source.version);
}

std::pair<int64_t, std::string> LibraryFinder::version_of(const SourceStamp& stamp) {
  // As the store's source opener names a version (store_source.cpp).
  return {stamp.size, stamp.etag.empty() ? local_file_version(stamp.mtime_ns, stamp.ino, stamp.ctime_ns) : stamp.etag};
}

void LibraryFinder::withdraw(const std::string& store, const std::string& key) {
  std::vector<std::string> records;
  if (auto master = memo_.forget(store + "/" + key); master && !master->empty()) records.push_back("master:" + *master);
  const std::string title = store + "/" + key + kTitleSuffix;
  // Nothing there (a new file, a name that never was one): nothing written.
  if (records.empty() && svc_->catalog->resolve(title).kind == CatalogEntry::none) return;
  std::vector<std::string> tokens = svc_->catalog->withdraw(title, &records);
  records.insert(records.end(), tokens.begin(), tokens.end());
  for (const auto& r : records) svc_->state->delete_playlist(r);
}

std::optional<bool> LibraryFinder::check_title(const std::string& store, const std::string& key, SourceStamp* stamp_out) {
  const std::string file = store + "/" + key;
  std::optional<ObjectStat> st;
  try {
    st = svc_->backend(store)->stat(key);
  } catch (const BackendError& e) {
    // Refused by the store (a symlink out of its root, ...): never shown.
    if (memo_.broken(file, SourceStamp{-1, 0, e.what()})) {
      HLSFS_LOG(warning, "library") << "not offered: " << e.what();
      if (auto* c = meters(store).refused) c->inc();
    }
    withdraw(store, key);
    return false;
  }
  if (!st || st->is_dir) {
    if (memo_.check(file, SourceStamp{}) != TitleMemo::Verdict::unknown)
      HLSFS_LOG(info, "library") << "gone, withdrawn: " << log_kv("store", store) << " " << log_kv("key", key);
    withdraw(store, key);
    return false;
  }
  SourceStamp stamp{st->size, st->mtime_ns, st->etag, st->ino, st->ctime_ns};
  *stamp_out = stamp;
  switch (memo_.check(file, stamp)) {
    case TitleMemo::Verdict::current:
      return true;
    case TitleMemo::Verdict::broken:
      return false;
    case TitleMemo::Verdict::changed:
      HLSFS_LOG(info, "library") << "changed, made again: " << log_kv("store", store) << " " << log_kv("key", key);
      break;
    case TitleMemo::Verdict::unknown:
      // Not seen by this process (a restart, or forgotten): the catalog
      // knows which version its title was made from.
      if (auto made_from = published_version(store, key)) {
        const auto now = version_of(stamp);
        // A title recorded before inodes and ctimes were (its version an
        // mtime alone) is made again once, with them: until then a file
        // replaced with the same size and mtime would keep its old title.
        const bool old_record = is_mtime_only_version(made_from->second) && !is_mtime_only_version(now.second);
        if (!old_record && made_from->first == now.first && same_source_version(made_from->second, now.second)) {
          memo_.published(file, stamp, "");
          return true;
        }
        HLSFS_LOG(info, "library") << (old_record ? "recorded without its file's identity, made again once: "
                                                  : "changed, made again: ")
                                   << log_kv("store", store) << " " << log_kv("key", key);
      }
      break;
  }
  // What was published of another version (or before a restart) goes
  // first: its renditions' names would otherwise linger beside the new ones.
  withdraw(store, key);
  return std::nullopt;
}

bool LibraryFinder::make_title(const std::string& store, const std::string& key, const LibrarySettings& s,
                               const SourceStamp& stamp) {
  const std::string file = store + "/" + key;
  auto uri = svc_->router.uri_of(StoreLocation{store, key});
  auto title_uri = svc_->router.uri_of(StoreLocation{store, key + kTitleSuffix});
  if (!uri || !title_uri) return false;
  const std::string where = log_kv("store", store) + " " + log_kv("key", key);
  auto not_playable = [&](const std::string& why) {
    if (memo_.broken(file, stamp)) {
      HLSFS_LOG(warning, "library") << "not offered: " << why << ": " << where;
      if (auto* c = meters(store).refused) c->inc();
    }
    return false;
  };

  // The probe: generate's own (cached in the state by source version), on
  // a watched thread like generate's (a stalled store gives up, not hangs).
  struct Probed {
    std::shared_ptr<const MediaInfo> media;
    std::string error;
    bool transient = false;
  };
  auto probed = std::make_shared<Probed>();
  auto deadline = std::make_shared<ProgressDeadline>(probe_limit(svc_->tunables()->job_timeout_ms), "probing a library file");
  Watched w = run_watched(
      deadline,
      [svc = svc_, uri = *uri, probed] {
        try {
          auto opener = svc->source_opener();
          SourceIdentity id = opener->identify(uri);
          if (svc->quarantine)
            if (auto why = svc->quarantine->check(id)) {
              probed->error = *why;
              return;
            }
          probed->media = probe_cached(*svc, *opener, id);
        } catch (const JobTimedOut& e) {
          probed->error = e.what();
          probed->transient = true;
        } catch (const std::exception& e) {
          probed->error = e.what();
        }
      },
      abandoned_thread_limit(svc_->workers));
  if (w != Watched::done) {
    HLSFS_LOG(warning, "library") << "probe given up (" << deadline->reason() << "): " << where;
    return false;
  }
  if (!probed->media) {
    if (probed->transient) {
      HLSFS_LOG(warning, "library") << "probe failed, tried again on the next lookup: " << probed->error << ": " << where;
      return false;
    }
    return not_playable(probed->error);
  }
  auto request = library_request(s, *probed->media, *uri, *title_uri);
  if (!request) return not_playable("no video stream");

  auto [status, body] = publish_(request->dump());
  if (status != 200) {
    std::string message = body;
    try {
      message = nlohmann::json::parse(body).value("Message", body);
    } catch (const std::exception&) {
    }
    if (status >= 400 && status < 500) return not_playable(message);
    HLSFS_LOG(warning, "library") << "not published now (" << status << ": " << message << "), tried again on the next lookup: " << where;
    return false;
  }
  std::string token;
  try {
    token = nlohmann::json::parse(body).value("Token", "");
  } catch (const std::exception&) {
  }
  memo_.published(file, stamp, token);
  if (auto* c = meters(store).offered) c->inc();
  HLSFS_LOG(info, "library") << "title published: " << where << " " << log_kv("token", token);
  return true;
}

LibraryFinder::Page LibraryFinder::read_page(const std::string& store, const std::string& dir_key,
                                             const LibrarySettings& s, std::string from) {
  Page page;
  page.from = from;
  page.read_to = from;
  auto backend = svc_->backend(store);
  // Pages holding nothing shown (text files, broken videos) are read on
  // until one does or the directory ends: an empty page means the end.
  while (true) {
    std::vector<ListedFile> files;
    const auto started = std::chrono::steady_clock::now();
    page.more = backend->list_dir(dir_key, page.read_to, s.list_page, [&](const std::string& key, const ObjectStat& st) {
      files.push_back(ListedFile{key, st.is_dir, st.size, st.mtime_ns, st.etag, st.ino, st.ctime_ns});
    });
    if (auto* h = meters(store).list_seconds)
      h->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (files.empty()) {
      page.more = false;  // every entry of the page went meanwhile: read again from the start of a listing
      return page;
    }
    const ListedFile& last = files.back();
    page.read_to = last.key.substr(dir_key.size()) + (last.is_dir ? "/" : "");
    for (auto& e : library_page(dir_key, files, s, [&](const ListedFile& f) {
           return !memo_.is_broken(store + "/" + f.key, SourceStamp{f.size, f.mtime_ns, f.etag, f.ino, f.ctime_ns});
         }))
      page.names.push_back(ListedName{std::move(e.name), true, std::move(e.after)});  // all directories
    if (!page.names.empty() || !page.more) return page;
  }
}

bool LibraryFinder::lists(const std::string& dir_path, const std::string& after, std::function<void(Listing)> done) {
  std::string store;
  const LibrarySettings* s = library_of(dir_path, &store);
  if (!s) return false;
  std::string dir_key;
  if (dir_path != store) {
    auto lp = parse_library_path(dir_path, store, *s);
    if (!lp || lp->kind != LibraryPath::directory) return false;  // a title's own directory: the catalog lists it
    dir_key = lp->key + "/";
  }
  std::string from = after;
  if (!after.empty()) {
    // The next reply of a page read a moment ago: from memory.
    std::unique_lock<std::mutex> lock(mu_);
    auto it = pages_.find(dir_path);
    if (it != pages_.end() && std::chrono::steady_clock::now() - it->second.at < kPageKept) {
      const Page& p = it->second.page;
      if (after == p.from || (after > p.from && after <= p.read_to)) {
        Listing rest;
        for (const auto& n : p.names)
          if (n.after > after) rest.push_back(n);
        if (!rest.empty() || !p.more) {
          lock.unlock();
          done(std::move(rest));
          return true;
        }
        from = p.read_to;  // the page is used up: the store's next one
      }
    }
  }
  checks_.run([this, dir_path, store, dir_key, s, from, done] {
    Page page;
    try {
      page = read_page(store, dir_key, *s, from);
    } catch (const std::exception& e) {
      HLSFS_LOG(warning, "library") << "cannot list " << dir_path << ": " << e.what();
    }
    Listing names = page.names;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const auto at = std::chrono::steady_clock::now();
      for (auto it = pages_.begin(); it != pages_.end();)
        it = at - it->second.at >= kPageKept ? pages_.erase(it) : std::next(it);
      if (pages_.size() >= kPagesKept && !pages_.count(dir_path)) pages_.erase(pages_.begin());
      pages_[dir_path] = CachedPage{at, std::move(page)};
    }
    done(std::move(names));
  });
  return true;
}

}  // namespace hlsfs

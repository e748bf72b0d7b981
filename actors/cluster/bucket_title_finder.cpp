#include "actors/cluster/bucket_title_finder.h"

#include "actors/playlist/m3u8.h"
#include "actors/playlist/token.h"
#include "actors/segment_cache/state_store.h"
#include "actors/services.h"
#include "actors/storage/backend.h"
#include "actors/transcoder/segment_job.h"
#include "hlsfs/log.h"

namespace hlsfs {

namespace {

using json = nlohmann::json;

constexpr int64_t kRecordMaxBytes = 4 << 20;  // a record is a few KiB; a master with many renditions more
constexpr size_t kMaxQueued = 1024;           // lookups waiting for a GET thread, at most

// The directory a record describes: "out/a/.hlsfs/x.json" -> "out/a/".
std::string described_dir(const std::string& record_key) {
  std::string dir = dir_of(record_key);
  const std::string folder = kRecordFolder;
  if (dir.size() >= folder.size() && dir.compare(dir.size() - folder.size(), folder.size(), folder) == 0)
    dir.resize(dir.size() - folder.size());
  return dir;
}

bool within(const std::string& key, const std::string& dir) { return key.compare(0, dir.size(), dir) == 0; }

// A record publishes only titles in its own directory (or below, for a
// parent's dir.json) of the store it was read from: whoever can write one
// directory of the bucket cannot put titles anywhere else in the mount.
void adopt_title(Services& svc, const TitleRecord& r, const std::string& store, const std::string& dir,
                 const std::string& what) {
  MediaInfo media = media_of(r, what);
  RenditionSpec spec = verify_title_record(r, media, what);
  if (svc.catalog->by_token(r.token)) return;  // known here already
  auto tloc = svc.router.locate(spec.playlist_uri());
  auto sloc = svc.router.locate(spec.source_uri);
  if (!tloc) throw TitleRecordError(what + ": no store here holds " + spec.playlist_uri());
  if (!sloc) throw TitleRecordError(what + ": no store here holds its source " + spec.source_uri);
  if (tloc->store != store || !within(tloc->key, dir))
    throw TitleRecordError(what + ": describes " + tloc->store + "/" + tloc->key + ", outside the directory " + store +
                           "/" + dir + " it was read from");
  // The state first: a restart republishes it without asking the bucket.
  svc.state->put_source(r.source_key, r.media.dump());
  svc.state->put_playlist(r.token, r.playlist_record.dump());
  auto pub = std::make_shared<PublishedRendition>();
  pub->spec = std::move(spec);
  pub->media = std::make_shared<MediaInfo>(std::move(media));
  pub->store = tloc->store;
  pub->dir = dir_of(tloc->key);
  pub->source_store = sloc->store;
  pub->source_key = sloc->key;
  svc.catalog->publish(pub, media_playlist(pub->spec), Catalog::TextIs::derived);
  HLSFS_LOG(info, "cluster") << "title found in the bucket (" << pub->spec.plan.size() << " segments): "
                             << log_kv("store", pub->store) << " "
                             << log_kv("key", pub->dir + pub->spec.prefix_name() + ".m3u8") << " "
                             << log_kv("token", r.token);
}

}  // namespace

void adopt_bucket_record(Services& svc, const BucketRecord& rec, const std::string& store,
                         const std::string& record_key) {
  const std::string what = "store \"" + store + "\": " + record_key, dir = described_dir(record_key);
  if (rec.title) adopt_title(svc, *rec.title, store, dir, what);
  if (!rec.master) return;
  json record = rec.master->record;
  try {
    record["store"] = store;  // this node's name of the store the lookup came through
    const std::string key = record.at("key");
    if (!within(key, dir) || key.find("..") != std::string::npos)
      throw TitleRecordError(what + ": describes " + store + "/" + key + ", outside the directory " + store + "/" + dir +
                             " it was read from");
    for (const TitleRecord& r : rec.master->renditions) adopt_title(svc, r, store, dir, what);
    // The master as it is in the bucket now: its BANDWIDTH lines were raised
    // since the record was written (by the nodes that made segments), and
    // this node raises from there, never writing back a lower one.
    try {
      if (auto b = svc.backend(store))
        if (auto now = b->get(key, kRecordMaxBytes); now && now->rfind("#EXTM3U", 0) == 0) record["text"] = *now;
    } catch (const std::exception& e) {
      HLSFS_LOG(warning, "cluster") << "master not read (" << e.what() << "), its record's text is used: " << what;
    }
    const std::string text = record.at("text");
    svc.state->put_playlist(rec.master->state_key, record.dump());
    svc.catalog->publish_text(store, key, text);
    if (record.contains("variants"))
      for (const auto& v : record.at("variants"))
        svc.masters->add(v.at("token"), MasterRef{store, key, rec.master->state_key, v.at("uri"),
                                                  v.value("extra", int64_t{0})});
  } catch (const json::exception& e) {
    throw TitleRecordError(what + ": malformed master record (" + e.what() + ")");
  }
}

BucketTitleFinder::BucketTitleFinder(Services& svc, int threads, std::chrono::milliseconds remember_missing)
    : svc_(svc), remember_missing_(remember_missing) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { run(); });
}

BucketTitleFinder::~BucketTitleFinder() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
  // Lookups never started: answered, as FUSE waits for every reply.
  for (auto& [key, waiters] : waiting_)
    for (auto& w : waiters) w.second(false);
}

BucketTitleFinder::Stats BucketTitleFinder::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void BucketTitleFinder::find(const std::string& path, std::function<void(bool)> done) {
  const auto slash = path.find('/');
  if (slash == std::string::npos) return done(false);  // a store itself is always known
  const std::string store = path.substr(0, slash);
  auto backend = svc_.backend(store);
  std::optional<std::string> record_key = record_key_for_lookup(path.substr(slash + 1));
  if (!backend || !is_remote_store(*backend) || !record_key) return done(false);
  // A segment of a title known here that the catalog still does not
  // resolve (past its end, another prefix): the bucket has nothing more.
  const std::string base = record_key->substr(dir_of(*record_key).size());
  if (base.size() == 32 + 5 && is_token(base.substr(0, 32)) && svc_.catalog->by_token(base.substr(0, 32)))
    return done(false);
  const std::string id = store + "\n" + *record_key;
  std::unique_lock<std::mutex> lock(mu_);
  if (auto m = missing_until_.find(id); m != missing_until_.end()) {
    if (std::chrono::steady_clock::now() < m->second) {
      lock.unlock();
      return done(false);
    }
    missing_until_.erase(m);
  }
  auto& waiters = waiting_[id];
  if (waiters.empty() && queue_.size() >= kMaxQueued) {  // a flood of unknown names: not all of them reach the bucket
    waiting_.erase(id);
    lock.unlock();
    return done(false);
  }
  waiters.emplace_back(path, std::move(done));
  if (waiters.size() > 1) return;  // its GET is under way
  queue_.emplace_back(store, *record_key);
  lock.unlock();
  wake_.notify_one();
}

void BucketTitleFinder::run() {
  for (;;) {
    std::pair<std::string, std::string> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    lookup(job.first, job.second);
  }
}

void BucketTitleFinder::lookup(const std::string& store, const std::string& record_key) {
  const std::string what = "store \"" + store + "\": " + record_key;
  bool missing = false, refused = false;
  try {
    auto backend = svc_.backend(store);
    std::optional<std::string> text = backend->get(record_key, kRecordMaxBytes);
    if (!text) {
      missing = true;
    } else {
      adopt_bucket_record(svc_, decode_bucket_record(*text, what), store, record_key);
    }
  } catch (const std::exception& e) {
    refused = true;
    HLSFS_LOG(warning, "cluster") << "title record not used: " << e.what();
  }
  const std::string id = store + "\n" + record_key;
  std::vector<std::pair<std::string, std::function<void(bool)>>> waiters;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.gets;
    if (missing) {
      ++stats_.missing;
      if (missing_until_.size() > 10000) missing_until_.clear();  // bounded; the oldest matter least
      missing_until_[id] = std::chrono::steady_clock::now() + remember_missing_;
    } else if (refused) {
      ++stats_.refused;
    } else {
      ++stats_.found;
    }
    waiters = std::move(waiting_[id]);
    waiting_.erase(id);
  }
  for (auto& [path, done] : waiters) done(svc_.catalog->resolve(path).kind != CatalogEntry::none);
}

}  // namespace hlsfs

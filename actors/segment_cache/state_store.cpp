#include "actors/segment_cache/state_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/statistics.h>
#include <rocksdb/utilities/table_properties_collectors.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <map>
#include <utility>

#include "actors/segment_cache/state_keys.h"
#include "hlsfs/log.h"

namespace hlsfs {

using namespace state_keys;

namespace {

constexpr uint8_t kRecordVersion = 1;
constexpr size_t kRecordFixed = 1 + 4 + 8 + 8 + 8 + 1;  // everything but the checksum bytes
constexpr size_t kMaxProblems = 1000;                   // check_consistency stops listing after this

const char* const kSources = "sources";
const char* const kPlaylists = "playlists";
const char* const kSegments = "segments";
const char* const kAtime = "atime";
const char* const kRemote = "remote";
const char* const kCatalog = "catalog";

// RocksDB's own log goes to hlsfsd's (warnings and errors), not to a LOG file
// in state_dir: RocksDB's file logger aborts the process (an assertion in
// 7.8's WritableFileWriter, compiled into Debian's library) at its first line
// after a write to that file failed, that is as soon as state_dir turns
// read-only or fills up.
class ForwardingLogger : public rocksdb::Logger {
 public:
  explicit ForwardingLogger(std::string dir) : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), dir_(std::move(dir)) {}
  using rocksdb::Logger::Logv;
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    char line[2048];
    vsnprintf(line, sizeof line, format, ap);
    if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL) HLSFS_LOG(error, "state") << dir_ << ": RocksDB: " << line;
    else HLSFS_LOG(warning, "state") << dir_ << ": RocksDB: " << line;
  }

 private:
  std::string dir_;
};

}  // namespace

std::string encode_segment_record(const SegmentRecord& rec) {
  std::string out;
  out.reserve(kRecordFixed + rec.checksum.size());
  out.push_back(static_cast<char>(kRecordVersion));
  put_be(out, rec.where, 4);
  put_be(out, static_cast<uint64_t>(rec.size), 8);
  put_be(out, static_cast<uint64_t>(rec.created_ms), 8);
  put_be(out, static_cast<uint64_t>(rec.last_access_ms), 8);
  out.push_back(static_cast<char>(rec.checksum.size()));
  out += rec.checksum;
  return out;
}

SegmentRecord decode_segment_record(const std::string& bytes, const std::string& what) {
  auto bad = [&](const std::string& why) { return StateError(what + ": corrupt segment record: " + why); };
  if (bytes.empty()) throw bad("empty value");
  uint8_t version = static_cast<uint8_t>(bytes[0]);
  if (version != kRecordVersion)
    throw bad("version " + std::to_string(version) + ", this hlsfsd reads version " + std::to_string(kRecordVersion));
  if (bytes.size() < kRecordFixed) throw bad(std::to_string(bytes.size()) + " bytes, too short");
  const char* p = bytes.data();
  SegmentRecord rec;
  rec.where = static_cast<uint32_t>(get_be(p + 1, 4));
  rec.size = static_cast<int64_t>(get_be(p + 5, 8));
  rec.created_ms = static_cast<int64_t>(get_be(p + 13, 8));
  rec.last_access_ms = static_cast<int64_t>(get_be(p + 21, 8));
  size_t checksum_len = static_cast<uint8_t>(p[29]);
  if (bytes.size() != kRecordFixed + checksum_len)
    throw bad(std::to_string(bytes.size()) + " bytes, expected " + std::to_string(kRecordFixed + checksum_len));
  if (rec.size < 0) throw bad("negative size");
  if (rec.last_access_ms < 0) throw bad("negative access time");
  rec.checksum.assign(p + kRecordFixed, checksum_len);
  return rec;
}

// ---- open / close ----------------------------------------------------------

std::unique_ptr<StateStore> StateStore::open(const std::string& dir, const StateOptions& options) {
  std::unique_ptr<StateStore> st(new StateStore());
  st->dir_ = dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw StateError(dir + ": cannot create state directory: " + ec.message());

  rocksdb::DBOptions db_opts;
  db_opts.create_if_missing = true;
  db_opts.create_missing_column_families = true;
  // A torn WAL tail (process killed mid-write, power loss) is cut at the last
  // whole WriteBatch: the state is some earlier consistent point, never half
  // a batch. This is RocksDB's default, spelled out because we rely on it.
  db_opts.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db_opts.info_log = std::make_shared<ForwardingLogger>(dir);
  db_opts.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_opts.keep_log_file_num = 5;  // RocksDB's info LOG files of older hlsfsd, not the WAL
  // After a kill, open replays the WAL not yet flushed: bound it (~400k
  // segment writes) so a restart takes seconds, not a replay of every memtable.
  db_opts.max_total_wal_size = 64 << 20;
  st->stats_ = rocksdb::CreateDBStatistics();
  st->stats_->set_stats_level(rocksdb::StatsLevel::kExceptHistogramOrTimers);  // tickers only: cheap
  db_opts.statistics = st->stats_;

  // Memory stays bounded whatever the state holds (StateOptions).
  if (options.memtable_budget)
    db_opts.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(options.memtable_budget);
  rocksdb::ColumnFamilyOptions cf_opts;
  if (options.write_buffer_size) cf_opts.write_buffer_size = options.write_buffer_size;
  else if (options.memtable_budget) cf_opts.write_buffer_size = std::max<size_t>(options.memtable_budget / 4, 1 << 20);
  // put/touch/delete each look the old record up first, and most puts are of
  // new segments: a Bloom filter answers those misses without reading blocks.
  // One block cache for all families instead of RocksDB's 8 MiB per family.
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_size, /*num_shard_bits=*/-1, /*strict_capacity_limit=*/false,
                                           /*high_pri_pool_ratio=*/0.5);
  // Index and filter blocks in that cache, under its bound (kept outside it
  // they grow with the state: ~100 MiB of SSTs for 100,000 titles); the
  // level-0 ones pinned, as every lookup reads them.
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Partitioned: a lookup loads one small index and filter partition, not
  // the whole index and filter of a big SST. Whole, those of a 70 MB SST
  // (100,000 titles) did not stay in a 16 MiB cache beside the data blocks:
  // every lookup of a crawl read and copied megabytes again (a crawl of
  // 100,000 titles ran at 30 titles/s, its CPU in memmove and snappy). The
  // top level of each stays pinned, and index and filter partitions go to
  // the cache's high-priority pool, ahead of data blocks.
  table.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.pin_top_level_index_and_filter = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  cf_opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::ColumnFamilyOptions atime_opts = cf_opts;
  // Every touch and eviction deletes an atime key; SST files dense with such
  // tombstones are compacted early so walks and seeks do not wade through them.
  atime_opts.table_properties_collector_factories.emplace_back(
      rocksdb::NewCompactOnDeletionCollectorFactory(/*sliding_window_size=*/128, /*deletion_trigger=*/64));

  // Open every family the DB has (a newer hlsfsd may have added one) plus ours.
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(db_opts, dir, &names).ok()) names.clear();  // no DB yet
  for (const char* want : {rocksdb::kDefaultColumnFamilyName.c_str(), kSources, kPlaylists, kSegments, kAtime, kRemote, kCatalog})
    if (std::find(names.begin(), names.end(), want) == names.end()) names.push_back(want);
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const auto& name : names) descs.emplace_back(name, name == kAtime || name == kRemote ? atime_opts : cf_opts);

  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_opts, dir, descs, &st->handles_, &raw);
  if (!s.ok()) {
    std::string hint = s.ToString().find("lock") != std::string::npos ? " (is another hlsfsd using it?)" : "";
    throw StateError(dir + ": cannot open RocksDB: " + s.ToString() + hint);
  }
  st->db_.reset(raw);
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == kSources) st->sources_ = st->handles_[i];
    if (names[i] == kPlaylists) st->playlists_ = st->handles_[i];
    if (names[i] == kSegments) st->segments_ = st->handles_[i];
    if (names[i] == kAtime) st->atime_ = st->handles_[i];
    if (names[i] == kRemote) st->remote_ = st->handles_[i];
    if (names[i] == kCatalog) st->catalog_ = st->handles_[i];
  }

  // Counters live in memory only: one scan here instead of a second write on
  // every put (and no counter that could drift from the records after a crash).
  rocksdb::ReadOptions scan;
  scan.fill_cache = false;  // a one-off sequential pass: keep the cache for lookups
  scan.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(st->db_->NewIterator(scan, st->segments_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    SegmentRecord rec = decode_segment_record(it->value().ToString(), dir + ": segments/" + printable(it->key()));
    st->count_ += 1;
    st->bytes_ += rec.size;
    if (rec.where & SegmentRecord::kLocal) st->local_bytes_ += rec.size;
  }
  st->ok(it->status(), "scan segments");
  st->remote_count_ = st->count_remote_copies();
  return st;
}

StateStore::~StateStore() {
  if (!db_) return;
  // A clean stop flushes the memtables so that the next start need not replay
  // the WAL. Failure is harmless: the WAL already holds every write.
  rocksdb::FlushOptions flush;
  db_->Flush(flush, handles_).PermitUncheckedError();
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  db_->Close().PermitUncheckedError();
}

// ---- helpers ---------------------------------------------------------------

void StateStore::ok(const rocksdb::Status& s, const std::string& what) const {
  if (!s.ok()) throw StateError(dir_ + ": " + what + ": " + s.ToString());
}

void StateStore::write(rocksdb::WriteBatch& batch, bool sync, const std::string& what) {
  rocksdb::WriteOptions wo;
  wo.sync = sync;  // see the header: WAL always, fsync only where power loss matters
  rocksdb::Status s = db_->Write(wo, &batch);
  if (s.ok()) {
    if (writes_failing_.exchange(false)) HLSFS_LOG(info, "state") << dir_ << ": state writes work again";
    return;
  }
  // Every write fails from now on (RocksDB stops writing after an I/O
  // error): one line for the run, not one per segment or access time.
  if (!writes_failing_.exchange(true))
    HLSFS_LOG(error, "state") << dir_ << ": state writes fail: " << what << ": " << s.ToString()
                              << ". hlsfsd goes on: cached segments are served, new ones are made and served but not"
                                 " recorded, access times and new playlists are lost; once the state directory is"
                                 " writable again, restart hlsfsd";
  ok(s, what);
}

std::optional<SegmentRecord> StateStore::read_segment(const std::string& key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), segments_, key, &value);
  if (s.IsNotFound()) return std::nullopt;
  ok(s, "read segments/" + key);
  return decode_segment_record(value, dir_ + ": segments/" + key);
}

void StateStore::note_atime_removed(const std::string& key) {
  // No live key below the floor, and the one at it is gone: nothing below its
  // immediate successor either.
  if (key == atime_floor_) atime_floor_.push_back('\0');
}

void StateStore::note_atime_added(const std::string& key) {
  if (rocksdb::Slice(key).compare(atime_floor_) < 0) atime_floor_ = key;
}

// ---- sources and playlists -------------------------------------------------

void StateStore::put_source(const std::string& key, const std::string& value) {
  if (key.empty()) throw StateError(dir_ + ": empty source key");
  rocksdb::WriteBatch b;
  b.Put(sources_, key, value);
  write(b, /*sync=*/false, "write sources/" + printable(key));  // a lost probe is re-probed
}

std::optional<std::string> StateStore::get_source(const std::string& key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), sources_, key, &value);
  if (s.IsNotFound()) return std::nullopt;
  ok(s, "read sources/" + printable(key));
  return value;
}

void StateStore::put_playlist(const std::string& token, const std::string& json, bool sync) {
  if (token.empty()) throw StateError(dir_ + ": empty playlist token");
  rocksdb::WriteBatch b;
  b.Put(playlists_, token, json);
  write(b, sync, "write playlists/" + token);
}

std::optional<std::string> StateStore::get_playlist(const std::string& token) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), playlists_, token, &value);
  if (s.IsNotFound()) return std::nullopt;
  ok(s, "read playlists/" + token);
  return value;
}

void StateStore::delete_playlist(const std::string& token) {
  rocksdb::WriteBatch b;
  b.Delete(playlists_, token);
  write(b, /*sync=*/true, "delete playlists/" + token);
}

void StateStore::Records::put_playlist(const std::string& token, const std::string& json) {
  ops_.push_back(Op{'p', token, json});
}
void StateStore::Records::delete_playlist(const std::string& token) { ops_.push_back(Op{'p', token, std::nullopt}); }
void StateStore::Records::put_source(const std::string& key, const std::string& value) {
  ops_.push_back(Op{'s', key, value});
}

void StateStore::write_records(const Records& records, bool sync) {
  if (records.empty()) return;
  rocksdb::WriteBatch b;
  for (const auto& op : records.ops_) {
    if (op.key.empty()) throw StateError(dir_ + ": empty " + (op.family == 'p' ? "playlist token" : "source key"));
    rocksdb::ColumnFamilyHandle* family = op.family == 'p' ? playlists_ : sources_;
    if (op.value) b.Put(family, op.key, *op.value);
    else b.Delete(family, op.key);
  }
  write(b, sync, "write " + std::to_string(records.size()) + " records (playlists/" + printable(records.ops_.front().key) + ", ...)");
}

void StateStore::for_each_playlist(const std::function<bool(const std::string&, const std::string&)>& cb) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), playlists_));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    if (!cb(it->key().ToString(), it->value().ToString())) return;
  ok(it->status(), "scan playlists");
}

// ---- segments and their atime entries --------------------------------------

void StateStore::put_segment(const std::string& token, uint32_t n, const SegmentRecord& rec) {
  check_segment(dir_, token, n);
  check_time(dir_, token, n, rec.last_access_ms);
  if (rec.size < 0) throw StateError(dir_ + ": negative size for segment " + segment_name(token, n));
  if (rec.checksum.size() > 255)
    throw StateError(dir_ + ": checksum of segment " + segment_name(token, n) + " longer than 255 bytes");
  const std::string key = segment_key(token, n);
  const std::string new_atime = atime_key(rec.last_access_ms, token, n);

  std::lock_guard<std::mutex> lock(mu_);
  std::optional<SegmentRecord> old = read_segment(key);
  std::string old_atime = old ? atime_key(old->last_access_ms, token, n) : std::string();
  rocksdb::WriteBatch b;
  if (old && old_atime != new_atime) b.Delete(atime_, old_atime);
  b.Put(segments_, key, encode_segment_record(rec));
  b.Put(atime_, new_atime, rocksdb::Slice());
  write(b, /*sync=*/false, "write segment " + segment_name(token, n));

  if (old) {
    count_ -= 1;
    bytes_ -= old->size;
    if (old->where & SegmentRecord::kLocal) local_bytes_ -= old->size;
    if (old_atime != new_atime) note_atime_removed(old_atime);
  }
  count_ += 1;
  bytes_ += rec.size;
  if (rec.where & SegmentRecord::kLocal) local_bytes_ += rec.size;
  note_atime_added(new_atime);
}

std::optional<SegmentRecord> StateStore::get_segment(const std::string& token, uint32_t n) {
  check_segment(dir_, token, n);
  return read_segment(segment_key(token, n));
}

std::optional<SegmentRecord> StateStore::delete_segment(const std::string& token, uint32_t n,
                                                        std::optional<int64_t> only_if_atime) {
  check_segment(dir_, token, n);
  const std::string key = segment_key(token, n);
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<SegmentRecord> old = read_segment(key);
  if (!old || (only_if_atime && old->last_access_ms != *only_if_atime)) return std::nullopt;
  const std::string old_atime = atime_key(old->last_access_ms, token, n);
  rocksdb::WriteBatch b;
  b.Delete(segments_, key);
  b.Delete(atime_, old_atime);
  write(b, /*sync=*/false, "delete segment " + segment_name(token, n));
  count_ -= 1;
  bytes_ -= old->size;
  if (old->where & SegmentRecord::kLocal) local_bytes_ -= old->size;
  note_atime_removed(old_atime);
  return old;
}

void StateStore::for_each_segment(const std::string& token, const SegmentVisitor& cb) {
  rocksdb::ReadOptions ro;
  std::string prefix, upper;
  rocksdb::Slice upper_slice;
  if (!token.empty()) {
    check_token(dir_, token);
    prefix = token + "/";
    upper = token + static_cast<char>('/' + 1);  // stop the iterator itself at the end of the prefix
    upper_slice = upper;
    ro.iterate_upper_bound = &upper_slice;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, segments_));
  std::string t;
  uint32_t n = 0;
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    std::string what = dir_ + ": segments/" + printable(it->key());
    if (!parse_segment_key(it->key(), &t, &n)) throw StateError(what + ": malformed segment key");
    if (!cb(t, n, decode_segment_record(it->value().ToString(), what))) return;
  }
  ok(it->status(), "scan segments");
}

void StateStore::touch(const std::vector<std::tuple<std::string, uint32_t, int64_t>>& accesses) {
  // Coalesce first: a hot segment read 100 times since the last flush moves
  // its atime entry once.
  std::map<std::pair<std::string, uint32_t>, int64_t> latest;
  for (const auto& [token, n, ms] : accesses) {
    check_segment(dir_, token, n);
    check_time(dir_, token, n, ms);
    auto [pos, inserted] = latest.emplace(std::make_pair(token, n), ms);
    if (!inserted && ms > pos->second) pos->second = ms;
  }
  if (latest.empty()) return;

  std::lock_guard<std::mutex> lock(mu_);
  rocksdb::WriteBatch b;
  std::vector<std::pair<std::string, std::string>> moved;  // (old atime key, new atime key)
  size_t remote_moved = 0;
  for (const auto& [id, ms] : latest) {
    // No lookup in the remote family while it is empty (no object-store target).
    if (remote_count_ > 0 && touch_remote(b, id.first, id.second, ms)) ++remote_moved;
    const std::string key = segment_key(id.first, id.second);
    std::optional<SegmentRecord> rec = read_segment(key);
    if (!rec || ms <= rec->last_access_ms) continue;  // evicted meanwhile, or nothing newer
    std::string old_atime = atime_key(rec->last_access_ms, id.first, id.second);
    rec->last_access_ms = ms;
    std::string new_atime = atime_key(ms, id.first, id.second);
    b.Delete(atime_, old_atime);
    b.Put(atime_, new_atime, rocksdb::Slice());
    b.Put(segments_, key, encode_segment_record(*rec));
    moved.emplace_back(std::move(old_atime), std::move(new_atime));
  }
  if (moved.empty() && remote_moved == 0) return;
  write(b, /*sync=*/false, "write access times (" + std::to_string(moved.size() + remote_moved) + " entries)");
  for (const auto& [old_key, new_key] : moved) {
    note_atime_removed(old_key);
    note_atime_added(new_key);
  }
}

void StateStore::for_each_by_age(const std::function<bool(int64_t, const std::string&, uint32_t)>& cb) {
  std::unique_ptr<rocksdb::Iterator> it;
  {
    // Under the lock no segment write can slip between the iterator's
    // snapshot and the floor, so the first live key found is a valid floor.
    std::lock_guard<std::mutex> lock(mu_);
    it.reset(db_->NewIterator(rocksdb::ReadOptions(), atime_));
    it->Seek(atime_floor_);
    if (it->Valid()) atime_floor_ = it->key().ToString();
  }
  int64_t ms = 0;
  std::string token;
  uint32_t n = 0;
  for (; it->Valid(); it->Next()) {
    if (!parse_atime_key(it->key(), &ms, &token, &n))
      throw StateError(dir_ + ": atime/" + printable(it->key()) + ": malformed atime key");
    if (!cb(ms, token, n)) return;
  }
  ok(it->status(), "scan atime");
}

// ---- diagnostics -----------------------------------------------------------

std::vector<std::string> StateStore::check_consistency() {
  const rocksdb::Snapshot* snap = nullptr;
  int64_t count = 0, bytes = 0, local = 0, remote = 0;
  std::string floor;
  {
    std::lock_guard<std::mutex> lock(mu_);  // counters and floor as of the snapshot
    snap = db_->GetSnapshot();
    count = count_, bytes = bytes_, local = local_bytes_, remote = remote_count_;
    floor = atime_floor_;
  }
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* snap;
    ~Release() { db->ReleaseSnapshot(snap); }
  } release{db_.get(), snap};
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;

  std::vector<std::string> problems;
  size_t dropped = 0;
  auto problem = [&](std::string p) {
    if (problems.size() < kMaxProblems) problems.push_back(std::move(p));
    else ++dropped;
  };

  // 1. Decode every record and recount.
  int64_t seen_count = 0, seen_bytes = 0, seen_local = 0;
  std::string token, value;
  uint32_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, segments_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string name = "segments/" + printable(it->key());
    if (!parse_segment_key(it->key(), &token, &n)) {
      problem(name + ": malformed segment key");
      continue;
    }
    try {
      SegmentRecord rec = decode_segment_record(it->value().ToString(), name);
      ++seen_count;
      seen_bytes += rec.size;
      if (rec.where & SegmentRecord::kLocal) seen_local += rec.size;
    } catch (const StateError& e) {
      problem(e.what());
    }
  }
  if (!it->status().ok()) problem("scan segments: " + it->status().ToString());

  // 2. Every atime entry must carry its record's last access time; anything
  // else is an orphan or a stale duplicate that GC would trip over. A record
  // matches at most one key, so `matched` counts records that have their entry.
  int64_t ms = 0, matched = 0;
  it.reset(db_->NewIterator(ro, atime_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!parse_atime_key(it->key(), &ms, &token, &n)) {
      problem("atime/" + printable(it->key()) + ": malformed atime key");
      continue;
    }
    std::string entry = "atime entry " + std::to_string(ms) + " " + segment_name(token, n);
    if (it->key().compare(floor) < 0) problem(entry + " sorts below the in-memory floor: GC would skip it");
    rocksdb::Status s = db_->Get(ro, segments_, segment_key(token, n), &value);
    if (s.IsNotFound()) {
      problem(entry + " has no segment record");
      continue;
    }
    if (!s.ok()) {
      problem(entry + ": segment lookup failed: " + s.ToString());
      continue;
    }
    try {
      SegmentRecord rec = decode_segment_record(value, "segments/" + segment_key(token, n));
      if (rec.last_access_ms == ms) ++matched;
      else problem(entry + " is a duplicate: the record's last access is " + std::to_string(rec.last_access_ms));
    } catch (const StateError&) {
      // already reported by pass 1
    }
  }
  if (!it->status().ok()) problem("scan atime: " + it->status().ToString());

  // 3. Only when some record lacks its entry: a second pass (a lookup per
  // record) to name them. A consistent DB costs one lookup per record in all.
  if (matched != seen_count) {
    std::string ignored;
    it.reset(db_->NewIterator(ro, segments_));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (!parse_segment_key(it->key(), &token, &n)) continue;
      SegmentRecord rec;
      try {
        rec = decode_segment_record(it->value().ToString(), "");
      } catch (const StateError&) {
        continue;  // reported by pass 1
      }
      rocksdb::Status s = db_->Get(ro, atime_, atime_key(rec.last_access_ms, token, n), &ignored);
      if (s.IsNotFound())
        problem("segment " + segment_name(token, n) + " has no atime entry (last access " +
                std::to_string(rec.last_access_ms) + ")");
      else if (!s.ok())
        problem("segment " + segment_name(token, n) + ": atime lookup failed: " + s.ToString());
    }
    if (!it->status().ok()) problem("scan segments: " + it->status().ToString());
  }

  if (seen_count != count || seen_bytes != bytes || seen_local != local)
    problem("in-memory counters (" + std::to_string(count) + " segments, " + std::to_string(bytes) + " bytes, " +
            std::to_string(local) + " local) differ from the records (" + std::to_string(seen_count) + ", " +
            std::to_string(seen_bytes) + ", " + std::to_string(seen_local) + ")");
  check_remote(snap, remote, problem);
  if (dropped) problems.push_back("... and " + std::to_string(dropped) + " more problems");
  return problems;
}

StateStore::MemoryUse StateStore::memory_use() const {
  MemoryUse m;
  uint64_t v = 0;
  if (db_->GetIntProperty(rocksdb::DB::Properties::kBlockCacheUsage, &v)) m.block_cache = static_cast<int64_t>(v);
  if (db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kEstimateTableReadersMem, &v))
    m.table_readers = static_cast<int64_t>(v);
  if (db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables, &v))
    m.memtables = static_cast<int64_t>(v);
  return m;
}

StateStore::WriteStats StateStore::write_stats() const {
  WriteStats w;
  w.user = static_cast<int64_t>(stats_->getTickerCount(rocksdb::BYTES_WRITTEN));
  w.wal = static_cast<int64_t>(stats_->getTickerCount(rocksdb::WAL_FILE_BYTES));
  w.flush = static_cast<int64_t>(stats_->getTickerCount(rocksdb::FLUSH_WRITE_BYTES));
  w.compaction = static_cast<int64_t>(stats_->getTickerCount(rocksdb::COMPACT_WRITE_BYTES));
  w.wal_syncs = static_cast<int64_t>(stats_->getTickerCount(rocksdb::WAL_FILE_SYNCED));
  return w;
}

}  // namespace hlsfs

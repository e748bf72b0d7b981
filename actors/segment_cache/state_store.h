// The daemon's persistent state: one RocksDB under state_dir, one column family
// per kind of record (DESIGN.md "State").
//
//   sources    source URI '\n' version      -> probe result text
//   playlists  token                        -> JSON text of the request/plan
//   segments   token '/' N (8 digits)       -> SegmentRecord (versioned binary)
//   atime      be64(ms) token be32(N)       -> empty; ordered oldest first for GC
//   remote     'c' token '/' N (8 digits)   -> RemoteCopy (versioned binary)
//              'a' be64(ms) token be32(N)   -> empty; remote copies by last use
//   catalog    the catalog's index: paths, directories, renditions by
//              directory (keys and values: actors/playlist/catalog_keys.h)
//
// Invariant: every segment record has exactly one atime entry, keyed by its
// last_access_ms, and every atime entry belongs to a record with that time.
// Both change in one WriteBatch, so a crash can never separate them.
//
// Durability: every write goes through the WAL. Playlist writes are fsynced
// (a client already holds the .m3u8 URL; a generate's records go in one
// batch, write_records, so one fsync each); segment, atime and source
// writes are not. A killed process (SIGKILL, crash) loses nothing: the WAL is
// written to the OS page cache before Write() returns and the kernel keeps it.
// A power loss or kernel crash may lose the writes since the last fsync (the
// last playlist write, or RocksDB's own flushes); RocksDB recovers to a
// consistent point in time (whole WriteBatches only), so the invariant holds.
// What is lost is cache bookkeeping: a segment file written just before may
// have no record (the cache must treat such a file as an orphan: adopt or
// delete it), an access time may be older than it was, a probe is redone.
// Callers that delete files should delete the record first, so a crash leaves
// an orphan file rather than a record pointing at nothing.
// A clean close flushes the memtables; after a kill, open replays at most
// ~64 MiB of WAL (seconds).
//
// Thread safety: every method may be called from any thread. Segment and
// atime mutations are serialised by one mutex (they read the old record to
// find its atime entry); reads do not take it. Callbacks run without the lock
// and may call back into the store (GC deletes while walking by age).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Statistics;
class Snapshot;
class Status;
class WriteBatch;
}  // namespace rocksdb

namespace hlsfs {

// One line: the state directory, what failed, and RocksDB's status text.
struct StateError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct SegmentRecord {
  static constexpr uint32_t kLocal = 1;   // in the local cache directory
  static constexpr uint32_t kRemote = 2;  // written back to the remote target
  int64_t size = 0;
  std::string checksum;  // e.g. hex SHA-256 of the bytes; at most 255 bytes
  uint32_t where = 0;    // kLocal | kRemote
  int64_t created_ms = 0;
  int64_t last_access_ms = 0;  // also the record's atime key: must be >= 0
  bool operator==(const SegmentRecord& o) const {
    return size == o.size && checksum == o.checksum && where == o.where && created_ms == o.created_ms &&
           last_access_ms == o.last_access_ms;
  }
};

// On-disk format of a segment value, version 1 (all integers big-endian):
//   u8 version=1, u32 where, i64 size, i64 created_ms, i64 last_access_ms,
//   u8 checksum length, checksum bytes.
// decode throws StateError (naming `what`) on a wrong length, an unknown
// version or a negative size.
std::string encode_segment_record(const SegmentRecord& rec);
SegmentRecord decode_segment_record(const std::string& bytes, const std::string& what);

// A segment's copy in an object store (written back there, or fetched from
// there), kept so that the store's own expiry policy can find it oldest first
// without listing the bucket. last_use_ms: written, fetched or read here.
struct RemoteCopy {
  std::string store;  // the store's name in the configuration
  std::string key;    // the object's key in that store
  int64_t size = 0;
  int64_t last_use_ms = 0;  // also the copy's age key: must be >= 0
  bool operator==(const RemoteCopy& o) const {
    return store == o.store && key == o.key && size == o.size && last_use_ms == o.last_use_ms;
  }
};

// What the state may hold in memory (config state.block_cache and
// state.memtables): flat however many titles and segments it records.
struct StateOptions {
  size_t write_buffer_size = 0;         // per family memtable bytes; 0 = memtable_budget / 4
  // Shared by the families; it also holds their SST index and filter
  // blocks (otherwise kept outside any bound, growing with the data).
  size_t block_cache_size = size_t{16} << 20;
  // Memtables of all families together (RocksDB's WriteBufferManager):
  // past it the largest is flushed. (Was 64 MiB per family, seven families.)
  size_t memtable_budget = size_t{32} << 20;
};

class StateStore {
 public:
  static constexpr uint32_t kMaxSegment = 99999999;  // N is zero-padded to 8 digits

  // Creates `dir` and the families if missing. Throws StateError (e.g. when
  // another process holds the DB, or a segment record cannot be decoded).
  // Scans the segments family once to compute the counters below.
  static std::unique_ptr<StateStore> open(const std::string& dir, const StateOptions& options = {});
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  static std::string source_key(const std::string& uri, const std::string& version) { return uri + '\n' + version; }
  void put_source(const std::string& key, const std::string& value);
  std::optional<std::string> get_source(const std::string& key);

  // fsynced unless sync is false (bulk loads, which fsync once at the end).
  void put_playlist(const std::string& token, const std::string& json, bool sync = true);
  std::optional<std::string> get_playlist(const std::string& token);
  void delete_playlist(const std::string& token);
  // A request's records written together (write_records): one WriteBatch,
  // so one fsync for all its playlists instead of one each, and after a
  // crash all of them or none.
  class Records {
   public:
    void put_playlist(const std::string& token, const std::string& json);
    void delete_playlist(const std::string& token);
    void put_source(const std::string& key, const std::string& value);
    bool empty() const { return ops_.empty(); }
    size_t size() const { return ops_.size(); }

   private:
    friend class StateStore;
    struct Op {
      char family;  // 'p' playlists, 's' sources
      std::string key;
      std::optional<std::string> value;  // nullopt: delete
    };
    std::vector<Op> ops_;
  };
  // Throws StateError (nothing written) on an empty key.
  void write_records(const Records& records, bool sync = true);
  // In token order; return false from cb to stop.
  void for_each_playlist(const std::function<bool(const std::string& token, const std::string& json)>& cb);

  // Creates or replaces the record and moves its atime entry to
  // rec.last_access_ms. Tokens must be non-empty without '/'; n <= kMaxSegment.
  void put_segment(const std::string& token, uint32_t n, const SegmentRecord& rec);
  std::optional<SegmentRecord> get_segment(const std::string& token, uint32_t n);
  // Removes the record and its atime entry; returns what was removed.
  // With only_if_atime (GC passes the time its walk saw), does nothing unless
  // the record's last access is still that time: a segment read since the
  // walk's snapshot is not evicted.
  std::optional<SegmentRecord> delete_segment(const std::string& token, uint32_t n,
                                              std::optional<int64_t> only_if_atime = std::nullopt);
  // Segments of one token in N order, or of every token (token "") in
  // (token, N) order. Return false from cb to stop.
  using SegmentVisitor = std::function<bool(const std::string& token, uint32_t n, const SegmentRecord& rec)>;
  void for_each_segment(const std::string& token, const SegmentVisitor& cb);

  // Batched access-time updates: (token, N, access ms). One WriteBatch for
  // the lot. A segment seen several times keeps its latest time; a time not
  // newer than the record's, or a segment that no longer exists, is skipped.
  // An invalid token, N or negative time throws before anything is written.
  void touch(const std::vector<std::tuple<std::string, uint32_t, int64_t>>& accesses);

  // Remote copies. put_remote creates or replaces the copy of (token, n) and
  // moves its age entry; touch() also moves it (a read here is a use of the
  // copy). delete_remote with only_if_used does nothing unless the copy's
  // last use is still that time (the expiry walk's view). Same invariant as
  // segments and atime: one age entry per copy, changed in one WriteBatch.
  void put_remote(const std::string& token, uint32_t n, const RemoteCopy& copy);
  std::optional<RemoteCopy> get_remote(const std::string& token, uint32_t n);
  std::optional<RemoteCopy> delete_remote(const std::string& token, uint32_t n,
                                          std::optional<int64_t> only_if_used = std::nullopt);
  // Remote copies by last use, oldest first (snapshot at the call), from
  // those last used at from_ms on (a cluster node publishing its recent
  // uses); return false from cb to stop.
  void for_each_remote_by_age(const std::function<bool(int64_t used_ms, const std::string& token, uint32_t n)>& cb,
                              int64_t from_ms = 0);
  int64_t remote_count() const { return remote_count_; }

  // The catalog family (state_store_catalog.cpp): point reads, one batch of
  // puts (a value) and deletes (nullopt), and ordered scans of a prefix that
  // resume after a key. The catalog owns the keys' meaning.
  std::optional<std::string> get_catalog(const std::string& key);
  void write_catalog(const std::vector<std::pair<std::string, std::optional<std::string>>>& ops, bool sync);
  // Keys starting with `prefix` and greater than `after` (a whole key; ""
  // = from the first), in order; return false from cb to stop.
  void scan_catalog(const std::string& prefix, const std::string& after,
                    const std::function<bool(const std::string& key, const std::string& value)>& cb);

  // Atime entries oldest first, from a snapshot taken at the call (so an
  // entry touched meanwhile still shows its old time: see delete_segment's
  // only_if_atime); return false from cb to stop. The walk starts at an in-memory lower bound of the
  // live entries, so the tombstones left by earlier evictions are not
  // re-read: a pass costs about what it visits.
  void for_each_by_age(const std::function<bool(int64_t atime_ms, const std::string& token, uint32_t n)>& cb);

  int64_t segment_count() const { return count_; }
  int64_t total_bytes() const { return bytes_; }        // sum of sizes of every record
  int64_t local_bytes() const { return local_bytes_; }  // ... of records with kLocal: the GC budget

  // Problems found, one line each (segment without atime entry, atime entry
  // without segment, duplicate/stale atime entries, undecodable keys or values,
  // counters that differ from the DB); empty = consistent. Reads one snapshot.
  std::vector<std::string> check_consistency();

  // RocksDB's own statistics since open: bytes written to the WAL, by flushes
  // and by compactions (what the disk really sees), for benchmarks.
  struct WriteStats {
    int64_t user = 0, wal = 0, flush = 0, compaction = 0;
    int64_t wal_syncs = 0;  // fsyncs of the WAL (synced writes)
  };
  WriteStats write_stats() const;
  // RocksDB's memory now: block cache (with index and filter blocks),
  // table readers outside it, memtables. For metrics (hlsfs_state_memory_bytes).
  struct MemoryUse {
    int64_t block_cache = 0, table_readers = 0, memtables = 0;
  };
  MemoryUse memory_use() const;
  int64_t bytes_written() const {
    WriteStats s = write_stats();
    return s.wal + s.flush + s.compaction;
  }

  const std::string& dir() const { return dir_; }
  // The last write failed (read-only or full state directory); writes log
  // their first failure and their recovery themselves.
  bool writes_failing() const { return writes_failing_; }

 private:
  StateStore() = default;
  void ok(const rocksdb::Status& s, const std::string& what) const;  // throws StateError unless ok
  void write(rocksdb::WriteBatch& batch, bool sync, const std::string& what);
  std::optional<SegmentRecord> read_segment(const std::string& key);
  // Keep atime_floor_ a lower bound (mu_ held).
  void note_atime_removed(const std::string& key);
  void note_atime_added(const std::string& key);
  std::optional<RemoteCopy> read_remote(const std::string& key);
  int64_t count_remote_copies();  // at open
  // check_consistency's part for the remote family, on the same snapshot.
  void check_remote(const rocksdb::Snapshot* snap, int64_t expected_copies,
                    const std::function<void(std::string)>& problem);
  // Adds to b the move of (token, n)'s remote age entry to ms, if it has a
  // copy used before ms (mu_ held). True when something was added.
  bool touch_remote(rocksdb::WriteBatch& b, const std::string& token, uint32_t n, int64_t ms);

  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<rocksdb::Statistics> stats_;
  rocksdb::ColumnFamilyHandle* sources_ = nullptr;
  rocksdb::ColumnFamilyHandle* playlists_ = nullptr;
  rocksdb::ColumnFamilyHandle* segments_ = nullptr;
  rocksdb::ColumnFamilyHandle* atime_ = nullptr;
  rocksdb::ColumnFamilyHandle* remote_ = nullptr;
  rocksdb::ColumnFamilyHandle* catalog_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // every open family, destroyed before db_

  std::mutex mu_;  // serialises segment/atime mutations and the fields below
  // No live atime key sorts below this. Lowered when an entry is added below
  // it; advanced when the entry at exactly this key is removed, or when a walk
  // finds the first live entry.
  std::string atime_floor_;
  std::atomic<int64_t> count_{0}, bytes_{0}, local_bytes_{0}, remote_count_{0};
  std::atomic<bool> writes_failing_{false};  // the last write failed (logged once per run)
};

class CatalogStore;
// The catalog's store (actors/playlist/catalog_store.h) over the catalog
// family of `state` (state_store_catalog.cpp). sync: fsync each write.
std::shared_ptr<CatalogStore> state_catalog_store(std::shared_ptr<StateStore> state, bool sync);

}  // namespace hlsfs

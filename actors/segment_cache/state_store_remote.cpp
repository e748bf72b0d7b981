// The StateStore's remote family: segments' copies in object stores, by
// segment and by last use (see state_store.h).
//
//   'c' token '/' N8        -> u8 version=1, i64 size, i64 last_use_ms,
//                              u16 store length, store, object key
//   'a' be64(ms) token be32(N) -> empty
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "actors/segment_cache/state_keys.h"
#include "actors/segment_cache/state_store.h"

namespace hlsfs {

using namespace state_keys;

namespace {

constexpr uint8_t kCopyVersion = 1;
constexpr size_t kCopyFixed = 1 + 8 + 8 + 2;
const char kCopyTag = 'c';
const char kAgeTag = 'a';

std::string copy_key(const std::string& token, uint32_t n) { return kCopyTag + segment_key(token, n); }
std::string age_key(int64_t ms, const std::string& token, uint32_t n) { return kAgeTag + atime_key(ms, token, n); }

std::string encode_copy(const RemoteCopy& c) {
  std::string out;
  out.push_back(static_cast<char>(kCopyVersion));
  put_be(out, static_cast<uint64_t>(c.size), 8);
  put_be(out, static_cast<uint64_t>(c.last_use_ms), 8);
  put_be(out, c.store.size(), 2);
  out += c.store;
  out += c.key;
  return out;
}

RemoteCopy decode_copy(const std::string& bytes, const std::string& what) {
  auto bad = [&](const std::string& why) { return StateError(what + ": corrupt remote copy record: " + why); };
  if (bytes.size() < kCopyFixed) throw bad(std::to_string(bytes.size()) + " bytes, too short");
  if (static_cast<uint8_t>(bytes[0]) != kCopyVersion)
    throw bad("version " + std::to_string(static_cast<uint8_t>(bytes[0])) + ", this hlsfsd reads version 1");
  RemoteCopy c;
  c.size = static_cast<int64_t>(get_be(bytes.data() + 1, 8));
  c.last_use_ms = static_cast<int64_t>(get_be(bytes.data() + 9, 8));
  size_t store_len = get_be(bytes.data() + 17, 2);
  if (bytes.size() < kCopyFixed + store_len) throw bad("store name runs past the end");
  if (c.size < 0 || c.last_use_ms < 0) throw bad("negative size or time");
  c.store = bytes.substr(kCopyFixed, store_len);
  c.key = bytes.substr(kCopyFixed + store_len);
  return c;
}

}  // namespace

std::optional<RemoteCopy> StateStore::read_remote(const std::string& key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), remote_, key, &value);
  if (s.IsNotFound()) return std::nullopt;
  ok(s, "read remote/" + printable(key));
  return decode_copy(value, dir_ + ": remote/" + printable(key));
}

void StateStore::put_remote(const std::string& token, uint32_t n, const RemoteCopy& copy) {
  check_segment(dir_, token, n);
  check_time(dir_, token, n, copy.last_use_ms);
  if (copy.size < 0) throw StateError(dir_ + ": negative size for the remote copy of " + segment_name(token, n));
  if (copy.store.empty() || copy.store.size() > 0xffff || copy.key.empty())
    throw StateError(dir_ + ": remote copy of " + segment_name(token, n) + " needs a store and a key");
  const std::string key = copy_key(token, n);
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<RemoteCopy> old = read_remote(key);
  rocksdb::WriteBatch b;
  if (old) b.Delete(remote_, age_key(old->last_use_ms, token, n));
  b.Put(remote_, key, encode_copy(copy));
  b.Put(remote_, age_key(copy.last_use_ms, token, n), rocksdb::Slice());
  write(b, /*sync=*/false, "write remote copy of " + segment_name(token, n));
  if (!old) ++remote_count_;
}

std::optional<RemoteCopy> StateStore::get_remote(const std::string& token, uint32_t n) {
  check_segment(dir_, token, n);
  return read_remote(copy_key(token, n));
}

std::optional<RemoteCopy> StateStore::delete_remote(const std::string& token, uint32_t n,
                                                    std::optional<int64_t> only_if_used) {
  check_segment(dir_, token, n);
  const std::string key = copy_key(token, n);
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<RemoteCopy> old = read_remote(key);
  if (!old || (only_if_used && old->last_use_ms != *only_if_used)) return std::nullopt;
  rocksdb::WriteBatch b;
  b.Delete(remote_, key);
  b.Delete(remote_, age_key(old->last_use_ms, token, n));
  write(b, /*sync=*/false, "delete remote copy of " + segment_name(token, n));
  --remote_count_;
  return old;
}

bool StateStore::touch_remote(rocksdb::WriteBatch& b, const std::string& token, uint32_t n, int64_t ms) {
  const std::string key = copy_key(token, n);
  std::optional<RemoteCopy> copy = read_remote(key);
  if (!copy || ms <= copy->last_use_ms) return false;
  b.Delete(remote_, age_key(copy->last_use_ms, token, n));
  copy->last_use_ms = ms;
  b.Put(remote_, key, encode_copy(*copy));
  b.Put(remote_, age_key(ms, token, n), rocksdb::Slice());
  return true;
}

void StateStore::for_each_remote_by_age(const std::function<bool(int64_t, const std::string&, uint32_t)>& cb,
                                        int64_t from_ms) {
  // Expiry walks are rare (every gc_interval) and short (they stop at the
  // first copy young enough): no floor bookkeeping as for atime.
  const std::string upper(1, kAgeTag + 1);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, remote_));
  int64_t ms = 0;
  std::string token;
  uint32_t n = 0;
  std::string start(1, kAgeTag);
  if (from_ms > 0) put_be(start, static_cast<uint64_t>(from_ms), 8);
  for (it->Seek(start); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    k.remove_prefix(1);
    if (!parse_atime_key(k, &ms, &token, &n))
      throw StateError(dir_ + ": remote/" + printable(it->key()) + ": malformed age key");
    if (!cb(ms, token, n)) return;
  }
  ok(it->status(), "scan remote copies");
}

int64_t StateStore::count_remote_copies() {
  const std::string upper(1, kCopyTag + 1);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, remote_));
  int64_t count = 0;
  for (it->Seek(std::string(1, kCopyTag)); it->Valid(); it->Next()) ++count;
  ok(it->status(), "scan remote copies");
  return count;
}

void StateStore::check_remote(const rocksdb::Snapshot* snap, int64_t expected_copies,
                              const std::function<void(std::string)>& problem) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, remote_));
  int64_t copies = 0, ages = 0, ms = 0;
  std::string token, value;
  uint32_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    const std::string name = "remote/" + printable(k);
    const char tag = k.empty() ? 0 : k[0];
    k.remove_prefix(k.empty() ? 0 : 1);
    if (tag == kCopyTag) {
      ++copies;
      if (!parse_segment_key(k, &token, &n)) {
        problem(name + ": malformed copy key");
        continue;
      }
      try {
        RemoteCopy c = decode_copy(it->value().ToString(), name);
        if (!db_->Get(ro, remote_, age_key(c.last_use_ms, token, n), &value).ok())
          problem(name + ": no age entry at its last use " + std::to_string(c.last_use_ms));
      } catch (const StateError& e) {
        problem(e.what());
      }
    } else if (tag == kAgeTag) {
      ++ages;
      if (!parse_atime_key(k, &ms, &token, &n)) {
        problem(name + ": malformed age key");
        continue;
      }
      rocksdb::Status s = db_->Get(ro, remote_, copy_key(token, n), &value);
      if (!s.ok()) {
        problem(name + ": age entry without a copy record");
        continue;
      }
      try {
        if (decode_copy(value, name).last_use_ms != ms) problem(name + ": stale age entry (the copy was used later)");
      } catch (const StateError&) {
      }  // reported with the copy record
    } else {
      problem(name + ": unknown key");
    }
  }
  if (!it->status().ok()) problem("scan remote: " + it->status().ToString());
  if (copies != ages) problem("remote: " + std::to_string(copies) + " copies but " + std::to_string(ages) + " age entries");
  if (copies != expected_copies)
    problem("in-memory remote copy count " + std::to_string(expected_copies) + " differs from the records (" +
            std::to_string(copies) + ")");
}

}  // namespace hlsfs

// The StateStore's catalog family: a plain ordered key-value space whose
// keys the catalog defines (actors/playlist/catalog_keys.h).
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "actors/playlist/catalog_store.h"
#include "actors/segment_cache/state_keys.h"
#include "actors/segment_cache/state_store.h"

namespace hlsfs {

namespace {

class StateCatalogStore : public CatalogStore {
 public:
  StateCatalogStore(std::shared_ptr<StateStore> state, bool sync) : state_(std::move(state)), sync_(sync) {}
  std::optional<std::string> get(const std::string& key) override { return state_->get_catalog(key); }
  void write(const std::vector<Op>& ops) override { state_->write_catalog(ops, sync_); }
  void scan(const std::string& prefix, const std::string& after,
            const std::function<bool(const std::string&, const std::string&)>& cb) override {
    state_->scan_catalog(prefix, after, cb);
  }

 private:
  std::shared_ptr<StateStore> state_;
  bool sync_;
};

}  // namespace

std::shared_ptr<CatalogStore> state_catalog_store(std::shared_ptr<StateStore> state, bool sync) {
  return std::make_shared<StateCatalogStore>(std::move(state), sync);
}

using namespace state_keys;

namespace {

// The catalog keeps what it serves in its own cache (catalog.cache_size):
// RocksDB's block cache would hold a second copy, and a crawl (a lookup of
// every name, a listing of every directory) would fill it with blocks
// nobody reads again. Catalog reads go to the table files (the kernel's page
// cache) and leave the block cache to segments' and sources' records.
rocksdb::ReadOptions catalog_read_options() {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  return ro;
}

}  // namespace

std::optional<std::string> StateStore::get_catalog(const std::string& key) {
  std::string value;
  rocksdb::Status s = db_->Get(catalog_read_options(), catalog_, key, &value);
  if (s.IsNotFound()) return std::nullopt;
  ok(s, "read catalog/" + printable(key));
  return value;
}

void StateStore::write_catalog(const std::vector<std::pair<std::string, std::optional<std::string>>>& ops,
                               bool sync) {
  if (ops.empty()) return;
  rocksdb::WriteBatch b;
  for (const auto& [key, value] : ops) {
    if (value) b.Put(catalog_, key, *value);
    else b.Delete(catalog_, key);
  }
  write(b, sync, "write catalog/" + printable(ops.front().first));
}

void StateStore::scan_catalog(const std::string& prefix, const std::string& after,
                              const std::function<bool(const std::string&, const std::string&)>& cb) {
  rocksdb::ReadOptions ro = catalog_read_options();
  std::string upper = prefix;  // the first key past the prefix, when there is one
  while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xff) upper.pop_back();
  if (!upper.empty()) upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
  rocksdb::Slice bound(upper);
  if (!upper.empty()) ro.iterate_upper_bound = &bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, catalog_));
  const std::string& start = after.compare(prefix) > 0 ? after : prefix;
  for (it->Seek(start); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    if (!k.starts_with(prefix)) break;
    if (!after.empty() && k.compare(after) <= 0) continue;
    if (!cb(k.ToString(), it->value().ToString())) return;
  }
  ok(it->status(), "scan catalog/" + printable(prefix));
}

}  // namespace hlsfs

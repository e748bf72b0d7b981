// Cache lifecycle with a real RocksDB and real files: eviction order, budget,
// idle age, open segments, dry runs, and startup reconciliation.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "actors/gc/gc_policy.h"
#include "actors/gc/remote_expiry.h"
#include "hlsfs/units.h"
#include "actors/segment_cache/reconcile.h"
#include "actors/segment_cache/segment_store.h"
#include "actors/segment_cache/state_store.h"
#include "actors/storage/atomic_file.h"
#include "daemon/config/config.h"
#include "daemon/config/reload.h"

using namespace hlsfs;
namespace fs = std::filesystem;

namespace {

class Cache : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "hlsfs-gc-XXXXXX").string();
    dir = mkdtemp(tmpl.data());
    state = StateStore::open(dir + "/state");
    segments = std::make_unique<SegmentStore>(dir + "/cache", *state);
  }
  void TearDown() override {
    segments.reset();
    state.reset();
    fs::remove_all(dir);
  }
  // A 1000-byte segment read at time t.
  void add(const std::string& token, uint32_t n, int64_t t, int64_t size = 1000) {
    write_file_atomic(segments->path_of(token, n), std::string(static_cast<size_t>(size), 'x'));
    SegmentRecord rec;
    rec.size = size;
    rec.where = SegmentRecord::kLocal;
    rec.created_ms = rec.last_access_ms = t;
    state->put_segment(token, n, rec);
  }
  bool on_disk(const std::string& token, uint32_t n) { return fs::exists(segments->path_of(token, n)); }

  std::string dir;
  std::unique_ptr<StateStore> state;
  std::unique_ptr<SegmentStore> segments;
  const std::string a = std::string(32, 'a'), b = std::string(32, 'b');
};

}  // namespace

TEST_F(Cache, EvictsOldestFirstDownToTheLowWaterMark) {
  for (uint32_t i = 0; i < 10; ++i) add(i % 2 ? a : b, i, 1000 + i);  // 10 000 bytes, oldest first: 0, 1, 2 ...
  GcPolicy p{8000, 0.95, 0.5, 0};
  ASSERT_TRUE(gc_due(p, state->local_bytes(), 0, 2000));
  GcReport r = run_gc(*state, *segments, p, 2000, nullptr, false);
  EXPECT_EQ(r.evicted, 6);  // 10 000 -> 4 000 (low water 4 000)
  EXPECT_EQ(r.freed_bytes, 6000);
  EXPECT_EQ(state->local_bytes(), 4000);
  for (uint32_t i = 0; i < 10; ++i) {
    bool kept = i >= 6;
    EXPECT_EQ(on_disk(i % 2 ? a : b, i), kept) << i;
    EXPECT_EQ(state->get_segment(i % 2 ? a : b, i).has_value(), kept) << i;
  }
  EXPECT_TRUE(state->check_consistency().empty());
  EXPECT_FALSE(gc_due(p, state->local_bytes(), 0, 2000));
}

TEST_F(Cache, AReadRejuvenatesAndOpenSegmentsStay) {
  for (uint32_t i = 0; i < 4; ++i) add(a, i, 1000 + i);
  state->touch({{a, 0, 5000}});  // segment 0 was just read: now the newest
  GcPolicy p{4000, 0.9, 0.5, 0};  // 4000 > 3600: evict down to 2000
  auto open = [&](const std::string& t, uint32_t n) { return t == a && n == 1; };
  GcReport r = run_gc(*state, *segments, p, 6000, open, false);
  EXPECT_EQ(r.skipped_open, 1);
  EXPECT_TRUE(on_disk(a, 0));   // recently read
  EXPECT_TRUE(on_disk(a, 1));   // open
  EXPECT_FALSE(on_disk(a, 2));
  EXPECT_FALSE(on_disk(a, 3));
}

TEST_F(Cache, IdleAgeEvictsWithoutABudgetAndDryRunChangesNothing) {
  add(a, 0, 1000);
  add(a, 1, 50'000);
  GcPolicy p{0, 0.95, 0.85, 10'000};  // no budget, 10 s idle
  EXPECT_TRUE(gc_due(p, state->local_bytes(), 1000, 55'000));
  GcReport dry = run_gc(*state, *segments, p, 55'000, nullptr, true);
  EXPECT_EQ(dry.evicted, 1);
  EXPECT_TRUE(on_disk(a, 0));
  EXPECT_EQ(state->local_bytes(), 2000);
  GcReport r = run_gc(*state, *segments, p, 55'000, nullptr, false);
  EXPECT_EQ(r.evicted, 1);
  EXPECT_FALSE(on_disk(a, 0));
  EXPECT_TRUE(on_disk(a, 1));
}

TEST_F(Cache, NothingToDoVisitsOneEntry) {
  for (uint32_t i = 0; i < 100; ++i) add(a, i, 1000 + i);
  GcReport r = run_gc(*state, *segments, GcPolicy{1'000'000, 0.95, 0.85, 0}, 2000, nullptr, false);
  EXPECT_EQ(r.evicted, 0);
  EXPECT_EQ(r.visited, 1);  // a pass costs what it evicts
}

TEST_F(Cache, ReconciliationMakesIndexAndDiskAgree) {
  add(a, 0, 1000);
  add(a, 1, 1000);
  add(b, 0, 1000);
  fs::remove(segments->path_of(a, 1));                                   // deleted behind our back
  std::ofstream(segments->path_of(b, 0), std::ios::app) << "more";        // altered
  write_file_atomic(segments->path_of(b, 7), "stray");                   // no record
  std::ofstream(segments->path_of(a, 0) + ".tmp.123.0") << "partial";    // an interrupted write
  const std::string made = segments->temp_path(a, 2);
  write_file_synced(made, "made");  // a job's segment the owner had not placed yet when hlsfsd died
  ReconcileReport r = reconcile_cache(*state, *segments);
  EXPECT_EQ(r.segments_kept, 1);
  EXPECT_EQ(r.records_dropped, 2);
  EXPECT_EQ(r.files_removed, 4);  // the altered file, the stray, the two temp files
  EXPECT_TRUE(on_disk(a, 0));
  EXPECT_FALSE(on_disk(b, 0));
  EXPECT_FALSE(fs::exists(segments->path_of(a, 0) + ".tmp.123.0"));
  EXPECT_FALSE(fs::exists(made));
  EXPECT_FALSE(on_disk(a, 2));
  EXPECT_TRUE(state->check_consistency().empty());
  EXPECT_EQ(state->local_bytes(), 1000);
}

// Copies in object stores, each store by its own age. The remover here is a
// list of calls; the real S3 DELETEs are in tests/integration/s3_remote_expiry.sh.
TEST_F(Cache, RemoteCopiesExpireByTheirStoresAgeOldestFirst) {
  state->put_remote(a, 0, RemoteCopy{"s3", "out/a-0.ts", 100, 1000});
  state->put_remote(a, 1, RemoteCopy{"oss", "out/a-1.ts", 100, 2000});  // oss keeps its copies
  state->put_remote(b, 0, RemoteCopy{"slow", "out/b-0.ts", 100, 3000});
  state->put_remote(b, 1, RemoteCopy{"slow", "out/b-1.ts", 100, 6000});
  state->put_remote(b, 2, RemoteCopy{"s3", "out/b-2.ts", 100, 9500});
  const std::map<std::string, int64_t> ages{{"s3", 1000}, {"oss", 0}, {"slow", 5000}};
  std::vector<std::string> removed;
  auto remover = [&](const std::string& store, const std::string& key) { removed.push_back(store + "/" + key); };

  RemoteExpiryReport dry = expire_remote_copies(*state, ages, 10000, remover, true);
  EXPECT_EQ(dry.deleted, 2);
  EXPECT_TRUE(removed.empty());
  EXPECT_EQ(state->remote_count(), 5);

  RemoteExpiryReport r = expire_remote_copies(*state, ages, 10000, remover, false);
  EXPECT_EQ(removed, (std::vector<std::string>{"s3/out/a-0.ts", "slow/out/b-0.ts"}));
  EXPECT_EQ(r.deleted, 2);
  EXPECT_EQ(r.freed_bytes, 200);
  EXPECT_EQ(r.visited, 4);  // stops at b/2 (9500): younger than the shortest age
  EXPECT_FALSE(state->get_remote(a, 0));
  EXPECT_TRUE(state->get_remote(a, 1));
  EXPECT_TRUE(state->get_remote(b, 1));  // 4 s unused, under slow's 5 s
  EXPECT_EQ(state->remote_count(), 3);
  EXPECT_TRUE(state->check_consistency().empty());

  // No store expires: the walk does not even start.
  EXPECT_EQ(expire_remote_copies(*state, {{"oss", 0}}, 1'000'000, remover, false).visited, 0);
}

TEST_F(Cache, ARemoteCopyTheStoreWillNotDeleteIsKeptForTheNextPass) {
  state->put_remote(a, 0, RemoteCopy{"s3", "out/a-0.ts", 100, 1000});
  state->put_remote(a, 1, RemoteCopy{"s3", "out/a-1.ts", 100, 1001});
  state->put_remote(b, 0, RemoteCopy{"oss", "out/b-0.ts", 100, 1002});
  int s3_calls = 0;
  auto remover = [&](const std::string& store, const std::string&) {
    if (store == "s3") {
      ++s3_calls;
      throw std::runtime_error("HTTP 503 SlowDown");
    }
  };
  RemoteExpiryReport r = expire_remote_copies(*state, {{"s3", 10}, {"oss", 10}}, 5000, remover, false);
  EXPECT_EQ(s3_calls, 1);  // after its first failure a store waits for the next pass
  EXPECT_EQ(r.failed, 1);
  EXPECT_EQ(r.deleted, 1);  // the other store goes on
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], "s3/out/a-0.ts: HTTP 503 SlowDown");
  EXPECT_EQ(*state->get_remote(a, 0), (RemoteCopy{"s3", "out/a-0.ts", 100, 1000}));
  EXPECT_TRUE(state->get_remote(a, 1));
  EXPECT_FALSE(state->get_remote(b, 0));
  EXPECT_TRUE(state->check_consistency().empty());
}

// The free-space floor (cache.min_free): evicting for room, not for a budget.
TEST_F(Cache, MustFreeEvictsOldestFirstUntilThatMuchIsFreedWithoutABudget) {
  for (uint32_t i = 0; i < 6; ++i) add(a, i, 1000 + i);
  GcPolicy p;  // no budget, no idle age
  auto open = [&](const std::string& t, uint32_t n) { return t == a && n == 1; };
  GcReport r = run_gc(*state, *segments, p, 2000, open, false, 2500);
  EXPECT_EQ(r.must_free, 2500);
  EXPECT_EQ(r.freed_bytes, 3000);  // whole segments: 0, 2, 3 (1 is open)
  EXPECT_EQ(r.evicted, 3);
  EXPECT_EQ(r.skipped_open, 1);
  EXPECT_FALSE(on_disk(a, 0));
  EXPECT_TRUE(on_disk(a, 1));
  EXPECT_FALSE(on_disk(a, 3));
  EXPECT_TRUE(on_disk(a, 4));
  EXPECT_TRUE(state->check_consistency().empty());
  // Nothing asked: nothing evicted.
  EXPECT_EQ(run_gc(*state, *segments, p, 2000, nullptr, false).evicted, 0);
}

TEST_F(Cache, MustFreeBeyondTheCacheEvictsEverythingNotOpenAndSaysHowMuch) {
  add(a, 0, 1000);
  add(a, 1, 1001);
  auto open = [](const std::string&, uint32_t n) { return n == 1; };
  GcReport r = run_gc(*state, *segments, GcPolicy{}, 2000, open, false, 1'000'000);
  EXPECT_EQ(r.freed_bytes, 1000);
  EXPECT_EQ(run_gc(*state, *segments, GcPolicy{}, 2000, open, false, 1'000'000).freed_bytes, 0);  // nothing left to evict
}

TEST(FreeFloor, DefaultIsOneGibOrFivePercentWhicheverIsSmaller) {
  GcPolicy p;
  EXPECT_EQ(free_floor(p, 100LL << 30), 1LL << 30);    // 100 GiB disk: 1 GiB
  EXPECT_EQ(free_floor(p, 10LL << 30), 512LL << 20);   // 10 GiB disk: 5 % = 512 MiB
  EXPECT_EQ(free_floor(p, 8LL << 20), 419430);         // an 8 MiB tmpfs: 410 KiB
  p.min_free_fraction = 0;                             // "2GiB": the size alone
  p.min_free_bytes = 2LL << 30;
  EXPECT_EQ(free_floor(p, 10LL << 30), 2LL << 30);
  p.min_free_bytes = 0;                                // "0": no floor
  EXPECT_EQ(free_floor(p, 10LL << 30), 0);
  p.min_free_fraction = 0.1;                           // "10%": the share alone
  EXPECT_EQ(free_floor(p, 10LL << 30), 1LL << 30);
}

TEST(FreeFloor, DeficitHasAMarginAndEnospcAsksForRoomForSegments) {
  GcPolicy p;
  p.min_free_fraction = 0;
  p.min_free_bytes = 1000;
  EXPECT_EQ(floor_deficit(p, DiskSpace{100'000, 1000}), 0);  // at the floor: nothing to do
  EXPECT_EQ(floor_deficit(p, DiskSpace{100'000, 400}), 700);  // back to the floor + a tenth
  p.min_free_bytes = 0;
  EXPECT_EQ(floor_deficit(p, DiskSpace{100'000, 0}), 0);  // no floor
  // ENOSPC: four segments of the cache's mean size (12 segments, 3000 bytes)...
  EXPECT_EQ(room_after_enospc(p, DiskSpace{100'000, 10}, 3000, 12), 1000);
  // ... or the floor's deficit when that is more ...
  p.min_free_bytes = 5000;
  EXPECT_EQ(room_after_enospc(p, DiskSpace{100'000, 10}, 3000, 12), 5490);
  // ... and something even when the cache is empty (a pass then finds nothing).
  EXPECT_EQ(room_after_enospc(GcPolicy{0, 0.95, 0.85, 0, 0, 0}, DiskSpace{}, 0, 0), 1);
}

TEST(FreeFloor, ConfigTakesASizeAShareOrZeroAndSighupAppliesIt) {
  const std::string stores = "stores: {m: {plugin: local, root: /x}}\n";
  Config dflt = parse_config(stores, "f.yaml");
  EXPECT_EQ(dflt.cache_min_free_bytes, 1LL << 30);
  EXPECT_DOUBLE_EQ(dflt.cache_min_free_fraction, 0.05);
  Config size = parse_config("cache: {min_free: 2GiB}\n" + stores, "f.yaml");
  EXPECT_EQ(tunables_of(size).gc.min_free_bytes, 2LL << 30);
  EXPECT_EQ(tunables_of(size).gc.min_free_fraction, 0);
  Config share = parse_config("cache: {min_free: 12.5%}\n" + stores, "f.yaml");
  EXPECT_EQ(share.cache_min_free_bytes, 0);
  EXPECT_DOUBLE_EQ(share.cache_min_free_fraction, 0.125);
  Config off = parse_config("cache: {min_free: 0}\n" + stores, "f.yaml");
  EXPECT_EQ(free_floor(tunables_of(off).gc, 1LL << 40), 0);
  for (const char* bad : {"lots", "150%", "%", "-1G", "5%%"}) {
    try {
      parse_config(std::string("cache: {min_free: \"") + bad + "\"}\n" + stores, "f.yaml");
      ADD_FAILURE() << bad << " accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("cache.min_free"), std::string::npos) << e.what();
    }
  }
  ReloadPlan plan = plan_reload(dflt, size);
  EXPECT_EQ(plan.applied, std::vector<std::string>{"cache.min_free"});
  EXPECT_EQ(with_live_changes(dflt, size).cache_min_free_bytes, 2LL << 30);
}

TEST(Units, SizesAndDurations) {
  EXPECT_EQ(parse_bytes("1048576"), 1048576);
  EXPECT_EQ(parse_bytes("20GiB"), 20LL << 30);
  EXPECT_EQ(parse_bytes("500M"), 500LL << 20);
  EXPECT_EQ(parse_bytes("1.5K"), 1536);
  EXPECT_THROW(parse_bytes("lots"), std::invalid_argument);
  EXPECT_THROW(parse_bytes("5Q"), std::invalid_argument);
  EXPECT_EQ(parse_duration_ms("7d"), 7LL * 86400 * 1000);
  EXPECT_EQ(parse_duration_ms("30m"), 1800000);
  EXPECT_EQ(parse_duration_ms("45"), 45000);
  EXPECT_THROW(parse_duration_ms("soon"), std::invalid_argument);
  EXPECT_EQ(parse_size_or_share("2GiB").bytes, 2LL << 30);
  EXPECT_EQ(parse_size_or_share("2GiB").fraction, 0);
  EXPECT_DOUBLE_EQ(parse_size_or_share("5%").fraction, 0.05);
  EXPECT_DOUBLE_EQ(parse_size_or_share("0.5 %").fraction, 0.005);
  EXPECT_EQ(parse_size_or_share("5%").bytes, 0);
  EXPECT_EQ(parse_size_or_share("0").bytes, 0);
  for (const char* bad : {"%", "x%", "101%", "1.2.3%", "5%%", "lots"})
    EXPECT_THROW(parse_size_or_share(bad), std::invalid_argument) << bad;
}

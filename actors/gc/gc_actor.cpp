#include "actors/gc/gc_actor.h"

#include <sys/statvfs.h>

#include <cstring>
#include <map>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "actors/gc/gc_policy.h"
#include "actors/gc/remote_expiry.h"
#include "actors/segment_cache/segment_store.h"
#include "actors/segment_cache/state_store.h"
#include "actors/daemon_metrics.h"
#include "hlsfs/log.h"

namespace hlsfs {

namespace {

struct gc_state {
  std::shared_ptr<Services> svc;
  segment_cache_actor owner;  // evicts (EvictOrder); sent at start
  std::map<std::string, storage_actor> storage;  // deletes copies in object stores, by store name
  GcReport last;
  RemoteExpiryReport last_remote;
  uint64_t passes = 0;
  int64_t ticks = 0;  // seconds since the last periodic pass
  // A failing state directory (read-only, full) fails every pass: said once
  // when it starts and once when it ends, not every second.
  bool pass_failing = false;
  bool floor_unmet = false;  // below the floor with nothing (more) to evict: said once
  static inline const char* name = "gc";
};

using gc_pointer = gc_actor::stateful_pointer<gc_state>;

// The filesystem holding cache_dir; nullopt when statvfs fails (no floor then).
std::optional<DiskSpace> disk_space(const std::string& dir) {
  struct statvfs v {};
  if (statvfs(dir.c_str(), &v) != 0) return std::nullopt;
  const auto unit = static_cast<int64_t>(v.f_frsize ? v.f_frsize : v.f_bsize);
  return DiskSpace{static_cast<int64_t>(v.f_blocks) * unit, static_cast<int64_t>(v.f_bavail) * unit};
}

// Logs the first failure of a run as a warning, the rest at debug, and the
// end of the run. already_said: the state store logged it (its writes fail).
void note_failure(bool& failing, const std::string& what, const std::string& error, bool already_said) {
  if (failing || already_said) {
    HLSFS_LOG(debug, "gc") << what << ": " << error;
  } else {
    HLSFS_LOG(warning, "gc") << what << ": " << error << " (said once; retried every second)";
  }
  failing = true;
}
void note_success(bool& failing, const std::string& what) {
  if (failing) HLSFS_LOG(info, "gc") << what << " again";
  failing = false;
}

// Deletes key from store through the store's storage actor, waiting for
// its answer (this actor is detached); throws what the store said.
void remove_copy(gc_pointer self, const std::string& store, const std::string& key) {
  auto it = self->state.storage.find(store);
  if (it == self->state.storage.end())
    throw std::runtime_error("no writable store named \"" + store + "\" in the configuration");
  std::string failure;
  caf::scoped_actor blocking{self->system()};
  blocking->request(it->second, caf::infinite, remove_atom::value, key)
      .receive(
          [&](int32_t err, const std::string& msg) {
            if (err) failure = msg.empty() ? std::string{std::strerror(err)} : msg;
          },
          [&](caf::error& e) { failure = self->system().render(e); });
  if (!failure.empty()) throw std::runtime_error(failure);
}

// Copies in object stores past their store's age. The deletes are blocking
// HTTP calls (in the storage actors; this actor is detached and waits), and
// a store that fails is left for the next pass after its first failure.
RemoteExpiryReport expire_remote(gc_pointer self, bool dry_run) {
  auto& st = self->state;
  auto svc = st.svc;
  RemoteExpiryReport r = expire_remote_copies(
      *svc->state, svc->tunables()->remote_max_age_ms, now_ms(),
      [self](const std::string& store, const std::string& key) { remove_copy(self, store, key); }, dry_run,
      svc->shared_use.get());
  if (!dry_run) {
    st.last_remote = r;
    if (auto* m = svc->meters.get()) {
      m->gc.remote_deleted->inc(static_cast<uint64_t>(r.deleted));
      m->gc.remote_failures->inc(static_cast<uint64_t>(r.failed));
    }
  }
  if (r.deleted)
    HLSFS_LOG(info, "gc") << (dry_run ? "would delete " : "deleted ") << r.deleted << " segment copies from object stores, "
                          << r.freed_bytes << " bytes (unused longer than remote_max_age)";
  for (const std::string& e : r.errors) HLSFS_LOG(warning, "gc") << "cannot delete the copy " << e << ": kept for the next pass";
  return r;
}

// Asks the owner of the segments (the segment cache) to evict by the
// policy, waiting for its report. must_free: bytes to evict whatever the
// budget says (the free-space floor, or room after an ENOSPC).
GcReport pass(gc_pointer self, bool dry_run, int64_t must_free = 0) {
  auto& st = self->state;
  const auto started = std::chrono::steady_clock::now();
  GcReport r;
  r.dry_run = dry_run;
  r.must_free = must_free;
  if (!st.owner) return r;  // not started yet: nothing to ask
  std::string failure;
  caf::scoped_actor blocking{self->system()};
  blocking->request(st.owner, caf::infinite, EvictOrder{dry_run, must_free})
      .receive([&](GcReport& report) { r = std::move(report); },
               [&](caf::error& e) { failure = self->system().render(e); });
  if (!failure.empty()) {  // the state cannot be read or written: nothing is evicted
    note_failure(st.pass_failing, "GC pass failed", failure, st.svc->state->writes_failing());
    return r;
  }
  note_success(st.pass_failing, "GC passes work");
  if (!dry_run) {
    st.last = r;
    ++st.passes;
    if (auto* m = st.svc->meters.get()) {
      m->gc.pass_seconds->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      m->gc.evicted->inc(static_cast<uint64_t>(r.evicted));
      m->gc.freed_bytes->inc(static_cast<uint64_t>(r.freed_bytes));
    }
  }
  if (r.evicted)
    HLSFS_LOG(info, "gc") << (dry_run ? "would evict " : "evicted ") << r.evicted << " segments, " << r.freed_bytes
                          << " bytes (cache " << r.bytes_before << " -> " << r.bytes_after << " bytes"
                          << (r.skipped_open ? ", " + std::to_string(r.skipped_open) + " kept: open" : "")
                          << (must_free ? ", " + std::to_string(must_free) + " bytes wanted for free space" : "") << ")";
  return r;
}

// Below the free-space floor (cache.min_free): evict until above it. Other
// files can hold the space: when the cache cannot give enough, that is said
// once (until free space is back above the floor).
void keep_floor(gc_pointer self) {
  auto& st = self->state;
  auto disk = disk_space(st.svc->cache_dir);
  if (!disk) return;
  const GcPolicy p = st.svc->tunables()->gc;
  const int64_t deficit = floor_deficit(p, *disk);
  if (deficit <= 0) {
    st.floor_unmet = false;
    return;
  }
  GcReport r = pass(self, false, deficit);
  if (r.freed_bytes < deficit && !st.floor_unmet)
    HLSFS_LOG(warning, "gc") << st.svc->cache_dir << ": " << disk->available << " bytes free, below cache.min_free ("
                             << free_floor(p, disk->total) << " bytes), and the cache had only " << r.freed_bytes
                             << " bytes to evict (said once)";
  st.floor_unmet = r.freed_bytes < deficit;
}

// A segment could not be written: evict at once. Returns the bytes freed
// and, for the log, what was done.
std::pair<int64_t, std::string> make_room(gc_pointer self) {
  auto& st = self->state;
  auto* m = st.svc->meters.get();
  if (m) m->gc.enospc->inc();
  const GcPolicy p = st.svc->tunables()->gc;
  const DiskSpace disk = disk_space(st.svc->cache_dir).value_or(DiskSpace{});
  const int64_t want = room_after_enospc(p, disk, st.svc->state->local_bytes(), st.svc->state->segment_count());
  GcReport r = pass(self, false, want);
  std::string free_text = std::to_string(disk.available) + " bytes were free in " + st.svc->cache_dir;
  if (r.freed_bytes > 0) {
    std::string what = "evicted " + std::to_string(r.evicted) + " segments (" + std::to_string(r.freed_bytes) +
                       " bytes); " + free_text;
    HLSFS_LOG(warning, "gc") << "cache full: a segment could not be written: " << what;
    return {r.freed_bytes, what};
  }
  if (m) m->gc.cache_full->inc();
  std::string what = "nothing to evict (" + std::to_string(st.svc->state->segment_count()) + " segments cached" +
                     (r.skipped_open ? ", " + std::to_string(r.skipped_open) + " open" : "") + "); " + free_text;
  HLSFS_LOG(error, "gc") << "cache full: a segment could not be written: " << what;
  return {0, what};
}

nlohmann::json to_json(const GcReport& r, const RemoteExpiryReport& remote) {
  return {{"DryRun", r.dry_run},       {"Evicted", r.evicted},          {"FreedBytes", r.freed_bytes},
          {"SkippedOpen", r.skipped_open}, {"Visited", r.visited},       {"BytesBefore", r.bytes_before},
          {"BytesAfter", r.bytes_after},
          {"Remote", {{"Deleted", remote.deleted}, {"FreedBytes", remote.freed_bytes}, {"Failed", remote.failed},
                      {"KeptForOtherNodes", remote.kept_for_others},
                      {"Errors", remote.errors}}}};
}

void maybe_pass(gc_pointer self) {
  auto& st = self->state;
  const GcPolicy p = st.svc->tunables()->gc;
  bool over = p.max_bytes > 0 && st.svc->state->local_bytes() > static_cast<int64_t>(p.max_bytes * p.high_water);
  if (over || p.max_idle_ms > 0) pass(self, false);
  keep_floor(self);
  if (!st.svc->tunables()->remote_max_age_ms.empty()) expire_remote(self, false);
}

void register_metrics(const std::shared_ptr<Services>& svc) {
  auto* m = svc->metrics.get();
  if (!m) return;
  // Read at render time; weak: the registry belongs to svc.
  std::weak_ptr<Services> weak = svc;
  const std::string dir = svc->cache_dir;
  m->gauge_callback("hlsfs_cache_free_bytes", "Bytes free in cache_dir's filesystem (for hlsfsd's user)", [dir] {
    auto disk = disk_space(dir);
    if (!disk) throw std::runtime_error("statvfs failed");
    return static_cast<double>(disk->available);
  });
  m->gauge_callback("hlsfs_cache_min_free_bytes", "The free-space floor the GC keeps in cache_dir's filesystem (cache.min_free)",
                    [dir, weak] {
                      auto s = weak.lock();
                      auto disk = disk_space(dir);
                      if (!s || !disk) throw std::runtime_error("no floor");
                      return static_cast<double>(free_floor(s->tunables()->gc, disk->total));
                    });
  // Against hlsfs_cache_bytes: how full the cache is (0: no budget).
  m->gauge_callback("hlsfs_cache_max_bytes", "The local cache's budget (cache.max_bytes; 0: none)", [weak] {
    auto s = weak.lock();
    if (!s) throw std::runtime_error("stopped");
    return static_cast<double>(s->tunables()->gc.max_bytes);
  });
}

}  // namespace

gc_actor spawn_gc(caf::actor_system& sys, std::shared_ptr<Services> svc, std::map<std::string, storage_actor> storage) {
  register_metrics(svc);
  // Detached: it waits for the owner's evictions and the stores' deletes.
  return sys.spawn<caf::detached>([=](gc_pointer self) -> gc_actor::behavior_type {
    self->state.svc = svc;
    self->state.storage = storage;
    self->state.ticks = svc->tunables()->gc_interval_ms / 1000;  // a first pass at start: the budget may have shrunk
    self->delayed_send(self, std::chrono::seconds(1), flush_atom::value);
    return {
        [=](owner_atom, segment_cache_actor owner) { self->state.owner = std::move(owner); },
        [=](flush_atom) {
          // Cluster: this node's uses of copies, for the other nodes' expiry.
          if (auto shared = self->state.svc->shared_use) {
            try {
              shared->publish_due(now_ms());
            } catch (const std::exception& e) {  // its state walk: said, tried at the next interval
              HLSFS_LOG(warning, "cluster") << "segment uses not published: " << e.what();
            }
          }
          // The periodic pass (budget and idle age), every gc_interval.
          auto& st = self->state;
          if (++st.ticks * 1000 >= st.svc->tunables()->gc_interval_ms) {
            st.ticks = 0;
            maybe_pass(self);
          }
          self->delayed_send(self, std::chrono::seconds(1), flush_atom::value);
        },
        [=](tick_atom) {
          // A segment was just made: keep the cache within its budget and
          // above the free-space floor now, not at the next periodic pass.
          const GcPolicy p = self->state.svc->tunables()->gc;
          if (p.max_bytes > 0 && self->state.svc->state->local_bytes() > static_cast<int64_t>(p.max_bytes * p.high_water))
            pass(self, false);
          keep_floor(self);
        },
        [=](make_room_atom) -> RoomMade {
          auto [freed, what] = make_room(self);
          return {freed, what};
        },
        [=](gc_atom, bool dry_run) -> std::string {
          GcReport local = pass(self, dry_run);
          return to_json(local, expire_remote(self, dry_run)).dump();
        },
        [=](status_atom) -> std::string {
          auto& st = self->state;
          auto disk = disk_space(st.svc->cache_dir);
          return nlohmann::json{{"cache_bytes", st.svc->state->local_bytes()},
                                {"segments", st.svc->state->segment_count()},
                                {"max_bytes", st.svc->tunables()->gc.max_bytes},
                                {"free_bytes", disk ? disk->available : -1},
                                {"min_free_bytes", disk ? free_floor(st.svc->tunables()->gc, disk->total) : -1},
                                {"gc_passes", st.passes},
                                {"remote_copies", st.svc->state->remote_count()},
                                {"last_gc", to_json(st.last, st.last_remote)}}
              .dump();
        },
    };
  });
}

}  // namespace hlsfs

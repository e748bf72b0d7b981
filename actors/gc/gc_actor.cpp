#include "actors/gc/gc_actor.h"

#include <map>

#include <nlohmann/json.hpp>

#include "actors/gc/gc_policy.h"
#include "actors/gc/remote_expiry.h"
#include "actors/segment_cache/open_segments.h"
#include "actors/segment_cache/segment_store.h"
#include "actors/segment_cache/state_store.h"
#include "actors/storage/backend.h"
#include "actors/transcoder/job_queue.h"
#include "daemon/http/metrics.h"
#include "hlsfs/log.h"

namespace hlsfs {

namespace {

struct gc_state {
  std::shared_ptr<Services> svc;
  std::map<JobKey, int64_t> pending;  // latest access per segment since the last flush
  uint64_t flushed = 0;
  GcReport last;
  RemoteExpiryReport last_remote;
  uint64_t passes = 0;
  int64_t ticks = 0;  // seconds since the last periodic pass
  static inline const char* name = "gc";
};

using gc_pointer = gc_actor::stateful_pointer<gc_state>;

void flush(gc_pointer self) {
  auto& st = self->state;
  if (st.pending.empty()) return;
  std::vector<std::tuple<std::string, uint32_t, int64_t>> batch;
  batch.reserve(st.pending.size());
  for (const auto& [k, t] : st.pending) batch.emplace_back(k.token, k.segment, t);
  try {
    st.svc->state->touch(batch);
    st.flushed += batch.size();
  } catch (const std::exception& e) {
    HLSFS_LOG(warning, "gc") << "access times not recorded: " << e.what();
  }
  st.pending.clear();
}

// Copies in object stores past their store's age. The deletes are blocking
// HTTP calls: this actor is detached, and a store that fails is left for the
// next pass after its first failure.
RemoteExpiryReport expire_remote(gc_pointer self, bool dry_run) {
  auto& st = self->state;
  auto svc = st.svc;
  RemoteExpiryReport r = expire_remote_copies(
      *svc->state, svc->tunables()->remote_max_age_ms, now_ms(),
      [svc](const std::string& store, const std::string& key) {
        auto backend = svc->backend(store);
        if (!backend) throw std::runtime_error("no store named \"" + store + "\" in the configuration");
        backend->remove(key);
      },
      dry_run);
  if (!dry_run) {
    st.last_remote = r;
    if (auto* m = svc->metrics.get()) {
      m->counter("hlsfs_gc_remote_deleted_total", "Segment copies deleted from object stores (remote_max_age)")
          .inc(static_cast<uint64_t>(r.deleted));
      m->counter("hlsfs_gc_remote_failures_total", "Segment copies an object store did not delete").inc(static_cast<uint64_t>(r.failed));
    }
  }
  if (r.deleted)
    HLSFS_LOG(info, "gc") << (dry_run ? "would delete " : "deleted ") << r.deleted << " segment copies from object stores, "
                          << r.freed_bytes << " bytes (unused longer than remote_max_age)";
  for (const std::string& e : r.errors) HLSFS_LOG(warning, "gc") << "cannot delete the copy " << e << ": kept for the next pass";
  return r;
}

GcReport pass(gc_pointer self, bool dry_run) {
  auto& st = self->state;
  flush(self);  // recent reads must count before anything is judged cold
  auto open = st.svc->open_segments;
  GcReport r = run_gc(*st.svc->state, *st.svc->segments, st.svc->tunables()->gc, now_ms(),
                      [open](const std::string& t, uint32_t n) { return open && open->is_open(t, n); }, dry_run);
  if (!dry_run) {
    st.last = r;
    ++st.passes;
    if (auto* m = st.svc->metrics.get()) {
      m->counter("hlsfs_gc_evicted_total", "Segments evicted from the local cache").inc(static_cast<uint64_t>(r.evicted));
      m->counter("hlsfs_gc_freed_bytes_total", "Bytes evicted from the local cache").inc(static_cast<uint64_t>(r.freed_bytes));
    }
  }
  if (r.evicted)
    HLSFS_LOG(info, "gc") << (dry_run ? "would evict " : "evicted ") << r.evicted << " segments, " << r.freed_bytes
                          << " bytes (cache " << r.bytes_before << " -> " << r.bytes_after << " bytes"
                          << (r.skipped_open ? ", " + std::to_string(r.skipped_open) + " kept: open" : "") << ")";
  return r;
}

nlohmann::json to_json(const GcReport& r, const RemoteExpiryReport& remote) {
  return {{"DryRun", r.dry_run},       {"Evicted", r.evicted},          {"FreedBytes", r.freed_bytes},
          {"SkippedOpen", r.skipped_open}, {"Visited", r.visited},       {"BytesBefore", r.bytes_before},
          {"BytesAfter", r.bytes_after},
          {"Remote", {{"Deleted", remote.deleted}, {"FreedBytes", remote.freed_bytes}, {"Failed", remote.failed},
                      {"Errors", remote.errors}}}};
}

void maybe_pass(gc_pointer self) {
  auto& st = self->state;
  const GcPolicy p = st.svc->tunables()->gc;
  bool over = p.max_bytes > 0 && st.svc->state->local_bytes() > static_cast<int64_t>(p.max_bytes * p.high_water);
  if (over || p.max_idle_ms > 0) pass(self, false);
  if (!st.svc->tunables()->remote_max_age_ms.empty()) expire_remote(self, false);
}

}  // namespace

gc_actor spawn_gc(caf::actor_system& sys, std::shared_ptr<Services> svc) {
  // Detached: a pass deletes files and writes RocksDB, blocking I/O.
  return sys.spawn<caf::detached>([=](gc_pointer self) -> gc_actor::behavior_type {
    self->state.svc = svc;
    self->state.ticks = svc->tunables()->gc_interval_ms / 1000;  // a first pass at start: the budget may have shrunk
    self->delayed_send(self, std::chrono::seconds(1), flush_atom::value);
    return {
        [=](touch_atom, const std::string& token, uint32_t n) { self->state.pending[JobKey{token, n}] = now_ms(); },
        [=](flush_atom) {
          flush(self);
          // The periodic pass (budget and idle age), every gc_interval.
          auto& st = self->state;
          if (++st.ticks * 1000 >= st.svc->tunables()->gc_interval_ms) {
            st.ticks = 0;
            maybe_pass(self);
          }
          self->delayed_send(self, std::chrono::seconds(1), flush_atom::value);
        },
        [=](tick_atom) {
          // A segment was just made: keep the cache within its budget now,
          // not at the next periodic pass.
          const GcPolicy p = self->state.svc->tunables()->gc;
          if (p.max_bytes > 0 && self->state.svc->state->local_bytes() > static_cast<int64_t>(p.max_bytes * p.high_water))
            pass(self, false);
        },
        [=](gc_atom, bool dry_run) -> std::string {
          GcReport local = pass(self, dry_run);
          return to_json(local, expire_remote(self, dry_run)).dump();
        },
        [=](status_atom) -> std::string {
          auto& st = self->state;
          return nlohmann::json{{"cache_bytes", st.svc->state->local_bytes()},
                                {"segments", st.svc->state->segment_count()},
                                {"max_bytes", st.svc->tunables()->gc.max_bytes},
                                {"access_times_recorded", st.flushed},
                                {"gc_passes", st.passes},
                                {"remote_copies", st.svc->state->remote_count()},
                                {"last_gc", to_json(st.last, st.last_remote)}}
              .dump();
        },
    };
  });
}

}  // namespace hlsfs

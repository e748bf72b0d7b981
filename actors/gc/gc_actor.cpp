#include "actors/gc/gc_actor.h"

#include <map>

#include <nlohmann/json.hpp>

#include "actors/segment_cache/segment_store.h"
#include "actors/segment_cache/state_store.h"
#include "actors/transcoder/job_queue.h"
#include "hlsfs/log.h"

namespace hlsfs {

namespace {

struct gc_state {
  std::shared_ptr<Services> svc;
  std::map<JobKey, int64_t> pending;  // latest access per segment since the last flush
  uint64_t flushed = 0;
  static inline const char* name = "gc";
};

void flush(gc_actor::stateful_pointer<gc_state> self) {
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

}  // namespace

gc_actor spawn_gc(caf::actor_system& sys, std::shared_ptr<Services> svc) {
  return sys.spawn([=](gc_actor::stateful_pointer<gc_state> self) -> gc_actor::behavior_type {
    self->state.svc = svc;
    self->delayed_send(self, std::chrono::seconds(1), flush_atom::value);
    return {
        [=](touch_atom, const std::string& token, uint32_t n) { self->state.pending[JobKey{token, n}] = now_ms(); },
        [=](flush_atom) {
          flush(self);
          self->delayed_send(self, std::chrono::seconds(1), flush_atom::value);
        },
        [=](status_atom) -> std::string {
          auto& st = self->state;
          return nlohmann::json{{"cache_bytes", st.svc->state->local_bytes()},
                                {"segments", st.svc->state->segment_count()},
                                {"access_times_recorded", st.flushed}}
              .dump();
        },
    };
  });
}

}  // namespace hlsfs

#include "actors/watchdog/watchdog_actor.h"

#include <memory>

#include "hlsfs/log.h"

namespace hlsfs {

std::chrono::milliseconds watchdog_interval(uint64_t watchdog_usec) {
  return std::max(std::chrono::milliseconds(10), std::chrono::milliseconds(watchdog_usec / 2000));
}

namespace {

struct WatchdogState {
  uint64_t round = 0;      // the tick whose answers are awaited
  size_t pending = 0;      // probes of that round yet to answer
  bool complained = false; // a missed round said once, until the next good one
};

}  // namespace

caf::actor spawn_watchdog(caf::actor_system& sys, std::chrono::milliseconds interval, std::vector<caf::actor> probes,
                          std::function<void()> alive) {
  return sys.spawn([=](caf::stateful_actor<WatchdogState>* self) -> caf::behavior {
    self->send(self, tick_atom::value);
    return {
        [=](tick_atom) {
          auto& st = self->state;
          if (st.pending > 0 && !st.complained) {
            HLSFS_LOG(warning, "watchdog") << st.pending << " of " << probes.size()
                                           << " actors did not answer within " << interval.count()
                                           << " ms: no keep-alive to systemd (it restarts hlsfsd after WatchdogSec)";
            st.complained = true;
          }
          const uint64_t round = ++st.round;
          st.pending = probes.size();
          for (const auto& probe : probes)
            self->request(probe, interval, status_atom::value)
                .then(
                    [=](const std::string&) {
                      auto& s = self->state;
                      if (s.round != round || s.pending == 0) return;  // a late answer of an earlier round
                      if (--s.pending == 0) {
                        if (s.complained) HLSFS_LOG(info, "watchdog") << "actors answer again";
                        s.complained = false;
                        alive();
                      }
                    },
                    [](caf::error&) {});  // timed out: that round sends nothing
          if (probes.empty()) alive();
          self->delayed_send(self, interval, tick_atom::value);
        },
    };
  });
}

}  // namespace hlsfs

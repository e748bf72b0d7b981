#include "actors/transcoder/transcoder_actor.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <map>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/transcoder/job_queue.h"
#include "actors/transcoder/segment_job.h"
#include "daemon/http/metrics.h"
#include "hlsfs/log.h"

namespace hlsfs {

namespace {

using result_promise = caf::typed_response_promise<int32_t, int64_t, std::string, double, std::string, bool>;

worker_actor::behavior_type worker(worker_actor::pointer self, std::shared_ptr<Services> svc) {
  return {
      [=](encode_atom, const std::string& token, uint32_t n,
          int32_t priority) -> caf::result<int32_t, int64_t, std::string, double, std::string, bool> {
        // Each job on a thread of its own: background work (prefetch,
        // initial) runs at nice 19, and the decoder's and x264's threads it
        // starts inherit that, so a reader's job gets the CPU at once even
        // when every worker is busy. (A thread may raise its nice value
        // without privileges, never lower it: hence one thread per job.)
        MadeSegment m;
        std::thread job([&] {
          if (priority != static_cast<int32_t>(Priority::on_demand))
            setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19);
          auto progress = svc->progress->start(JobKey{token, n});
          m = make_segment(*svc, token, n, progress.get());
          svc->progress->finish(JobKey{token, n});
        });
        job.join();
        return {m.err, m.size, m.checksum, m.seconds, m.message, m.fetched};
      },
  };
}

struct scheduler_state {
  std::shared_ptr<Services> svc;
  JobQueue queue;
  std::map<JobKey, std::vector<result_promise>> promises;
  std::map<JobKey, std::pair<Priority, std::chrono::steady_clock::time_point>> started;
  std::vector<worker_actor> idle;        // the configured workers, free
  // Readers' jobs that find every worker busy with background work get a
  // worker of their own (at most `workers` of them): they never queue behind
  // prefetch or initial jobs, which run at a lower CPU priority meanwhile.
  std::vector<worker_actor> extra_idle;
  size_t extra_spawned = 0, on_demand_running = 0;
  static inline const char* name = "transcoder";
};

using scheduler_pointer = transcoder_actor::stateful_pointer<scheduler_state>;

void update_gauges(scheduler_pointer self) {
  if (auto* m = self->state.svc->metrics.get()) {
    m->gauge("hlsfs_transcode_queue_depth", "Segment jobs waiting for a worker").set(static_cast<double>(self->state.queue.depth()));
    m->gauge("hlsfs_transcode_running", "Segment jobs being made").set(static_cast<double>(self->state.queue.running()));
  }
}

void dispatch(scheduler_pointer self) {
  auto& st = self->state;
  while (auto next_prio = st.queue.peek()) {
    bool extra = false;
    worker_actor w;
    if (!st.idle.empty()) {
      w = st.idle.back();
      st.idle.pop_back();
    } else if (*next_prio == Priority::on_demand && st.on_demand_running < static_cast<size_t>(st.svc->workers)) {
      extra = true;
      if (!st.extra_idle.empty()) {
        w = st.extra_idle.back();
        st.extra_idle.pop_back();
      } else {
        w = self->spawn<caf::detached + caf::linked>(worker, st.svc);
        ++st.extra_spawned;
      }
    } else {
      break;
    }
    auto [key, prio] = *st.queue.pop();
    if (prio == Priority::on_demand) ++st.on_demand_running;
    st.started[key] = {prio, std::chrono::steady_clock::now()};
    HLSFS_LOG(debug, "transcoder") << "start " << key.token << "/" << key.segment << " (" << to_string(prio) << ")";
    auto release = [=]() {
      auto& s = self->state;
      s.queue.finish(key);
      s.started.erase(key);
      (extra ? s.extra_idle : s.idle).push_back(w);
      if (prio == Priority::on_demand) --s.on_demand_running;
    };
    self->request(w, caf::infinite, encode_atom::value, key.token, key.segment, static_cast<int32_t>(prio))
        .then(
            [=](int32_t err, int64_t size, const std::string& sum, double secs, const std::string& msg, bool fetched) {
              auto& s = self->state;
              release();
              if (auto* m = s.svc->metrics.get()) {
                if (err == 0 && fetched) {
                  m->counter("hlsfs_segments_fetched_total", "Segments copied back from their object store, not made").inc();
                } else if (err == 0) {
                  m->counter("hlsfs_segments_transcoded_total", "Segments made").inc();
                  static const std::vector<double> buckets{0.25, 0.5, 1, 1.5, 2, 3, 5, 8, 13, 20, 30, 60};
                  m->histogram("hlsfs_segment_transcode_seconds", "Time to make one segment", buckets).observe(secs);
                } else {
                  m->counter("hlsfs_segment_failures_total", "Segments that could not be made").inc();
                }
              }
              for (auto& p : s.promises[key]) p.deliver(err, size, sum, secs, msg, fetched);
              s.promises.erase(key);
              dispatch(self);
            },
            [=](caf::error& e) {
              auto& s = self->state;
              release();
              for (auto& p : s.promises[key])
                p.deliver(int32_t{EIO}, int64_t{0}, std::string{}, 0.0, self->system().render(e), false);
              s.promises.erase(key);
              dispatch(self);
            });
  }
  update_gauges(self);
}

transcoder_actor::behavior_type scheduler(scheduler_pointer self, std::shared_ptr<Services> svc) {
  self->state.svc = svc;
  for (int i = 0; i < svc->workers; ++i) {
    auto w = self->spawn<caf::detached + caf::linked>(worker, svc);
    self->state.idle.push_back(w);
  }
  return {
      [=](transcode_atom, const std::string& token, uint32_t n, int32_t prio) {
        auto rp = self->make_response_promise<int32_t, int64_t, std::string, double, std::string, bool>();
        JobKey key{token, n};
        Priority p = static_cast<Priority>(std::clamp(prio, 0, 2));
        self->state.promises[key].push_back(rp);
        // A reader's request after a seek: the prefetch queued for the old
        // position goes, so workers serve where the reader is.
        if (p == Priority::on_demand) {
          auto dropped =
              self->state.queue.drop_prefetch_outside(token, n, n + static_cast<uint32_t>(svc->tunables()->prefetch_segments) + 1);
          for (const auto& d : dropped) {
            for (auto& w : self->state.promises[d])
              w.deliver(int32_t{ECANCELED}, int64_t{0}, std::string{}, 0.0, std::string{"prefetch dropped after a seek"},
                        false);
            self->state.promises.erase(d);
          }
        }
        self->state.queue.push(key, p);
        dispatch(self);
        return rp;
      },
      [=](status_atom) -> std::string {
        nlohmann::json j;
        auto& st = self->state;
        j["workers"] = svc->workers;
        j["queued"] = {{"on-demand", st.queue.depth(Priority::on_demand)},
                       {"prefetch", st.queue.depth(Priority::prefetch)},
                       {"initial", st.queue.depth(Priority::initial)}};
        auto now = std::chrono::steady_clock::now();
        j["running"] = nlohmann::json::array();
        for (const auto& [key, info] : st.started) {
          auto [done, total] = svc->progress->get(key);
          auto r = svc->catalog->by_token(key.token);
          j["running"].push_back({{"token", key.token},
                                  {"segment", key.segment},
                                  {"name", r ? r->store + "/" + r->dir + r->spec.segment_name(key.segment) : ""},
                                  {"priority", to_string(info.first)},
                                  {"seconds", std::chrono::duration<double>(now - info.second).count()},
                                  {"frames_done", done},
                                  {"frames_total", total}});
        }
        return j.dump();
      },
  };
}

}  // namespace

transcoder_actor spawn_transcoder(caf::actor_system& sys, std::shared_ptr<Services> svc) {
  return sys.spawn(scheduler, std::move(svc));
}

}  // namespace hlsfs

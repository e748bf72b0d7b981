#include "actors/transcoder/transcoder_actor.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>  // status

#include "actors/transcoder/heap_policy.h"
#include "actors/transcoder/job_queue.h"
#include "actors/transcoder/job_threads.h"
#include "actors/transcoder/segment_encoder.h"
#include "actors/transcoder/segment_job.h"
#include "actors/transcoder/watched_thread.h"
#include "actors/daemon_metrics.h"
#include "hlsfs/log.h"

namespace hlsfs {

namespace {

using result_promise = caf::typed_response_promise<JobResult>;

JobResult result_of(const MadeSegment& m) {
  return {m.err, m.size, m.checksum, m.seconds, m.message, m.fetched, m.temp};
}

// What a job's thread made, handed over to the worker that waits for it. A
// job given up on (no progress for its limit) may still end later on the
// thread left behind: the files it wrote for the owner are removed then,
// since nobody will place them (a crash meanwhile: reconcile_cache).
class Handover {
 public:
  void finish(std::vector<MadeSegment> made) {
    std::lock_guard<std::mutex> lock(mu_);
    made_ = std::move(made);
    finished_ = true;
    if (given_up_) drop_files();
  }
  std::vector<MadeSegment> take() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::move(made_);
  }
  void give_up() {
    std::lock_guard<std::mutex> lock(mu_);
    given_up_ = true;
    if (finished_) drop_files();
  }

 private:
  void drop_files() {
    for (auto& m : made_)
      if (!m.temp.empty()) unlink(m.temp.c_str());
    made_.clear();
  }
  std::mutex mu_;
  std::vector<MadeSegment> made_;
  bool finished_ = false, given_up_ = false;
};

// Runs job `job_id` on a thread of its own, named after the job: background
// work (prefetch, initial) runs at nice 19, and the decoder's and x264's
// threads it starts inherit that and the name, so a reader's job gets the CPU
// at once even when every worker is busy, and a background job a reader
// comes to wait for can be raised by name (job_threads.h). (One thread per
// job: a thread without CAP_SYS_NICE may raise its nice value, never lower it.)
// The job's entry on the board ends here, when the work does, not when the
// scheduler hears of it: a scheduler stopped meanwhile (SIGTERM) must not
// leave background jobs waiting for this one forever.
// A job that makes no progress for its deadline's limit is given up on
// (watched_thread.h): the worker answers at once and is free for the next
// job, and the job's thread, if it is stuck where nothing checks, is left
// behind (it ends on its own if its read ever returns). `work` owns what it
// touches: it may outlive this call.
Watched run_job(const std::shared_ptr<Services>& svc, int32_t priority, uint32_t job_id,
                const std::shared_ptr<ProgressDeadline>& deadline, std::function<void(EncodeProgress*)> work) {
  auto progress = svc->progress->find(job_id);
  Watched w = run_watched(
      deadline,
      [progress, priority, job_id, work = std::move(work)] {
        name_this_thread(job_thread_name(job_id));
        auto background = [&] {
          return progress ? progress->background.load() : priority != static_cast<int32_t>(Priority::on_demand);
        };
        if (background()) {
          const auto tid = static_cast<id_t>(syscall(SYS_gettid));
          setpriority(PRIO_PROCESS, tid, 19);
          // Raised before this thread had its name or nice 19 (the scheduler's
          // scan missed it): it lowers itself back.
          if (!background()) setpriority(PRIO_PROCESS, tid, daemon_nice());
        }
        work(progress.get());
      },
      abandoned_thread_limit(svc->workers));
  svc->progress->finish(job_id);
  return w;
}

// What a job that did not end by itself answers: ETIMEDOUT (its readers get
// EIO) or EBUSY (it never ran), and why, which the log shows.
MadeSegment not_made(const Services& svc, Watched w, const ProgressDeadline& deadline, const std::string& token,
                     uint32_t n, uint32_t job_id) {
  MadeSegment m;
  if (w == Watched::refused) {
    m.err = EBUSY;
    m.message = "not started: " + std::to_string(abandoned_threads()) +
                " segment jobs are still stuck (their source reads do not return)";
    return m;
  }
  m.err = ETIMEDOUT;
  m.message = deadline.reason();
  HLSFS_LOG(warning, "transcoder") << m.message << ": the job ends and its readers get EIO; its thread ("
                                   << job_thread_name(job_id)
                                   << ") is stuck in a read or a libav call and is left behind (" << abandoned_threads()
                                   << " now): " << segment_label(svc, token, n);
  return m;
}

// Segment n of renditions sharing one decode: one result per token.
std::vector<JobResult> encode_group(const std::shared_ptr<Services>& svc, const EncodeJob& job) {
  const std::vector<std::string>& tokens = job.tokens;
  const uint32_t n = job.n;
  auto handover = std::make_shared<Handover>();
  auto deadline = segment_deadline(*svc, tokens.front(), n);
  Watched w = run_job(svc, job.priority, job.job_id, deadline, [svc, tokens, n, handover](EncodeProgress* p) {
    handover->finish(make_segments(*svc, tokens, n, p));
  });
  if (w != Watched::done) handover->give_up();
  std::vector<MadeSegment> made =
      w == Watched::done ? handover->take()
                         : std::vector<MadeSegment>(tokens.size(),
                                                    not_made(*svc, w, *deadline, tokens.front(), n, job.job_id));
  std::vector<JobResult> out;
  for (const auto& m : made) {
    out.push_back(result_of(m));
    out.back().fetched = false;  // never fetched: groups are of renditions kept here
  }
  return out;
}

worker_actor::behavior_type worker(worker_actor::pointer self, std::shared_ptr<Services> svc) {
  return {
      [=](const EncodeJob& job) -> std::vector<JobResult> {
        const uint32_t n = job.n, job_id = job.job_id;
        const int32_t priority = job.priority;
        if (job.tokens.size() != 1) return encode_group(svc, job);
        const std::string token = job.tokens.front();
        auto handover = std::make_shared<Handover>();
        auto deadline = segment_deadline(*svc, token, n);
        Watched w = run_job(svc, priority, job_id, deadline, [svc, token, n, handover](EncodeProgress* p) {
          handover->finish({make_segment(*svc, token, n, p)});
        });
        if (w != Watched::done) handover->give_up();
        std::vector<MadeSegment> made = w == Watched::done ? handover->take() : std::vector<MadeSegment>{};
        MadeSegment m = made.size() == 1 ? made.front() : not_made(*svc, w, *deadline, token, n, job_id);
        return {result_of(m)};
      },
  };
}

constexpr auto kTrimAfterIdle = std::chrono::seconds(10);

// At most this many renditions per decode: the targets of one request (IMM
// allows 6) and their siblings.
constexpr size_t kMaxGroup = 6;

struct RunningJob {
  Priority priority;  // raised to on_demand when a reader comes to wait for it
  std::chrono::steady_clock::time_point since;
  uint32_t id;  // names its threads
};

struct scheduler_state {
  std::shared_ptr<Services> svc;
  JobQueue queue;
  std::map<JobKey, std::vector<result_promise>> promises;
  std::map<JobKey, RunningJob> started;
  uint32_t next_job_id = 0;
  // Set when a job ends; the heap's free memory goes back to the system once
  // no job has run or waited for kTrimAfterIdle (keep_large_allocations
  // keeps it between jobs, which a playing viewer asks for every few seconds).
  bool trim_when_idle = false;
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
  if (auto* m = self->state.svc->meters.get()) {
    m->transcoder.queue_depth->set(static_cast<double>(self->state.queue.depth()));
    m->transcoder.running->set(static_cast<double>(self->state.queue.running()));
  }
}

// A job refused or dropped: the queue was full (transcoder.max_queue), or
// too many jobs were stuck to start one.
void count_refused(scheduler_state& s, Priority p, RefusedReason reason) {
  if (auto* m = s.svc->meters.get()) m->transcoder.refused_job(p, reason).inc();
}

void count_result(scheduler_state& s, Priority prio, int32_t err, bool fetched, double secs) {
  auto* m = s.svc->meters.get();
  if (!m) return;
  if (err == 0 && fetched) {
    m->transcoder.fetched->inc();
  } else if (err == 0) {
    m->transcoder.transcoded->inc();
    m->transcoder.transcode_seconds->observe(secs);
  } else if (err == EBUSY) {  // never ran: too many jobs stuck (watched_thread.h)
    count_refused(s, prio, RefusedReason::stuck_jobs);
  } else if (err != ESHUTDOWN) {  // abandoned as hlsfsd stops: not a failure
    m->transcoder.failures->inc();
    if (err == ETIMEDOUT) m->transcoder.timeouts->inc();
  }
}

void deliver(scheduler_state& s, const JobKey& key, Priority prio, const JobResult& r) {
  count_result(s, prio, r.err, r.fetched, r.seconds);
  auto& waiting = s.promises[key];
  if (waiting.empty() && !r.temp.empty()) unlink(r.temp.c_str());  // nobody to place it
  for (auto& p : waiting) p.deliver(r);
  s.promises.erase(key);
}
// A job that made nothing: code (EIO unless said) and why.
JobResult failed(std::string why, int32_t code = EIO) {
  return {code, 0, std::string{}, 0.0, std::move(why), false, std::string{}};
}

void dispatch(scheduler_pointer self);

void dispatch_group(scheduler_pointer self, worker_actor w, const std::vector<JobKey>& group, Priority prio,
                    uint32_t job_id, const std::function<void()>& release) {
  std::vector<std::string> tokens;
  for (const auto& k : group) tokens.push_back(k.token);
  if (auto* m = self->state.svc->meters.get()) m->transcoder.shared_decode->inc(group.size());
  self->request(w, caf::infinite, EncodeJob{tokens, group.front().segment, static_cast<int32_t>(prio), job_id})
      .then(
          [=](const std::vector<JobResult>& results) {
            auto& s = self->state;
            release();
            for (size_t i = 0; i < group.size(); ++i)
              deliver(s, group[i], prio, i < results.size() ? results[i] : failed("malformed worker reply"));
            dispatch(self);
          },
          [=](caf::error& e) {
            auto& s = self->state;
            release();
            for (const auto& k : group) deliver(s, k, prio, failed(self->system().render(e)));
            dispatch(self);
          });
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
    const uint32_t job_id = ++st.next_job_id;
    st.started[key] = {prio, std::chrono::steady_clock::now(), job_id};
    st.svc->progress->start(job_id, prio != Priority::on_demand);
    HLSFS_LOG(debug, "transcoder") << "start (" << to_string(prio) << "): " << log_kv("token", key.token) << " "
                                   << log_kv("segment", key.segment);
    // The same segment of sibling renditions queued at the same priority (a
    // request's initial segments): one decode for all. Not across
    // priorities: a reader's job must not carry background work.
    std::vector<JobKey> group{key};
    auto sibling = [&](const JobKey& k, Priority p) {
      return p == prio && k.segment == key.segment && can_make_together(*st.svc, key.token, k.token, k.segment);
    };
    for (const JobKey& k : st.queue.take_queued(sibling, kMaxGroup - 1)) group.push_back(k);
    for (size_t i = 1; i < group.size(); ++i) st.started[group[i]] = {prio, std::chrono::steady_clock::now(), job_id};
    auto release = [=]() {
      auto& s = self->state;
      for (const JobKey& k : group) {
        s.queue.finish(k);
        s.started.erase(k);
      }
      s.svc->progress->finish(job_id);  // if the worker never ran it
      (extra ? s.extra_idle : s.idle).push_back(w);
      if (prio == Priority::on_demand) --s.on_demand_running;
      s.trim_when_idle = true;
    };
    if (group.size() > 1) {
      dispatch_group(self, w, group, prio, job_id, release);
      continue;
    }
    self->request(w, caf::infinite, EncodeJob{{key.token}, key.segment, static_cast<int32_t>(prio), job_id})
        .then(
            [=](const std::vector<JobResult>& results) {
              release();
              deliver(self->state, key, prio, results.size() == 1 ? results.front() : failed("malformed worker reply"));
              dispatch(self);
            },
            [=](caf::error& e) {
              release();
              deliver(self->state, key, prio, failed(self->system().render(e)));
              dispatch(self);
            });
  }
  if (st.trim_when_idle && st.queue.running() == 0 && st.queue.depth() == 0) {
    st.trim_when_idle = false;
    // Off the actor's thread (the trim walks every arena); skipped if a job
    // started meanwhile (its end arms the next one).
    std::thread([board = st.svc->progress, seen = st.svc->progress->jobs_started()] {
      std::this_thread::sleep_for(kTrimAfterIdle);
      if (board->jobs_started() == seen) return_free_memory();
    }).detach();
  }
  update_gauges(self);
}

// A reader now waits for `key`, which runs as background work (prefetch or
// initial, at nice 19 beside other background jobs): the job and every
// thread it started get a reader's CPU priority for the rest of it, and the
// other background jobs yield to it (job_progress.h).
void raise_for_reader(scheduler_state& st, const JobKey& key) {
  auto it = st.started.find(key);
  if (it == st.started.end() || it->second.priority == Priority::on_demand) return;
  const RunningJob job = it->second;
  for (auto& [k, r] : st.started)
    if (r.id == job.id) r.priority = Priority::on_demand;
  st.svc->progress->raise(job.id);
  RaiseResult raised = raise_job_threads(job_thread_name(job.id));
  if (raised.error) {
    // Once as a warning (the operator can act on it), then at debug.
    static bool warned = false;
    const std::string why = "cannot raise a job for a reader: " + std::string(std::strerror(raised.error)) +
                            " (hlsfsd needs CAP_SYS_NICE; the job goes on at nice 19): " + log_kv("token", key.token) +
                            " " + log_kv("segment", key.segment);
    if (warned) HLSFS_LOG(debug, "transcoder") << why;
    else HLSFS_LOG(warning, "transcoder") << why;
    warned = true;
    return;
  }
  HLSFS_LOG(debug, "transcoder") << "raised for a reader (" << to_string(job.priority) << ", " << raised.raised
                                 << " threads): " << log_kv("token", key.token) << " " << log_kv("segment", key.segment);
  if (auto* m = st.svc->meters.get()) m->transcoder.raised->inc();
}

transcoder_actor::behavior_type scheduler(scheduler_pointer self, std::shared_ptr<Services> svc) {
  self->state.svc = svc;
  for (int i = 0; i < svc->workers; ++i) {
    auto w = self->spawn<caf::detached + caf::linked>(worker, svc);
    self->state.idle.push_back(w);
  }
  return {
      [=](const SegmentJob& job) -> caf::result<JobResult> {
        const std::string& token = job.token;
        const uint32_t n = job.n;
        const int32_t prio = job.priority;
        auto& st = self->state;
        JobKey key{token, n};
        Priority p = static_cast<Priority>(std::clamp(prio, 0, 2));
        auto drop = [&](const JobKey& d, const std::string& why) {
          for (auto& w : st.promises[d]) w.deliver(failed(why, ECANCELED));
          st.promises.erase(d);
        };
        // A reader's request after a seek: the prefetch queued for the old
        // position goes, so workers serve where the reader is.
        if (p == Priority::on_demand) {
          auto r = svc->catalog->by_token(token);  // its TranscodeAhead, else prefetch_segments
          const int ahead = r ? prefetch_depth(r->spec, svc->tunables()->prefetch_segments)
                              : svc->tunables()->prefetch_segments;
          for (const auto& d : st.queue.drop_prefetch_outside(token, n, n + static_cast<uint32_t>(ahead) + 1))
            drop(d, "prefetch dropped after a seek");
        }
        if (p == Priority::on_demand && st.queue.is_running(key)) raise_for_reader(st, key);
        const auto tunables = svc->tunables();
        st.queue.set_limit(tunables->max_queue);
        PushResult pushed = st.queue.push(key, p);
        if (pushed.how == Pushed::refused) {
          count_refused(st, p, RefusedReason::queue_full);
          const std::string why = "refused: " + std::to_string(st.queue.depth()) +
                                  " segment jobs wait already (transcoder.max_queue " +
                                  std::to_string(tunables->max_queue) + ")";
          if (p == Priority::on_demand)
            HLSFS_LOG(warning, "transcoder") << why << ": " << log_kv("token", key.token) << " "
                                             << log_kv("segment", key.segment);
          update_gauges(self);
          return failed(why, EBUSY);
        }
        if (pushed.displaced) {  // room made for more urgent work
          count_refused(st, pushed.displaced_priority, RefusedReason::queue_full);
          drop(*pushed.displaced, std::string(to_string(pushed.displaced_priority)) +
                                      " job dropped: the queue is full (transcoder.max_queue)");
        }
        auto rp = self->make_response_promise<JobResult>();
        st.promises[key].push_back(rp);
        dispatch(self);
        return rp;
      },
      [=](status_atom) -> std::string {
        nlohmann::json j;
        auto& st = self->state;
        j["workers"] = svc->workers;
        j["abandoned_threads"] = abandoned_threads();  // jobs ended by their deadline, still stuck
        j["queued"] = {{"on-demand", st.queue.depth(Priority::on_demand)},
                       {"prefetch", st.queue.depth(Priority::prefetch)},
                       {"initial", st.queue.depth(Priority::initial)}};
        auto now = std::chrono::steady_clock::now();
        j["running"] = nlohmann::json::array();
        for (const auto& [key, info] : st.started) {
          auto [done, total] = svc->progress->get(info.id);
          auto r = svc->catalog->by_token(key.token);
          j["running"].push_back({{"token", key.token},
                                  {"segment", key.segment},
                                  {"name", r ? r->store + "/" + r->dir + r->spec.segment_name(key.segment) : ""},
                                  {"priority", to_string(info.priority)},
                                  {"seconds", std::chrono::duration<double>(now - info.since).count()},
                                  {"frames_done", done},
                                  {"frames_total", total}});
        }
        return j.dump();
      },
  };
}

}  // namespace

transcoder_actor spawn_transcoder(caf::actor_system& sys, std::shared_ptr<Services> svc) {
  if (auto* m = svc->metrics.get()) {
    m->gauge_callback("hlsfs_abandoned_job_threads",
                      "Threads of jobs ended by their deadline that are still stuck (in a source read or a libav call)",
                      [] { return static_cast<double>(abandoned_threads()); });
  }
  return sys.spawn(scheduler, std::move(svc));
}

}  // namespace hlsfs

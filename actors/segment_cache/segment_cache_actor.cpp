#include "actors/segment_cache/segment_cache_actor.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/segment_cache/eviction.h"
#include "actors/playlist/playlist_service.h"
#include "actors/segment_cache/open_segments.h"
#include "actors/segment_cache/segment_listing.h"
#include "actors/segment_cache/recent_segments.h"
#include "actors/segment_cache/segment_store.h"
#include "actors/segment_cache/state_store.h"
#include "actors/notify/notices.h"
#include "actors/notify/notifier.h"
#include "actors/storage/object_tags.h"
#include "actors/transcoder/job_queue.h"
#include "actors/transcoder/segment_job.h"
#include "actors/daemon_metrics.h"
#include "hlsfs/log.h"

namespace hlsfs {

namespace {

// What a request for a segment gets once it is on disk (err 0) or cannot be:
// the file in cache_dir and its size.
using Deliver = std::function<void(int32_t err, const std::string& path, int64_t size)>;

struct cache_state {
  std::shared_ptr<Services> svc;
  transcoder_actor transcoder;
  gc_actor gc;
  std::map<std::string, storage_actor> storage;  // by store name
  struct InFlight {
    std::vector<Deliver> waiters;  // readers
    std::vector<std::chrono::steady_clock::time_point> waiting_since;  // each waiter's arrival (hlsfs_reader_wait_seconds)
    bool asked_on_demand = false, asked_background = false;
    Priority first = Priority::on_demand;  // why it was asked for first (prefetch, initial, a reader)
    bool making_room = false, retried_after_enospc = false;  // see retry_after_enospc
  };
  std::map<JobKey, InFlight> inflight;
  // A rendition's InitialTranscode in progress: the segments still to come,
  // for its InitialTranscodeFinished notice (svc->notifier).
  struct InitialRun {
    std::set<uint32_t> waiting;
    uint32_t segments = 0, failed = 0;
  };
  std::map<std::string, InitialRun> initial;  // by token
  // Segments readers have open (OpenSegment .. CloseSegment): never evicted.
  OpenSegments open;
  // Access times since the last flush (a read costs no RocksDB write; one
  // batch per second, and one before every eviction, carries them all).
  std::map<JobKey, int64_t> touched;
  uint64_t flushed = 0;
  bool flush_failing = false;  // said once when it starts and once when it ends
  uint64_t hits = 0, misses = 0;
  static inline const char* name = "segment-cache";
};

using cache_pointer = segment_cache_actor::stateful_pointer<cache_state>;

// Answers every reader waiting for a segment made (or not) for them, and
// records how long each waited.
void answer_waiters(const cache_state& st, cache_state::InFlight& f, int32_t err, const std::string& path, int64_t size) {
  const auto now = std::chrono::steady_clock::now();
  for (auto& w : f.waiters) w(err, path, size);
  if (st.svc->meters)
    for (auto since : f.waiting_since)
      st.svc->meters->cache.wait(SegmentFound::cold).observe(std::chrono::duration<double>(now - since).count());
  f.waiters.clear();
  f.waiting_since.clear();
}

// "media/out/a/720p-<token>-3.ts of file:///srv/media/a.mkv": the segment
// (in its playlist's directory) and its source, for the log.
std::string describe(const Services& svc, const std::string& token, uint32_t n) {
  auto r = svc.catalog->by_token(token);
  if (!r) return log_kv("token", token) + " " + log_kv("segment", n);
  return log_kv("store", r->store) + " " + log_kv("key", r->dir + r->spec.segment_name(n)) + " " + log_kv("token", token) +
         " " + log_kv("segment", n) + " " + log_kv("source", r->spec.source_uri);
}

// A segment of a target in an object store, made or fetched back from there.
// Its copy is recorded so that the store's remote_max_age can expire it
// (written down before the upload: a record whose upload then fails only
// costs a DELETE of nothing later). A made one is also written there, so
// that it survives local eviction (fetched back, not made again) and other
// hlsfs hosts can serve it; the reader does not wait for this.
void keep_in_store(cache_pointer self, const std::string& token, uint32_t n, const std::string& path, int64_t size,
                   bool fetched) {
  auto& st = self->state;
  auto r = st.svc->catalog->by_token(token);
  auto backend = r ? st.svc->backend(r->store) : nullptr;
  if (!backend || !is_remote_store(*backend)) return;
  const std::string key = segment_key(*r, n), where = log_kv("store", r->store) + " " + log_kv("key", key);
  try {
    st.svc->state->put_remote(token, n, RemoteCopy{r->store, key, size, now_ms()});
  } catch (const std::exception& e) {
    if (st.svc->state->writes_failing())  // said once by the state store, not once per segment
      HLSFS_LOG(debug, "storage") << "copy not recorded (it will not expire): " << e.what() << ": " << where;
    else
      HLSFS_LOG(warning, "storage") << "copy not recorded (it will not expire): " << e.what() << ": " << where;
  }
  auto actor = st.storage.find(r->store);
  if (fetched || actor == st.storage.end()) return;
  auto metrics = st.svc->meters;
  self->request(actor->second, caf::infinite, upload_atom::value, key, path, object_tagging(r->spec.labels.tags))
      .then(
          [=](int32_t err, const std::string& msg) {
            if (err == 0) {
              if (metrics) metrics->cache.written_back->inc();
            } else {
              if (metrics) metrics->cache.write_back_failures->inc();
              HLSFS_LOG(warning, "storage") << "write-back failed: " << msg << ": " << where;
            }
          },
          [=](caf::error& e) { HLSFS_LOG(warning, "storage") << "write-back failed: " << to_string(e) << ": " << where; });
}

// A made segment measured against its masters' BANDWIDTH; a master raised
// is written into its store too (the mount shows the new text at once).
void measure(cache_pointer self, const std::string& token, uint32_t n, int64_t size) {
  auto& st = self->state;
  std::vector<PlaylistFile> raised;
  try {
    raised = measure_segment(*st.svc, token, n, size);
  } catch (const std::exception& e) {  // a damaged master record: the segment itself is fine
    HLSFS_LOG(warning, "playlist") << "cannot check BANDWIDTH: " << e.what() << ": " << log_kv("token", token) << " "
                                   << log_kv("segment", n);
  }
  for (const PlaylistFile& f : raised) {
    if (st.svc->meters) st.svc->meters->cache.master_bandwidth_raised->inc();
    auto actor = st.storage.find(f.store);
    if (actor == st.storage.end()) continue;
    std::string where = log_kv("store", f.store) + " " + log_kv("key", f.key);
    self->request(actor->second, caf::infinite, write_atom::value, f.key, f.text, false, f.tagging)
        .then(
            [=](int32_t err, const std::string& msg) {
              if (err) HLSFS_LOG(warning, "storage") << "rewrite failed: " << msg << ": " << where;
            },
            [=](caf::error& e) { HLSFS_LOG(warning, "storage") << "rewrite failed: " << to_string(e) << ": " << where; });
  }
}

void request_job(cache_pointer self, const std::string& token, uint32_t n, Priority p);

// Only the owner creates names in cache_dir: a made segment comes back as a
// file in the temp area (written and fsynced by its job), renamed here into
// its place. 0, or the errno its readers get (message: why).
int32_t place_made(const Services& svc, const std::string& token, uint32_t n, const std::string& temp,
                   std::string& message) {
  if (temp.empty()) {
    message = "the job handed back no file";
    return EIO;
  }
  try {
    svc.segments->place(temp, token, n);
    return 0;
  } catch (const std::exception& e) {
    message = e.what();
    bool full = message.find(strerror(ENOSPC)) != std::string::npos || message.find(strerror(EDQUOT)) != std::string::npos;
    return full ? ENOSPC : EIO;
  }
}

void discard_temp(const std::string& temp) {
  if (!temp.empty()) unlink(temp.c_str());
}

// Segment n of token is done with (made: ok, or not): its InitialTranscode
// run, if it is one of its segments, may be finished.
void initial_segment_done(cache_state& st, const std::string& token, uint32_t n, bool ok) {
  auto it = st.initial.find(token);
  if (it == st.initial.end() || !it->second.waiting.erase(n)) return;
  if (!ok) ++it->second.failed;
  if (!it->second.waiting.empty()) return;
  auto r = st.svc->catalog->by_token(token);
  if (r && st.svc->notifier)
    st.svc->notifier->notify(initial_transcode_notice(r->spec, it->second.segments, it->second.failed, now_ms()));
  st.initial.erase(it);
}

void segment_failed(cache_state& st, const std::string& token, uint32_t n, const std::string& message) {
  auto r = st.svc->catalog->by_token(token);
  if (r && st.svc->notifier) st.svc->notifier->notify(segment_failed_notice(r->spec, n, message, now_ms()));
}

// cache_dir was full when the segment was written (ENOSPC): the GC evicts at
// once and the job runs once more, so that its readers get the segment, not
// the error. True when the answer is taken care of here; false when the
// retry failed too (the caller answers the readers).
bool retry_after_enospc(cache_pointer self, const JobKey& key) {
  auto& f = self->state.inflight[key];
  if (f.making_room) return true;  // the same job's answer to an earlier request of it
  if (f.retried_after_enospc) return false;
  f.making_room = true;
  auto after = [=](int64_t freed, const std::string& what) {
    auto& st = self->state;
    auto it = st.inflight.find(key);
    if (it == st.inflight.end()) return;
    auto& f = it->second;
    f.making_room = false;
    f.retried_after_enospc = true;
    if (freed > 0) {
      const Priority p = f.asked_on_demand ? Priority::on_demand : f.first;
      f.asked_on_demand = f.asked_background = false;
      request_job(self, key.token, key.segment, p);
      return;
    }
    HLSFS_LOG(error, "transcoder") << "cannot make " << describe(*st.svc, key.token, key.segment) << ": cache full: " << what;
    answer_waiters(st, f, int32_t{ENOSPC}, std::string{}, int64_t{0});
    st.inflight.erase(it);
    segment_failed(st, key.token, key.segment, "cache full: " + what);
    initial_segment_done(st, key.token, key.segment, false);
  };
  self->request(self->state.gc, caf::infinite, make_room_atom::value)
      .then([=](const RoomMade& room) { after(room.freed, room.what); },
            [=](caf::error&) { after(0, "the GC did not answer"); });
  return true;
}

// Asks the transcoder for (token, n) unless an equal or more urgent request
// is already out (the transcoder merges a reader's request into a queued
// prefetch of the same segment).
void request_job(cache_pointer self, const std::string& token, uint32_t n, Priority p) {
  JobKey key{token, n};
  bool fresh = !self->state.inflight.count(key);
  auto& f = self->state.inflight[key];
  if (fresh) f.first = p;
  if (p == Priority::on_demand) {
    if (f.asked_on_demand) return;
    f.asked_on_demand = true;
  } else {
    if (f.asked_on_demand || f.asked_background) return;
    f.asked_background = true;
  }
  self->request(self->state.transcoder, caf::infinite, SegmentJob{token, n, static_cast<int32_t>(p)})
      .then(
          [=](const JobResult& job) {
            int32_t err = job.err;
            const int64_t size = job.size;
            const std::string& sum = job.sum;
            const double secs = job.seconds;
            std::string msg = job.message;
            const bool fetched = job.fetched;
            auto& st = self->state;
            auto it = st.inflight.find(key);
            // Answered already (an upgraded request came back first, with
            // the same result: its file was placed then, or is removed now).
            if (it == st.inflight.end()) return discard_temp(job.temp);
            if (err == 0) err = place_made(*st.svc, token, n, job.temp, msg);
            else discard_temp(job.temp);  // a failed job's file never gets a name
            // A dropped prefetch (after a seek, or to make room in the
            // queue), or background work the transcoder refused.
            if (err == ECANCELED || (err == EBUSY && p != Priority::on_demand)) {
              it->second.asked_background = false;
              if (it->second.asked_on_demand) return;  // a reader's request is still out
              st.inflight.erase(it);
              initial_segment_done(st, token, n, false);
              return;
            }
            if (err == ENOSPC && retry_after_enospc(self, key)) return;
            std::string path = st.svc->segments->path_of(token, n);
            if (err == 0) {
              try {
                st.svc->segments->record(token, n, size, sum);
              } catch (const std::exception& e) {
                // The state store said so (once): the file is whole, its readers get it.
                HLSFS_LOG(debug, "transcoder") << describe(*st.svc, token, n) << " served but not recorded: " << e.what();
              }
              self->send(st.gc, tick_atom::value);
              const auto& f = it->second;
              // A reader's request outranks the background one it joined.
              const char* why = to_string(f.asked_on_demand ? Priority::on_demand : f.first);
              keep_in_store(self, token, n, path, size, fetched);
              measure(self, token, n, size);
              HLSFS_LOG(info, "transcoder") << (fetched ? "fetched " : "made ") << describe(*st.svc, token, n) << " ("
                                            << size << " bytes, " << secs << " s, " << why
                                            << (f.waiters.empty() ? "" : ", " + std::to_string(f.waiters.size()) +
                                                                             " reader(s) waited")
                                            << ")";
              if (st.svc->recent) {
                auto r = st.svc->catalog->by_token(token);
                st.svc->recent->add(SegmentEvent{0, now_ms(), token, n, secs, size,
                                                static_cast<int>(f.waiters.size()), why,
                                                r ? r->spec.labels.tags : std::map<std::string, std::string>{},
                                                r ? r->spec.labels.user_data : std::string{}});
              }
            } else if (err == ESHUTDOWN) {
              HLSFS_LOG(info, "transcoder") << describe(*st.svc, token, n) << ": " << msg;
            } else if (err == EBUSY) {  // the queue is full: readers may try again
              HLSFS_LOG(warning, "transcoder") << describe(*st.svc, token, n) << ": " << msg;
            } else {
              HLSFS_LOG(error, "transcoder") << "cannot make " << describe(*st.svc, token, n) << ": "
                                             << (err == ENOSPC ? "cache full: " : "") << msg;
              segment_failed(st, token, n, (err == ENOSPC ? "cache full: " : "") + msg);
            }
            answer_waiters(st, it->second, err, path, size);
            st.inflight.erase(it);
            initial_segment_done(st, token, n, err == 0);
          },
          [=](caf::error& e) {
            auto& st = self->state;
            auto it = st.inflight.find(key);
            if (it == st.inflight.end()) return;
            answer_waiters(st, it->second, int32_t{EIO}, std::string{}, int64_t{0});
            st.inflight.erase(it);
            initial_segment_done(st, token, n, false);
          });
}

// A rendition's InitialTranscode starts: segments [from, to) are awaited
// (those on disk already count as made). Only with a notifier: nothing else
// reads it.
void track_initial(cache_state& st, const std::string& token, uint32_t from, uint32_t to) {
  auto r = st.svc->catalog->by_token(token);
  if (!r || !st.svc->notifier) return;
  to = std::min<uint32_t>(to, static_cast<uint32_t>(r->spec.plan.size()));
  auto& run = st.initial[token];  // a second generate of the same rendition joins the first
  for (uint32_t i = from; i < to; ++i)
    if (!st.svc->segments->present(token, i)) run.waiting.insert(i);
  run.segments = std::max(run.segments, to - std::min(from, to));
  if (run.waiting.empty()) {
    st.initial.erase(token);
    st.svc->notifier->notify(initial_transcode_notice(r->spec, to - std::min(from, to), 0, now_ms()));
  }
}

void prefetch(cache_pointer self, const std::string& token, uint32_t from, uint32_t to, Priority p) {
  auto r = self->state.svc->catalog->by_token(token);
  if (!r) return;
  to = std::min<uint32_t>(to, static_cast<uint32_t>(r->spec.plan.size()));
  for (uint32_t i = from; i < to; ++i) {
    JobKey key{token, i};
    if (self->state.inflight.count(key) || self->state.svc->segments->present(token, i)) continue;
    request_job(self, token, i, p);
  }
}

// Writes down the access times of readers since the last flush. A failing
// state directory (read-only, full) fails every flush: said once when it
// starts and once when it ends, not every second.
void flush_touches(cache_state& st) {
  if (st.touched.empty()) return;
  std::vector<std::tuple<std::string, uint32_t, int64_t>> batch;
  batch.reserve(st.touched.size());
  for (const auto& [k, t] : st.touched) batch.emplace_back(k.token, k.segment, t);
  try {
    st.svc->state->touch(batch);
    st.flushed += batch.size();
    if (st.flush_failing) HLSFS_LOG(info, "gc") << "access times recorded again";
    st.flush_failing = false;
  } catch (const std::exception& e) {
    if (st.flush_failing || st.svc->state->writes_failing())
      HLSFS_LOG(debug, "gc") << "access times not recorded: " << e.what();
    else
      HLSFS_LOG(warning, "gc") << "access times not recorded: " << e.what() << " (said once; retried every second)";
    st.flush_failing = true;
  }
  st.touched.clear();
}

// Makes sure segment n of token is on disk and calls deliver: at once when
// it is, else when its one job ends (200 readers = 1 job). for_reader: a
// reader's open (its access counts, the next segments are queued);
// otherwise (getattr) a segment on disk is only measured.
void serve(cache_pointer self, const std::string& token, uint32_t n, const Deliver& deliver, bool for_reader) {
  const auto arrived = std::chrono::steady_clock::now();
  auto& st = self->state;
  auto r = st.svc->catalog->by_token(token);
  if (!r || !r->spec.has_segment(n)) return deliver(ENOENT, std::string{}, 0);  // fMP4: and its init
  auto size = st.svc->segments->present(token, n);
  if (size && !for_reader) return deliver(0, st.svc->segments->path_of(token, n), *size);
  st.touched[JobKey{token, n}] = now_ms();
  // The rendition's TranscodeAhead, else transcoder.prefetch_segments.
  const auto ahead = static_cast<uint32_t>(prefetch_depth(r->spec, st.svc->tunables()->prefetch_segments));
  auto next = [&] { prefetch(self, token, n + 1, n + 1 + ahead, Priority::prefetch); };
  if (size) {
    ++st.hits;
    next();
    if (st.svc->meters)
      st.svc->meters->cache.wait(SegmentFound::cached)
          .observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - arrived).count());
    return deliver(0, st.svc->segments->path_of(token, n), *size);
  }
  ++st.misses;
  // Waiters of one segment are bounded (transcoder.max_waiters): beyond, a
  // reader hears EBUSY at once and may try again.
  if (auto it = st.inflight.find(JobKey{token, n});
      it != st.inflight.end() && it->second.waiters.size() >= st.svc->tunables()->max_waiters) {
    if (st.svc->meters) st.svc->meters->cache.readers_refused->inc();
    HLSFS_LOG(debug, "transcoder") << describe(*st.svc, token, n) << ": reader refused, " << it->second.waiters.size()
                                   << " wait already (transcoder.max_waiters)";
    return deliver(EBUSY, std::string{}, 0);
  }
  auto& f = st.inflight[JobKey{token, n}];
  f.waiters.push_back(deliver);
  f.waiting_since.push_back(arrived);
  request_job(self, token, n, Priority::on_demand);
  next();
}

}  // namespace

segment_cache_actor spawn_segment_cache(caf::actor_system& sys, std::shared_ptr<Services> svc,
                                        transcoder_actor transcoder, gc_actor gc,
                                        std::map<std::string, storage_actor> storage) {
  auto owner = sys.spawn([=](cache_pointer self) -> segment_cache_actor::behavior_type {
    self->state.svc = svc;
    self->state.transcoder = transcoder;
    self->state.gc = gc;
    self->state.storage = std::move(storage);
    self->delayed_send(self, std::chrono::seconds(1), flush_atom::value);
    return {
        [=](const OpenSegment& m) -> caf::result<OpenedSegment> {
          auto rp = self->make_response_promise<OpenedSegment>();
          const JobKey key{m.token, m.n};
          serve(
              self, m.token, m.n,
              [self, rp, key](int32_t err, const std::string& path, int64_t size) mutable {
                if (err) return (void)rp.deliver(OpenedSegment{err, -1, 0});
                // Opened and counted in one step: no eviction comes between.
                int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
                if (fd < 0) return (void)rp.deliver(OpenedSegment{EIO, -1, 0});  // removed by hand meanwhile
                self->state.open.opened(key.token, key.segment);
                rp.deliver(OpenedSegment{0, fd, size});
              },
              true);
          return rp;
        },
        [=](const CloseSegment& m) { self->state.open.closed(m.token, m.n); },
        [=](const StatSegment& m) -> caf::result<SegmentSize> {
          auto rp = self->make_response_promise<SegmentSize>();
          serve(
              self, m.token, m.n,
              [rp](int32_t err, const std::string&, int64_t size) mutable { rp.deliver(SegmentSize{err, size}); }, false);
          return rp;
        },
        [=](const ListDirectory& m) -> DirPage {
          DirPage page;
          int64_t seen = 0;
          try {
            list_directory(*self->state.svc->catalog, self->state.svc->state.get(), m.path, m.from,
                           [&](const std::string& name, bool is_dir, const DirCursor& after) {
                             if (++seen <= m.skip) return true;
                             if (page.entries.size() >= m.max) return false;
                             page.entries.push_back(DirPageEntry{name, is_dir, after});
                             return true;
                           });
          } catch (const std::exception& e) {
            page.error = e.what();
          }
          return page;
        },
        [=](const EvictOrder& o) -> caf::result<GcReport> {
          auto& st = self->state;
          flush_touches(st);  // recent reads must count before anything is judged cold
          try {
            return run_gc(*st.svc->state, *st.svc->segments, st.svc->tunables()->gc, now_ms(),
                          [&st](const std::string& t, uint32_t n) { return st.open.is_open(t, n); }, o.dry_run,
                          o.must_free);
          } catch (const std::exception& e) {  // the state cannot be read or written: nothing is evicted
            return caf::make_error(caf::sec::runtime_error, std::string{e.what()});
          }
        },
        [=](flush_atom) {
          flush_touches(self->state);
          self->delayed_send(self, std::chrono::seconds(1), flush_atom::value);
        },
        [=](const PrefetchSegments& m) {
          if (m.priority == 2) track_initial(self->state, m.token, m.from, m.to);
          prefetch(self, m.token, m.from, m.to, m.priority == 2 ? Priority::initial : Priority::prefetch);
        },
        [=](status_atom) -> std::string {
          nlohmann::json j{{"hits", self->state.hits},
                           {"misses", self->state.misses},
                           {"in_flight", self->state.inflight.size()},
                           {"open", self->state.open.count()},
                           {"access_times_recorded", self->state.flushed}};
          return j.dump();
        },
    };
  });
  if (gc) caf::anon_send(gc, owner_atom::value, owner);  // the GC asks it to evict
  return owner;
}

}  // namespace hlsfs

// The transcoder's queue: one job per segment however many readers wait,
// highest priority first (a reader never waits behind prefetch or initial
// work), first come first served within a priority. It holds at most its
// limit of waiting jobs (transcoder.max_queue): a job beyond it takes the
// place of the newest less urgent one, or is refused.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace hlsfs {

enum class Priority : int { on_demand = 0, prefetch = 1, initial = 2 };
const char* to_string(Priority p);

struct JobKey {
  std::string token;
  uint32_t segment = 0;
  friend bool operator<(const JobKey& a, const JobKey& b) {
    return std::tie(a.token, a.segment) < std::tie(b.token, b.segment);
  }
  friend bool operator==(const JobKey& a, const JobKey& b) { return a.token == b.token && a.segment == b.segment; }
};

// What push() did with a job.
enum class Pushed {
  queued,     // it waits for a worker now
  raised,     // it waited already, at a lower priority
  unchanged,  // it runs, or waits at this priority or higher: join it
  refused,    // the queue is full of jobs as urgent or more
};

struct PushResult {
  Pushed how = Pushed::queued;
  // A waiting job dropped to make room (its waiters must hear), and its priority.
  std::optional<JobKey> displaced;
  Priority displaced_priority = Priority::initial;
  // Whether the job waits now at the priority asked for (queued or raised).
  explicit operator bool() const { return how == Pushed::queued || how == Pushed::raised; }
};

class JobQueue {
 public:
  // `limit`: waiting jobs at most (running ones do not count); at least 1.
  explicit JobQueue(size_t limit = SIZE_MAX) { set_limit(limit); }
  void set_limit(size_t limit) { limit_ = limit < 1 ? 1 : limit; }
  size_t limit() const { return limit_; }

  // Queues a job, or raises the priority of a queued one. A new job that
  // finds the queue full drops the newest waiting job of a lower priority
  // (prefetch and initial work make room for a reader's job, initial work
  // for a prefetch), or is refused when there is none.
  PushResult push(const JobKey& key, Priority p);
  // The next job to run (it becomes "running"), or nullopt.
  std::optional<std::pair<JobKey, Priority>> pop();
  // The priority of the job pop() would return.
  std::optional<Priority> peek() const;
  void finish(const JobKey& key);
  // Takes queued jobs that `fits` accepts (at most `limit`, in queue order):
  // they become running, to be made together with a job just popped.
  std::vector<JobKey> take_queued(const std::function<bool(const JobKey&, Priority)>& fits, size_t limit);
  // Drops queued prefetch jobs of `token` outside [from, to): after a seek,
  // the prefetch of the old position is no longer worth a worker.
  // Returns the dropped jobs (their waiters must hear about it).
  std::vector<JobKey> drop_prefetch_outside(const std::string& token, uint32_t from, uint32_t to);

  bool is_queued(const JobKey& key) const { return queued_.count(key) > 0; }
  bool is_running(const JobKey& key) const { return running_.count(key) > 0; }
  size_t depth() const { return queued_.size(); }
  size_t running() const { return running_.size(); }
  size_t depth(Priority p) const;

 private:
  struct Slot {
    Priority priority;
    uint64_t seq;
  };
  std::map<JobKey, Slot> queued_;
  std::set<std::tuple<int, uint64_t, JobKey>> order_;  // (priority, seq, key)
  std::set<JobKey> running_;
  uint64_t seq_ = 0;
  size_t limit_ = SIZE_MAX;
};

}  // namespace hlsfs

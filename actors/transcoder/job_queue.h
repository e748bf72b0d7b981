// The transcoder's queue: one job per segment however many readers wait,
// highest priority first (a reader never waits behind prefetch or initial
// work), first come first served within a priority.
#pragma once
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

class JobQueue {
 public:
  // Queues a job, or raises the priority of a queued one. Returns false when
  // the job is already running or already queued at this priority or higher.
  bool push(const JobKey& key, Priority p);
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
};

}  // namespace hlsfs

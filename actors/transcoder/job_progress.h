// The progress of running segment jobs, by segment: the worker thread that
// encodes updates it, the scheduler reads it for `hlsfsctl status`.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "actors/transcoder/job_queue.h"
#include "actors/transcoder/segment_encoder.h"

namespace hlsfs {

class JobProgressBoard {
 public:
  std::shared_ptr<EncodeProgress> start(const JobKey& key) {
    auto p = std::make_shared<EncodeProgress>();
    std::lock_guard<std::mutex> lock(mu_);
    jobs_[key] = p;
    return p;
  }
  void finish(const JobKey& key) {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.erase(key);
  }
  // {frames done, total} of a running job; {0, 0} when unknown.
  std::pair<int64_t, int64_t> get(const JobKey& key) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = jobs_.find(key);
    if (it == jobs_.end()) return {0, 0};
    return {it->second->frames.load(), it->second->total.load()};
  }

 private:
  mutable std::mutex mu_;
  std::map<JobKey, std::shared_ptr<EncodeProgress>> jobs_;
};

}  // namespace hlsfs

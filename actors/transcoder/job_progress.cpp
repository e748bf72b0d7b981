#include "actors/transcoder/job_progress.h"

namespace hlsfs {

std::shared_ptr<EncodeProgress> JobProgressBoard::start(uint32_t job, bool background) {
  auto p = std::make_shared<EncodeProgress>();
  p->background = background;
  p->reader_jobs = reader_jobs_;
  if (!background) ++*reader_jobs_;
  ++started_;
  std::lock_guard<std::mutex> lock(mu_);
  jobs_[job] = p;
  return p;
}

std::shared_ptr<EncodeProgress> JobProgressBoard::find(uint32_t job) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(job);
  return it == jobs_.end() ? nullptr : it->second;
}

void JobProgressBoard::raise(uint32_t job) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(job);
  if (it != jobs_.end() && it->second->background.exchange(false)) ++*reader_jobs_;
}

void JobProgressBoard::finish(uint32_t job) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(job);
  if (it == jobs_.end()) return;
  if (!it->second->background) --*reader_jobs_;
  jobs_.erase(it);
}

std::pair<int64_t, int64_t> JobProgressBoard::get(uint32_t job) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(job);
  if (it == jobs_.end()) return {0, 0};
  return {it->second->frames.load(), it->second->total.load()};
}

}  // namespace hlsfs

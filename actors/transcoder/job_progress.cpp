#include "actors/transcoder/job_progress.h"

#include <sched.h>

#include <algorithm>

namespace hlsfs {

std::shared_ptr<EncodeProgress> JobProgressBoard::start(uint32_t job, bool background) {
  auto p = std::make_shared<EncodeProgress>();
  p->background = background;
  p->reader_jobs = reader_jobs_;
  p->pause_at = pause_at_;
  p->stopping = stopping_;
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

int JobProgressBoard::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(jobs_.size());
}

std::pair<int64_t, int64_t> JobProgressBoard::get(uint32_t job) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(job);
  if (it == jobs_.end()) return {0, 0};
  return {it->second->frames.load(), it->second->total.load()};
}

int reader_jobs_filling(int cpus, int encoder_threads) {
  if (cpus < 1 || encoder_threads < 1) return 1;
  return std::max(1, (cpus + encoder_threads - 1) / encoder_threads);
}

int usable_cpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

}  // namespace hlsfs

#include "actors/transcoder/job_queue.h"

#include <iterator>

namespace hlsfs {

const char* to_string(Priority p) {
  switch (p) {
    case Priority::on_demand: return "on-demand";
    case Priority::prefetch: return "prefetch";
    case Priority::initial: return "initial";
  }
  return "?";
}

PushResult JobQueue::push(const JobKey& key, Priority p) {
  PushResult r;
  if (running_.count(key)) {
    r.how = Pushed::unchanged;
    return r;
  }
  auto it = queued_.find(key);
  if (it != queued_.end()) {
    if (static_cast<int>(it->second.priority) <= static_cast<int>(p)) {
      r.how = Pushed::unchanged;
      return r;
    }
    order_.erase({static_cast<int>(it->second.priority), it->second.seq, key});
    it->second = Slot{p, seq_++};
    order_.insert({static_cast<int>(p), it->second.seq, key});
    r.how = Pushed::raised;
    return r;
  }
  if (queued_.size() >= limit_) {
    // The last in order: the least urgent priority, and its newest job.
    auto last = std::prev(order_.end());
    const auto [prio, seq, victim] = *last;
    if (prio <= static_cast<int>(p)) {
      r.how = Pushed::refused;
      return r;
    }
    order_.erase(last);
    queued_.erase(victim);
    r.displaced = victim;
    r.displaced_priority = static_cast<Priority>(prio);
  }
  Slot s{p, seq_++};
  queued_.emplace(key, s);
  order_.insert({static_cast<int>(p), s.seq, key});
  r.how = Pushed::queued;
  return r;
}

std::optional<std::pair<JobKey, Priority>> JobQueue::pop() {
  if (order_.empty()) return std::nullopt;
  auto [prio, seq, key] = *order_.begin();
  order_.erase(order_.begin());
  queued_.erase(key);
  running_.insert(key);
  return std::make_pair(key, static_cast<Priority>(prio));
}

std::optional<Priority> JobQueue::peek() const {
  if (order_.empty()) return std::nullopt;
  return static_cast<Priority>(std::get<0>(*order_.begin()));
}

void JobQueue::finish(const JobKey& key) { running_.erase(key); }

std::vector<JobKey> JobQueue::take_queued(const std::function<bool(const JobKey&, Priority)>& fits, size_t limit) {
  std::vector<JobKey> taken;
  for (auto it = order_.begin(); it != order_.end() && taken.size() < limit;) {
    const JobKey key = std::get<2>(*it);
    if (!fits(key, static_cast<Priority>(std::get<0>(*it)))) {
      ++it;
      continue;
    }
    it = order_.erase(it);
    queued_.erase(key);
    running_.insert(key);
    taken.push_back(key);
  }
  return taken;
}

std::vector<JobKey> JobQueue::drop_prefetch_outside(const std::string& token, uint32_t from, uint32_t to) {
  std::vector<JobKey> dropped;
  for (auto it = queued_.lower_bound(JobKey{token, 0}); it != queued_.end() && it->first.token == token;) {
    if (it->second.priority == Priority::prefetch && (it->first.segment < from || it->first.segment >= to)) {
      order_.erase({static_cast<int>(it->second.priority), it->second.seq, it->first});
      dropped.push_back(it->first);
      it = queued_.erase(it);
    } else {
      ++it;
    }
  }
  return dropped;
}

size_t JobQueue::depth(Priority p) const {
  size_t n = 0;
  for (const auto& [k, s] : queued_) n += s.priority == p;
  return n;
}

}  // namespace hlsfs

#include "actors/library/title_memo.h"

namespace hlsfs {

TitleMemo::Verdict TitleMemo::check(const std::string& key, const SourceStamp& now) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto b = broken_.find(key); b != broken_.end() && b->second == now) return Verdict::broken;
  auto p = published_.find(key);
  if (p == published_.end()) return Verdict::unknown;
  return p->second.stamp == now ? Verdict::current : Verdict::changed;
}

bool TitleMemo::is_broken(const std::string& key, const SourceStamp& now) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto b = broken_.find(key);
  return b != broken_.end() && b->second == now;
}

void TitleMemo::published(const std::string& key, const SourceStamp& stamp, const std::string& master_token) {
  std::lock_guard<std::mutex> lock(mu_);
  if (published_.size() >= kRemembered && !published_.count(key)) published_.clear();
  published_[key] = Published{stamp, master_token};
  broken_.erase(key);
}

bool TitleMemo::broken(const std::string& key, const SourceStamp& stamp) {
  std::lock_guard<std::mutex> lock(mu_);
  if (broken_.size() >= kRemembered && !broken_.count(key)) broken_.clear();  // logged again, once
  auto [it, fresh] = broken_.emplace(key, stamp);
  if (!fresh) {
    if (it->second == stamp) return false;
    it->second = stamp;  // another version, broken too: said again
  }
  return true;
}

std::optional<std::string> TitleMemo::forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto p = published_.find(key);
  if (p == published_.end()) return std::nullopt;
  std::string token = p->second.master_token;
  published_.erase(p);
  return token;
}

std::vector<std::string> TitleMemo::forget_under(const std::string& prefix) {
  std::vector<std::string> tokens;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = published_.lower_bound(prefix); it != published_.end() && it->first.compare(0, prefix.size(), prefix) == 0;) {
    tokens.push_back(it->second.master_token);
    it = published_.erase(it);
  }
  return tokens;
}

size_t TitleMemo::published_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return published_.size();
}

}  // namespace hlsfs

// The titles generated lately, with their Tags and UserData, for operators
// (GET /v1/status, `hlsfsctl status`). A bounded ring, thread-safe: a
// generate appends, the control API reads. Since the start only: the Tags
// themselves are kept with each rendition's record (its request) and come
// back with it after a restart (events and object tags carry them).
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace hlsfs {

struct TitleEvent {
  int64_t time_ms = 0;
  std::string request_id;
  std::string uri;    // MasterURI, else the one target's playlist
  std::string token;  // the response's Token
  std::map<std::string, std::string> tags;
  std::string user_data;
  std::vector<std::string> skipped;  // OverwritePolicy skip-existing: what was left as it was
};

class RecentTitles {
 public:
  explicit RecentTitles(size_t capacity = 50) : capacity_(capacity) {}
  void add(TitleEvent t);
  std::vector<TitleEvent> newest_first() const;

 private:
  mutable std::mutex mu_;
  size_t capacity_;
  std::deque<TitleEvent> ring_;
};

}  // namespace hlsfs

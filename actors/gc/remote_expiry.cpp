#include "actors/gc/remote_expiry.h"

#include <algorithm>
#include <set>

#include "actors/segment_cache/state_store.h"

namespace hlsfs {

RemoteExpiryReport expire_remote_copies(
    StateStore& state, const std::map<std::string, int64_t>& max_age_ms, int64_t now_ms,
    const std::function<void(const std::string&, const std::string&)>& remove_object, bool dry_run,
    SharedUse* shared) {
  RemoteExpiryReport r;
  r.dry_run = dry_run;
  int64_t youngest_age = INT64_MAX;  // the shortest age of any store that expires
  for (const auto& [store, age] : max_age_ms)
    if (age > 0) youngest_age = std::min(youngest_age, age);
  if (youngest_age == INT64_MAX) return r;
  std::set<std::string> failing;
  state.for_each_remote_by_age([&](int64_t used, const std::string& token, uint32_t n) {
    if (used >= now_ms - youngest_age) return false;  // every later copy is younger still
    ++r.visited;
    auto copy = state.get_remote(token, n);
    if (!copy || copy->last_use_ms != used) return true;  // used since the walk began
    auto age = max_age_ms.find(copy->store);
    if (age == max_age_ms.end() || age->second <= 0 || used >= now_ms - age->second) return true;
    if (failing.count(copy->store)) return true;
    if (shared) {
      const int64_t elsewhere = shared->last_use(*copy, token, n);
      if (elsewhere >= now_ms - age->second) {
        ++r.kept_for_others;
        if (!dry_run && elsewhere > used) {  // younger now: the next walks stop before it
          RemoteCopy moved = *copy;
          moved.last_use_ms = std::min(elsewhere, now_ms);
          state.put_remote(token, n, moved);  // one batch: record and age entry move together
        }
        return true;
      }
    }
    if (!dry_run) {
      // Record first, then the object, as local GC does: a crash in between
      // leaves an object nobody expires (bucket lifecycle rules can catch
      // those), not a record of nothing. If the store refuses, the record
      // comes back and the next pass tries again.
      if (!state.delete_remote(token, n, used)) return true;
      try {
        remove_object(copy->store, copy->key);
      } catch (const std::exception& e) {
        state.put_remote(token, n, *copy);
        failing.insert(copy->store);
        ++r.failed;
        if (r.errors.size() < 5) r.errors.push_back(copy->store + "/" + copy->key + ": " + e.what());
        return true;
      }
    }
    ++r.deleted;
    r.freed_bytes += copy->size;
    return true;
  });
  return r;
}

}  // namespace hlsfs

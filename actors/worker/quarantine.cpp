#include "actors/worker/quarantine.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "actors/storage/atomic_file.h"
#include "hlsfs/log.h"
#include "hlsfs/source_version.h"

namespace hlsfs {

Quarantine::Quarantine(std::string path) : path_(std::move(path)) {
  if (path_.empty()) return;
  std::ifstream in(path_);
  if (!in) return;
  try {
    std::stringstream text;
    text << in.rdbuf();
    const nlohmann::json doc = nlohmann::json::parse(text.str());  // (a temporary would die before the loop)
    for (const auto& e : doc.at("Sources")) {
      Entry x;
      x.uri = e.at("Uri");
      x.version = e.at("Version");
      x.faults = e.at("Faults");
      x.last_kind = e.at("LastKind");
      x.last_message = e.at("LastMessage");
      x.last_time = e.at("LastTime");
      by_uri_[x.uri] = x;
    }
  } catch (const std::exception& e) {
    HLSFS_LOG(warning, "worker") << path_ << " unreadable (" << e.what() << "): the quarantine starts empty";
  }
}

int Quarantine::record(const SourceIdentity& id, const std::string& kind, const std::string& message) {
  std::lock_guard lock(mu_);
  Entry& e = by_uri_[id.uri];
  // A changed file starts over. Compared without the ctime (a chmod is no
  // new file), so that a generate (which records no ctime) and a segment
  // job (which reads it) name one version (hlsfs/source_version.h).
  if (without_ctime(e.version) != without_ctime(id.version)) e = Entry{id.uri, id.version};
  ++e.faults;
  e.last_kind = kind;
  e.last_message = message;
  e.last_time = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (e.faults == kStrikes)
    HLSFS_LOG(error, "worker") << "quarantined after " << kStrikes << " faults (last: " << kind << ", " << message
                               << "): source=" << id.uri << " (hlsfsctl quarantine clear " << id.uri << ")";
  save_locked();
  return e.faults;
}

std::optional<std::string> Quarantine::check(const SourceIdentity& id) const {
  std::lock_guard lock(mu_);
  auto it = by_uri_.find(id.uri);
  if (it == by_uri_.end() || without_ctime(it->second.version) != without_ctime(id.version) ||
      !it->second.quarantined())
    return std::nullopt;
  return id.uri + ": quarantined after " + std::to_string(it->second.faults) + " worker faults (last: " +
         it->second.last_kind + ", " + it->second.last_message + "); hlsfsctl quarantine clear lifts it";
}

bool Quarantine::clear(const std::string& uri) {
  std::lock_guard lock(mu_);
  bool known = by_uri_.erase(uri) > 0;
  if (known) save_locked();
  return known;
}

std::vector<Quarantine::Entry> Quarantine::list() const {
  std::lock_guard lock(mu_);
  std::vector<Entry> out;
  for (const auto& [uri, e] : by_uri_) out.push_back(e);
  return out;
}

void Quarantine::save_locked() const {
  if (path_.empty()) return;
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [uri, e] : by_uri_)
    list.push_back({{"Uri", e.uri},
                    {"Version", e.version},
                    {"Faults", e.faults},
                    {"LastKind", e.last_kind},
                    {"LastMessage", e.last_message},
                    {"LastTime", e.last_time}});
  try {
    write_file_atomic(path_, nlohmann::json{{"Sources", list}}.dump(1));
  } catch (const std::exception& e) {
    HLSFS_LOG(warning, "worker") << "cannot keep the quarantine in " << path_ << ": " << e.what();
  }
}

}  // namespace hlsfs

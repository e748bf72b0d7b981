// Where producers of events (a generate, the segment cache) hand a notice
// for the webhook (Services::notifier, null when notifications.url is not
// set). notify() never blocks and never fails: a notice beyond the queue's
// bound is dropped with a log line and counted.
#pragma once
#include <nlohmann/json.hpp>

namespace hlsfs {

class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual void notify(const nlohmann::json& notice) = 0;
};

}  // namespace hlsfs

// The webhook notifier (notifications: {url, secret_file} in hlsfsd's
// configuration): one detached actor, on its own thread, posts each notice
// (notices.h), signed (webhook_signature.h), retried with backoff
// (retry_schedule.h) and dropped with a log line after the last retry. At
// most queue_limit notices wait (queued or between retries); beyond, new
// ones are dropped at once: a dead receiver costs memory bounded by that.
// hlsfs_notifications_total{result="delivered|retried|dropped"} counts them.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <caf/all.hpp>

#include "actors/notify/notifier.h"
#include "actors/notify/retry_schedule.h"

namespace hlsfs {

class MetricsRegistry;

struct WebhookConfig {
  std::string url;     // http:// or https://
  std::string secret;  // the HMAC key (read from notifications.secret_file)
  RetrySchedule retry;
  int64_t timeout_ms = 10000;  // one post, connection included
  size_t queue_limit = 1000;
};

class WebhookNotifier : public Notifier {
 public:
  struct Shared;
  WebhookNotifier(caf::actor actor, std::shared_ptr<Shared> shared);
  void notify(const nlohmann::json& notice) override;
  // Ends the actor and lets go of it (before the actor system ends: it
  // waits for the actor, whose thread waits for the last handle to go);
  // notices still waiting are dropped. notify() after it does nothing.
  void stop();

 private:
  std::mutex mu_;     // guards actor_ (stop() may run while notify() does)
  caf::actor actor_;  // null once stopped
  std::shared_ptr<Shared> shared_;
};

// Spawns the actor (detached: a post blocks its thread). metrics may be null.
std::shared_ptr<WebhookNotifier> spawn_notifier(caf::actor_system& sys, WebhookConfig config, MetricsRegistry* metrics);

}  // namespace hlsfs

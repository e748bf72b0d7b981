#include "daemon/hlsfsd/notifier_setup.h"

#include "hlsfs/log.h"

namespace hlsfs {

std::shared_ptr<WebhookNotifier> start_notifier(caf::actor_system& sys, const Config& cfg, const std::string& secret,
                                                Services& svc) {
  if (cfg.notifications_url.empty()) return nullptr;
  WebhookConfig w;
  w.url = cfg.notifications_url;
  w.secret = secret;
  w.retry.retries = cfg.notifications_retries;
  w.timeout_ms = cfg.notifications_timeout_ms;
  w.queue_limit = static_cast<size_t>(cfg.notifications_queue);
  auto n = spawn_notifier(sys, std::move(w), svc.metrics.get());
  svc.notifier = n;
  HLSFS_LOG(info, "notify") << "notices go to " << cfg.notifications_url << " (" << cfg.notifications_retries
                            << " retries, at most " << cfg.notifications_queue << " waiting)";
  return n;
}

}  // namespace hlsfs

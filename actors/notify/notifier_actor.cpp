#include "actors/notify/notifier_actor.h"

#include <atomic>
#include <chrono>
#include <random>

#include "actors/notify/webhook_post.h"
#include "actors/notify/webhook_signature.h"
#include "hlsfs/log.h"
#include "metrics/metrics.h"

namespace hlsfs {

using post_atom = caf::atom_constant<caf::atom("post")>;

struct WebhookNotifier::Shared {
  size_t limit = 1000;
  std::atomic<size_t> waiting{0};  // queued or between retries
  std::atomic<bool> stopped{false};
  std::atomic<uint64_t> next{1};
  std::string id_prefix;  // random per start: delivery ids do not repeat across restarts
  Counter *delivered = nullptr, *retried = nullptr, *dropped = nullptr;
  void count(Counter* c) {
    if (c) c->inc();
  }
};

namespace {

int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

caf::behavior notifier(caf::event_based_actor* self, WebhookConfig cfg,
                       std::shared_ptr<WebhookNotifier::Shared> sh) {
  return {
      [=](post_atom, const std::string& id, const std::string& event, const std::string& body, int32_t attempt) {
        if (sh->stopped) return;
        const int64_t ts = unix_seconds();
        const std::vector<std::string> headers{"X-Hlsfs-Timestamp: " + std::to_string(ts),
                                               "X-Hlsfs-Signature: " + webhook_signature(cfg.secret, ts, body),
                                               "X-Hlsfs-Event: " + event, "X-Hlsfs-Delivery: " + id,
                                               "X-Hlsfs-Attempt: " + std::to_string(attempt)};
        const PostOutcome o = post_json(cfg.url, body, headers, cfg.timeout_ms);
        const std::string what = log_kv("event", event) + " " + log_kv("delivery", id);
        if (o.delivered()) {
          --sh->waiting;
          sh->count(sh->delivered);
          HLSFS_LOG(debug, "notify") << "delivered (attempt " << attempt << "): " << what;
          return;
        }
        const std::string why = o.status ? "HTTP " + std::to_string(o.status) : o.error;
        if (worth_retrying(o.status))
          if (auto wait = cfg.retry.delay_after(attempt)) {
            sh->count(sh->retried);
            HLSFS_LOG(info, "notify") << "webhook post failed (" << why << "), again in " << *wait << " ms: " << what;
            self->delayed_send(self, std::chrono::milliseconds(*wait), post_atom::value, id, event, body, attempt + 1);
            return;
          }
        --sh->waiting;
        sh->count(sh->dropped);
        HLSFS_LOG(warning, "notify") << "notice dropped after " << attempt << " attempt(s): " << why << ": " << what;
      },
  };
}

}  // namespace

WebhookNotifier::WebhookNotifier(caf::actor actor, std::shared_ptr<Shared> shared)
    : actor_(std::move(actor)), shared_(std::move(shared)) {}

void WebhookNotifier::notify(const nlohmann::json& notice) {
  if (shared_->stopped) return;
  const std::string event = notice.value("Event", "");
  const std::string id = shared_->id_prefix + "-" + std::to_string(shared_->next++);
  // Bounded: a receiver that is down fills this, and then new notices go.
  if (shared_->waiting.fetch_add(1) >= shared_->limit) {
    --shared_->waiting;
    shared_->count(shared_->dropped);
    HLSFS_LOG(warning, "notify") << "notice dropped: " << shared_->limit
                                 << " wait already (the webhook does not keep up): " << log_kv("event", event) << " "
                                 << log_kv("delivery", id);
    return;
  }
  caf::actor to;
  {
    std::lock_guard lock(mu_);
    to = actor_;
  }
  if (to) caf::anon_send(to, post_atom::value, id, event, notice.dump(), int32_t{1});
}

void WebhookNotifier::stop() {
  shared_->stopped = true;
  caf::actor a;
  {
    std::lock_guard lock(mu_);
    std::swap(a, actor_);
  }
  if (a) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

std::shared_ptr<WebhookNotifier> spawn_notifier(caf::actor_system& sys, WebhookConfig config,
                                                MetricsRegistry* metrics) {
  auto sh = std::make_shared<WebhookNotifier::Shared>();
  sh->limit = config.queue_limit;
  char prefix[17];
  snprintf(prefix, sizeof prefix, "%016llx", static_cast<unsigned long long>(std::random_device{}()) << 32 |
                                                 std::random_device{}());
  sh->id_prefix = prefix;
  if (metrics) {
    auto counter = [&](const char* result) {
      return &metrics->counter("hlsfs_notifications_total",
                               "Webhook notices by outcome: delivered, retried (a failed post tried again), dropped "
                               "(retries spent, refused by the receiver, or the queue full)",
                               {{"result", result}});
    };
    sh->delivered = counter("delivered");
    sh->retried = counter("retried");
    sh->dropped = counter("dropped");
    metrics->gauge_callback("hlsfs_notifications_waiting", "Webhook notices queued or waiting for a retry",
                            [sh] { return static_cast<double>(sh->waiting.load()); });
  }
  caf::actor a = sys.spawn<caf::detached>(notifier, std::move(config), sh);
  return std::make_shared<WebhookNotifier>(std::move(a), sh);
}

}  // namespace hlsfs

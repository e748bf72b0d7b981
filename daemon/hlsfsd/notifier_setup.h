// notifications: of hlsfsd's configuration -> the webhook notifier
// (actors/notify/notifier_actor.h), started before the actors that hand it
// notices: Services::notifier is set once, then only read.
#pragma once
#include <memory>
#include <string>

#include <caf/all.hpp>

#include "actors/notify/notifier_actor.h"
#include "actors/services.h"
#include "daemon/config/config.h"

namespace hlsfs {

// Null (and svc.notifier left null) when notifications.url is not set.
// secret: read_notifications_secret(cfg).
std::shared_ptr<WebhookNotifier> start_notifier(caf::actor_system& sys, const Config& cfg, const std::string& secret,
                                                Services& svc);

}  // namespace hlsfs

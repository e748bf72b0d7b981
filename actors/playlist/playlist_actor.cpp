#include "actors/playlist/playlist_actor.h"

#include <chrono>

#include "actors/daemon_metrics.h"
#include "actors/playlist/playlist_service.h"
#include "actors/transcoder/watched_thread.h"
#include "hlsfs/log.h"

namespace hlsfs {

namespace {

using generate_worker = caf::typed_actor<caf::replies_to<generate_atom, std::string>::with<int32_t, std::string>>;

// publish_only: library mode's generate, whose playlists reach the mount and
// the state but no store (a library is read-only).
generate_worker::behavior_type generate_once(generate_worker::pointer self, std::shared_ptr<Services> svc,
                                             segment_cache_actor cache, std::map<std::string, storage_actor> storage,
                                             bool publish_only) {
  return {
      [=](generate_atom, const std::string& body) -> caf::result<int32_t, std::string> {
        const auto started = std::chrono::steady_clock::now();
        // This worker is detached (its own thread): waiting here for the
        // storage actors blocks nobody else.
        // Reading the source (its stat, its probe) runs under a deadline
        // (job_deadline.h): a source whose store stalls is given up on and
        // the generate answers 504 (watched_thread.h). The work may outlive
        // this call then: it owns what it uses.
        auto deadline = std::make_shared<ProgressDeadline>(probe_limit(svc->tunables()->job_timeout_ms), "reading the source");
        caf::actor_system& sys = self->system();
        PlaylistWriter through_storage = [&sys, svc, storage, deadline, publish_only](const PlaylistFile& f) -> std::string {
          // The source is read by now; the writes have timeouts of their own.
          deadline->disarm();
          if (deadline->expired()) return deadline->reason();  // given up on: write nothing
          if (publish_only) return "";
          auto it = storage.find(f.store);
          if (it == storage.end()) return "store \"" + f.store + "\" has no storage actor";
          // A local store's batch (written unsynced, then flushed once): from
          // this thread, as the storage actor would, without its queue.
          if (f.sync != PlaylistFile::Sync::now) return write_directly(*svc, f);
          std::string error;
          caf::scoped_actor waiter{sys};
          waiter->request(it->second, std::chrono::seconds(120), write_atom::value, f.key, f.text, f.keep_existing, f.tagging)
              .receive([&](int32_t err, const std::string& msg) { error = err ? msg : ""; },
                       [&](caf::error& e) { error = "store \"" + f.store + "\": " + sys.render(e); });
          return error;
        };
        auto made = std::make_shared<GenerateOutcome>();
        Watched w = run_watched(
            deadline,
            [svc, body, through_storage, made, publish_only] {
              try {
                *made = generate_playlist(*svc, body, through_storage, publish_only);
              } catch (const std::exception& e) {
                HLSFS_LOG(error, "playlist") << "generate failed: " << e.what();
                made->status = 500;
                made->body = {{"Code", "InternalError"}, {"Message", e.what()}};
              }
            },
            abandoned_thread_limit(svc->workers));
        GenerateOutcome out;
        if (w == Watched::done) {
          out = *made;
        } else if (w == Watched::stalled) {
          HLSFS_LOG(warning, "playlist") << deadline->reason() << ": the generate answers 504; its thread is stuck "
                                         << "in a read of the source and is left behind (" << abandoned_threads()
                                         << " now)";
          out.status = 504;
          out.body = {{"Code", "SourceTimeout"}, {"Message", "SourceURI: " + deadline->reason()}};
        } else {
          out.status = 503;
          out.body = {{"Code", "ServiceUnavailable"},
                      {"Message", std::to_string(abandoned_threads()) +
                                      " jobs are stuck in reads of their sources: try again later"}};
        }
        if (out.status != 200) HLSFS_LOG(warning, "playlist") << "generate refused (" << out.status << "): " << out.body.value("Message", "");
        if (auto* m = svc->meters.get()) {
          m->generate.seconds->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
          m->generate.result(out.status).inc();
        }
        for (const auto& [token, count] : out.initial)
          self->send(cache, PrefetchSegments{token, uint32_t{0}, count, int32_t{2}});
        self->quit();
        return {static_cast<int32_t>(out.status), out.body.dump()};
      },
  };
}

}  // namespace

playlist_actor spawn_playlist(caf::actor_system& sys, std::shared_ptr<Services> svc, segment_cache_actor cache,
                              std::map<std::string, storage_actor> storage) {
  return sys.spawn([=](playlist_actor::pointer self) -> playlist_actor::behavior_type {
    auto run = [=](const std::string& body, bool publish_only) {
      auto rp = self->make_response_promise<int32_t, std::string>();
      auto worker = self->spawn<caf::detached>(generate_once, svc, cache, storage, publish_only);
      self->request(worker, caf::infinite, generate_atom::value, body)
          .then([=](int32_t status, const std::string& reply) mutable { rp.deliver(status, reply); },
                [=](caf::error& e) mutable {
                  rp.deliver(int32_t{500}, std::string{R"({"Code":"InternalError","Message":"generate worker failed"})"});
                });
      return rp;
    };
    return {
        [=](generate_atom, const std::string& body) { return run(body, false); },
        [=](publish_atom, const std::string& body) { return run(body, true); },
    };
  });
}

}  // namespace hlsfs

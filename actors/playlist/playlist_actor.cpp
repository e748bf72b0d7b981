#include "actors/playlist/playlist_actor.h"

#include "actors/playlist/playlist_service.h"
#include "hlsfs/log.h"

namespace hlsfs {

namespace {

using generate_worker = caf::typed_actor<caf::replies_to<generate_atom, std::string>::with<int32_t, std::string>>;

generate_worker::behavior_type generate_once(generate_worker::pointer self, std::shared_ptr<Services> svc,
                                             segment_cache_actor cache, std::map<std::string, storage_actor> storage) {
  return {
      [=](generate_atom, const std::string& body) -> caf::result<int32_t, std::string> {
        // This worker is detached (its own thread): waiting here for the
        // storage actors blocks nobody else.
        PlaylistWriter through_storage = [&](const PlaylistFile& f) -> std::string {
          auto it = storage.find(f.store);
          if (it == storage.end()) return "store \"" + f.store + "\" has no storage actor";
          std::string error;
          caf::scoped_actor waiter{self->system()};
          waiter->request(it->second, std::chrono::seconds(120), write_atom::value, f.key, f.text, f.keep_existing)
              .receive([&](int32_t err, const std::string& msg) { error = err ? msg : ""; },
                       [&](caf::error& e) { error = "store \"" + f.store + "\": " + self->system().render(e); });
          return error;
        };
        GenerateOutcome out;
        try {
          out = generate_playlist(*svc, body, through_storage);
        } catch (const std::exception& e) {
          HLSFS_LOG(error, "playlist") << "generate failed: " << e.what();
          out.status = 500;
          out.body = {{"Code", "InternalError"}, {"Message", e.what()}};
        }
        if (out.status != 200) HLSFS_LOG(warning, "playlist") << "generate refused (" << out.status << "): " << out.body.value("Message", "");
        for (const auto& [token, count] : out.initial)
          self->send(cache, prefetch_atom::value, token, uint32_t{0}, count, int32_t{2});
        self->quit();
        return {static_cast<int32_t>(out.status), out.body.dump()};
      },
  };
}

}  // namespace

playlist_actor spawn_playlist(caf::actor_system& sys, std::shared_ptr<Services> svc, segment_cache_actor cache,
                              std::map<std::string, storage_actor> storage) {
  return sys.spawn([=](playlist_actor::pointer self) -> playlist_actor::behavior_type {
    return {
        [=](generate_atom, const std::string& body) {
          auto rp = self->make_response_promise<int32_t, std::string>();
          auto worker = self->spawn<caf::detached>(generate_once, svc, cache, storage);
          self->request(worker, caf::infinite, generate_atom::value, body)
              .then([=](int32_t status, const std::string& reply) mutable { rp.deliver(status, reply); },
                    [=](caf::error& e) mutable {
                      rp.deliver(int32_t{500}, std::string{R"({"Code":"InternalError","Message":"generate worker failed"})"});
                    });
          return rp;
        },
    };
  });
}

}  // namespace hlsfs

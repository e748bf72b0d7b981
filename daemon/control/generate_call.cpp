#include "daemon/control/generate_call.h"

#include <nlohmann/json.hpp>

namespace hlsfs {

void call_generate(caf::actor_system& sys, playlist_actor playlist, std::string request_json,
                   std::function<void(int32_t status, std::string body)> done) {
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(playlist, caf::infinite, generate_atom::value, request_json)
        .then(
            [=](int32_t status, const std::string& body) {
              done(status, body);
              self->quit();
            },
            [=](caf::error& e) {
              done(500, nlohmann::json{{"Code", "InternalError"}, {"Message", self->system().render(e)}}.dump());
              self->quit();
            });
  });
}

}  // namespace hlsfs

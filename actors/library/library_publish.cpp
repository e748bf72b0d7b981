#include "actors/library/library_publish.h"

#include <nlohmann/json.hpp>

namespace hlsfs {

LibraryPublish publish_through(caf::actor_system& sys, playlist_actor playlist) {
  return [&sys, playlist](const std::string& request) {
    std::pair<int, std::string> out{500, R"({"Code":"InternalError","Message":"no answer from the playlist actor"})"};
    caf::scoped_actor self{sys};
    // No timeout here: the generate has its own deadline (it answers 504).
    self->request(playlist, caf::infinite, publish_atom::value, request)
        .receive([&](int32_t status, const std::string& reply) { out = {status, reply}; },
                 [&](caf::error& e) {
                   out = {500, nlohmann::json{{"Code", "InternalError"}, {"Message", sys.render(e)}}.dump()};
                 });
    return out;
  };
}

}  // namespace hlsfs

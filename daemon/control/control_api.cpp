#include "daemon/control/control_api.h"

#include <nlohmann/json.hpp>

#include "hlsfs/log.h"

namespace hlsfs {

namespace {

HttpResponse json_reply(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse error_reply(int status, const std::string& code, const std::string& message) {
  return json_reply(status, nlohmann::json{{"Code", code}, {"Message", message}}.dump());
}

// "after=12&token=ab" -> the value of `key` ("" when absent).
std::string query_value(const std::string& query, const std::string& key) {
  size_t i = 0;
  while (i <= query.size()) {
    size_t amp = query.find('&', i);
    if (amp == std::string::npos) amp = query.size();
    std::string kv = query.substr(i, amp - i);
    if (kv.compare(0, key.size() + 1, key + "=") == 0) return kv.substr(key.size() + 1);
    i = amp + 1;
  }
  return "";
}

HttpResponse events_reply(const RecentSegments* recent, const std::string& query) {
  uint64_t after = 0;
  std::string a = query_value(query, "after"), token = query_value(query, "token");
  if (!a.empty() && (a.find_first_not_of("0123456789") != std::string::npos || a.size() > 19))
    return error_reply(400, "InvalidParameter", "after: a segment event id (a number)");
  if (!a.empty()) after = std::stoull(a);
  nlohmann::json events = nlohmann::json::array();
  uint64_t last = after;
  if (recent) {
    for (const auto& m : recent->after(after, token)) {
      events.push_back({{"Id", m.id}, {"Time", m.time_ms}, {"Token", m.token}, {"Segment", m.n},
                        {"Seconds", m.seconds}, {"Bytes", m.bytes}, {"ReadersWaited", m.readers_waited},
                        {"Why", m.why}});
      last = m.id;
    }
  }
  return json_reply(200, nlohmann::json{{"Events", events}, {"Last", last}}.dump());
}

}  // namespace

HttpHandler make_control_handler(caf::actor_system& sys, ControlActors a) {
  return [&sys, a](HttpRequest req, Responder respond) {
    if (req.path == "/healthz") return respond(json_reply(200, R"({"Status":"ok"})"));
    if (req.path == "/v1/events") {
      if (req.method != "GET") return respond(error_reply(405, "MethodNotAllowed", "use GET"));
      return respond(events_reply(a.recent.get(), req.query));
    }
    if (req.path == "/v1/GenerateVideoPlaylist") {
      if (req.method != "POST") return respond(error_reply(405, "MethodNotAllowed", "use POST"));
      sys.spawn([=](caf::event_based_actor* self) {
        self->request(a.playlist, caf::infinite, generate_atom::value, req.body)
            .then(
                [=](int32_t status, const std::string& body) {
                  respond(json_reply(status, body));
                  self->quit();
                },
                [=](caf::error& e) {
                  respond(error_reply(500, "InternalError", self->system().render(e)));
                  self->quit();
                });
      });
      return;
    }
    if (req.path == "/v1/gc") {
      if (req.method != "POST") return respond(error_reply(405, "MethodNotAllowed", "use POST"));
      bool dry = req.query.find("dry_run=1") != std::string::npos || req.query.find("dry_run=true") != std::string::npos;
      sys.spawn([=](caf::event_based_actor* self) {
        self->request(a.gc, std::chrono::minutes(10), gc_atom::value, dry)
            .then(
                [=](const std::string& report) {
                  respond(json_reply(200, report));
                  self->quit();
                },
                [=](caf::error& e) {
                  respond(error_reply(500, "InternalError", self->system().render(e)));
                  self->quit();
                });
      });
      return;
    }
    if (req.path == "/v1/status") {
      if (req.method != "GET") return respond(error_reply(405, "MethodNotAllowed", "use GET"));
      sys.spawn([=](caf::event_based_actor* self) {
        auto fail = [=](caf::error& e) {
          respond(error_reply(500, "InternalError", self->system().render(e)));
          self->quit();
        };
        self->request(a.transcoder, std::chrono::seconds(10), status_atom::value).then(
            [=](const std::string& t) {
              self->request(a.cache, std::chrono::seconds(10), status_atom::value).then(
                  [=](const std::string& c) {
                    self->request(a.gc, std::chrono::seconds(10), status_atom::value).then(
                        [=](const std::string& g) {
                          nlohmann::json j{{"transcoder", nlohmann::json::parse(t)},
                                           {"segment_cache", nlohmann::json::parse(c)},
                                           {"cache", nlohmann::json::parse(g)}};
                          respond(json_reply(200, j.dump()));
                          self->quit();
                        },
                        fail);
                  },
                  fail);
            },
            fail);
      });
      return;
    }
    respond(error_reply(404, "NotFound", "no such endpoint: " + req.method + " " + req.path));
  };
}

}  // namespace hlsfs

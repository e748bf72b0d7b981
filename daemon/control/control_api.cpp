#include "daemon/control/control_api.h"

#include <nlohmann/json.hpp>

#include "daemon/control/generate_call.h"
#include "daemon/control/json_case.h"
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

HttpResponse events_reply(const RecentSegments* recent, const std::string& query) {
  uint64_t after = 0;
  auto q = parse_query(query);
  std::string a = q["after"], token = q["token"];
  if (!a.empty() && (a.find_first_not_of("0123456789") != std::string::npos || a.size() > 19))
    return error_reply(400, "InvalidParameter", "after: a segment event id (a number)");
  if (!a.empty()) after = std::stoull(a);
  nlohmann::json events = nlohmann::json::array();
  uint64_t last = after;
  if (recent) {
    for (const auto& m : recent->after(after, token)) {
      events.push_back({{"Id", m.id}, {"Time", m.time_ms}, {"Token", m.token}, {"Segment", m.n},
                        {"Seconds", m.seconds}, {"Bytes", m.bytes}, {"ReadersWaited", m.readers_waited},
                        {"Why", m.why}, {"Tags", nlohmann::json(m.tags)}, {"UserData", m.user_data}});
      last = m.id;
    }
  }
  return json_reply(200, nlohmann::json{{"Events", events}, {"Last", last}}.dump());
}

// The last generates with their Tags and UserData (GET /v1/status "Titles").
// Added after pascal_case_keys: tag keys are the caller's, kept as given.
nlohmann::json titles_json(const RecentTitles* titles) {
  nlohmann::json list = nlohmann::json::array();
  if (titles)
    for (const auto& t : titles->newest_first())
      list.push_back({{"Time", t.time_ms}, {"RequestId", t.request_id}, {"URI", t.uri}, {"Token", t.token},
                      {"Tags", nlohmann::json(t.tags)}, {"UserData", t.user_data}, {"SkippedExisting", t.skipped}});
  return list;
}

HttpResponse quarantine_reply(const Quarantine* q) {
  nlohmann::json list = nlohmann::json::array();
  if (q)
    for (const auto& e : q->list())
      list.push_back({{"Uri", e.uri}, {"Version", e.version}, {"Faults", e.faults}, {"Quarantined", e.quarantined()},
                      {"LastKind", e.last_kind}, {"LastMessage", e.last_message}, {"LastTime", e.last_time}});
  return json_reply(200, nlohmann::json{{"Sources", list}}.dump());
}

HttpResponse quarantine_clear(Quarantine* q, const std::string& query) {
  std::string uri = parse_query(query)["uri"];
  if (uri.empty()) return error_reply(400, "MissingParameter", "uri: the source URI to clear");
  if (!q || !q->clear(uri)) return error_reply(404, "NotFound", uri + ": no fault recorded for this source");
  HLSFS_LOG(info, "worker") << "quarantine cleared: " << log_kv("source", uri);
  return json_reply(200, nlohmann::json{{"Cleared", uri}}.dump());
}

}  // namespace

HttpHandler make_control_handler(caf::actor_system& sys, ControlActors a) {
  return [&sys, a](HttpRequest req, Responder respond) {
    if (req.path == "/healthz") return respond(json_reply(200, R"({"Status":"ok"})"));
    if (req.path == "/v1/events") {
      if (req.method != "GET") return respond(error_reply(405, "MethodNotAllowed", "use GET"));
      return respond(events_reply(a.recent.get(), req.query));
    }
    if (req.path == "/v1/quarantine") {
      if (req.method != "GET") return respond(error_reply(405, "MethodNotAllowed", "use GET"));
      return respond(quarantine_reply(a.quarantine.get()));
    }
    if (req.path == "/v1/quarantine/clear") {
      if (req.method != "POST") return respond(error_reply(405, "MethodNotAllowed", "use POST"));
      return respond(quarantine_clear(a.quarantine.get(), req.query));
    }
    if (req.path == "/v1/GenerateVideoPlaylist") {
      if (req.method != "POST") return respond(error_reply(405, "MethodNotAllowed", "use POST"));
      call_generate(sys, a.playlist, req.body,
                    [respond](int32_t status, std::string body) { respond(json_reply(status, std::move(body))); });
      return;
    }
    if (req.path == "/v1/gc") {
      if (req.method != "POST") return respond(error_reply(405, "MethodNotAllowed", "use POST"));
      std::string dry_run = parse_query(req.query)["dry_run"];
      bool dry = dry_run == "1" || dry_run == "true";
      sys.spawn([=](caf::event_based_actor* self) {
        self->request(a.gc, std::chrono::minutes(10), gc_atom::value, dry)
            .then(
                [=](const std::string& report) {
                  respond(json_reply(200, pascal_case_keys(nlohmann::json::parse(report)).dump()));
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
                          nlohmann::json j{{"Transcoder", nlohmann::json::parse(t)},
                                           {"SegmentCache", nlohmann::json::parse(c)},
                                           {"Cache", nlohmann::json::parse(g)}};
                          if (a.cluster_status) j["Cluster"] = nlohmann::json::parse(a.cluster_status());
                          nlohmann::json out = pascal_case_keys(j);
                          out["Titles"] = titles_json(a.titles.get());
                          respond(json_reply(200, out.dump()));
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

#include "daemon/imm/imm_endpoint.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "daemon/imm/authenticate.h"
#include "daemon/imm/imm_error.h"
#include "daemon/imm/rpc_params.h"

namespace hlsfs::imm {

namespace {

bool is_form(const std::string& content_type) {
  std::string t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t == "application/x-www-form-urlencoded";
}

HttpResponse with_request_id(HttpResponse r, const std::string& request_id) {
  r.headers.emplace_back("x-acs-request-id", request_id);
  return r;
}

// The playlist actor's answer as IMM's: a success passes as it is (IMM's
// response fields, its RequestId); an error {"Code","Message"} gains
// RequestId and HostId.
HttpResponse imm_answer(int32_t status, const std::string& body, const std::string& request_id,
                        const std::string& host) {
  if (status == 200) {
    HttpResponse r;
    r.body = body;
    std::string id = request_id;
    try {
      id = nlohmann::json::parse(body).value("RequestId", request_id);
    } catch (const nlohmann::json::exception&) {
    }
    return with_request_id(std::move(r), id);
  }
  ImmError e{status, "InternalError", body};
  try {
    auto j = nlohmann::json::parse(body);
    e.code = j.value("Code", "InternalError");
    e.message = j.value("Message", "");
  } catch (const nlohmann::json::exception&) {
  }
  return with_request_id(error_response(e, request_id, host), request_id);
}

}  // namespace

HttpHandler make_imm_handler(ImmEndpoint ep) {
  auto shared = std::make_shared<ImmEndpoint>(std::move(ep));
  return [shared](HttpRequest req, Responder respond) {
    const ImmEndpoint& e = *shared;
    const std::string request_id = new_request_id();
    const std::string host = req.header("host");
    auto log = [&](const std::string& line) {
      if (e.log) e.log(line);
    };
    try {
      if (req.method != "GET" && req.method != "POST") throw unsupported_method(req.method);
      std::string path = req.target.substr(0, req.target.find('?'));
      if (path != "/") throw ImmError{404, "InvalidAction.NotFound", "RPC calls go to path /, not " + path};
      Params query = parse_rpc_form(req.query, "query");
      Params body;
      if (is_form(req.header("content-type")))
        body = parse_rpc_form(req.body, "body");
      else if (!req.body.empty())
        throw invalid_argument("the body must be application/x-www-form-urlencoded, not \"" +
                               req.header("content-type") + "\"");
      SignedCall call = authenticate(req, query, body, e.keys, *e.nonces, e.clock());
      if (call.action.empty()) throw missing_parameter("Action");
      if (call.action != "GenerateVideoPlaylist") throw action_not_found(call.action);
      if (call.version != kImmVersion) throw invalid_version(call.version);
      Params all = merge_params(query, body);
      auto project = all.find("ProjectName");
      if (project == all.end() || project->second.empty()) throw missing_parameter("ProjectName");
      std::string request_json;
      try {
        request_json = playlist_request_from_params(all).dump();
      } catch (const nlohmann::json::type_error&) {  // a value that is not UTF-8
        throw invalid_argument("parameter values must be UTF-8 text");
      }
      log(call.action + " by " + call.access_key_id + " (signature " + call.scheme + ", " + request_id + ")");
      e.generate(request_json, [respond, request_id, host](int32_t status, std::string answer) {
        respond(imm_answer(status, answer, request_id, host));
      });
    } catch (const ImmError& err) {
      log("refused (" + std::to_string(err.status) + " " + err.code + "): " + err.message.substr(0, 300) + " [" +
          request_id + "]");
      respond(with_request_id(error_response(err, request_id, host), request_id));
    }
  };
}

}  // namespace hlsfs::imm

// IMM's own front door: the RPC calls of IMM's SDKs over HTTP (config
// `api: {listen, access_keys}`), answered like IMM answers them.
//   POST|GET /  Action=GenerateVideoPlaylist, Version=2020-09-30,
//               parameters in the query and/or a form body, signed with an
//               AccessKey of api.access_keys (signature V3 or RPC V2).
// ProjectName is required, as by IMM, and otherwise ignored (one hlsfs has
// no projects; the stores are named by the URIs). The request then goes the
// control API's way (daemon/control/generate_call.h); the answer is IMM's
// response body, errors IMM's {"RequestId","HostId","Code","Message"}.
// No other Action is served: InvalidAction.NotFound.
#pragma once
#include <ctime>
#include <functional>
#include <memory>
#include <string>

#include "daemon/http/http_server.h"
#include "daemon/imm/access_keys.h"
#include "daemon/imm/nonce_cache.h"

namespace hlsfs::imm {

constexpr const char* kImmVersion = "2020-09-30";

// Runs a GenerateVideoPlaylist request (the control API's JSON) and calls
// `done` once with the answer (status, JSON body), from any thread.
using GenerateFunction =
    std::function<void(std::string request_json, std::function<void(int32_t status, std::string body)> done)>;

struct ImmEndpoint {
  AccessKeys keys;
  GenerateFunction generate;
  std::shared_ptr<NonceCache> nonces = std::make_shared<NonceCache>();
  std::function<std::time_t()> clock = [] { return std::time(nullptr); };
  std::function<void(const std::string&)> log;  // refusals and calls, one line each; nullptr = silent
};

HttpHandler make_imm_handler(ImmEndpoint endpoint);

}  // namespace hlsfs::imm

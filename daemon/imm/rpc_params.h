// The parameters of an RPC-style call (Alibaba Cloud's "style RPC"): names
// and values in the query string and/or an application/x-www-form-urlencoded
// body, complex values (Targets, SourceSubtitles, Tags, Notification,
// CredentialConfig) JSON-encoded into one parameter each, as IMM's SDKs send
// them. Turned here into the JSON request the control API takes, so both
// front doors share one parser (actors/playlist/request.cpp).
//
// Flat-style complex parameters (Targets.1.URI=...) are not accepted: IMM's
// SDKs never send them for these fields, and their number/string types are
// lost on the way; such a name is refused with a message saying to send the
// parameter JSON-encoded.
#pragma once
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hlsfs::imm {

using Params = std::map<std::string, std::string>;

// "a=1&b=x%20y" -> {a: "1", b: "x y"}. '+' is a space (forms); a malformed
// escape, %00, or a name given twice is refused (throws ImmError naming it):
// what the signature covers and what is served must be the same values.
// `where` names the part ("query", "body") in messages.
Params parse_rpc_form(std::string_view text, const std::string& where);

// The query's and the body's parameters together; a name in both is refused.
Params merge_params(const Params& query, const Params& body);

// The common parameters of the protocol (signature, action, format): not
// fields of any action's request.
bool is_common_parameter(const std::string& name);

// GenerateVideoPlaylist's request as the control API's JSON: complex
// parameters decoded from their JSON text, SourceStartTime/SourceDuration as
// numbers, every other non-common parameter as a string (so an unknown name
// reaches the request parser, which names it). Throws ImmError.
nlohmann::json playlist_request_from_params(const Params& params);

}  // namespace hlsfs::imm

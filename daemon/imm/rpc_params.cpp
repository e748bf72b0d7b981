#include "daemon/imm/rpc_params.h"

#include <cmath>
#include <set>

#include "daemon/imm/imm_error.h"
#include "hlsfs/percent_decode.h"

namespace hlsfs::imm {

namespace {

const std::set<std::string>& json_parameters() {
  static const std::set<std::string> names{"Targets", "SourceSubtitles", "Tags", "Notification", "CredentialConfig"};
  return names;
}

const std::set<std::string>& number_parameters() {
  static const std::set<std::string> names{"SourceStartTime", "SourceDuration"};
  return names;
}

}  // namespace

Params parse_rpc_form(std::string_view text, const std::string& where) {
  Params out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t amp = text.find('&', pos);
    if (amp == std::string_view::npos) amp = text.size();
    std::string_view part = text.substr(pos, amp - pos);
    pos = amp + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    auto name = percent_decode(part.substr(0, eq), percent::plus_is_space | percent::strict);
    auto value = eq == std::string_view::npos
                     ? std::optional<std::string>("")
                     : percent_decode(part.substr(eq + 1), percent::plus_is_space | percent::strict);
    if (!name || !value)
      throw invalid_argument("the " + where + " holds a malformed %-escape (or %00) in \"" +
                             std::string(part.substr(0, std::min<size_t>(part.size(), 64))) + "\"");
    if (name->empty()) throw invalid_argument("the " + where + " holds a parameter without a name");
    if (!out.emplace(*name, *value).second)
      throw invalid_argument("the " + where + " gives parameter " + *name + " more than once");
  }
  return out;
}

Params merge_params(const Params& query, const Params& body) {
  Params all = query;
  for (const auto& [k, v] : body)
    if (!all.emplace(k, v).second)
      throw invalid_argument("parameter " + k + " is given both in the query and in the body");
  return all;
}

bool is_common_parameter(const std::string& name) {
  static const std::set<std::string> names{
      "Action",         "Version",          "Format",    "AccessKeyId",   "Signature",   "SignatureMethod",
      "SignatureNonce", "SignatureVersion", "Timestamp", "SignatureType", "SecurityToken", "RegionId"};
  return names.count(name) != 0;
}

nlohmann::json playlist_request_from_params(const Params& params) {
  nlohmann::json req = nlohmann::json::object();
  for (const auto& [name, value] : params) {
    if (is_common_parameter(name)) continue;
    auto dot = name.find('.');
    if (dot != std::string::npos && json_parameters().count(name.substr(0, dot)))
      throw wrong_format(name.substr(0, dot), "flat-style parameters (" + name +
                                                  ") are not accepted: send " + name.substr(0, dot) +
                                                  " as one JSON-encoded parameter, as IMM's SDKs do");
    if (json_parameters().count(name)) {
      try {
        req[name] = nlohmann::json::parse(value);
      } catch (const nlohmann::json::exception& e) {
        throw wrong_format(name, std::string("not valid JSON (") + e.what() + ")");
      }
    } else if (number_parameters().count(name)) {
      size_t used = 0;
      double v = 0;
      try {
        v = std::stod(value, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != value.size() || !std::isfinite(v))
        throw wrong_format(name, "\"" + value + "\" is not a number of seconds");
      req[name] = v;
    } else {
      req[name] = value;
    }
  }
  return req;
}

}  // namespace hlsfs::imm

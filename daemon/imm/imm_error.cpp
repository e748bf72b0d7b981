#include "daemon/imm/imm_error.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

namespace hlsfs::imm {

std::string new_request_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng();
  char buf[40];
  snprintf(buf, sizeof buf, "%08X-%04X-%04X-%04X-%012llX", static_cast<unsigned>(a >> 32),
           static_cast<unsigned>(a >> 16) & 0xffff, static_cast<unsigned>(a) & 0xffff,
           static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

HttpResponse error_response(const ImmError& e, const std::string& request_id, const std::string& host_id) {
  HttpResponse r;
  r.status = e.status;
  r.body = nlohmann::json{{"RequestId", request_id}, {"HostId", host_id}, {"Code", e.code}, {"Message", e.message}}
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

ImmError missing_parameter(const std::string& name) {
  return {400, "Missing" + name, name + " is mandatory for this action."};
}
ImmError wrong_format(const std::string& name, const std::string& why) {
  return {400, "InvalidParameter." + name + ".WrongFormat",
          "The input parameter " + name + " has invalid format: " + why};
}
ImmError access_key_not_found(const std::string& id) {
  return {404, "InvalidAccessKeyId.NotFound", "Specified access key is not found: " + id};
}
ImmError signature_mismatch(const std::string& server_view) {
  return {400, "SignatureDoesNotMatch",
          "Specified signature is not matched with our calculation. server string to sign is:" + server_view};
}
ImmError nonce_used(const std::string& nonce) {
  return {400, "SignatureNonceUsed", "Specified signature nonce was used already: " + nonce};
}
ImmError timestamp_expired(const std::string& value, const std::string& now) {
  return {400, "InvalidTimeStamp.Expired",
          "Specified time stamp or date value is expired: " + value + " is more than 15 minutes from " + now};
}
ImmError timestamp_format(const std::string& name, const std::string& value) {
  return {400, "InvalidTimeStamp.Format",
          "Specified time stamp or date value is not well formatted: " + name + " \"" + value +
              "\" (wanted yyyy-MM-ddTHH:mm:ssZ, UTC)"};
}
ImmError incomplete_signature(const std::string& why) {
  return {400, "IncompleteSignature", "The request signature does not conform to Aliyun standards: " + why};
}
ImmError signature_method(const std::string& method) {
  return {400, "InvalidSignatureMethod",
          "Specified signature method is not valid: \"" + method + "\" (HMAC-SHA1 or ACS3-HMAC-SHA256)"};
}
ImmError action_not_found(const std::string& action) {
  return {404, "InvalidAction.NotFound",
          "Specified api is not found, please check your url and method: Action \"" + action +
              "\" (this endpoint serves GenerateVideoPlaylist)"};
}
ImmError invalid_version(const std::string& version) {
  return {400, "InvalidVersion", "Specified parameter Version is not valid: \"" + version + "\" (2020-09-30)"};
}
ImmError unsupported_method(const std::string& method) {
  return {400, "UnsupportedHTTPMethod", "This http method is not supported: " + method + " (GET or POST)"};
}
ImmError invalid_argument(const std::string& message) { return {400, "InvalidArgument", message}; }
ImmError throttled(const std::string& why) {
  return {503, "Throttling", "Request was denied due to request throttling: " + why};
}

}  // namespace hlsfs::imm

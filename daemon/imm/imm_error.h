// An IMM error: the HTTP status and Code Alibaba Cloud's gateway and IMM
// answer, and a Message naming what was wrong. Sent as IMM's error body
// {"RequestId", "HostId", "Code", "Message"}, which the SDKs turn into their
// own exception (code = Code). The codes below are the ones IMM's and the
// gateway's documentation list; each maker says when it is used.
#pragma once
#include <string>

#include "daemon/http/http_server.h"

namespace hlsfs::imm {

struct ImmError {
  int status = 400;
  std::string code;
  std::string message;
};

// A fresh RequestId in IMM's shape: "8E0CB0B4-6B1A-4C1B-9A3F-0123456789AB".
std::string new_request_id();
HttpResponse error_response(const ImmError& e, const std::string& request_id, const std::string& host_id);

// Missing{Name} (400): a required parameter is absent (IMM: "Missing{ParameterName}").
ImmError missing_parameter(const std::string& name);
// InvalidParameter.{Name}.WrongFormat (400): a value of the wrong type
// (not JSON where JSON is due, not a number).
ImmError wrong_format(const std::string& name, const std::string& why);
// InvalidAccessKeyId.NotFound (404).
ImmError access_key_not_found(const std::string& id);
// SignatureDoesNotMatch (400); `server_view` is what was signed here
// (the string to sign), so a client author can see where it differs.
ImmError signature_mismatch(const std::string& server_view);
// SignatureNonceUsed (400).
ImmError nonce_used(const std::string& nonce);
// InvalidTimeStamp.Expired (400): more than the window away from our clock.
ImmError timestamp_expired(const std::string& value, const std::string& now);
// InvalidTimeStamp.Format (400).
ImmError timestamp_format(const std::string& name, const std::string& value);
// IncompleteSignature (400): an Authorization header or signature
// parameters that do not follow the scheme.
ImmError incomplete_signature(const std::string& why);
// InvalidSignatureMethod (400): a scheme other than HMAC-SHA1 (V2) or
// ACS3-HMAC-SHA256 (V3).
ImmError signature_method(const std::string& method);
// InvalidAction.NotFound (404): an Action this endpoint does not serve.
ImmError action_not_found(const std::string& action);
// InvalidVersion (400): an API version other than 2020-09-30.
ImmError invalid_version(const std::string& version);
// UnsupportedHTTPMethod (400): RPC calls are GET or POST.
ImmError unsupported_method(const std::string& method);
// InvalidArgument (400): IMM's code for any other bad request value.
ImmError invalid_argument(const std::string& message);
// Throttling (503): the nonce memory is full of nonces still in their window.
ImmError throttled(const std::string& why);

}  // namespace hlsfs::imm

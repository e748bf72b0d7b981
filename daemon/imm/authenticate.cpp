#include "daemon/imm/authenticate.h"

#include <set>

#include "daemon/imm/digest.h"
#include "daemon/imm/imm_error.h"
#include "daemon/imm/request_time.h"
#include "daemon/imm/signature_v2.h"
#include "daemon/imm/signature_v3.h"

namespace hlsfs::imm {

namespace {

std::string param(const Params& p, const std::string& name) {
  auto it = p.find(name);
  return it == p.end() ? "" : it->second;
}

std::string raw_path(const HttpRequest& req) {
  std::string p = req.target.substr(0, req.target.find('?'));
  return p.empty() ? "/" : p;
}

void check_time(const std::string& name, const std::string& value, std::time_t now, std::time_t& out) {
  auto t = parse_utc_timestamp(value);
  if (!t) throw timestamp_format(name, value);
  if (!within_request_window(*t, now)) throw timestamp_expired(value, format_utc_timestamp(now));
  out = *t;
}

void check_nonce(NonceCache& nonces, const std::string& id, const std::string& nonce, std::time_t t, std::time_t now) {
  switch (nonces.record(id, nonce, t, now)) {
    case NonceCache::Result::fresh: return;
    case NonceCache::Result::used: throw nonce_used(nonce);
    case NonceCache::Result::full: throw throttled("too many signed requests within 15 minutes");
  }
}

const std::string& secret_of(const AccessKeys& keys, const std::string& id) {
  auto it = keys.find(id);
  if (it == keys.end()) throw access_key_not_found(id);
  return it->second;
}

SignedCall check_v3(const HttpRequest& req, const Params& query, const AccessKeys& keys, NonceCache& nonces,
                    std::time_t now) {
  std::string why;
  auto auth = parse_acs3_authorization(req.header("authorization"), why);
  if (!auth) throw incomplete_signature(why);
  if (auth->algorithm != kAcs3Algorithm) throw signature_method(auth->algorithm);
  // Every x-acs-* header (the action, version, date, nonce and body hash
  // among them) and the host must be signed: an unsigned one could be
  // changed on the way.
  std::set<std::string> signed_names(auth->signed_headers.begin(), auth->signed_headers.end());
  if (signed_names.size() != auth->signed_headers.size()) throw incomplete_signature("SignedHeaders names a header twice");
  for (const auto& [name, value] : req.headers)
    if ((name.rfind("x-acs-", 0) == 0 || name == "host") && !signed_names.count(name))
      throw incomplete_signature("the " + name + " header is not in SignedHeaders");
  for (const char* name : {"x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce"})
    if (req.header(name).empty()) throw incomplete_signature(std::string("the ") + name + " header is missing");
  const std::string& secret = secret_of(keys, auth->access_key_id);
  std::time_t t = 0;
  check_time("x-acs-date", req.header("x-acs-date"), now, t);
  // The body is signed through its hash: the header must be the body's.
  std::string payload_hash = lower_hex(sha256(req.body));
  std::string sent_hash = req.header("x-acs-content-sha256");
  if (!sent_hash.empty() && sent_hash != payload_hash)
    throw signature_mismatch(" (x-acs-content-sha256 is not the SHA-256 of the body: " + payload_hash + ")");
  std::string canonical =
      v3_canonical_request(req.method, raw_path(req), query, req.headers, auth->signed_headers, payload_hash);
  std::string to_sign = v3_string_to_sign(canonical);
  if (!same_secret_text(v3_signature(secret, to_sign), auth->signature))
    throw signature_mismatch(to_sign + " (canonical request: " + canonical + ")");
  check_nonce(nonces, auth->access_key_id, req.header("x-acs-signature-nonce"), t, now);
  std::string action = req.header("x-acs-action"), version = req.header("x-acs-version");
  // An Action/Version in the query too (signed as well) must agree.
  if (query.count("Action") && param(query, "Action") != action)
    throw invalid_argument("Action \"" + param(query, "Action") + "\" differs from x-acs-action \"" + action + "\"");
  if (query.count("Version") && param(query, "Version") != version)
    throw invalid_argument("Version \"" + param(query, "Version") + "\" differs from x-acs-version \"" + version + "\"");
  return {auth->access_key_id, "V3", action, version};
}

SignedCall check_v2(const HttpRequest& req, const Params& all, const AccessKeys& keys, NonceCache& nonces,
                    std::time_t now) {
  for (const char* name : {"AccessKeyId", "Signature", "SignatureMethod", "SignatureNonce", "Timestamp"})
    if (param(all, name).empty()) throw missing_parameter(name);
  if (param(all, "SignatureMethod") != "HMAC-SHA1") throw signature_method(param(all, "SignatureMethod"));
  if (param(all, "SignatureVersion") != "1.0")
    throw incomplete_signature("SignatureVersion must be 1.0, not \"" + param(all, "SignatureVersion") + "\"");
  const std::string id = param(all, "AccessKeyId");
  const std::string& secret = secret_of(keys, id);
  std::time_t t = 0;
  check_time("Timestamp", param(all, "Timestamp"), now, t);
  std::string to_sign = rpc_v2_string_to_sign(req.method, all);
  if (!same_secret_text(rpc_v2_signature(secret, to_sign), param(all, "Signature"))) throw signature_mismatch(to_sign);
  check_nonce(nonces, id, param(all, "SignatureNonce"), t, now);
  return {id, "V2", param(all, "Action"), param(all, "Version")};
}

}  // namespace

SignedCall authenticate(const HttpRequest& req, const Params& query, const Params& body, const AccessKeys& keys,
                        NonceCache& nonces, std::time_t now) {
  if (!req.header("authorization").empty()) return check_v3(req, query, keys, nonces, now);
  // V2 signs the query's and the form body's parameters together.
  Params all = merge_params(query, body);
  if (all.count("Signature") || all.count("AccessKeyId")) return check_v2(req, all, keys, nonces, now);
  throw incomplete_signature(
      "the request is not signed: send an Authorization: ACS3-HMAC-SHA256 header (signature V3) or the "
      "Signature, SignatureMethod, SignatureNonce, SignatureVersion, Timestamp and AccessKeyId parameters (V2)");
}

}  // namespace hlsfs::imm

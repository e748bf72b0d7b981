#include "daemon/imm/signature_v3.h"

#include "daemon/imm/digest.h"
#include "hlsfs/percent_decode.h"

namespace hlsfs::imm {

namespace {

std::string trimmed(const std::string& s) {
  size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t");
  return s.substr(a, b - a + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    size_t next = s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (next == std::string::npos) return out;
    pos = next + 1;
  }
}

}  // namespace

std::optional<Acs3Authorization> parse_acs3_authorization(const std::string& header, std::string& why) {
  Acs3Authorization a;
  std::string h = trimmed(header);
  size_t space = h.find(' ');
  if (space == std::string::npos) {
    why = "Authorization has no Credential=...,SignedHeaders=...,Signature=...";
    return std::nullopt;
  }
  a.algorithm = h.substr(0, space);
  std::map<std::string, std::string> parts;
  for (const std::string& item : split(h.substr(space + 1), ',')) {
    std::string kv = trimmed(item);
    size_t eq = kv.find('=');
    if (eq == std::string::npos || !parts.emplace(kv.substr(0, eq), kv.substr(eq + 1)).second) {
      why = "Authorization: \"" + kv + "\" is not one Name=value of Credential, SignedHeaders, Signature";
      return std::nullopt;
    }
  }
  for (const char* name : {"Credential", "SignedHeaders", "Signature"})
    if (parts[name].empty()) {
      why = std::string("Authorization lacks ") + name + "=";
      return std::nullopt;
    }
  if (parts.size() != 3) {
    why = "Authorization holds parts other than Credential, SignedHeaders, Signature";
    return std::nullopt;
  }
  a.access_key_id = parts["Credential"];
  a.signed_headers = split(parts["SignedHeaders"], ';');
  a.signature = parts["Signature"];
  for (const auto& name : a.signed_headers)
    if (name.empty() || name.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ :") != std::string::npos) {
      why = "SignedHeaders: \"" + parts["SignedHeaders"] + "\" is not lower-case header names joined by ';'";
      return std::nullopt;
    }
  return a;
}

std::string v3_canonical_query(const Params& query) {
  std::string out;
  for (const auto& [name, value] : query) {
    if (!out.empty()) out += '&';
    out += percent_encode(name) + "=" + percent_encode(value);
  }
  return out;
}

std::string v3_canonical_request(const std::string& method, const std::string& canonical_uri, const Params& query,
                                 const std::map<std::string, std::string>& headers,
                                 const std::vector<std::string>& signed_headers, const std::string& hashed_payload) {
  std::string canonical_headers, names;
  for (const auto& name : signed_headers) {
    auto it = headers.find(name);
    canonical_headers += name + ":" + (it == headers.end() ? "" : trimmed(it->second)) + "\n";
    names += (names.empty() ? "" : ";") + name;
  }
  return method + "\n" + canonical_uri + "\n" + v3_canonical_query(query) + "\n" + canonical_headers + "\n" + names +
         "\n" + hashed_payload;
}

std::string v3_string_to_sign(const std::string& canonical_request) {
  return std::string(kAcs3Algorithm) + "\n" + lower_hex(sha256(canonical_request));
}

std::string v3_signature(const std::string& secret, const std::string& string_to_sign) {
  return lower_hex(hmac_sha256(secret, string_to_sign));
}

}  // namespace hlsfs::imm

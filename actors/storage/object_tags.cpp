#include "actors/storage/object_tags.h"

#include "hlsfs/percent_decode.h"

namespace hlsfs {

std::string object_tagging(const std::map<std::string, std::string>& tags) {
  std::string out;
  for (const auto& [k, v] : tags) out += (out.empty() ? "" : "&") + percent_encode(k) + "=" + percent_encode(v);
  return out;
}

namespace {

// Characters, counted as UTF-8 code points (the services' limits are in characters).
size_t characters(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool allowed_text(const std::string& s) {
  for (unsigned char c : s) {
    if (c >= 0x80) continue;  // letters of any script (UTF-8); the request parser refused control bytes
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) continue;
    if (c == ' ' || c == '+' || c == '-' || c == '=' || c == '.' || c == '_' || c == ':' || c == '/' || c == '@')
      continue;
    return false;
  }
  return true;
}

}  // namespace

std::string object_tags_problem(const std::map<std::string, std::string>& tags) {
  if (tags.size() > 10)
    return "Tags: S3 and OSS objects take at most 10 tags, got " + std::to_string(tags.size());
  for (const auto& [k, v] : tags) {
    const std::string field = "Tags." + k;
    if (k.empty() || characters(k) > 128) return field + ": a tag key has 1 to 128 characters";
    if (k.rfind("aws:", 0) == 0) return field + ": keys starting with \"aws:\" are reserved";
    if (characters(v) > 256) return field + ": a tag value has at most 256 characters";
    if (!allowed_text(k) || !allowed_text(v))
      return field + ": object tags hold letters, digits, spaces and + - = . _ : / @ only";
  }
  return "";
}

}  // namespace hlsfs

#include "actors/segment_cache/state_keys.h"

#include <cstdio>

#include "actors/segment_cache/state_store.h"

namespace hlsfs::state_keys {

void put_be(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_be(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::string printable(const rocksdb::Slice& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[5];
      snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

std::string segment_name(const std::string& token, uint32_t n) { return token + "/" + std::to_string(n); }

std::string segment_key(const std::string& token, uint32_t n) {
  char digits[16];
  snprintf(digits, sizeof digits, "%08u", n);
  return token + "/" + digits;
}

bool parse_segment_key(const rocksdb::Slice& key, std::string* token, uint32_t* n) {
  if (key.size() < 10 || key[key.size() - 9] != '/') return false;
  std::string t(key.data(), key.size() - 9);
  if (t.find('/') != std::string::npos) return false;
  uint32_t v = 0;
  for (size_t i = key.size() - 8; i < key.size(); ++i) {
    if (key[i] < '0' || key[i] > '9') return false;
    v = v * 10 + static_cast<uint32_t>(key[i] - '0');
  }
  *token = std::move(t);
  *n = v;
  return true;
}

std::string atime_key(int64_t ms, const std::string& token, uint32_t n) {
  std::string k;
  k.reserve(12 + token.size());
  put_be(k, static_cast<uint64_t>(ms), 8);
  k += token;
  put_be(k, n, 4);
  return k;
}

bool parse_atime_key(const rocksdb::Slice& key, int64_t* ms, std::string* token, uint32_t* n) {
  if (key.size() < 13) return false;
  uint64_t t = get_be(key.data(), 8);
  if (t > static_cast<uint64_t>(INT64_MAX)) return false;
  *ms = static_cast<int64_t>(t);
  token->assign(key.data() + 8, key.size() - 12);
  *n = static_cast<uint32_t>(get_be(key.data() + key.size() - 4, 4));
  return true;
}

void check_token(const std::string& dir, const std::string& token) {
  if (token.empty() || token.find('/') != std::string::npos)
    throw StateError(dir + ": invalid segment token '" + token + "' (empty or contains '/')");
}
void check_segment(const std::string& dir, const std::string& token, uint32_t n) {
  check_token(dir, token);
  if (n > StateStore::kMaxSegment)
    throw StateError(dir + ": segment number " + std::to_string(n) + " of " + token + " exceeds 8 digits");
}
void check_time(const std::string& dir, const std::string& token, uint32_t n, int64_t ms) {
  if (ms < 0) throw StateError(dir + ": negative access time for segment " + segment_name(token, n));
}
}  // namespace hlsfs::state_keys

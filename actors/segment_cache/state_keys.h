// Key and value encoding shared by the StateStore's files: big-endian
// integers (byte order = numeric order, so RocksDB iterates ages oldest
// first), segment keys, and the argument checks every entry point makes.
#pragma once
#include <cstdint>
#include <string>

#include <rocksdb/slice.h>

namespace hlsfs::state_keys {

void put_be(std::string& out, uint64_t v, int bytes);
uint64_t get_be(const char* p, int bytes);
// Keys are binary; errors show them printable.
std::string printable(const rocksdb::Slice& s);

std::string segment_name(const std::string& token, uint32_t n);  // "token/7", for messages
std::string segment_key(const std::string& token, uint32_t n);   // "token/00000007"
bool parse_segment_key(const rocksdb::Slice& key, std::string* token, uint32_t* n);

// be64(ms) token be32(N): time first so that byte order is age order; N last
// so that the token (any length) sits between two fixed-size fields.
std::string atime_key(int64_t ms, const std::string& token, uint32_t n);
bool parse_atime_key(const rocksdb::Slice& key, int64_t* ms, std::string* token, uint32_t* n);

// Throw StateError naming the state directory.
void check_token(const std::string& dir, const std::string& token);
void check_segment(const std::string& dir, const std::string& token, uint32_t n);
void check_time(const std::string& dir, const std::string& token, uint32_t n, int64_t ms);

}  // namespace hlsfs::state_keys

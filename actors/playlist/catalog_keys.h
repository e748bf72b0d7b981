// The catalog's keys (RocksDB "catalog" family, version 1). Paths are mount
// paths without a leading '/'; '\0' never occurs in one, so it ends a
// directory in a key and a directory's keys form one prefix, in name order.
//
//   "#version"                        -> "1": the index is complete (records
//                                        made before it existed were indexed once)
//   "#renditions"                     -> decimal count of renditions indexed
//   'c' parent '\0' name              -> what parent/name is:
//        'd'                             a directory
//        't' text                        a text file (a master playlist)
//        'r' token(32) ' ' size          a rendition's media playlist (its text
//                                        follows from the rendition)
//   'r' dir '\0' token                -> "": renditions whose segments live in dir
//   'm' token '\0' state key          -> "": masters listing token ("master:<token>")
#pragma once
#include <string>

namespace hlsfs::catalog_keys {

inline const std::string kVersionKey = "#version";
inline const std::string kCountKey = "#renditions";
inline const std::string kVersion = "1";

inline std::string children_prefix(const std::string& dir) { return "c" + dir + '\0'; }
inline std::string child_key(const std::string& dir, const std::string& name) { return children_prefix(dir) + name; }
inline std::string renditions_prefix(const std::string& dir) { return "r" + dir + '\0'; }
inline std::string rendition_key(const std::string& dir, const std::string& token) { return renditions_prefix(dir) + token; }
inline std::string masters_prefix(const std::string& token) { return "m" + token + '\0'; }
inline std::string master_key(const std::string& token, const std::string& state_key) {
  return masters_prefix(token) + state_key;
}

}  // namespace hlsfs::catalog_keys

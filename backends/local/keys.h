// Object keys of the local backend: which keys are acceptable, and how a key
// splits into a directory and a file name.
#pragma once
#include <string>
#include <utility>

namespace hlsfs_local {

// Temporary files of write() start with this; list() skips them and keys may
// not use it, so a half-written object is never seen as one.
constexpr const char* kTempPrefix = ".hlsfs-tmp-";

// "" when `key` is a valid object key, else why not (e.g. "'..' element").
// Refused: empty keys, a leading '/', empty elements ("a//b", "a/"), "." and
// ".." elements, the temp prefix. Symlinks are checked when opening.
std::string key_problem(const char* key);

// "a/b/c.ts" -> {"a/b", "c.ts"}; "c.ts" -> {"", "c.ts"}.
std::pair<std::string, std::string> split_key(const std::string& key);

}  // namespace hlsfs_local

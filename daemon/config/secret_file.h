// Reading a small file that holds a secret (the control token, the webhook
// key, IMM's AccessKeys), the same way for each: one open, so the mode
// checked is the mode of the file read, and the content read only when
// nobody but its owner may access it.
#pragma once
#include <cstddef>
#include <string>

namespace hlsfs {

// The file's text. Throws ConfigError "<where>: <path>: <why>" when it cannot
// be opened, is not a regular file, group or others may access it (whoever
// reads a secret can use it; whoever writes it can choose it), or holds more
// than max_bytes (`what` names what it should hold: "a token", "a key file").
std::string read_secret_file(const std::string& path, const std::string& where, size_t max_bytes,
                             const std::string& what);

}  // namespace hlsfs

// Which keys the plugin ABI allows (include/hlsfs/backend.h): '/'-separated,
// no leading '/', no empty, "." or ".." element. The daemon never passes
// others; a plugin refuses them anyway, since an object store would take
// them literally and make objects no file path can name.
#pragma once
#include <string>

namespace objstore {

// "" when key is acceptable, else why not.
std::string key_problem(const char* key);
// "" when prefix is acceptable for list(): "" (everything), "dir/", "dir/na".
std::string prefix_problem(const std::string& prefix);

}  // namespace objstore

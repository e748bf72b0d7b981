// The AccessKey pairs the IMM endpoint accepts (config api.access_keys).
// The file holds one pair a line, "AccessKeyId AccessKeySecret" separated by
// spaces or tabs; blank lines and lines starting with '#' are skipped. Its
// owner alone may read it (like control.token_file): whoever reads a secret
// can generate playlists as that key. Or api.access_keys: credential:NAME,
// read from systemd's credentials (daemon/config/credentials.h).
#pragma once
#include <map>
#include <string>

#include "daemon/config/config.h"

namespace hlsfs::imm {

using AccessKeys = std::map<std::string, std::string>;  // AccessKeyId -> AccessKeySecret

// The pairs of `text`; throws ConfigError naming `where` and the line.
// AccessKeyIds are 1-128 letters, digits, '.', '_' or '-'; secrets at least
// 16 visible characters; an id given twice, or no pair at all, is an error.
AccessKeys parse_access_keys(const std::string& text, const std::string& where);

// The keys of c.api_access_keys (empty map when the API is off). Throws
// ConfigError: the file cannot be read, group or others may access it, or
// its content is wrong.
AccessKeys load_access_keys(const Config& c);

}  // namespace hlsfs::imm

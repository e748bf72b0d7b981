// Secrets out of the configuration file: a value "credential:NAME" (for
// signing.secret or any store option, e.g. secret_access_key) is read from
// systemd's credentials. Under the unit, LoadCredential=NAME copies
// /etc/credstore/NAME (root-only) into $CREDENTIALS_DIRECTORY, readable by
// hlsfsd's user alone; outside it (hlsfsctl run by root), NAME is read from the
// directories LoadCredential= searches itself: /etc/credstore,
// /run/credstore, /usr/lib/credstore. The file then holds no secret and may
// be readable by all.
#pragma once
#include <string>
#include <vector>

#include "daemon/config/config.h"

namespace hlsfs {

constexpr const char* kCredentialPrefix = "credential:";

bool is_credential_ref(const std::string& value);
// "" when NAME is a valid credential name (what systemd accepts as a file
// name of its own: 1..255 bytes, no '/', not "." or ".."), else why not.
std::string credential_name_problem(const std::string& value);

// The directories searched when $CREDENTIALS_DIRECTORY is not set.
const std::vector<std::string>& default_credential_stores();

// The content of credential `name` for configuration key `key` (one
// trailing newline dropped). With `credentials_directory` (the unit's
// $CREDENTIALS_DIRECTORY) only there, else in `stores`, the first that has
// it. Throws ConfigError naming the file, the key and the credential.
std::string read_credential(const Config& c, const std::string& key, const std::string& name,
                            const char* credentials_directory,
                            const std::vector<std::string>& stores = default_credential_stores());

// Every "credential:NAME" value of `c` replaced by its content, and
// signing.secret checked as if it had been written in the file.
void resolve_credentials(Config& c, const char* credentials_directory,
                         const std::vector<std::string>& stores = default_credential_stores());

}  // namespace hlsfs

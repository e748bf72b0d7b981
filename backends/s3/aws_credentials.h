// Where the S3 plugin finds its keys, first match wins:
//   1. the store's config: access_key_id + secret_access_key (+ session_token);
//   2. with the config key `profile`: that profile of the credentials file;
//   3. the environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN);
//   4. the credentials file ($AWS_SHARED_CREDENTIALS_FILE, else
//      ~/.aws/credentials), profile $AWS_PROFILE or "default".
// Keys are read once, when the store opens.
#pragma once
#include <string>
#include <string_view>

#include "backends/objstore/config.h"
#include "backends/objstore/request.h"

namespace hlsfs_s3 {

// Takes access_key_id, secret_access_key, session_token and profile from c.
// Throws objstore::ConfigError when no complete key pair is found.
objstore::Credentials resolve_aws_credentials(objstore::ConfigMap& c);

// The [profile] section of a credentials file (INI: aws_access_key_id,
// aws_secret_access_key, aws_session_token). False when it has no such
// section or the section no key pair.
bool parse_aws_credentials_file(std::string_view text, const std::string& profile, objstore::Credentials* out);

}  // namespace hlsfs_s3

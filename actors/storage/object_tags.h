// A request's Tags as object tags of the files it puts into S3/OSS stores
// (x-amz-tagging / x-oss-tagging): the header's value, and what those
// services refuse, checked before anything is written.
#pragma once
#include <map>
#include <string>

namespace hlsfs {

// "k=v&k2=v2", keys and values percent-encoded (RFC 3986), in key order; ""
// for no tags.
std::string object_tagging(const std::map<std::string, std::string>& tags);

// Why S3 and OSS would refuse these tags on an object ("" when they take
// them): at most 10, a key of 1-128 characters not starting with "aws:", a
// value of at most 256, made of letters, digits, spaces and + - = . _ : / @
// (what both services accept). Names the tag.
std::string object_tags_problem(const std::map<std::string, std::string>& tags);

}  // namespace hlsfs

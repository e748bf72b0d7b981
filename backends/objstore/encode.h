// Text encodings the object-store protocols need: RFC 3986 percent-encoding
// (request paths, query strings, signatures), hex, and header-value
// normalisation. Its inverse, for keys listed with encoding-type=url, is
// hlsfs::percent_decode (hlsfs/percent_decode.h), shared with the daemon.
#pragma once
#include <string>
#include <string_view>

namespace objstore {

// Percent-encodes every byte except RFC 3986's unreserved set (A-Z a-z 0-9
// - . _ ~), with upper-case hex, as both signature schemes require. '/' is
// kept when keep_slash (object keys in paths), encoded otherwise (query).
std::string uri_encode(std::string_view s, bool keep_slash);

std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

// A header value as signers canonicalise it: leading and trailing white
// space dropped, inner runs of spaces collapsed to one.
std::string trim_collapse(std::string_view s);

}  // namespace objstore

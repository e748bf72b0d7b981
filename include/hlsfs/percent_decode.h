// The one percent-decoder (RFC 3986 %XX escapes) of hlsfs, and its encoder: keys listed by
// S3/OSS with encoding-type=url, file:// URIs of hlsfsctl render, request
// paths and queries of the control API.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace hlsfs {

namespace percent {
constexpr unsigned plus_is_space = 1;  // '+' decodes to ' ' (forms, S3's encoding-type=url)
constexpr unsigned strict = 2;         // a '%' without two hex digits after it is refused, not kept
}  // namespace percent

// `in` with every %XX (either case of hex) replaced by its byte. A malformed
// escape ("100%", "%zz") is kept as it is, or refused with percent::strict.
// %00 is always refused: no path, key or name can hold a NUL byte, and the C
// strings they become further on would be cut there. nullopt when refused.
std::optional<std::string> percent_decode(std::string_view in, unsigned flags = 0);

// The other way (RFC 3986): every byte but the unreserved characters
// (A-Z a-z 0-9 - . _ ~), and '/' unless keep_slash, as %XX (upper-case hex):
// S3's canonical URIs and keys, a source URI in a control-API query.
std::string percent_encode(std::string_view in, bool keep_slash = false);

}  // namespace hlsfs

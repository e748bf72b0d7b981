// The date formats of the object-store protocols, all UTC and independent of
// the process locale (the daemon may run under any LANG).
#pragma once
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace objstore {

std::string iso8601_basic(time_t t);  // 20130524T000000Z (x-amz-date, x-oss-date)
std::string date_stamp(time_t t);     // 20130524 (credential scope)
std::string http_date(time_t t);      // Fri, 24 May 2013 00:00:00 GMT (Date, OSS V1)

// Nanoseconds since the epoch, or 0 when the text is not such a date.
int64_t parse_iso8601_ns(std::string_view s);  // 2009-10-12T17:50:30.000Z (LastModified in listings)
int64_t parse_http_date_ns(std::string_view s);  // Mon, 12 Oct 2009 17:50:30 GMT (Last-Modified header)

}  // namespace objstore

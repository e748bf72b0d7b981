#include "backends/objstore/timefmt.h"

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace objstore {

namespace {

const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct tm utc(time_t t) {
  struct tm tm {};
  gmtime_r(&t, &tm);
  return tm;
}

std::string format(const char* fmt, const struct tm& tm) {
  char buf[64];
  size_t n = strftime(buf, sizeof buf, fmt, &tm);
  return std::string(buf, n);
}

int64_t to_ns(int year, int month, int day, int hour, int minute, int second, int64_t frac_ns) {
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return 0;
  struct tm tm {};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  time_t t = timegm(&tm);
  // After 2262-04-11 there is no int64 count of nanoseconds: not such a date.
  if (t < 0 || t > (INT64_MAX - frac_ns) / 1000000000LL) return 0;
  return static_cast<int64_t>(t) * 1000000000LL + frac_ns;
}

}  // namespace

// %Y%m%d and friends are numeric, so strftime's locale does not show.
std::string iso8601_basic(time_t t) { return format("%Y%m%dT%H%M%SZ", utc(t)); }
std::string date_stamp(time_t t) { return format("%Y%m%d", utc(t)); }

std::string http_date(time_t t) {
  struct tm tm = utc(t);
  char buf[64];
  snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon],
           tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

int64_t parse_iso8601_ns(std::string_view s) {
  std::string text(s.substr(0, 64));
  int y, mo, d, h, mi, sec, consumed = 0;
  if (sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &consumed) != 6) return 0;
  int64_t frac = 0;
  size_t i = static_cast<size_t>(consumed);
  if (i < text.size() && text[i] == '.') {
    int64_t scale = 100000000;
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      frac += (text[i] - '0') * scale;
      scale /= 10;
    }
  }
  return to_ns(y, mo, d, h, mi, sec, frac);
}

int64_t parse_http_date_ns(std::string_view s) {
  std::string text(s.substr(0, 64));
  char wday[8] = {0}, mon[8] = {0};
  int d, y, h, mi, sec;
  if (sscanf(text.c_str(), "%3s, %2d %3s %4d %2d:%2d:%2d", wday, &d, mon, &y, &h, &mi, &sec) != 7) return 0;
  for (int m = 0; m < 12; ++m)
    if (strcmp(mon, kMonths[m]) == 0) return to_ns(y, m + 1, d, h, mi, sec, 0);
  return 0;
}

}  // namespace objstore

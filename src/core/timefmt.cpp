#include "core/timefmt.hpp"

#include <cstdio>
#include <cstring>
#include <ctime>
#include <string_view>

namespace awan::timefmt {

namespace {
std::tm to_tm(time_point t) {
  // floor, not to_time_t's truncation: 1969-12-31T23:59:59.5 is in second 59, not in 1970.
  std::time_t tt = static_cast<std::time_t>(std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return tm;
}
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
// nullopt for a time the clock cannot represent (system_clock counts nanoseconds: about
// 1678-2261), where the conversion would overflow.
std::optional<time_point> make_time(int y, int mo, int d, int h, int mi, int s, int64_t nanos, int offset_sec) {
  int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + s - offset_sec;
  constexpr int64_t kLimit =
      std::chrono::duration_cast<std::chrono::seconds>(time_point::duration::max()).count() - 1;
  if (secs >= kLimit || secs <= -kLimit) return std::nullopt;
  return time_point{std::chrono::duration_cast<time_point::duration>(std::chrono::seconds(secs) +
                                                                     std::chrono::nanoseconds(nanos))};
}
bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}
// Writes v (0 <= v < 10^n) as n digits, zero-padded.
void put_digits(char*& p, int v, int n) {
  for (int i = n - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  p += n;
}
void put_text(char*& p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  p += s.size();
}
bool valid_fields(int mo, int d, int h, int mi, int s) {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 &&
         s <= 60;
}
}  // namespace

// Every response carries one or two of these: digits written by hand, not through printf. Years
// outside 0-9999 (not a date S3 or SQS can hold) take the printf form.
std::string iso8601(time_point t, bool millis) {
  std::tm tm = to_tm(t);
  int year = tm.tm_year + 1900;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  if (ms < 0) ms += 1000;
  char buf[80];  // room for any int fields, so that GCC sees no truncation
  if (year < 0 || year > 9999) {
    if (millis) {
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year, tm.tm_mon + 1, tm.tm_mday,
                    tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    } else {
      std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    return buf;
  }
  char* p = buf;
  put_digits(p, year, 4);
  *p++ = '-';
  put_digits(p, tm.tm_mon + 1, 2);
  *p++ = '-';
  put_digits(p, tm.tm_mday, 2);
  *p++ = 'T';
  put_digits(p, tm.tm_hour, 2);
  *p++ = ':';
  put_digits(p, tm.tm_min, 2);
  *p++ = ':';
  put_digits(p, tm.tm_sec, 2);
  if (millis) {
    *p++ = '.';
    put_digits(p, static_cast<int>(ms), 3);
  }
  *p++ = 'Z';
  return std::string(buf, p);
}

std::string amz_date(time_point t) {
  std::tm tm = to_tm(t);
  char buf[24];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string http_date(time_point t) {
  static constexpr std::string_view days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm = to_tm(t);
  int year = tm.tm_year + 1900;
  char buf[40];
  if (year < 0 || year > 9999) {
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday].data(), tm.tm_mday,
                  months[tm.tm_mon].data(), year, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
  }
  char* p = buf;
  put_text(p, days[tm.tm_wday]);
  put_text(p, ", ");
  put_digits(p, tm.tm_mday, 2);
  *p++ = ' ';
  put_text(p, months[tm.tm_mon]);
  *p++ = ' ';
  put_digits(p, year, 4);
  *p++ = ' ';
  put_digits(p, tm.tm_hour, 2);
  *p++ = ':';
  put_digits(p, tm.tm_min, 2);
  *p++ = ':';
  put_digits(p, tm.tm_sec, 2);
  put_text(p, " GMT");
  return std::string(buf, p);
}

std::optional<time_point> parse_iso8601(std::string_view s) {
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  size_t p = 10;
  int64_t nanos = 0;
  int offset = 0;
  if (p < s.size()) {
    if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return std::nullopt;
    ++p;
    if (!digits(s, p, 2, h) || p + 2 >= s.size() || s[p + 2] != ':' || !digits(s, p + 3, 2, mi)) {
      return std::nullopt;
    }
    p += 5;
    if (p < s.size() && s[p] == ':') {
      if (!digits(s, p + 1, 2, sec)) return std::nullopt;
      p += 3;
    }
    if (p < s.size() && s[p] == '.') {
      ++p;
      int64_t scale = 100000000;
      size_t start = p;
      while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
        if (scale > 0) nanos += (s[p] - '0') * scale;
        scale /= 10;
        ++p;
      }
      if (p == start) return std::nullopt;
    }
    if (p < s.size()) {
      if (s[p] == 'Z' || s[p] == 'z') {
        ++p;
      } else if (s[p] == '+' || s[p] == '-') {
        int oh, om;
        int sign = s[p] == '-' ? -1 : 1;
        if (!digits(s, p + 1, 2, oh)) return std::nullopt;
        size_t q = p + 3;
        if (q < s.size() && s[q] == ':') ++q;
        if (!digits(s, q, 2, om)) return std::nullopt;
        offset = sign * (oh * 3600 + om * 60);
        p = q + 2;
      }
    }
    if (p != s.size()) return std::nullopt;
  }
  if (!valid_fields(mo, d, h, mi, sec)) return std::nullopt;
  return make_time(y, mo, d, h, mi, sec, nanos, offset);
}

std::optional<time_point> parse_amz_date(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z' || !digits(s, 0, 4, y) || !digits(s, 4, 2, mo) ||
      !digits(s, 6, 2, d) || !digits(s, 9, 2, h) || !digits(s, 11, 2, mi) || !digits(s, 13, 2, sec)) {
    return std::nullopt;
  }
  if (!valid_fields(mo, d, h, mi, sec)) return std::nullopt;
  return make_time(y, mo, d, h, mi, sec, 0, 0);
}

std::optional<time_point> parse_http_date(std::string_view s) {
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  static const char* months = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (s.size() != 29 || s[3] != ',' || s.substr(26) != "GMT") return std::nullopt;
  int d, y, h, mi, sec;
  if (!digits(s, 5, 2, d) || !digits(s, 12, 4, y) || !digits(s, 17, 2, h) || !digits(s, 20, 2, mi) ||
      !digits(s, 23, 2, sec)) {
    return std::nullopt;
  }
  const char* m = std::strstr(months, std::string(s.substr(8, 3)).c_str());
  if (!m || (m - months) % 3) return std::nullopt;
  int mo = static_cast<int>((m - months) / 3) + 1;
  if (!valid_fields(mo, d, h, mi, sec)) return std::nullopt;
  return make_time(y, mo, d, h, mi, sec, 0, 0);
}

double epoch_seconds(time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

time_point from_epoch_seconds(double s) {
  return time_point{std::chrono::duration_cast<time_point::duration>(std::chrono::duration<double>(s))};
}

}  // namespace awan::timefmt

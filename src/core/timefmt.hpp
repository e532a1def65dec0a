#pragma once
// Timestamp formats used on the wire.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace awan::timefmt {

using time_point = std::chrono::system_clock::time_point;

// 2015-08-30T12:36:00Z (seconds) / 2015-08-30T12:36:00.123Z (millis)
std::string iso8601(time_point t, bool millis = false);
// 20150830T123600Z (SigV4 X-Amz-Date)
std::string amz_date(time_point t);
// Sun, 06 Nov 1994 08:49:37 GMT (HTTP Date)
std::string http_date(time_point t);
// Parse ISO 8601 (with optional fraction and Z or +hh:mm offset), SigV4 basic form, or
// HTTP date; nullopt when malformed.
std::optional<time_point> parse_iso8601(std::string_view s);
std::optional<time_point> parse_amz_date(std::string_view s);
std::optional<time_point> parse_http_date(std::string_view s);
// Seconds since the epoch with fractional part.
double epoch_seconds(time_point t);
time_point from_epoch_seconds(double s);

}  // namespace awan::timefmt

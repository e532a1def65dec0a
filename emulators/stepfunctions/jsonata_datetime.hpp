#pragma once
// Date and time for the JSONata subset's $now, $fromMillis and $toMillis: ISO 8601 text and
// XPath picture strings ("[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]"): components
// Y M D d F W w X x H h P m s f Z z (numbers with their minimum width, names N n Nn with a
// maximum width, the ordinal suffix o, words w W Ww, roman i I and letters a A through
// jsonata_numbers.hpp); C and E are refused. Failures throw StatesError
// (States.QueryEvaluationError).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace awan::stepfunctions::jsonata::datetime {

// "2024-05-01T12:00:00.000Z" (JavaScript's Date.toISOString).
std::string iso8601(int64_t millis);
// The instant in a picture, at a timezone offset "±HHMM" (UTC when absent).
std::string format(int64_t millis, const std::string& picture, const std::optional<std::string>& timezone);
// ISO 8601 text (YYYY[-MM[-DD[Thh:mm:ss[.fff]]]][Z|±hh[:]mm]; no offset means UTC) to
// milliseconds since the epoch.
int64_t parse_iso8601(const std::string& text);
// Text written in a picture to milliseconds; nullopt when it does not match the picture.
std::optional<int64_t> parse(const std::string& text, const std::string& picture);
// $now([picture[, timezone]]) and $millis() at `now_millis`, $fromMillis(ms[, picture[,
// timezone]]), $toMillis(timestamp[, picture]); nullopt when undefined.
std::optional<nlohmann::json> call(const std::string& fn, const std::vector<std::optional<nlohmann::json>>& args,
                                   int64_t now_millis);

}  // namespace awan::stepfunctions::jsonata::datetime

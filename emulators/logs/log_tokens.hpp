#pragma once
// The 56-digit tokens and ids CloudWatch Logs hands out, over positions in (timestamp, seq)
// order: GetLogEvents' "f/…" and "b/…" tokens, FilterLogEvents' nextToken and eventId, the
// legacy upload sequence token.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "logs/store.hpp"

namespace awan::logs {

// 19 digits of timestamp, 19 of seq, 18 zeros.
std::string event_id(const Cursor& at);
std::optional<Cursor> parse_event_id(std::string_view text);

struct PositionToken {
  bool forward = true;  // "f/": events after `at`; "b/": events before it
  Cursor at;
};
std::string position_token(const PositionToken& t);
std::optional<PositionToken> parse_position_token(std::string_view text);

// The upload count as 56 digits ("495…" like AWS's).
std::string sequence_token(int64_t uploads);

}  // namespace awan::logs

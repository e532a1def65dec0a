// Tokens and ids over (timestamp, seq) positions (log_tokens.hpp).
#include "logs/log_tokens.hpp"

#include <cinttypes>
#include <cstdio>

namespace awan::logs {

namespace {
constexpr size_t kDigits = 56;

std::string padded(int64_t v, int width) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%0*" PRId64, width, v < 0 ? int64_t{0} : v);
  return buf;
}

// 19 decimal digits as an int64 (nullopt past INT64_MAX or on a non-digit).
std::optional<int64_t> read19(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(v);
}
}  // namespace

std::string event_id(const Cursor& at) {
  return padded(at.timestamp, 19) + padded(at.seq, 19) + std::string(kDigits - 38, '0');
}

std::optional<Cursor> parse_event_id(std::string_view text) {
  if (text.size() != kDigits || text.substr(38) != std::string(kDigits - 38, '0')) return std::nullopt;
  auto ts = read19(text.substr(0, 19));
  auto seq = read19(text.substr(19, 19));
  if (!ts || !seq) return std::nullopt;
  return Cursor{*ts, *seq};
}

std::string position_token(const PositionToken& t) { return (t.forward ? "f/" : "b/") + event_id(t.at); }

std::optional<PositionToken> parse_position_token(std::string_view text) {
  if (text.size() != kDigits + 2 || (text[0] != 'f' && text[0] != 'b') || text[1] != '/') return std::nullopt;
  auto at = parse_event_id(text.substr(2));
  if (!at) return std::nullopt;
  return PositionToken{text[0] == 'f', *at};
}

std::string sequence_token(int64_t uploads) { return "49" + padded(uploads, kDigits - 2); }

}  // namespace awan::logs

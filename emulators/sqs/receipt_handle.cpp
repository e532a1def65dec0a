// SQS receipt handles (receipt_handle.hpp): "AQEB" + base64("awan1|queue|seq|token|ms").
#include "sqs/receipt_handle.hpp"

#include <charconv>

#include "core/crypto.hpp"

namespace awan::sqs {

namespace {
constexpr std::string_view kPrefix = "AQEB";
constexpr std::string_view kVersion = "awan1";

bool parse_number(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0;
}

// Splits off the text before the next '|' (all of it when there is none).
std::string_view next_field(std::string_view& rest) {
  auto bar = rest.find('|');
  std::string_view field = rest.substr(0, bar);
  rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
  return field;
}
}  // namespace

std::string encode_receipt_handle(const ReceiptHandle& h) {
  std::string raw(kVersion);
  raw.append("|").append(std::to_string(h.queue)).append("|").append(std::to_string(h.seq));
  raw.append("|").append(h.token).append("|").append(std::to_string(h.received_ms));
  return std::string(kPrefix) + crypto::base64_encode(raw);
}

std::optional<ReceiptHandle> decode_receipt_handle(std::string_view text) {
  if (text.size() > 1024 || text.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  auto raw = crypto::base64_decode(text.substr(kPrefix.size()));
  if (!raw) return std::nullopt;
  std::string_view rest(*raw);
  if (next_field(rest) != kVersion) return std::nullopt;
  ReceiptHandle h;
  if (!parse_number(next_field(rest), h.queue) || !parse_number(next_field(rest), h.seq)) return std::nullopt;
  std::string_view token = next_field(rest);
  if (token.size() != 16 || token.find_first_not_of("0123456789abcdef") != std::string_view::npos) return std::nullopt;
  h.token = std::string(token);
  if (!parse_number(next_field(rest), h.received_ms) || !rest.empty()) return std::nullopt;
  return h;
}

std::string new_receive_token() { return crypto::hex(crypto::random_bytes(8)); }

}  // namespace awan::sqs

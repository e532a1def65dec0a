// Recognising WebSocket upgrade requests (RFC 6455 §4.2.1); the handshake itself and the
// framing are in server.cpp.
#include "http/message.hpp"

namespace awan::http {

namespace {
// Whether a comma-separated header value lists `token` (case-insensitive).
bool lists_token(std::string_view value, std::string_view token) {
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t comma = value.find(',', pos);
    std::string_view item = value.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return false;
}
}  // namespace

bool is_websocket_upgrade(const Request& req) {
  if (req.method != "GET") return false;
  if (!lists_token(req.headers.get("upgrade"), "websocket")) return false;
  if (!lists_token(req.headers.get("connection"), "upgrade")) return false;
  if (req.headers.get("sec-websocket-version") != "13") return false;
  auto key = req.headers.get("sec-websocket-key");
  return key.size() == 24;  // base64 of 16 bytes
}

}  // namespace awan::http

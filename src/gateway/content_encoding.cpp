// Compressed request bodies (content_encoding.hpp).
#include "gateway/content_encoding.hpp"

#include <string>
#include <vector>

#include "core/compress.hpp"

namespace awan::gateway {

namespace {
std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}
std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}
}  // namespace

std::optional<AwsError> decode_content_encoding(http::Request& req, const Route& route, uint64_t max_bytes) {
  if (route.service == "s3" || route.service.empty()) return std::nullopt;
  const std::string* ce = req.headers.find("content-encoding");
  if (!ce) return std::nullopt;
  // DynamoDB answers 500 to a coding it does not know and to a body that does not inflate (empty
  // included); the other services pass unknown codings on and answer 400 to such a body.
  const bool dynamodb = route.service == "dynamodb";
  const AwsError dynamodb_error("InternalServerError", "Internal server error", 500, false);
  auto undecodable = [&](AwsError other) { return dynamodb ? dynamodb_error : other; };
  // Codings apply in the order listed: undo them from the last; only gzip/deflate are ours.
  std::vector<std::string> codings;
  size_t pos = 0;
  while (pos <= ce->size()) {
    size_t comma = ce->find(',', pos);
    std::string c = lower(trim(std::string_view(*ce).substr(pos, comma == std::string::npos ? std::string::npos : comma - pos)));
    if (!c.empty()) codings.push_back(c);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  if (dynamodb)
    for (const auto& c : codings)
      if (c != "gzip" && c != "x-gzip" && c != "deflate" && c != "identity")
        return dynamodb_error;
  bool changed = false;
  while (!codings.empty() && (codings.back() == "gzip" || codings.back() == "x-gzip" || codings.back() == "deflate")) {
    auto enc = codings.back() == "deflate" ? compress::Encoding::deflate : compress::Encoding::gzip;
    if (req.body.empty())
      return undecodable(AwsError::serialization("The request body is empty but its Content-Encoding is " + codings.back()));
    bool too_large = false;
    auto out = compress::decode(req.body, enc, max_bytes, &too_large);
    if (!out) {
      if (too_large) return AwsError("RequestEntityTooLarge", "Request body exceeds the maximum allowed size once decompressed", 413);
      return undecodable(AwsError::serialization("The request body is not valid " + codings.back() + " data"));
    }
    req.body = std::move(*out);
    codings.pop_back();
    changed = true;
  }
  if (!changed) return std::nullopt;
  if (codings.empty()) {
    req.headers.remove("content-encoding");
  } else {
    std::string rest;
    for (const auto& c : codings) rest += (rest.empty() ? "" : ", ") + c;
    req.headers.set("Content-Encoding", rest);
  }
  req.headers.set("Content-Length", std::to_string(req.body.size()));
  return std::nullopt;
}

}  // namespace awan::gateway

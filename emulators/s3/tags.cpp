// Tag sets and the x-amz-tagging header (tags.hpp).
#include "s3/tags.hpp"

#include <set>

#include <nlohmann/json.hpp>

#include "core/text.hpp"

namespace awan::s3 {

namespace {
AwsError invalid_tag(const std::string& message) { return {"InvalidTag", message, 400}; }
}  // namespace

std::optional<AwsError> validate_tag_set(const nlohmann::json& tags, size_t max_tags) {
  if (!tags.is_array()) return AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);
  if (tags.size() > max_tags) {
    if (max_tags == 10) return AwsError("BadRequest", "Object tags cannot be greater than 10", 400);
    return invalid_tag("Bucket tag count cannot be greater than " + std::to_string(max_tags));
  }
  std::set<std::string> seen;
  for (const auto& t : tags) {
    if (!t.is_object() || !t.contains("Key") || !t["Key"].is_string())
      return AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);
    std::string key = t["Key"].get<std::string>();
    std::string value = t.contains("Value") && t["Value"].is_string() ? t["Value"].get<std::string>() : "";
    if (key.empty() || key.size() > 128) return invalid_tag("The TagKey you have provided is invalid");
    if (value.size() > 256) return invalid_tag("The TagValue you have provided is invalid");
    if (key.rfind("aws:", 0) == 0) return invalid_tag("Your TagKey cannot be prefixed with aws:");
    if (!seen.insert(key).second) return invalid_tag("Cannot provide multiple Tags with the same key");
  }
  return std::nullopt;
}

std::optional<AwsError> parse_tagging_header(std::string_view header, nlohmann::json& tags) {
  tags = nlohmann::json::array();
  size_t pos = 0;
  while (pos < header.size()) {
    size_t amp = header.find('&', pos);
    if (amp == std::string_view::npos) amp = header.size();
    std::string_view pair = header.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto k = text::percent_decode(pair.substr(0, eq), true);
    auto v = text::percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    // Raw bytes that are not UTF-8 are refused here (they would not survive as JSON text).
    if (!k || !v || !text::valid_utf8(*k) || !text::valid_utf8(*v)) return AwsError("InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.", 400);
    tags.push_back({{"Key", *k}, {"Value", *v}});
  }
  return validate_tag_set(tags, 10);
}

std::string url_encode_key(std::string_view key, bool plus_for_space) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(key.size());
  for (unsigned char c : key) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.' || c == '~' || c == '/';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ' && plus_for_space) {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace awan::s3

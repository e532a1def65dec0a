// SQS message attributes (message_attributes.hpp): SendMessage's attribute validation with AWS's
// messages, the MD5 digests SDKs check, ReceiveMessage's selection, and the body's character set.
#include "sqs/message_attributes.hpp"

#include <cstdint>

#include "core/crypto.hpp"

namespace awan::sqs {

namespace {

using nlohmann::json;

constexpr size_t kMaxAttributes = 10;
constexpr size_t kMaxNameLength = 256;
constexpr size_t kMaxTypeLength = 256;

AwsError invalid(std::string message) { return {"InvalidParameterValue", std::move(message), 400}; }

// One UTF-8 sequence at `i` (advanced past it) → its code point; false on a malformed,
// overlong or surrogate sequence.
bool next_code_point(std::string_view s, size_t& i, uint32_t& cp) {
  auto b0 = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t min;
  if (b0 < 0x80) {
    cp = b0;
    ++i;
    return true;
  } else if ((b0 & 0xE0) == 0xC0) {
    n = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return false;
  }
  if (s.size() - i < n) return false;
  for (size_t k = 1; k < n; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  i += n;
  return true;
}

bool is_message_char(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

enum class BaseType { String, Number, Binary };

// "String", "Number", "Binary", or one of them + "." + a non-empty custom suffix.
std::optional<BaseType> base_type(std::string_view data_type) {
  static constexpr std::pair<std::string_view, BaseType> kBases[] = {
      {"String", BaseType::String}, {"Number", BaseType::Number}, {"Binary", BaseType::Binary}};
  for (const auto& [prefix, base] : kBases) {
    if (!data_type.starts_with(prefix)) continue;
    std::string_view rest = data_type.substr(prefix.size());
    if (rest.empty() || (rest.size() > 1 && rest[0] == '.')) return base;
  }
  return std::nullopt;
}

// The decimal syntax SQS's Number type takes: [+-] digits [. digits] [e [+-] digits], with
// digits on at least one side of the point.
struct DecimalParts {
  bool negative = false;
  std::string digits;  // significant digits, no leading zeros ("" for zero)
  long long exponent = 0;  // value = 0.<digits> * 10^exponent
};

std::optional<DecimalParts> parse_decimal(std::string_view s) {
  DecimalParts out;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) out.negative = s[i++] == '-';
  long long point_shift = 0;  // digits before the point (after leading zeros are dropped)
  bool any_digit = false, seen_point = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      if (seen_point) return std::nullopt;
      seen_point = true;
    } else if (c >= '0' && c <= '9') {
      any_digit = true;
      if (out.digits.empty() && c == '0') {
        if (seen_point) --point_shift;
        continue;
      }
      out.digits += c;
      if (!seen_point) ++point_shift;
    } else {
      break;
    }
  }
  if (!any_digit) return std::nullopt;
  long long exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    if (i == s.size()) return std::nullopt;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      if (exp < 1'000'000'000) exp = exp * 10 + (s[i] - '0');  // saturates far beyond the range
    }
    if (exp_negative) exp = -exp;
  }
  if (i != s.size()) return std::nullopt;
  while (!out.digits.empty() && out.digits.back() == '0') out.digits.pop_back();
  out.exponent = point_shift + exp;
  return out;
}

// -10^128 <= value <= 10^126 (ElasticMQ's bounds; AWS documents 10^-128 .. 10^+126).
bool number_in_range(const DecimalParts& n) {
  if (n.digits.empty()) return true;
  long long bound = n.negative ? 129 : 127;  // 10^k = 0.1 * 10^(k+1)
  if (n.exponent < bound) return true;
  return n.exponent == bound && n.digits == "1";
}

std::string kind_label(bool system) { return system ? "system" : "(user)"; }

std::optional<AwsError> check_name(const std::string& name) {
  if (name.empty()) return invalid("The request must contain non-empty message attribute name.");
  if (name.size() > kMaxNameLength)
    return invalid("Message (user) attribute names must be shorter than 256 Bytes");
  for (char c : name)
    if (!is_name_char(c))
      return invalid(
          "Message (user) attributes name can only contain upper and lower score characters, digits, "
          "periods, hyphens and underscores. ");
  if (starts_with_ci(name, "aws.") || starts_with_ci(name, "amazon.") || name.front() == '.' ||
      name.back() == '.')
    return invalid(
        "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are "
        "reserved for internal use. Additionally, they cannot start or end with '.'.");
  if (name.find("..") != std::string::npos)
    return invalid("Message (user) attribute name must not have successive '.' characters.");
  return std::nullopt;
}

// One {"DataType", "StringValue" | "BinaryValue"} member → the attribute, or AWS's error.
std::variant<MessageAttribute, AwsError> parse_value(const std::string& name, const json& v, bool system) {
  const std::string kind = kind_label(system);
  if (!v.is_object()) return AwsError::serialization("Message attribute '" + name + "' must be a structure.");
  MessageAttribute attr;
  auto type_it = v.find("DataType");
  if (type_it != v.end() && !type_it->is_null() && !type_it->is_string())
    return AwsError::serialization("DataType of message attribute '" + name + "' must be a string.");
  if (type_it == v.end() || type_it->is_null() || type_it->get_ref<const std::string&>().empty())
    return invalid("The message " + kind + " attribute '" + name +
                   "' must contain non-empty message attribute type.");
  attr.data_type = type_it->get<std::string>();
  if (attr.data_type.size() > kMaxTypeLength)
    return invalid("Message " + kind + " attribute types must be shorter than 256 Bytes");
  auto base = base_type(attr.data_type);
  if (!base)
    return invalid("The type of message " + kind + " attribute '" + name +
                   "' is invalid. You must use only the following supported type prefixes: Binary, "
                   "Number, String.");
  for (const char* list : {"StringListValues", "BinaryListValues"}) {
    auto it = v.find(list);
    if (it == v.end() || it->is_null() || (it->is_array() && it->empty())) continue;
    return invalid("Message " + kind + " attribute '" + name + "': " + list +
                   " is not implemented by SQS (reserved for future use).");
  }
  auto str = v.find("StringValue");
  auto bin = v.find("BinaryValue");
  bool has_str = str != v.end() && !str->is_null();
  bool has_bin = bin != v.end() && !bin->is_null();
  if ((has_str && !str->is_string()) || (has_bin && !bin->is_string()))
    return AwsError::serialization("Values of message attribute '" + name + "' must be strings.");
  const std::string empty_value = "Message " + kind + " attribute '" + name +
                                  "' must contain a non-empty value of type '" + attr.data_type + "'.";
  if (has_str && has_bin) return invalid("Message " + kind + " attribute '" + name + "' must have a single value.");
  if (*base == BaseType::Binary) {
    if (!has_bin || bin->get_ref<const std::string&>().empty()) return invalid(empty_value);
    auto raw = crypto::base64_decode(bin->get_ref<const std::string&>());
    if (!raw)
      return AwsError::serialization("BinaryValue of message attribute '" + name + "' is not valid base64.");
    if (raw->empty()) return invalid(empty_value);
    attr.binary_value = std::move(*raw);
    return attr;
  }
  if (!has_str || str->get_ref<const std::string&>().empty()) return invalid(empty_value);
  attr.string_value = str->get<std::string>();
  if (auto err = check_message_body(attr.string_value)) return invalid(err->message);
  if (*base == BaseType::Number) {
    auto number = parse_decimal(attr.string_value);
    if (!number)
      return invalid("Can't cast the value of message " + kind + " attribute '" + name + "' to a number.");
    if (!number_in_range(*number))
      return invalid("Number attribute value " + attr.string_value + " should be in range (-10**128..10**126)");
  }
  return attr;
}

std::variant<MessageAttributes, AwsError> parse_attributes(const json& doc, bool system) {
  MessageAttributes out;
  if (doc.is_null()) return out;
  if (!doc.is_object()) return AwsError::serialization("Message attributes must be a map.");
  if (doc.size() > kMaxAttributes)
    return invalid("Number of message attributes [" + std::to_string(doc.size()) +
                   "] exceeds the allowed maximum [10].");
  // nlohmann's object keeps its keys sorted bytewise: the order the MD5 and ReceiveMessage use.
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (system) {
      if (it.key() != "AWSTraceHeader")
        return invalid("Message system attribute name '" + it.key() + "' is invalid.");
    } else if (auto err = check_name(it.key())) {
      return *err;
    }
    auto parsed = parse_value(it.key(), it.value(), system);
    if (auto* err = std::get_if<AwsError>(&parsed)) return *err;
    auto& attr = std::get<MessageAttribute>(parsed);
    if (system && attr.data_type != "String")
      return invalid("The message system attribute 'AWSTraceHeader' must be of type 'String'.");
    out.emplace_back(it.key(), std::move(attr));
  }
  return out;
}

void append_be32(std::string& out, size_t n) {
  auto v = static_cast<uint32_t>(n);
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

void append_field(std::string& out, std::string_view bytes) {
  append_be32(out, bytes.size());
  out.append(bytes);
}

}  // namespace

bool MessageAttribute::is_binary() const { return base_type(data_type) == BaseType::Binary; }

std::variant<MessageAttributes, AwsError> parse_message_attributes(const nlohmann::json& doc) {
  return parse_attributes(doc, false);
}

std::variant<MessageAttributes, AwsError> parse_system_attributes(const nlohmann::json& doc) {
  return parse_attributes(doc, true);
}

nlohmann::json to_document(const MessageAttributes& attrs, const std::vector<std::string>* selection) {
  json out = json::object();
  for (const auto& [name, attr] : attrs) {
    if (selection) {
      bool wanted = false;
      for (const auto& pattern : *selection) wanted = wanted || selects(pattern, name);
      if (!wanted) continue;
    }
    json v = {{"DataType", attr.data_type}};
    if (attr.is_binary()) {
      v["BinaryValue"] = crypto::base64_encode(attr.binary_value);
    } else {
      v["StringValue"] = attr.string_value;
    }
    out[name] = std::move(v);
  }
  return out;
}

bool selects(std::string_view pattern, std::string_view name) {
  if (pattern == "All" || pattern == ".*") return true;
  if (pattern.size() > 2 && pattern.ends_with(".*"))
    return name.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == name;
}

std::string md5_of_body(std::string_view body) { return crypto::md5_hex(body); }

std::string md5_of_attributes(const MessageAttributes& attrs) {
  if (attrs.empty()) return "";
  std::string buf;
  for (const auto& [name, attr] : attrs) {
    append_field(buf, name);
    append_field(buf, attr.data_type);
    bool binary = attr.is_binary();
    buf += static_cast<char>(binary ? 2 : 1);
    append_field(buf, binary ? attr.binary_value : attr.string_value);
  }
  return crypto::md5_hex(buf);
}

size_t attributes_size(const MessageAttributes& attrs) {
  size_t total = 0;
  for (const auto& [name, attr] : attrs)
    total += name.size() + attr.data_type.size() + (attr.is_binary() ? attr.binary_value : attr.string_value).size();
  return total;
}

std::optional<AwsError> check_message_body(std::string_view body) {
  size_t i = 0;
  uint32_t cp = 0;
  while (i < body.size()) {
    if (!next_code_point(body, i, cp) || !is_message_char(cp))
      return AwsError{"InvalidMessageContents",
                      "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to "
                      "#xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
                      400};
  }
  return std::nullopt;
}

}  // namespace awan::sqs

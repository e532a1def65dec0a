#pragma once
// Input validation for the awsQuery identity services (IAM, STS): the model's length, range,
// enum and pattern constraints, reported the way AWS reports them:
//   "1 validation error detected: Value 'x' at 'roleName' failed to satisfy constraint:
//    Member must satisfy regular expression pattern: [\w+=,.@-]+"
// Header-only so that STS can share it without linking the IAM library.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "awan/error.hpp"

namespace awan::iam::validation {

// Decodes UTF-8 into code points (invalid bytes become U+FFFD).
inline std::vector<char32_t> code_points(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    char32_t cp = 0xFFFD;
    size_t n = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c >> 5) == 0x6 && i + 1 < s.size()) {
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      n = 2;
    } else if ((c >> 4) == 0xE && i + 2 < s.size()) {
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
      n = 3;
    } else if ((c >> 3) == 0x1E && i + 3 < s.size()) {
      cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
           ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) | (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
      n = 4;
    }
    out.push_back(cp);
    i += n;
  }
  return out;
}

inline bool is_word(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
inline bool is_control(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

// The model patterns used by IAM and STS members. The text is the model's, as AWS prints it.
enum class Pattern {
  None,
  Name,            // [\w+=,.@-]+           role, user, policy, instance profile names
  SessionName,     // [\w+=,.@-]*           STS session / source identity / federated names
  Path,            // (\u002F)|(\u002F[\u0021-\u007F]+\u002F)
  PathPrefix,      // \u002F[\u0021-\u007F]*
  PolicyPath,      // ((/[A-Za-z0-9\.,\+@=_-]+)*)/
  PolicyDocument,  // [\u0009\u000A\u000D\u0020-\u00FF]+
  Description,     // [\p{L}\p{M}\p{Z}\p{S}\p{N}\p{P}]*
  Marker,          // [\u0020-\u00FF]+
  Id,              // [\w]+
  IdStar,          // [\w]*
  VersionId,       // v[1-9][0-9]*(\.[A-Za-z0-9-]*)?
  TagKey,          // [\p{L}\p{Z}\p{N}_.:/=+\-@]+
  TagValue,        // [\p{L}\p{Z}\p{N}_.:/=+\-@]*
  ExternalId,      // [\w+=,.@:\/-]*
  SerialNumber,    // [\w+=/:,.@-]*
  TokenCode,       // [\d]*
  StsArn,          // [\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+
};

inline std::string_view pattern_text(Pattern p) {
  switch (p) {
    case Pattern::None: return "";
    case Pattern::Name: return "[\\w+=,.@-]+";
    case Pattern::SessionName: return "[\\w+=,.@-]*";
    case Pattern::Path: return "(\\u002F)|(\\u002F[\\u0021-\\u007F]+\\u002F)";
    case Pattern::PathPrefix: return "\\u002F[\\u0021-\\u007F]*";
    case Pattern::PolicyPath: return "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/";
    case Pattern::PolicyDocument: return "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+";
    case Pattern::Description: return "[\\p{L}\\p{M}\\p{Z}\\p{S}\\p{N}\\p{P}]*";
    case Pattern::Marker: return "[\\u0020-\\u00FF]+";
    case Pattern::Id: return "[\\w]+";
    case Pattern::IdStar: return "[\\w]*";
    case Pattern::VersionId: return "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?";
    case Pattern::TagKey: return "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+";
    case Pattern::TagValue: return "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*";
    case Pattern::ExternalId: return "[\\w+=,.@:\\/-]*";
    case Pattern::SerialNumber: return "[\\w+=/:,.@-]*";
    case Pattern::TokenCode: return "[\\d]*";
    case Pattern::StsArn:
      return "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+";
  }
  return "";
}

namespace detail {
inline bool all_of(const std::vector<char32_t>& cps, bool (*pred)(char32_t)) {
  for (char32_t c : cps)
    if (!pred(c)) return false;
  return true;
}
inline bool name_char(char32_t c) {
  return is_word(c) || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}
inline bool path_inner(char32_t c) { return c >= 0x21 && c <= 0x7F; }
inline bool policy_path_char(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == ',' ||
         c == '+' || c == '@' || c == '=' || c == '_' || c == '-';
}
inline bool doc_char(char32_t c) { return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0xFF); }
inline bool marker_char(char32_t c) { return c >= 0x20 && c <= 0xFF; }
// Letters, separators and numbers are approximated: any non-control code point outside ASCII
// counts as a letter; in ASCII only letters, digits and space.
inline bool tag_char(char32_t c) {
  if (c >= 0x80) return !is_control(c) && c != 0xFFFD;
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '_' ||
         c == '.' || c == ':' || c == '/' || c == '=' || c == '+' || c == '-' || c == '@';
}
inline bool external_id_char(char32_t c) { return name_char(c) || c == ':' || c == '/'; }
inline bool serial_char(char32_t c) { return name_char(c) || c == ':' || c == '/'; }
inline bool digit(char32_t c) { return c >= '0' && c <= '9'; }
inline bool sts_arn_char(char32_t c) {
  return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E) || c == 0x85 || (c >= 0xA0 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}
}  // namespace detail

inline bool matches(Pattern p, std::string_view value) {
  auto cps = code_points(value);
  using namespace detail;
  switch (p) {
    case Pattern::None: return true;
    case Pattern::Name: return !cps.empty() && all_of(cps, name_char);
    case Pattern::SessionName: return all_of(cps, name_char);
    case Pattern::Path: {
      if (cps.empty() || cps.front() != '/' || cps.back() != '/') return false;
      if (cps.size() == 1) return true;
      if (cps.size() == 2) return false;  // "//": the inner part needs one character
      for (size_t i = 1; i + 1 < cps.size(); ++i)
        if (!path_inner(cps[i])) return false;
      return true;
    }
    case Pattern::PathPrefix: {
      if (cps.empty() || cps.front() != '/') return false;
      for (size_t i = 1; i < cps.size(); ++i)
        if (!path_inner(cps[i])) return false;
      return true;
    }
    case Pattern::PolicyPath: {
      // ((/[chars]+)*)/ : starts and ends with '/', no empty segment.
      if (cps.empty() || cps.front() != '/' || cps.back() != '/') return false;
      size_t seg = 0;
      for (size_t i = 1; i < cps.size(); ++i) {
        if (cps[i] == '/') {
          if (seg == 0) return false;
          seg = 0;
        } else if (policy_path_char(cps[i])) {
          ++seg;
        } else {
          return false;
        }
      }
      return true;
    }
    case Pattern::PolicyDocument: return !cps.empty() && all_of(cps, doc_char);
    case Pattern::Description:
      // Control characters (\t, \n and \r included) are in none of L, M, Z, S, N, P.
      for (char32_t c : cps)
        if (is_control(c) || c == 0xFFFD) return false;
      return true;
    case Pattern::Marker: return !cps.empty() && all_of(cps, marker_char);
    case Pattern::Id: return !cps.empty() && all_of(cps, is_word);
    case Pattern::IdStar: return all_of(cps, is_word);
    case Pattern::VersionId: {
      if (cps.size() < 2 || cps[0] != 'v' || cps[1] < '1' || cps[1] > '9') return false;
      size_t i = 2;
      while (i < cps.size() && digit(cps[i])) ++i;
      if (i == cps.size()) return true;
      if (cps[i] != '.') return false;
      for (++i; i < cps.size(); ++i) {
        char32_t c = cps[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || digit(c) || c == '-')) return false;
      }
      return true;
    }
    case Pattern::TagKey: return !cps.empty() && all_of(cps, tag_char);
    case Pattern::TagValue: return all_of(cps, tag_char);
    case Pattern::ExternalId: return all_of(cps, external_id_char);
    case Pattern::SerialNumber: return all_of(cps, serial_char);
    case Pattern::TokenCode: return all_of(cps, digit);
    case Pattern::StsArn: return !cps.empty() && all_of(cps, sts_arn_char);
  }
  return true;
}

// "RoleName" -> "roleName", as AWS names members in validation messages.
inline std::string member_label(std::string_view member) {
  std::string s(member);
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

// Collects every constraint violation of an input document, then reports them as one
// ValidationError, as AWS does.
class Validator {
 public:
  explicit Validator(const nlohmann::json& input) : in_(input) {}

  // A string member. Returns its value when present (even when invalid).
  std::optional<std::string> str(std::string_view member, bool required, size_t min_len, size_t max_len,
                                 Pattern p = Pattern::None) {
    auto v = raw(member);
    if (!v) {
      if (required) null_error(member_label(member));
      return std::nullopt;
    }
    check_string(member_label(member), *v, min_len, max_len, p);
    return v;
  }

  std::optional<int64_t> integer(std::string_view member, bool required, int64_t min_v, int64_t max_v) {
    auto it = in_.find(std::string(member));
    if (it == in_.end() || it->is_null()) {
      if (required) null_error(member_label(member));
      return std::nullopt;
    }
    int64_t v = 0;
    if (it->is_number_integer()) {
      v = it->get<int64_t>();
    } else if (it->is_number()) {
      v = static_cast<int64_t>(it->get<double>());
    } else if (it->is_string()) {
      try {
        size_t pos = 0;
        v = std::stoll(it->get<std::string>(), &pos);
        if (pos != it->get<std::string>().size()) throw std::invalid_argument("x");
      } catch (...) {
        add("Value '" + it->get<std::string>() + "' at '" + member_label(member) +
            "' failed to satisfy constraint: Member must be a number");
        return std::nullopt;
      }
    }
    if (v < min_v)
      add("Value '" + std::to_string(v) + "' at '" + member_label(member) +
          "' failed to satisfy constraint: Member must have value greater than or equal to " + std::to_string(min_v));
    if (v > max_v)
      add("Value '" + std::to_string(v) + "' at '" + member_label(member) +
          "' failed to satisfy constraint: Member must have value less than or equal to " + std::to_string(max_v));
    return v;
  }

  std::optional<bool> boolean(std::string_view member) {
    auto it = in_.find(std::string(member));
    if (it == in_.end() || it->is_null()) return std::nullopt;
    if (it->is_boolean()) return it->get<bool>();
    if (it->is_string()) return it->get<std::string>() == "true";
    return std::nullopt;
  }

  std::optional<std::string> enumeration(std::string_view member, bool required,
                                         std::initializer_list<std::string_view> values) {
    auto v = raw(member);
    if (!v) {
      if (required) null_error(member_label(member));
      return std::nullopt;
    }
    for (auto e : values)
      if (*v == e) return v;
    std::string set;
    for (auto e : values) {
      if (!set.empty()) set += ", ";
      set += e;
    }
    add("Value '" + *v + "' at '" + member_label(member) +
        "' failed to satisfy constraint: Member must satisfy enum value set: [" + set + "]");
    return v;
  }

  // A list of strings (e.g. TagKeys) with item constraints.
  std::vector<std::string> string_list(std::string_view member, bool required, size_t max_items, size_t min_len,
                                       size_t max_len, Pattern p) {
    std::vector<std::string> out;
    std::string label = member_label(member);
    const nlohmann::json* arr = list_member(member, label, required, max_items);
    if (!arr) return out;
    for (const auto& e : *arr) {
      std::string s = e.is_string() ? e.get<std::string>() : e.dump();
      out.push_back(s);
    }
    for (size_t i = 0; i < out.size(); ++i)
      check_string(label + "." + std::to_string(i + 1) + ".member", out[i], min_len, max_len, p);
    return out;
  }

  struct Tag {
    std::string key;
    std::string value;
  };
  // Tags: [{Key, Value}], at most 50, keys 1..128, values 0..256.
  std::vector<Tag> tags(std::string_view member, bool required) {
    std::vector<Tag> out;
    std::string label = member_label(member);
    const nlohmann::json* arr = list_member(member, label, required, 50);
    if (!arr) return out;
    size_t i = 0;
    for (const auto& t : *arr) {
      ++i;
      std::string at = label + "." + std::to_string(i) + ".member";
      Tag tag;
      auto k = t.is_object() ? t.find("Key") : t.end();
      auto v = t.is_object() ? t.find("Value") : t.end();
      if (!t.is_object() || k == t.end() || k->is_null()) {
        null_error(at + ".key");
      } else {
        tag.key = k->is_string() ? k->get<std::string>() : k->dump();
        check_string(at + ".key", tag.key, 1, 128, Pattern::TagKey);
      }
      if (!t.is_object() || v == t.end() || v->is_null()) {
        null_error(at + ".value");
      } else {
        tag.value = v->is_string() ? v->get<std::string>() : v->dump();
        check_string(at + ".value", tag.value, 0, 256, Pattern::TagValue);
      }
      out.push_back(std::move(tag));
    }
    return out;
  }

  void check_string(const std::string& label, const std::string& v, size_t min_len, size_t max_len, Pattern p) {
    size_t n = code_points(v).size();
    if (p != Pattern::None && !matches(p, v))
      add("Value '" + v + "' at '" + label +
          "' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
          std::string(pattern_text(p)));
    if (n < min_len)
      add("Value '" + v + "' at '" + label +
          "' failed to satisfy constraint: Member must have length greater than or equal to " +
          std::to_string(min_len));
    if (n > max_len)
      add("Value '" + v + "' at '" + label +
          "' failed to satisfy constraint: Member must have length less than or equal to " + std::to_string(max_len));
  }

  void add(std::string message) { errors_.push_back(std::move(message)); }
  bool ok() const { return errors_.empty(); }

  std::optional<AwsError> error() const {
    if (errors_.empty()) return std::nullopt;
    std::string msg = std::to_string(errors_.size()) +
                      (errors_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
    for (size_t i = 0; i < errors_.size(); ++i) {
      if (i) msg += "; ";
      msg += errors_[i];
    }
    return AwsError::validation_error(std::move(msg));
  }

 private:
  std::optional<std::string> raw(std::string_view member) const {
    auto it = in_.find(std::string(member));
    if (it == in_.end() || it->is_null()) return std::nullopt;
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
    if (it->is_boolean()) return it->get<bool>() ? "true" : "false";
    return it->dump();
  }
  // The array under `member`; nullptr when absent or null (an error when required) or not an
  // array. More than max_items entries is an error.
  const nlohmann::json* list_member(std::string_view member, const std::string& label, bool required,
                                    size_t max_items) {
    auto it = in_.find(std::string(member));
    if (it == in_.end() || it->is_null()) {
      if (required) null_error(label);
      return nullptr;
    }
    if (!it->is_array()) return nullptr;
    if (it->size() > max_items)
      add("Value '" + list_repr(*it) + "' at '" + label +
          "' failed to satisfy constraint: Member must have length less than or equal to " +
          std::to_string(max_items));
    return &*it;
  }
  void null_error(const std::string& label) {
    add("Value null at '" + label + "' failed to satisfy constraint: Member must not be null");
  }
  static std::string list_repr(const nlohmann::json& arr) {
    std::string s = "[";
    bool first = true;
    for (const auto& e : arr) {
      if (!first) s += ", ";
      first = false;
      s += e.is_string() ? e.get<std::string>() : e.dump();
    }
    return s + "]";
  }

  const nlohmann::json& in_;
  std::vector<std::string> errors_;
};

// Percent-encoding of every byte outside RFC 3986's unreserved set: the form IAM returns
// policy documents in (clients decode them with unquote / decodeURIComponent).
inline std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
  return out;
}

inline std::string url_decode(std::string_view s) {
  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace awan::iam::validation

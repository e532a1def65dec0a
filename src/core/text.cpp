// URL percent-encoding (text.hpp): query strings, form bodies, S3 keys, SQS queue URLs.
#include "core/text.hpp"

namespace awan::text {

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_digit_value(s[i + 1]), lo = hex_digit_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string percent_encode(std::string_view s, bool keep_slash) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
        c == '~' || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

bool json_nesting_exceeds(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
    }
  }
  return false;
}

namespace {

// The length of the well-formed UTF-8 sequence (RFC 3629) at p[i], or 0 with `bad` the offset
// from i of the byte that breaks it (0: not a start byte; i + bad == n: cut off by the end).
size_t sequence_at(const unsigned char* p, size_t i, size_t n, size_t& bad) {
  unsigned char c = p[i];
  size_t len = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
  bad = 0;
  if (len == 0) return 0;
  for (size_t k = 1; k < len; ++k) {
    bad = k;
    if (i + k >= n) return 0;
    unsigned char d = p[i + k];
    bool ok = (d & 0xC0) == 0x80;
    if (k == 1 && c == 0xE0) ok = ok && d >= 0xA0;  // overlong
    if (k == 1 && c == 0xED) ok = ok && d < 0xA0;   // surrogates
    if (k == 1 && c == 0xF0) ok = ok && d >= 0x90;  // overlong
    if (k == 1 && c == 0xF4) ok = ok && d < 0x90;   // beyond U+10FFFF
    if (!ok) return 0;
  }
  return len;
}

}  // namespace

size_t invalid_utf8_at(std::string_view s, bool& middle) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = 0, n = s.size();
  middle = false;
  while (i < n) {
    size_t bad = 0;
    size_t len = sequence_at(p, i, n, bad);
    if (len == 0) {
      middle = bad > 0 && i + bad < n;  // a wrong continuation byte, not the end
      return i + bad;
    }
    i += len;
  }
  return std::string_view::npos;
}

std::string lossy_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = 0, n = s.size();
  while (i < n) {
    size_t bad = 0;
    if (size_t len = sequence_at(p, i, n, bad)) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

std::string header_text(std::string_view value) {
  if (valid_utf8(value)) return std::string(value);
  std::string out;
  out.reserve(value.size() * 2);
  for (unsigned char c : value) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

}  // namespace awan::text

#include "dynamodb/key_codec.hpp"

#include "core/crypto.hpp"
#include "dynamodb/value.hpp"

namespace awan::dynamodb {

// Numbers: one sign byte (0x01 negative, 0x02 zero, 0x03 positive), then for positives the
// biased exponent (2 bytes, big endian) and the ASCII digits; negatives store the complement
// of all of that plus a 0xFF terminator so that a shorter digit string sorts after a longer
// one with the same prefix (-0.12 > -0.123).
std::string encode_number_key(const Number& n) {
  std::string out;
  if (n.is_zero()) {
    out.push_back('\x02');
    return out;
  }
  unsigned e = static_cast<unsigned>(n.exponent + 32768) & 0xFFFFu;
  if (!n.negative) {
    out.push_back('\x03');
    out.push_back(static_cast<char>(e >> 8));
    out.push_back(static_cast<char>(e & 0xFF));
    out += n.digits;
  } else {
    out.push_back('\x01');
    unsigned ce = 0xFFFFu - e;
    out.push_back(static_cast<char>(ce >> 8));
    out.push_back(static_cast<char>(ce & 0xFF));
    for (char d : n.digits) out.push_back(static_cast<char>(0xFF - static_cast<unsigned char>(d)));
    out.push_back('\xFF');
  }
  return out;
}

std::string encode_key(const nlohmann::json& av) {
  auto t = value_type(av);
  const auto& v = av.begin().value();
  if (t == "S") return v.get<std::string>();
  if (t == "N") return encode_number_key(to_number(v));
  if (t == "B") return to_bytes(v);
  return {};
}

void append_key_component(std::string& out, std::string_view encoded) {
  for (char c : encoded) {
    out.push_back(c);
    if (c == '\0') out.push_back('\xFF');
  }
  out.push_back('\0');
  out.push_back('\x01');
}

std::string prefix_successor(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

nlohmann::json decode_key(std::string_view bytes, std::string_view type) {
  if (type == "S") return {{"S", std::string(bytes)}};
  if (type == "B") return {{"B", crypto::base64_encode(bytes)}};
  Number n;
  if (!bytes.empty() && bytes[0] != '\x02' && bytes.size() >= 3) {
    unsigned char s = static_cast<unsigned char>(bytes[0]);
    unsigned e = (static_cast<unsigned char>(bytes[1]) << 8) | static_cast<unsigned char>(bytes[2]);
    if (s == 0x03) {
      n.exponent = static_cast<int>(e) - 32768;
      n.digits = std::string(bytes.substr(3));
    } else {
      n.negative = true;
      n.exponent = static_cast<int>(0xFFFFu - e) - 32768;
      for (size_t i = 3; i + 1 < bytes.size(); ++i)
        n.digits.push_back(static_cast<char>(0xFF - static_cast<unsigned char>(bytes[i])));
    }
  }
  return {{"N", format_number(n)}};
}

}  // namespace awan::dynamodb

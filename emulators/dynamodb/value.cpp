#include "dynamodb/value.hpp"

#include <algorithm>
#include <set>
#include <vector>

#include "core/crypto.hpp"

namespace awan::dynamodb {

namespace {
// An item nests at most 32 levels: a top-level attribute is level 1, each M/L one more (AWS
// accepts 31 M/L wrappers around a scalar and rejects 32).
constexpr int kMaxDepth = 32;
const std::string kInvalid = "One or more parameter values were invalid: ";

[[noreturn]] void invalid(std::string msg) { throw AwsError::validation(std::move(msg)); }

std::string join_strings(const json& arr) {
  std::string s = "[";
  bool first = true;
  for (const auto& v : arr) {
    if (!first) s += ", ";
    first = false;
    s += v.is_string() ? v.get_ref<const std::string&>() : v.dump();
  }
  return s + "]";
}

void check_string(const json& v, const char* what) {
  if (!v.is_string()) throw AwsError::serialization(std::string("Unexpected value type in payload for ") + what);
}

void check_base64(const json& v) {
  check_string(v, "B");
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() % 4 != 0)  // unpadded base64 is refused
    throw AwsError::serialization("Base64 encoded length is expected a multiple of 4 bytes but found: " +
                                  std::to_string(s.size()));
  if (!crypto::base64_decode(s))
    throw AwsError::serialization("'" + s + "' can not be converted to a Blob: Invalid Base64 character");
}

void validate_rec(json& av, int depth);

void validate_number_text(json& v) {
  if (!v.is_string()) throw AwsError::serialization("Unexpected value type in payload for N");
  Number n;
  if (auto err = parse_number(v.get_ref<const std::string&>(), n)) invalid(*err);
  v = format_number(n);
}

void validate_type(const std::string& type, json& v, int depth) {
  if (type == "S") {
    check_string(v, "S");
  } else if (type == "N") {
    validate_number_text(v);
  } else if (type == "B") {
    check_base64(v);
  } else if (type == "BOOL") {
    if (!v.is_boolean()) throw AwsError::serialization("Unexpected value type in payload for BOOL");
  } else if (type == "NULL") {
    if (!v.is_boolean()) throw AwsError::serialization("Unexpected value type in payload for NULL");
    if (!v.get<bool>()) invalid(kInvalid + "Null attribute value types must have the value of true");
  } else if (type == "SS") {
    if (!v.is_array()) throw AwsError::serialization("Unexpected value type in payload for SS");
    if (v.empty()) invalid(kInvalid + "An string set  may not be empty");
    std::set<std::string> seen;
    for (auto& e : v) {
      check_string(e, "SS");
      if (!seen.insert(e.get<std::string>()).second)
        invalid(kInvalid + "Input collection " + join_strings(v) + " contains duplicates.");
    }
  } else if (type == "NS") {
    if (!v.is_array()) throw AwsError::serialization("Unexpected value type in payload for NS");
    if (v.empty()) invalid(kInvalid + "An number set  may not be empty");
    for (auto& e : v) validate_number_text(e);
    std::set<std::string> seen;
    for (auto& e : v)
      if (!seen.insert(e.get<std::string>()).second) invalid("Input collection contains duplicates");
  } else if (type == "BS") {
    if (!v.is_array()) throw AwsError::serialization("Unexpected value type in payload for BS");
    if (v.empty()) invalid(kInvalid + "Binary sets should not be empty");
    std::set<std::string> seen;
    for (auto& e : v) {
      check_base64(e);
      if (!seen.insert(*crypto::base64_decode(e.get_ref<const std::string&>())).second)
        invalid(kInvalid + "Input collection " + join_strings(v) + "of type BS contains duplicates.");
    }
  } else if (type == "M") {
    if (!v.is_object()) throw AwsError::serialization("Unexpected value type in payload for M");
    for (auto& [k, e] : v.items()) validate_rec(e, depth + 1);
  } else if (type == "L") {
    if (!v.is_array()) throw AwsError::serialization("Unexpected value type in payload for L");
    for (auto& e : v) validate_rec(e, depth + 1);
  } else {
    throw AwsError::serialization("Unknown AttributeValue type: " + type);
  }
}

void validate_rec(json& av, int depth) {
  if (depth >= kMaxDepth) invalid(std::string(kNestingTooDeep));
  if (!av.is_object()) throw AwsError::serialization("Unexpected value type in payload");
  int types = 0;
  for (auto it = av.begin(); it != av.end(); ++it) {
    if (it.value().is_null()) continue;
    ++types;
    validate_type(it.key(), it.value(), depth);
  }
  if (types == 0) invalid("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  if (types > 1)
    invalid("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
  if (av.size() > 1) {  // drop explicit nulls so the value has exactly one member
    for (auto it = av.begin(); it != av.end();) {
      if (it.value().is_null())
        it = av.erase(it);
      else
        ++it;
    }
  }
}

size_t utf8_len(const json& s) { return s.get_ref<const std::string&>().size(); }
size_t b64_len(const json& s) {
  auto d = crypto::base64_decode(s.get_ref<const std::string&>());
  return d ? d->size() : 0;
}
}  // namespace

std::string_view value_type(const json& av) {
  if (!av.is_object() || av.empty()) return {};
  return av.begin().key();
}

void validate_value(json& av) { validate_rec(av, 0); }

void validate_item(json& item) {
  if (!item.is_object()) throw AwsError::serialization("Unexpected value type in payload");
  for (auto& [k, v] : item.items()) {
    if (k.size() > 65535) invalid("One or more parameter values were invalid: Attribute name is too large, must be less than 65536 bytes");
    validate_rec(v, 0);
  }
}

Number to_number(const json& t) {
  Number n;
  if (t.is_string()) parse_number_syntax(t.get_ref<const std::string&>(), n);
  return n;
}

std::string to_bytes(const json& t) {
  if (!t.is_string()) return {};
  auto d = crypto::base64_decode(t.get_ref<const std::string&>());
  return d ? *d : std::string();
}

size_t value_size(const json& av) {
  if (!av.is_object() || av.empty()) return 0;
  const auto& type = av.begin().key();
  const json& v = av.begin().value();
  switch (type[0]) {
    case 'S':
      if (type == "S") return utf8_len(v);
      {
        size_t n = 0;
        for (const auto& e : v) n += utf8_len(e);
        return n;
      }
    case 'N':
      if (type == "N") return number_size(to_number(v));
      if (type == "NULL") return 1;
      {
        size_t n = 0;
        for (const auto& e : v) n += number_size(to_number(e));
        return n;
      }
    case 'B':
      if (type == "B") return b64_len(v);
      if (type == "BOOL") return 1;
      {
        size_t n = 0;
        for (const auto& e : v) n += b64_len(e);
        return n;
      }
    case 'M': {
      size_t n = 3;
      for (const auto& [k, e] : v.items()) n += 1 + k.size() + value_size(e);
      return n;
    }
    case 'L': {
      size_t n = 3;
      for (const auto& e : v) n += 1 + value_size(e);
      return n;
    }
  }
  return 0;
}

size_t item_size(const json& item) {
  size_t n = 0;
  for (const auto& [k, v] : item.items()) n += k.size() + value_size(v);
  return n;
}

std::optional<int> compare_values(const json& a, const json& b) {
  auto ta = value_type(a), tb = value_type(b);
  if (ta != tb || ta.empty()) return std::nullopt;
  const json& va = a.begin().value();
  const json& vb = b.begin().value();
  if (ta == "S") {
    int c = va.get_ref<const std::string&>().compare(vb.get_ref<const std::string&>());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (ta == "N") return compare_numbers(to_number(va), to_number(vb));
  if (ta == "B") {
    int c = to_bytes(va).compare(to_bytes(vb));
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

bool values_equal(const json& a, const json& b) {
  auto ta = value_type(a), tb = value_type(b);
  if (ta != tb || ta.empty()) return false;
  const json& va = a.begin().value();
  const json& vb = b.begin().value();
  if (ta == "S" || ta == "N" || ta == "B") return compare_values(a, b) == 0;
  if (ta == "BOOL" || ta == "NULL") return va == vb;
  if (ta == "SS" || ta == "NS" || ta == "BS") {
    if (va.size() != vb.size()) return false;
    std::vector<std::string> x, y;
    for (const auto& e : va) x.push_back(ta == "NS" ? format_number(to_number(e)) : ta == "BS" ? to_bytes(e) : e.get<std::string>());
    for (const auto& e : vb) y.push_back(ta == "NS" ? format_number(to_number(e)) : ta == "BS" ? to_bytes(e) : e.get<std::string>());
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    return x == y;
  }
  if (ta == "L") {
    if (va.size() != vb.size()) return false;
    for (size_t i = 0; i < va.size(); ++i)
      if (!values_equal(va[i], vb[i])) return false;
    return true;
  }
  if (ta == "M") {
    if (va.size() != vb.size()) return false;
    for (const auto& [k, e] : va.items()) {
      auto it = vb.find(k);
      if (it == vb.end() || !values_equal(e, *it)) return false;
    }
    return true;
  }
  return false;
}

std::string render_value(const json& av) {
  auto t = value_type(av);
  if (t.empty()) return "{}";
  const json& v = av.begin().value();
  std::string out = "{";
  out.append(t).append(":").append(v.is_string() ? v.get_ref<const std::string&>() : v.dump()).append("}");
  return out;
}

}  // namespace awan::dynamodb

// The JSONata subset's functions (see jsonata_functions.hpp): strings ($string, $length,
// $substring, $substringBefore/After, $uppercase, $lowercase, $trim, $contains, $split, $join,
// $replace), numbers ($number, $abs, $floor, $ceil, $round, $formatBase, $power, $sqrt, $sum,
// $max, $min, $average, $random), arrays and objects ($count, $append, $reverse, $sort, $distinct, $exists,
// $keys, $lookup, $merge, $type, $boolean, $not, $zip, $spread, $shuffle), encoding
// ($base64encode, $base64decode, $encodeUrl(Component), $decodeUrl(Component)), $error, $assert,
// $formatInteger, $parseInteger, $formatNumber (formatting in jsonata_numbers.cpp)
// and Step Functions' own ($partition, $range, $hash, $uuid, $parse).
#include "stepfunctions/jsonata_functions.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <random>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "stepfunctions/errors.hpp"
#include "stepfunctions/intrinsics.hpp"
#include "stepfunctions/jsonata_numbers.hpp"

namespace awan::stepfunctions::jsonata::functions {

using json = nlohmann::json;
using Args = std::vector<std::optional<json>>;

namespace {

constexpr size_t kMaxItems = 10000;

[[noreturn]] void fail(const std::string& why) { throw StatesError{"States.QueryEvaluationError", why}; }

json number(double d) {
  if (!std::isfinite(d)) fail("the result is not a finite number");
  if (std::floor(d) == d && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
  return d;
}

std::string format_number(double d) {
  if (std::floor(d) == d && std::fabs(d) < 9e15) return std::to_string(static_cast<int64_t>(d));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", d);
  return buf;
}

// UTF-8 code points (JSONata counts characters, not bytes).
std::vector<std::string> chars(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

const json& need(const std::string& fn, const Args& a, size_t i) {
  if (i >= a.size() || !a[i]) fail("$" + fn + ": argument " + std::to_string(i + 1) + " is missing");
  return *a[i];
}
const std::string& str(const std::string& fn, const Args& a, size_t i) {
  const json& v = need(fn, a, i);
  if (!v.is_string()) fail("$" + fn + ": argument " + std::to_string(i + 1) + " must be a string");
  return v.get_ref<const std::string&>();
}
double num(const std::string& fn, const Args& a, size_t i) {
  const json& v = need(fn, a, i);
  if (!v.is_number()) fail("$" + fn + ": argument " + std::to_string(i + 1) + " must be a number");
  return v.get<double>();
}
// A number argument as an integer, clamped to ±1e15 (no undefined conversions).
int64_t integer(const std::string& fn, const Args& a, size_t i) {
  double d = std::trunc(num(fn, a, i));
  if (!(d > -1e15)) return static_cast<int64_t>(-1e15);
  if (!(d < 1e15)) return static_cast<int64_t>(1e15);
  return static_cast<int64_t>(d);
}
json arr(const Args& a, size_t i) {
  if (i >= a.size() || !a[i]) return json::array();
  return a[i]->is_array() ? *a[i] : json::array({*a[i]});
}
void arity(const std::string& fn, const Args& a, size_t min, size_t max) {
  if (a.size() < min || a.size() > max) fail("$" + fn + ": wrong number of arguments");
}

double round_half_even(double v, int precision) {
  double scale = std::pow(10.0, precision);
  double x = v * scale, r = std::round(x);
  if (std::fabs(x - std::trunc(x)) == 0.5) r = 2.0 * std::round(x / 2.0);
  return r / scale;
}

json string_functions(const std::string& fn, const Args& a, bool& found) {
  found = true;
  if (fn == "length") {
    arity(fn, a, 1, 1);
    return chars(str(fn, a, 0)).size();
  }
  if (fn == "substring") {
    arity(fn, a, 2, 3);
    auto c = chars(str(fn, a, 0));
    auto n = static_cast<int64_t>(c.size());
    int64_t start = integer(fn, a, 1);
    if (start < 0) start = std::max<int64_t>(0, n + start);
    int64_t len = a.size() > 2 ? integer(fn, a, 2) : n;
    std::string out;
    for (int64_t i = start; i < n && i < start + len; ++i) out += c[static_cast<size_t>(i)];
    return out;
  }
  if (fn == "substringBefore" || fn == "substringAfter") {
    arity(fn, a, 2, 2);
    const std::string &s = str(fn, a, 0), &m = str(fn, a, 1);
    auto p = s.find(m);
    if (p == std::string::npos) return s;
    return fn == "substringBefore" ? s.substr(0, p) : s.substr(p + m.size());
  }
  if (fn == "uppercase" || fn == "lowercase") {
    arity(fn, a, 1, 1);
    std::string s = str(fn, a, 0);
    for (auto& ch : s) ch = static_cast<char>(fn == "uppercase" ? std::toupper(static_cast<unsigned char>(ch))
                                                                  : std::tolower(static_cast<unsigned char>(ch)));
    return s;
  }
  if (fn == "trim") {
    arity(fn, a, 1, 1);
    std::string out;
    bool space = false;
    for (char ch : str(fn, a, 0)) {
      if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
        space = true;
        continue;
      }
      if (space && !out.empty()) out += ' ';
      space = false;
      out += ch;
    }
    return out;
  }
  if (fn == "contains") {
    arity(fn, a, 2, 2);
    return str(fn, a, 0).find(str(fn, a, 1)) != std::string::npos;
  }
  if (fn == "split") {
    arity(fn, a, 2, 3);
    const std::string &s = str(fn, a, 0), &sep = str(fn, a, 1);
    size_t limit = a.size() > 2 ? static_cast<size_t>(std::clamp<int64_t>(integer(fn, a, 2), 0, kMaxItems)) : kMaxItems;
    json out = json::array();
    if (sep.empty()) {
      for (auto& ch : chars(s))
        if (out.size() < limit) out.push_back(ch);
      return out;
    }
    size_t from = 0;
    while (out.size() < limit) {
      auto p = s.find(sep, from);
      out.push_back(s.substr(from, p == std::string::npos ? std::string::npos : p - from));
      if (p == std::string::npos) break;
      from = p + sep.size();
    }
    return out;
  }
  if (fn == "join") {
    arity(fn, a, 1, 2);
    std::string sep = a.size() > 1 ? str(fn, a, 1) : "";
    std::string out;
    bool first = true;
    for (const auto& v : arr(a, 0)) {
      if (!v.is_string()) fail("$join: the array must hold strings");
      out += (first ? "" : sep) + v.get<std::string>();
      first = false;
    }
    return out;
  }
  if (fn == "replace") {
    arity(fn, a, 3, 4);
    const std::string &s = str(fn, a, 0), &pat = str(fn, a, 1), &rep = str(fn, a, 2);
    if (pat.empty()) fail("$replace: the pattern must not be empty");
    size_t limit = a.size() > 3 ? static_cast<size_t>(std::max<int64_t>(integer(fn, a, 3), 0)) : SIZE_MAX;
    std::string out;
    size_t from = 0, n = 0;
    while (n < limit) {
      auto p = s.find(pat, from);
      if (p == std::string::npos) break;
      out += s.substr(from, p - from) + rep;
      from = p + pat.size();
      ++n;
    }
    return out + s.substr(from);
  }
  found = false;
  return nullptr;
}

json numeric_functions(const std::string& fn, const Args& a, bool& found) {
  found = true;
  if (fn == "number") {
    arity(fn, a, 1, 1);
    const json& v = need(fn, a, 0);
    if (v.is_number()) return v;
    if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
    if (v.is_string()) {
      json p = json::parse(v.get<std::string>(), nullptr, false);
      if (p.is_number()) return p;
    }
    fail("$number: unable to cast " + v.dump() + " to a number");
  }
  if (fn == "abs") return arity(fn, a, 1, 1), number(std::fabs(num(fn, a, 0)));
  if (fn == "floor") return arity(fn, a, 1, 1), number(std::floor(num(fn, a, 0)));
  if (fn == "ceil") return arity(fn, a, 1, 1), number(std::ceil(num(fn, a, 0)));
  if (fn == "round") {
    arity(fn, a, 1, 2);
    int64_t p = a.size() > 1 ? integer(fn, a, 1) : 0;
    if (p < -15 || p > 15) fail("$round: precision out of range");
    return number(round_half_even(num(fn, a, 0), static_cast<int>(p)));
  }
  if (fn == "formatBase") {  // the integer nearest (half to even) in radix 2..36, lower-case digits
    arity(fn, a, 1, 2);
    int64_t radix = a.size() > 1 && a[1] ? integer(fn, a, 1) : 10;
    if (radix < 2 || radix > 36) fail("$formatBase: the radix must be between 2 and 36");
    double v = round_half_even(num(fn, a, 0), 0);
    if (!(std::fabs(v) < 9e15)) fail("$formatBase: the number is too large");
    auto n = static_cast<int64_t>(v);
    uint64_t m = n < 0 ? static_cast<uint64_t>(-n) : static_cast<uint64_t>(n);
    std::string digits;
    do {
      digits.insert(digits.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[m % static_cast<uint64_t>(radix)]);
      m /= static_cast<uint64_t>(radix);
    } while (m > 0);
    return n < 0 ? "-" + digits : digits;
  }
  if (fn == "power") return arity(fn, a, 2, 2), number(std::pow(num(fn, a, 0), num(fn, a, 1)));
  if (fn == "sqrt") {
    arity(fn, a, 1, 1);
    if (num(fn, a, 0) < 0) fail("$sqrt: the argument must not be negative");
    return number(std::sqrt(num(fn, a, 0)));
  }
  if (fn == "sum" || fn == "max" || fn == "min" || fn == "average") {
    arity(fn, a, 1, 1);
    json items = arr(a, 0);
    if (items.empty()) return fn == "sum" ? json(0) : json();
    double acc = fn == "sum" || fn == "average" ? 0 : items[0].is_number() ? items[0].get<double>() : 0;
    for (const auto& v : items) {
      if (!v.is_number()) fail("$" + fn + ": the array must hold numbers");
      double d = v.get<double>();
      if (fn == "max") acc = std::max(acc, d);
      else if (fn == "min") acc = std::min(acc, d);
      else acc += d;
    }
    if (fn == "average") acc /= static_cast<double>(items.size());
    return number(acc);
  }
  if (fn == "random") {
    arity(fn, a, 0, 1);
    static thread_local std::mt19937_64 shared{std::random_device{}()};
    if (a.empty()) return std::uniform_real_distribution<double>(0, 1)(shared);
    std::mt19937_64 seeded(static_cast<uint64_t>(integer(fn, a, 0)));
    return std::uniform_real_distribution<double>(0, 1)(seeded);
  }
  found = false;
  return nullptr;
}

json collection_functions(const std::string& fn, const Args& a, bool& found) {
  found = true;
  if (fn == "count") return arity(fn, a, 1, 1), arr(a, 0).size();
  if (fn == "append") {
    arity(fn, a, 2, 2);
    json out = arr(a, 0);
    for (const auto& v : arr(a, 1)) out.push_back(v);
    if (out.size() > kMaxItems * 10) fail("$append: the array is too long");
    return out;
  }
  if (fn == "reverse") {
    arity(fn, a, 1, 1);
    json out = arr(a, 0);
    std::reverse(out.begin(), out.end());
    return out;
  }
  if (fn == "sort") {
    arity(fn, a, 1, 1);
    json out = arr(a, 0);
    bool nums = std::all_of(out.begin(), out.end(), [](const json& v) { return v.is_number(); });
    bool strs = std::all_of(out.begin(), out.end(), [](const json& v) { return v.is_string(); });
    if (!nums && !strs) fail("$sort: the array must hold only numbers or only strings");
    std::stable_sort(out.begin(), out.end(), [nums](const json& x, const json& y) {
      return nums ? x.get<double>() < y.get<double>() : x.get_ref<const std::string&>() < y.get_ref<const std::string&>();
    });
    return out;
  }
  if (fn == "distinct") {
    arity(fn, a, 1, 1);
    json out = json::array();
    for (const auto& v : arr(a, 0))
      if (std::none_of(out.begin(), out.end(), [&](const json& x) { return equal(x, v); })) out.push_back(v);
    return out;
  }
  if (fn == "keys") {
    arity(fn, a, 1, 1);
    json out = json::array();
    for (const auto& o : arr(a, 0))
      if (o.is_object())
        for (auto it = o.begin(); it != o.end(); ++it)
          if (std::find(out.begin(), out.end(), it.key()) == out.end()) out.push_back(it.key());
    return out;
  }
  if (fn == "merge") {
    arity(fn, a, 1, 1);
    json out = json::object();
    for (const auto& o : arr(a, 0)) {
      if (!o.is_object()) fail("$merge: the array must hold objects");
      for (auto it = o.begin(); it != o.end(); ++it) out[it.key()] = it.value();
    }
    return out;
  }
  if (fn == "partition") {
    arity(fn, a, 2, 2);
    json items = arr(a, 0);
    double size = num(fn, a, 1);
    if (size < 1 || std::floor(size) != size || size > 1e15) fail("$partition: the size must be a positive integer");
    json out = json::array();
    for (size_t i = 0; i < items.size(); i += static_cast<size_t>(size)) {
      json chunk = json::array();
      for (size_t j = i; j < items.size() && j < i + static_cast<size_t>(size); ++j) chunk.push_back(items[j]);
      out.push_back(std::move(chunk));
    }
    return out;
  }
  if (fn == "range") {
    arity(fn, a, 3, 3);
    double from = num(fn, a, 0), to = num(fn, a, 1), step = num(fn, a, 2);
    if (step == 0 || std::floor(from) != from || std::floor(to) != to || std::floor(step) != step)
      fail("$range: the arguments must be integers and the step not 0");
    json out = json::array();
    for (double v = from; step > 0 ? v <= to : v >= to; v += step) {
      if (out.size() >= kMaxItems) fail("$range: at most 10000 items");
      out.push_back(number(v));
    }
    return out;
  }
  found = false;
  return nullptr;
}

// encodeURIComponent / encodeURI: UTF-8 bytes as %XX but for the unreserved characters (and,
// for a whole URL, the reserved ones).
std::string encode_url(const std::string& s, bool component) {
  static const std::string unreserved = "-_.!~*'()", reserved = ";,/?:@&=+$#";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || unreserved.find(static_cast<char>(c)) != std::string::npos ||
        (!component && reserved.find(static_cast<char>(c)) != std::string::npos)) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// decodeURIComponent / decodeURI (which keeps the escapes of reserved characters).
std::string decode_url(const std::string& fn, const std::string& s, bool component) {
  static const std::string reserved = ";,/?:@&=+$#";
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) fail("$" + fn + ": malformed URL");
    char c = static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
    if (!component && reserved.find(c) != std::string::npos) out += s.substr(i, 3);
    else out += c;
    i += 2;
  }
  if (!text::valid_utf8(out)) fail("$" + fn + ": malformed URL");
  return out;
}

// Encoding ($base64encode, $base64decode, the URL functions), $zip, $spread, $shuffle, $error,
// $assert.
json other_functions(const std::string& fn, const Args& a, bool& found) {
  found = true;
  if (fn == "base64encode") return arity(fn, a, 1, 1), json(crypto::base64_encode(str(fn, a, 0)));
  if (fn == "base64decode") {
    arity(fn, a, 1, 1);
    auto d = crypto::base64_decode(str(fn, a, 0));
    if (!d || !text::valid_utf8(*d)) fail("$base64decode: the argument is not base64 of UTF-8 text");
    return *d;
  }
  if (fn == "encodeUrlComponent" || fn == "encodeUrl")
    return arity(fn, a, 1, 1), json(encode_url(str(fn, a, 0), fn == "encodeUrlComponent"));
  if (fn == "decodeUrlComponent" || fn == "decodeUrl")
    return arity(fn, a, 1, 1), json(decode_url(fn, str(fn, a, 0), fn == "decodeUrlComponent"));
  if (fn == "zip") {
    size_t n = a.empty() ? 0 : SIZE_MAX;
    for (size_t i = 0; i < a.size(); ++i) n = std::min(n, arr(a, i).size());
    json out = json::array();
    for (size_t j = 0; j < n; ++j) {
      json tuple = json::array();
      for (size_t i = 0; i < a.size(); ++i) tuple.push_back(arr(a, i)[j]);
      out.push_back(std::move(tuple));
    }
    return out;
  }
  if (fn == "spread") {
    arity(fn, a, 1, 1);
    if (!a[0]) return nullptr;
    auto spread = [](const json& o, json& out) {
      if (!o.is_object()) return out.push_back(o);
      for (auto it = o.begin(); it != o.end(); ++it) out.push_back(json{{it.key(), it.value()}});
    };
    json out = json::array();
    if (a[0]->is_array())
      for (const auto& v : *a[0]) spread(v, out);
    else if (a[0]->is_object())
      spread(*a[0], out);
    else
      return *a[0];
    return out;
  }
  if (fn == "shuffle") {
    arity(fn, a, 1, 1);
    json out = arr(a, 0);
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    for (size_t i = out.size(); i > 1; --i) std::swap(out[i - 1], out[std::uniform_int_distribution<size_t>(0, i - 1)(rng)]);
    return out;
  }
  if (fn == "error") {
    arity(fn, a, 0, 1);
    fail(a.empty() || !a[0] ? "$error() function evaluated" : to_string(a[0]));
  }
  if (fn == "assert") {
    arity(fn, a, 1, 2);
    if (!a[0] || !a[0]->is_boolean()) fail("$assert: the first argument must be a boolean");
    if (!a[0]->get<bool>()) fail(a.size() > 1 && a[1] ? to_string(a[1]) : "$assert() statement failed");
    return nullptr;  // undefined
  }
  found = false;
  return nullptr;
}

}  // namespace

bool truthy(const std::optional<json>& v) {
  if (!v) return false;
  switch (v->type()) {
    case json::value_t::null: return false;
    case json::value_t::boolean: return v->get<bool>();
    case json::value_t::string: return !v->get_ref<const std::string&>().empty();
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return v->get<double>() != 0;
    case json::value_t::array:
      for (const auto& x : *v)
        if (truthy(x)) return true;
      return false;
    case json::value_t::object: return !v->empty();
    default: return false;
  }
}

std::string to_string(const std::optional<json>& v) {
  if (!v) return "";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number()) return format_number(v->get<double>());
  return v->dump(-1, ' ', false, json::error_handler_t::replace);
}

bool equal(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

bool is_function(const std::string& name) {
  static const char* const names[] = {
      "string", "length", "substring", "substringBefore", "substringAfter", "uppercase", "lowercase", "trim",
      "contains", "split", "join", "replace", "number", "abs", "floor", "ceil", "round", "power", "sqrt", "sum",
      "max", "min", "average", "random", "count", "append", "reverse", "sort", "distinct", "exists", "keys",
      "lookup", "merge", "type", "boolean", "not", "partition", "range", "hash", "uuid", "parse", "base64encode",
      "base64decode", "encodeUrlComponent", "encodeUrl", "decodeUrlComponent", "decodeUrl", "zip", "spread",
      "shuffle", "error", "assert", "formatBase", "formatInteger", "parseInteger", "formatNumber"};
  for (const char* n : names)
    if (name == n) return true;
  return false;
}

std::optional<json> call(const std::string& fn, const Args& a) {
  if (fn == "string") {
    arity(fn, a, 0, 1);
    if (a.empty() || !a[0]) return std::nullopt;
    return to_string(a[0]);
  }
  if (fn == "exists") return arity(fn, a, 1, 1), json(a[0].has_value());
  if (fn == "boolean") {
    arity(fn, a, 1, 1);
    if (!a[0]) return std::nullopt;
    return truthy(a[0]);
  }
  if (fn == "not") {
    arity(fn, a, 1, 1);
    if (!a[0]) return std::nullopt;
    return !truthy(a[0]);
  }
  if (fn == "type") {
    arity(fn, a, 1, 1);
    if (!a[0]) return std::nullopt;
    const json& v = *a[0];
    return v.is_null() ? "null" : v.is_number() ? "number" : v.is_string() ? "string" : v.is_boolean() ? "boolean"
                                                                                                      : v.is_array() ? "array" : "object";
  }
  if (fn == "lookup") {
    arity(fn, a, 2, 2);
    const std::string& key = str(fn, a, 1);
    if (!a[0] || !a[0]->is_object() || !a[0]->contains(key)) return std::nullopt;
    return (*a[0])[key];
  }
  if (fn == "formatInteger" || fn == "formatNumber") {
    arity(fn, a, 2, fn == "formatNumber" ? 3 : 2);
    if (!a[0]) return std::nullopt;
    double v = num(fn, a, 0);
    const std::string& picture = str(fn, a, 1);
    if (fn == "formatInteger") return numbers::format_integer(v, picture);
    return numbers::format_number(v, picture, a.size() > 2 && a[2] ? *a[2] : json());
  }
  if (fn == "parseInteger") {
    arity(fn, a, 2, 2);
    if (!a[0]) return std::nullopt;
    return number(numbers::parse_integer(str(fn, a, 0), str(fn, a, 1)));
  }
  if (fn == "uuid") return arity(fn, a, 0, 0), json(ids::uuid4());
  if (fn == "parse") {
    arity(fn, a, 1, 1);
    json v = json::parse(str(fn, a, 0), nullptr, false);
    if (v.is_discarded()) fail("$parse: the argument is not JSON");
    return v;
  }
  if (fn == "hash") {
    arity(fn, a, 2, 2);
    intrinsics::Expr e;
    e.kind = intrinsics::Expr::Call;
    e.text = "States.Hash";
    for (size_t i = 0; i < 2; ++i) {
      intrinsics::Expr lit;
      lit.value = str(fn, a, i);
      e.args.push_back(std::move(lit));
    }
    try {
      return intrinsics::evaluate(e, [](const std::string&) { return std::nullopt; });
    } catch (const StatesError& err) {
      fail("$hash: " + err.cause);
    }
  }
  bool found = false;
  for (auto* group : {&string_functions, &numeric_functions, &collection_functions, &other_functions}) {
    json v = group(fn, a, found);
    bool undefined = v.is_null() && (fn == "max" || fn == "min" || fn == "average" || fn == "assert" ||
                                     (fn == "spread" && (a.empty() || !a[0])));
    if (found) return undefined ? std::nullopt : std::optional<json>(v);
  }
  fail("$" + fn + " is not a function");
}

}  // namespace awan::stepfunctions::jsonata::functions

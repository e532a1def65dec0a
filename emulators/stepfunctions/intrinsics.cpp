// The intrinsic functions of Amazon States Language (see intrinsics.hpp): a recursive-descent
// parser over "States.Name(args)" and one evaluator per function.
#include "stepfunctions/intrinsics.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"

namespace awan::stepfunctions::intrinsics {

using json = nlohmann::json;

namespace {

constexpr int kMaxDepth = 32;

struct Arity {
  int min, max;  // max -1: any
};
const std::map<std::string, Arity, std::less<>>& functions() {
  static const std::map<std::string, Arity, std::less<>> f = {
      {"States.Format", {1, -1}},        {"States.StringToJson", {1, 1}},  {"States.JsonToString", {1, 1}},
      {"States.Array", {0, -1}},         {"States.ArrayPartition", {2, 2}}, {"States.ArrayContains", {2, 2}},
      {"States.ArrayRange", {3, 3}},     {"States.ArrayGetItem", {2, 2}},  {"States.ArrayLength", {1, 1}},
      {"States.ArrayUnique", {1, 1}},    {"States.Base64Encode", {1, 1}},  {"States.Base64Decode", {1, 1}},
      {"States.Hash", {2, 2}},           {"States.JsonMerge", {3, 3}},     {"States.MathRandom", {2, 3}},
      {"States.MathAdd", {2, 2}},        {"States.StringSplit", {2, 2}},   {"States.UUID", {0, 0}},
  };
  return f;
}

struct Parser {
  std::string_view s;
  size_t i = 0;
  std::string why;

  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  }
  bool fail(std::string m) {
    if (why.empty()) why = std::move(m);
    return false;
  }

  bool expr(Expr& out, int depth) {
    if (depth > kMaxDepth) return fail("intrinsic functions nested too deeply");
    ws();
    if (i >= s.size()) return fail("unexpected end of input");
    char c = s[i];
    if (c == '\'') {
      ++i;
      std::string text;
      while (i < s.size() && s[i] != '\'') {
        if (s[i] == '\\') {
          if (i + 1 >= s.size()) return fail("unterminated string");
          char n = s[i + 1];
          // \' \\ \{ \} keep their meaning for Format: keep the backslash before { and }.
          if (n == '{' || n == '}') text += '\\';
          text += n;
          i += 2;
          continue;
        }
        text += s[i++];
      }
      if (i >= s.size()) return fail("unterminated string");
      ++i;
      out.kind = Expr::Literal;
      out.value = std::move(text);
      return true;
    }
    if (c == '$') {
      size_t start = i;
      int brackets = 0;
      while (i < s.size()) {
        char d = s[i];
        if (d == '[') ++brackets;
        else if (d == ']') --brackets;
        else if (brackets == 0 && (d == ',' || d == ')' || d == ' ')) break;
        ++i;
      }
      out.kind = Expr::Path;
      out.text = std::string(s.substr(start, i - start));
      return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      size_t start = i;
      ++i;
      while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == 'e' ||
                              s[i] == 'E' || s[i] == '+' || s[i] == '-'))
        ++i;
      json v = json::parse(s.substr(start, i - start), nullptr, false);
      if (v.is_discarded() || !v.is_number()) return fail("invalid number");
      out.kind = Expr::Literal;
      out.value = std::move(v);
      return true;
    }
    size_t start = i;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == '_')) ++i;
    std::string_view word = s.substr(start, i - start);
    if (word == "true" || word == "false" || word == "null") {
      out.kind = Expr::Literal;
      out.value = word == "true" ? json(true) : word == "false" ? json(false) : json(nullptr);
      return true;
    }
    if (word.empty()) return fail(std::string("unexpected character '") + c + "'");
    auto f = functions().find(word);
    if (f == functions().end()) return fail("unknown function '" + std::string(word) + "'");
    ws();
    if (i >= s.size() || s[i] != '(') return fail("expected '(' after " + std::string(word));
    ++i;
    out.kind = Expr::Call;
    out.text = std::string(word);
    ws();
    if (i < s.size() && s[i] == ')') {
      ++i;
    } else {
      while (true) {
        Expr a;
        if (!expr(a, depth + 1)) return false;
        out.args.push_back(std::move(a));
        ws();
        if (i < s.size() && s[i] == ',') {
          ++i;
          continue;
        }
        if (i < s.size() && s[i] == ')') {
          ++i;
          break;
        }
        return fail("expected ',' or ')'");
      }
    }
    int n = static_cast<int>(out.args.size());
    if (n < f->second.min || (f->second.max >= 0 && n > f->second.max))
      return fail("The function " + out.text + " has an invalid number of arguments");
    return true;
  }
};

[[noreturn]] void failure(const std::string& cause) { throw StatesError{"States.IntrinsicFailure", cause}; }

std::string type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::string: return "string";
    case json::value_t::boolean: return "boolean";
    case json::value_t::null: return "null";
    case json::value_t::object: return "object";
    case json::value_t::array: return "array";
    default: return "number";
  }
}

const std::string& str_arg(const std::string& fn, const json& v, int idx) {
  if (!v.is_string())
    failure("Invalid arguments in States." + fn + ": argument " + std::to_string(idx + 1) + " must be a string, was " +
            type_name(v));
  return v.get_ref<const std::string&>();
}
const json& array_arg(const std::string& fn, const json& v, int idx) {
  if (!v.is_array())
    failure("Invalid arguments in States." + fn + ": argument " + std::to_string(idx + 1) + " must be an array, was " +
            type_name(v));
  return v;
}
long long int_arg(const std::string& fn, const json& v, int idx) {
  if (!v.is_number())
    failure("Invalid arguments in States." + fn + ": argument " + std::to_string(idx + 1) + " must be a number, was " +
            type_name(v));
  double d = v.get<double>();
  if (std::floor(d) != d || std::abs(d) > 9.0e15)
    failure("Invalid arguments in States." + fn + ": argument " + std::to_string(idx + 1) + " must be an integer");
  return static_cast<long long>(d);
}

std::string format_value(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

json format(const std::vector<json>& a) {
  const std::string& tpl = str_arg("Format", a[0], 0);
  std::string out;
  size_t next = 1;
  for (size_t i = 0; i < tpl.size(); ++i) {
    char c = tpl[i];
    if (c == '\\' && i + 1 < tpl.size()) {
      out += tpl[++i];
      continue;
    }
    if (c == '{' && i + 1 < tpl.size() && tpl[i + 1] == '}') {
      if (next >= a.size()) failure("Number of arguments in States.Format do not match the number of placeholders");
      const json& v = a[next++];
      if (v.is_object() || v.is_array())
        failure("Invalid arguments in States.Format: placeholder values must be strings, numbers, booleans or null");
      out += format_value(v);
      ++i;
      continue;
    }
    out += c;
  }
  if (next != a.size()) failure("Number of arguments in States.Format do not match the number of placeholders");
  return out;
}

std::string hash(const std::string& data, const std::string& algorithm) {
  const EVP_MD* md = algorithm == "MD5"       ? EVP_md5()
                     : algorithm == "SHA-1"   ? EVP_sha1()
                     : algorithm == "SHA-256" ? EVP_sha256()
                     : algorithm == "SHA-384" ? EVP_sha384()
                     : algorithm == "SHA-512" ? EVP_sha512()
                                              : nullptr;
  if (!md)
    failure("Invalid arguments in States.Hash: the hash algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, "
            "SHA-512, was " + algorithm);
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), buf, &len, md, nullptr);
  return crypto::hex(std::string_view(reinterpret_cast<const char*>(buf), len));
}

json call(const std::string& name, const std::vector<json>& a) {
  std::string fn = name.substr(7);  // after "States."
  if (fn == "Format") return format(a);
  if (fn == "StringToJson") {
    json v = json::parse(str_arg(fn, a[0], 0), nullptr, false);
    if (v.is_discarded()) failure("Invalid arguments in States.StringToJson: the argument is not valid JSON");
    return v;
  }
  if (fn == "JsonToString") return a[0].dump();
  if (fn == "Array") return json(a);
  if (fn == "ArrayPartition") {
    const json& arr = array_arg(fn, a[0], 0);
    long long size = int_arg(fn, a[1], 1);
    if (size <= 0) failure("Invalid arguments in States.ArrayPartition: the chunk size must be greater than 0");
    json out = json::array();
    for (size_t i = 0; i < arr.size(); i += static_cast<size_t>(size)) {
      json chunk = json::array();
      for (size_t j = i; j < arr.size() && j < i + static_cast<size_t>(size); ++j) chunk.push_back(arr[j]);
      out.push_back(std::move(chunk));
    }
    return out;
  }
  if (fn == "ArrayContains") {
    const json& arr = array_arg(fn, a[0], 0);
    return std::find(arr.begin(), arr.end(), a[1]) != arr.end();
  }
  if (fn == "ArrayRange") {
    long long start = int_arg(fn, a[0], 0), end = int_arg(fn, a[1], 1), step = int_arg(fn, a[2], 2);
    if (step == 0) failure("Invalid arguments in States.ArrayRange: the step must not be 0");
    json out = json::array();
    for (long long v = start; step > 0 ? v <= end : v >= end; v += step) {
      if (out.size() >= 1000) failure("Invalid arguments in States.ArrayRange: the array can contain at most 1000 items");
      out.push_back(v);
    }
    return out;
  }
  if (fn == "ArrayGetItem") {
    const json& arr = array_arg(fn, a[0], 0);
    long long idx = int_arg(fn, a[1], 1);
    if (idx < 0 || idx >= static_cast<long long>(arr.size()))
      failure("Invalid arguments in States.ArrayGetItem: index " + std::to_string(idx) + " out of bounds");
    return arr[static_cast<size_t>(idx)];
  }
  if (fn == "ArrayLength") return array_arg(fn, a[0], 0).size();
  if (fn == "ArrayUnique") {
    const json& arr = array_arg(fn, a[0], 0);
    json out = json::array();
    for (const auto& v : arr)
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    return out;
  }
  if (fn == "Base64Encode") {
    const std::string& s = str_arg(fn, a[0], 0);
    if (s.size() > 10000) failure("Invalid arguments in States.Base64Encode: input exceeds 10000 characters");
    return crypto::base64_encode(s);
  }
  if (fn == "Base64Decode") {
    const std::string& s = str_arg(fn, a[0], 0);
    if (s.size() > 10000) failure("Invalid arguments in States.Base64Decode: input exceeds 10000 characters");
    auto d = crypto::base64_decode(s);
    if (!d) failure("Invalid arguments in States.Base64Decode: the argument is not valid base64");
    if (!text::valid_utf8(*d)) failure("Invalid arguments in States.Base64Decode: the decoded data is not valid UTF-8");
    return *d;
  }
  if (fn == "Hash") {
    const std::string& algo = str_arg(fn, a[1], 1);
    std::string data = a[0].is_string() ? a[0].get<std::string>() : a[0].dump();
    if (data.size() > 10000) failure("Invalid arguments in States.Hash: input exceeds 10000 characters");
    return hash(data, algo);
  }
  if (fn == "JsonMerge") {
    if (!a[0].is_object() || !a[1].is_object())
      failure("Invalid arguments in States.JsonMerge: the first two arguments must be objects");
    if (!a[2].is_boolean()) failure("Invalid arguments in States.JsonMerge: the third argument must be a boolean");
    if (a[2].get<bool>()) failure("Invalid arguments in States.JsonMerge: deep merging is not supported");
    json out = a[0];
    for (auto it = a[1].begin(); it != a[1].end(); ++it) out[it.key()] = it.value();
    return out;
  }
  if (fn == "MathRandom") {
    long long lo = int_arg(fn, a[0], 0), hi = int_arg(fn, a[1], 1);
    if (hi <= lo) failure("Invalid arguments in States.MathRandom: the end must be greater than the start");
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    if (a.size() == 3) rng.seed(static_cast<uint64_t>(int_arg(fn, a[2], 2)));
    std::uniform_int_distribution<long long> dist(lo, hi - 1);
    return dist(rng);
  }
  if (fn == "MathAdd") {
    long long x = int_arg(fn, a[0], 0), y = int_arg(fn, a[1], 1);
    return x + y;
  }
  if (fn == "StringSplit") {
    const std::string& s = str_arg(fn, a[0], 0);
    const std::string& delims = str_arg(fn, a[1], 1);
    json out = json::array();
    std::string cur;
    for (char c : s) {
      if (delims.find(c) != std::string::npos) {
        if (!cur.empty()) out.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
  }
  if (fn == "UUID") return ids::uuid4();
  failure("Unknown function " + name);
}

json eval(const Expr& e, const PathResolver& resolve, int depth) {
  if (depth > kMaxDepth) failure("intrinsic functions nested too deeply");
  switch (e.kind) {
    case Expr::Literal: return e.value;
    case Expr::Path: {
      auto v = resolve(e.text);
      if (!v)
        throw StatesError{"States.Runtime", "The JsonPath argument for the field '" + e.text +
                                                "' could not be found in the input"};
      return *v;
    }
    case Expr::Call: {
      std::vector<json> args;
      args.reserve(e.args.size());
      for (const auto& a : e.args) args.push_back(eval(a, resolve, depth + 1));
      return call(e.text, args);
    }
  }
  return nullptr;
}

}  // namespace

bool looks_like_call(std::string_view text) { return text.rfind("States.", 0) == 0; }

std::optional<Expr> parse(std::string_view text, std::string* why) {
  // Definitions arrive as JSON, so their text is UTF-8; anything else would make strings no
  // JSON document can hold.
  if (!text::valid_utf8(text)) {
    if (why) *why = "the function is not valid UTF-8";
    return std::nullopt;
  }
  Parser p{text, 0, {}};
  Expr e;
  if (!p.expr(e, 0) || e.kind != Expr::Call) {
    if (why) *why = p.why.empty() ? "not an intrinsic function" : p.why;
    return std::nullopt;
  }
  p.ws();
  if (p.i != text.size()) {
    if (why) *why = "unexpected text after the function";
    return std::nullopt;
  }
  return e;
}

json evaluate(const Expr& e, const PathResolver& resolve) { return eval(e, resolve, 0); }

json evaluate(std::string_view text, const PathResolver& resolve) {
  std::string why;
  auto e = parse(text, &why);
  if (!e) failure(why);
  return eval(*e, resolve, 0);
}

}  // namespace awan::stepfunctions::intrinsics

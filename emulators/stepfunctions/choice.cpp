// Choice rule validation and evaluation (see choice.hpp).
#include "stepfunctions/choice.hpp"

#include <array>
#include <string_view>

#include "core/timefmt.hpp"
#include "stepfunctions/errors.hpp"

namespace awan::stepfunctions::choice {

using json = nlohmann::json;

namespace {

constexpr int kMaxDepth = 64;

enum class Kind { String, Numeric, Boolean, Timestamp };
struct Op {
  std::string_view name;
  Kind kind;
  int cmp;  // 0 ==, 1 <, 2 >, 3 <=, 4 >=, 5 matches
};
constexpr std::array<Op, 17> kOps = {{
    {"StringEquals", Kind::String, 0},        {"StringLessThan", Kind::String, 1},
    {"StringGreaterThan", Kind::String, 2},   {"StringLessThanEquals", Kind::String, 3},
    {"StringGreaterThanEquals", Kind::String, 4}, {"StringMatches", Kind::String, 5},
    {"NumericEquals", Kind::Numeric, 0},      {"NumericLessThan", Kind::Numeric, 1},
    {"NumericGreaterThan", Kind::Numeric, 2}, {"NumericLessThanEquals", Kind::Numeric, 3},
    {"NumericGreaterThanEquals", Kind::Numeric, 4}, {"BooleanEquals", Kind::Boolean, 0},
    {"TimestampEquals", Kind::Timestamp, 0},  {"TimestampLessThan", Kind::Timestamp, 1},
    {"TimestampGreaterThan", Kind::Timestamp, 2}, {"TimestampLessThanEquals", Kind::Timestamp, 3},
    {"TimestampGreaterThanEquals", Kind::Timestamp, 4},
}};
constexpr std::array<std::string_view, 6> kTests = {"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean",
                                                    "IsTimestamp"};

const Op* find_op(std::string_view key, bool& path) {
  path = false;
  for (const auto& op : kOps) {
    if (op.name.empty()) continue;
    if (key == op.name) return &op;
    if (op.cmp != 5 && key.size() == op.name.size() + 4 && key.substr(0, op.name.size()) == op.name &&
        key.substr(op.name.size()) == "Path") {
      path = true;
      return &op;
    }
  }
  return nullptr;
}

bool is_test(std::string_view key) {
  for (auto t : kTests)
    if (key == t) return true;
  return false;
}

bool is_timestamp(const json& v) {
  if (!v.is_string()) return false;
  const auto& s = v.get_ref<const std::string&>();
  // RFC 3339 with an upper-case T and an offset or Z, as AWS requires.
  if (s.size() < 20 || s[10] != 'T') return false;
  return timefmt::parse_iso8601(s).has_value();
}

template <typename T>
bool compare(const T& a, const T& b, int cmp) {
  switch (cmp) {
    case 0: return a == b;
    case 1: return a < b;
    case 2: return a > b;
    case 3: return a <= b;
    case 4: return a >= b;
  }
  return false;
}

bool compare_values(const Op& op, const json& v, const json& rhs) {
  switch (op.kind) {
    case Kind::String:
      if (!v.is_string() || !rhs.is_string()) return false;
      if (op.cmp == 5) return string_matches(v.get<std::string>(), rhs.get<std::string>());
      return compare(v.get_ref<const std::string&>(), rhs.get_ref<const std::string&>(), op.cmp);
    case Kind::Numeric:
      if (!v.is_number() || !rhs.is_number()) return false;
      return compare(v.get<double>(), rhs.get<double>(), op.cmp);
    case Kind::Boolean:
      if (!v.is_boolean() || !rhs.is_boolean()) return false;
      return v.get<bool>() == rhs.get<bool>();
    case Kind::Timestamp: {
      if (!is_timestamp(v) || !is_timestamp(rhs)) return false;
      auto a = timefmt::parse_iso8601(v.get<std::string>()), b = timefmt::parse_iso8601(rhs.get<std::string>());
      return compare(*a, *b, op.cmp);
    }
  }
  return false;
}

}  // namespace

bool string_matches(const std::string& value, const std::string& pattern) {
  // Tokens: literal characters and '*' (an unescaped star). Greedy matching with backtracking.
  std::string lit;
  std::vector<bool> star;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      lit += pattern[++i];
      star.push_back(false);
    } else {
      lit += pattern[i];
      star.push_back(pattern[i] == '*');
    }
  }
  size_t v = 0, p = 0, star_p = std::string::npos, star_v = 0;
  while (v < value.size()) {
    if (p < lit.size() && !star[p] && lit[p] == value[v]) {
      ++v;
      ++p;
    } else if (p < lit.size() && star[p]) {
      star_p = p++;
      star_v = v;
    } else if (star_p != std::string::npos) {
      p = star_p + 1;
      v = ++star_v;
    } else {
      return false;
    }
  }
  while (p < lit.size() && star[p]) ++p;
  return p == lit.size();
}

std::string validate(const json& rule, bool top_level, std::string& where, int depth) {
  if (depth > kMaxDepth) return "choice rules nested too deeply";
  if (!rule.is_object()) return "a choice rule must be an object";
  int ops = 0;
  for (auto it = rule.begin(); it != rule.end(); ++it) {
    const std::string& k = it.key();
    if (k == "Next") {
      if (!top_level) {
        where = "/Next";
        return "Field 'Next' is not supported in a nested choice rule";
      }
      if (!it->is_string()) {
        where = "/Next";
        return "Field 'Next' must be a string";
      }
      continue;
    }
    if (k == "Variable" || k == "Comment" || k == "Assign") {
      if (k == "Variable" && !it->is_string()) {
        where = "/Variable";
        return "Field 'Variable' must be a string";
      }
      continue;
    }
    if (k == "And" || k == "Or") {
      ++ops;
      if (!it->is_array() || it->empty()) {
        where = "/" + k;
        return "Field '" + k + "' must be a non-empty array";
      }
      for (size_t i = 0; i < it->size(); ++i) {
        std::string sub;
        auto m = validate((*it)[i], false, sub, depth + 1);
        if (!m.empty()) {
          where = "/" + k + "/" + std::to_string(i) + sub;
          return m;
        }
      }
      continue;
    }
    if (k == "Not") {
      ++ops;
      std::string sub;
      auto m = validate(*it, false, sub, depth + 1);
      if (!m.empty()) {
        where = "/Not" + sub;
        return m;
      }
      continue;
    }
    bool path = false;
    if (const Op* op = find_op(k, path)) {
      ++ops;
      bool ok = path ? it->is_string() && it->get<std::string>().rfind('$', 0) == 0
                     : (op->kind == Kind::String || op->kind == Kind::Timestamp) ? it->is_string()
                     : op->kind == Kind::Numeric                               ? it->is_number()
                                                                               : it->is_boolean();
      if (op->kind == Kind::Timestamp && !path && ok && !is_timestamp(*it)) ok = false;
      if (!ok) {
        where = "/" + k;
        return "Field '" + k + "' has an invalid value";
      }
      if (!rule.contains("Variable")) {
        where = "";
        return "Field 'Variable' is required with '" + k + "'";
      }
      continue;
    }
    if (is_test(k)) {
      ++ops;
      if (!it->is_boolean()) {
        where = "/" + k;
        return "Field '" + k + "' must be a boolean";
      }
      if (!rule.contains("Variable")) return "Field 'Variable' is required with '" + k + "'";
      continue;
    }
    where = "/" + k;
    return "Field '" + k + "' is not supported";
  }
  if (ops != 1) return ops == 0 ? "A choice rule must have a comparison operator" : "A choice rule must have only one comparison operator";
  if (top_level && !rule.contains("Next")) {
    where = "";
    return "Field 'Next' is required";
  }
  return "";
}

bool matches(const json& rule, const Resolver& resolve, int depth) {
  if (depth > kMaxDepth) throw StatesError{"States.Runtime", "choice rules nested too deeply"};
  if (auto it = rule.find("And"); it != rule.end()) {
    for (const auto& r : *it)
      if (!matches(r, resolve, depth + 1)) return false;
    return true;
  }
  if (auto it = rule.find("Or"); it != rule.end()) {
    for (const auto& r : *it)
      if (matches(r, resolve, depth + 1)) return true;
    return false;
  }
  if (auto it = rule.find("Not"); it != rule.end()) return !matches(*it, resolve, depth + 1);
  std::string variable = rule.value("Variable", "$");
  auto value = resolve(variable);
  for (auto it = rule.begin(); it != rule.end(); ++it) {
    const std::string& k = it.key();
    if (k == "IsPresent") return value.has_value() == it->get<bool>();
    if (is_test(k)) {
      if (!value)
        throw StatesError{"States.Runtime", "Invalid path '" + variable + "': The choice state's condition path references an invalid value."};
      bool r = k == "IsNull"      ? value->is_null()
               : k == "IsNumeric" ? value->is_number()
               : k == "IsString"  ? value->is_string()
               : k == "IsBoolean" ? value->is_boolean()
                                  : is_timestamp(*value);
      return r == it->get<bool>();
    }
    bool path = false;
    if (const Op* op = find_op(k, path)) {
      if (!value)
        throw StatesError{"States.Runtime", "Invalid path '" + variable + "': The choice state's condition path references an invalid value."};
      json rhs = *it;
      if (path) {
        auto r = resolve(it->get<std::string>());
        if (!r)
          throw StatesError{"States.Runtime", "Invalid path '" + it->get<std::string>() +
                                                  "': The choice state's condition path references an invalid value."};
        rhs = *r;
      }
      return compare_values(*op, *value, rhs);
    }
  }
  return false;
}

}  // namespace awan::stepfunctions::choice

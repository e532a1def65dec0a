// Event patterns (event_pattern.hpp): a pattern expanded into ORed branches of ANDed key
// conditions, checked with the caller's limits and messages, and matched without throwing.
#include "core/event_pattern.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <utility>

#include "core/text.hpp"

namespace awan::event_pattern {

using nlohmann::json;

namespace {

constexpr int kMaxNesting = 64;  // brackets in the pattern text, operators and arrays included
constexpr double kNumericLimit = 1e9;  // AWS compares numbers within ±10^9 ...
constexpr double kNumericScale = 1e5;  // ... to five digits after the decimal point

// Why a pattern is malformed, in SNS's words; Options::invalid makes the caller's error of it.
struct Invalid {
  std::string reason;
};
Invalid invalid(std::string reason) { return {std::move(reason)}; }

// A number as AWS compares it, in units of 10^-5; nullopt beyond ±10^9 (or not finite).
std::optional<int64_t> comparable(double v) {
  if (!std::isfinite(v) || std::fabs(v) > kNumericLimit) return std::nullopt;
  return std::llround(v * kNumericScale);
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// An IPv4 or IPv6 address in network byte order.
struct IpAddress {
  int family = 0;  // AF_INET / AF_INET6
  std::array<unsigned char, 16> bytes{};
};

std::optional<IpAddress> parse_ip(std::string_view text) {
  if (text.empty() || text.size() > 45 || text.find('\0') != std::string_view::npos) return std::nullopt;
  std::string s(text);
  IpAddress ip;
  if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) ip.family = AF_INET;
  else if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) ip.family = AF_INET6;
  else return std::nullopt;
  return ip;
}

bool in_network(const IpAddress& ip, const IpAddress& network, int bits) {
  if (ip.family != network.family) return false;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    unsigned mask = bits >= 8 ? 0xFFu : (0xFFu << (8 - bits)) & 0xFFu;
    if ((ip.bytes[i] & mask) != (network.bytes[i] & mask)) return false;
  }
  return true;
}

enum class MatchType {
  Exact,  // a string, number, true, false or null
  Prefix,
  Suffix,
  EqualsIgnoreCase,
  AnythingBut,  // none of `strings` / `numbers`
  AnythingButPrefix,
  AnythingButSuffix,
  Numeric,
  Exists,
  Cidr,
};

// One value of a key's array: a literal or a match expression ({"prefix": ...}).
struct Match {
  struct Bound {
    int64_t value;
    bool inclusive;
  };
  MatchType type = MatchType::Exact;
  json literal;                      // Exact (a number literal is matched through `number`)
  std::string text;                  // Prefix, Suffix, EqualsIgnoreCase (lower case), AnythingBut*
  std::optional<int64_t> number;     // Exact number
  std::vector<std::string> strings;  // AnythingBut
  std::vector<int64_t> numbers;      // AnythingBut
  std::optional<Bound> lower, upper;  // Numeric
  bool exists = true;                 // Exists
  IpAddress network;                  // Cidr
  int bits = 0;
};

using MatchOrError = std::variant<Match, Invalid>;

std::optional<int64_t> number_of(const json& v) {
  if (!v.is_number()) return std::nullopt;
  return comparable(v.get<double>());
}

const std::string* string_of(const json& v) {
  return v.is_string() ? &v.get_ref<const std::string&>() : nullptr;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

bool within(const Match& m, int64_t n) {
  if (m.lower && (m.lower->inclusive ? n < m.lower->value : n <= m.lower->value)) return false;
  if (m.upper && (m.upper->inclusive ? n > m.upper->value : n >= m.upper->value)) return false;
  return true;
}

bool anything_but(const Match& m, const json& v) {
  if (const std::string* s = string_of(v))
    return std::find(m.strings.begin(), m.strings.end(), *s) == m.strings.end();
  if (auto n = number_of(v)) return std::find(m.numbers.begin(), m.numbers.end(), *n) == m.numbers.end();
  return true;  // true, false, null and numbers AWS cannot compare are none of the listed values
}

// Whether one value (never an array or object) satisfies a match other than `exists`.
bool value_matches(const Match& m, const json& v) {
  const std::string* s = string_of(v);
  switch (m.type) {
    case MatchType::Exact:
      if (m.number) return number_of(v) == m.number;
      return v.type() == m.literal.type() && v == m.literal;
    case MatchType::Prefix: return s && starts_with(*s, m.text);
    case MatchType::Suffix: return s && ends_with(*s, m.text);
    case MatchType::EqualsIgnoreCase: return s && ascii_lower(*s) == m.text;
    case MatchType::AnythingBut: return anything_but(m, v);
    case MatchType::AnythingButPrefix: return s && !starts_with(*s, m.text);
    case MatchType::AnythingButSuffix: return s && !ends_with(*s, m.text);
    case MatchType::Numeric: {
      auto n = number_of(v);
      return n && within(m, *n);
    }
    case MatchType::Cidr: {
      auto ip = s ? parse_ip(*s) : std::nullopt;
      return ip && in_network(*ip, m.network, m.bits);
    }
    case MatchType::Exists: break;
  }
  return false;
}

// ---- compiling a key's values into matches (AWS's messages) ----

// A number of the pattern. AWS's SNS answers an internal failure (a 500) for one beyond ±10^9;
// Awan answers no bad input with a 500, so it names the limit instead.
std::variant<int64_t, Invalid> policy_number(const json& v) {
  if (auto n = comparable(v.get<double>())) return *n;
  return invalid("Numbers must be between -1000000000 and 1000000000");
}

// A token of a numeric expression as AWS names it in a message.
std::string token_text(const json& v) {
  if (const std::string* s = string_of(v)) return *s;
  if (v.is_array()) return "[";
  if (v.is_object()) return "{";
  return v.dump();  // a number, true, false or null: plain ASCII
}

std::string operator_name(const std::string& op) { return op == "=" ? "equals" : op; }

// One comparison of a numeric expression: operator at `i`, its number at `i + 1`.
std::optional<Invalid> numeric_bound(const json& expr, size_t i, Match& m) {
  const std::string& op = expr[i].get_ref<const std::string&>();
  if (i + 1 >= expr.size() || !expr[i + 1].is_number())
    return invalid("Value of " + operator_name(op) + " must be numeric");
  auto n = policy_number(expr[i + 1]);
  if (auto* e = std::get_if<Invalid>(&n)) return *e;
  Match::Bound b{std::get<int64_t>(n), op != "<" && op != ">"};
  if (op == "=" || op[0] == '>') m.lower = b;
  if (op == "=" || op[0] == '<') m.upper = b;
  return std::nullopt;
}

MatchOrError compile_numeric(const json& expr) {
  if (!expr.is_array()) return invalid("Value of numeric must be an array.");
  if (expr.empty()) return invalid("Invalid member in numeric match: ]");
  if (!expr[0].is_string()) return invalid("Invalid member in numeric match: " + token_text(expr[0]));
  const std::string& first = expr[0].get_ref<const std::string&>();
  if (first != "=" && first != "<" && first != "<=" && first != ">" && first != ">=")
    return invalid("Unrecognized numeric range operator: " + first);
  Match m;
  m.type = MatchType::Numeric;
  if (auto e = numeric_bound(expr, 0, m)) return *e;
  if (expr.size() == 2) return m;
  if (first != ">" && first != ">=") return invalid("Too many elements in numeric expression");
  if (!expr[2].is_string()) return invalid("Bad value in numeric range: " + token_text(expr[2]));
  const std::string& second = expr[2].get_ref<const std::string&>();
  if (second != "<" && second != "<=") return invalid("Bad numeric range operator: " + second);
  if (auto e = numeric_bound(expr, 2, m)) return *e;
  if (m.upper->value <= m.lower->value) return invalid("Bottom must be less than top");
  if (expr.size() > 4) return invalid("Too many terms in numeric range expression");
  return m;
}

MatchOrError compile_anything_but_list(const json& list) {
  Match m;
  m.type = MatchType::AnythingBut;
  if (list.empty()) return invalid("Empty arrays are not allowed");
  for (const json& v : list) {
    if (v.is_string()) {
      m.strings.push_back(v.get<std::string>());
    } else if (v.is_number()) {
      auto n = policy_number(v);
      if (auto* e = std::get_if<Invalid>(&n)) return *e;
      m.numbers.push_back(std::get<int64_t>(n));
    } else {
      return invalid("Inside anything but list, start|null|boolean is not supported.");
    }
  }
  if (!m.strings.empty() && !m.numbers.empty())
    return invalid("Inside anything but list, either all values are number or string, mixed type is not supported");
  return m;
}

MatchOrError compile_anything_but(const json& operand) {
  if (operand.is_array()) return compile_anything_but_list(operand);
  if (operand.is_string() || operand.is_number()) return compile_anything_but_list(json::array({operand}));
  if (!operand.is_object()) return invalid("Value of anything-but must be an array or single string/number value.");
  if (operand.size() != 1) return invalid("Only one key allowed in match expression");
  const std::string& op = operand.begin().key();
  if (op != "prefix" && op != "suffix") return invalid("Unsupported anything-but pattern: " + op);
  const json& affix = operand.begin().value();
  if (!affix.is_string()) return invalid("prefix/suffix match pattern must be a string");
  Match m;
  m.type = op == "prefix" ? MatchType::AnythingButPrefix : MatchType::AnythingButSuffix;
  m.text = affix.get<std::string>();
  if (m.text.empty()) return invalid("Null prefix/suffix not allowed");
  return m;
}

MatchOrError compile_cidr(const json& operand) {
  if (!operand.is_string()) return invalid("prefix match pattern must be a string");  // AWS's wording
  const std::string& s = operand.get_ref<const std::string&>();
  size_t slash = s.find('/');
  if (slash == std::string::npos || s.find('/', slash + 1) != std::string::npos)
    return invalid("Malformed CIDR, one '/' required");
  std::string_view mask = std::string_view(s).substr(slash + 1);
  Match m;
  m.type = MatchType::Cidr;
  auto [end, ec] = std::from_chars(mask.data(), mask.data() + mask.size(), m.bits);
  if (mask.empty() || ec != std::errc() || end != mask.data() + mask.size())
    return invalid("Malformed CIDR, mask bits must be an integer");
  std::string address = s.substr(0, slash);
  auto ip = parse_ip(address);
  if (!ip) return invalid("Nonstandard IP address: " + address);
  m.network = *ip;
  int max_bits = ip->family == AF_INET ? 32 : 128;
  if (m.bits < 0 || m.bits > max_bits)
    return invalid(std::string(ip->family == AF_INET ? "IPv4" : "IPv6") + " mask bits must be between 0 and " +
                   std::to_string(max_bits));
  return m;
}

MatchOrError compile_text_match(MatchType type, const std::string& op, const json& operand) {
  if (!operand.is_string()) return invalid(op + " match pattern must be a string");
  Match m;
  m.type = type;
  m.text = type == MatchType::EqualsIgnoreCase ? ascii_lower(operand.get_ref<const std::string&>())
                                               : operand.get<std::string>();
  return m;
}

MatchOrError compile_expression(const json& expr) {
  if (expr.size() != 1) return invalid("Only one key allowed in match expression");
  const std::string& op = expr.begin().key();
  const json& operand = expr.begin().value();
  if (op == "prefix") return compile_text_match(MatchType::Prefix, op, operand);
  if (op == "suffix") return compile_text_match(MatchType::Suffix, op, operand);
  if (op == "equals-ignore-case") return compile_text_match(MatchType::EqualsIgnoreCase, op, operand);
  if (op == "anything-but") return compile_anything_but(operand);
  if (op == "numeric") return compile_numeric(operand);
  if (op == "cidr") return compile_cidr(operand);
  if (op == "exists") {
    if (!operand.is_boolean()) return invalid("exists match pattern must be either true or false.");
    Match m;
    m.type = MatchType::Exists;
    m.exists = operand.get<bool>();
    return m;
  }
  return invalid("Unrecognized match type " + op);
}

MatchOrError compile_value(const json& v) {
  if (v.is_object()) return compile_expression(v);
  if (v.is_array()) return invalid("Match value must be String, number, true, false, or null");
  Match m;
  if (v.is_number()) {
    auto n = policy_number(v);
    if (auto* e = std::get_if<Invalid>(&n)) return *e;
    m.number = std::get<int64_t>(n);
  } else {
    m.literal = v;
  }
  return m;
}

bool is_operator(const std::string& key) {
  return key == "prefix" || key == "suffix" || key == "equals-ignore-case" || key == "anything-but" ||
         key == "numeric" || key == "exists" || key == "cidr";
}

// "$or" is an operator only over an array of at least two objects none of which names an
// operator; otherwise it is an ordinary key (AWS's rule).
bool is_or(const std::string& key, const json& value) {
  if (key != "$or" || !value.is_array() || value.size() < 2) return false;
  for (const json& branch : value) {
    if (!branch.is_object()) return false;
    for (const auto& [k, v] : branch.items())
      if (is_operator(k)) return false;
  }
  return true;
}

}  // namespace

// ---- the parsed pattern ----

// A key of the pattern (its path from the top of the document; one name for an SNS attribute)
// and its values, of which one must match.
struct Condition {
  std::vector<std::string> path;
  std::vector<Match> matches;
};
using Branch = std::vector<std::shared_ptr<const Condition>>;  // every condition must match

struct Pattern::Impl {
  std::vector<Branch> branches;  // one must match; none at all matches every message
};

namespace {

// A key's array before its values are checked.
struct RawCondition {
  std::vector<std::string> path;
  const json* values;
};
using RawBranch = std::vector<RawCondition>;

// Unfolds objects and "$or" into branches (depth bounded by the text's nesting check).
class Expander {
 public:
  explicit Expander(const Options& options) : options_(options) {}
  std::optional<AwsError> error;

  std::vector<RawBranch> expand(const json& object, const std::vector<std::string>& path) {
    std::vector<RawBranch> branches(1);
    for (const auto& [key, value] : object.items()) {
      if (error) break;
      if (is_or(key, value)) {
        std::vector<RawBranch> alternatives;
        for (const json& sub : value) {
          for (RawBranch& b : expand(sub, path)) alternatives.push_back(std::move(b));
          if (error || too_many(alternatives.size())) break;
        }
        branches = cross(branches, alternatives);
        continue;
      }
      std::vector<std::string> key_path = path;
      key_path.push_back(key);
      if (value.is_object()) {
        if (!options_.nested) {
          error = options_.flat_error ? options_.flat_error() : options_.invalid("nested keys are not allowed");
          break;
        }
        branches = cross(branches, expand(value, key_path));
      } else if (!value.is_array()) {
        error = options_.invalid("\"" + key + "\" must be an object or an array");
      } else if (value.empty()) {
        error = options_.invalid("Empty arrays are not allowed");
      } else {
        for (RawBranch& b : branches) b.push_back({key_path, &value});
      }
    }
    if (error) return {};
    return branches;
  }

 private:
  // More branches than allowed: each branch counts at least one combination.
  bool too_many(size_t branches) {
    if (branches <= options_.max_branches) return false;
    if (!error) error = options_.invalid("Filter policy is too complex");
    return true;
  }

  std::vector<RawBranch> cross(const std::vector<RawBranch>& a, const std::vector<RawBranch>& b) {
    if (error || too_many(a.size() * b.size())) return {};
    std::vector<RawBranch> out;
    for (const RawBranch& x : a)
      for (const RawBranch& y : b) {
        RawBranch both = x;
        both.insert(both.end(), y.begin(), y.end());
        out.push_back(std::move(both));
      }
    return out;
  }

  const Options& options_;
};

// SNS's complexity: per branch, the product over its keys of values × nesting depth; summed
// (saturating just above `limit`).
uint64_t combinations(const std::vector<RawBranch>& branches, uint64_t limit) {
  uint64_t total = 0;
  for (const RawBranch& b : branches) {
    uint64_t product = 1;
    for (const RawCondition& c : b) product = std::min<uint64_t>(product * c.values->size() * c.path.size(), limit + 1);
    total = std::min(total + product, limit + 1);
  }
  return total;
}

std::variant<std::shared_ptr<const Condition>, Invalid> compile_condition(const RawCondition& raw) {
  auto c = std::make_shared<Condition>();
  c->path = raw.path;
  for (const json& v : *raw.values) {
    auto m = compile_value(v);
    if (auto* e = std::get_if<Invalid>(&m)) return *e;
    c->matches.push_back(std::move(std::get<Match>(m)));
  }
  return c;
}

std::variant<std::vector<Branch>, AwsError> compile(const std::vector<RawBranch>& raw, const Options& options) {
  if (options.max_keys > 0)
    for (const RawBranch& b : raw)
      if (b.size() > options.max_keys)
        return options.invalid("Filter policy can not have more than " + std::to_string(options.max_keys) + " keys");
  if (options.max_combinations > 0 && combinations(raw, options.max_combinations) > options.max_combinations)
    return options.invalid("Filter policy is too complex");
  std::map<const json*, std::shared_ptr<const Condition>> compiled;  // a key shared by branches
  std::vector<Branch> out;
  for (const RawBranch& rb : raw) {
    Branch b;
    for (const RawCondition& rc : rb) {
      auto& slot = compiled[rc.values];
      if (!slot) {
        auto c = compile_condition(rc);
        if (auto* e = std::get_if<Invalid>(&c)) return options.invalid(e->reason);
        slot = std::get<std::shared_ptr<const Condition>>(c);
      }
      b.push_back(slot);
    }
    out.push_back(std::move(b));
  }
  return out;
}

// ---- the values a message has for a key ----

// Calls `f` on every element of `v` that is not an array, arrays flattened (no recursion).
template <class F>
void for_each_scalar_or_object(const json& v, F&& f) {
  std::vector<const json*> stack{&v};
  while (!stack.empty()) {
    const json* n = stack.back();
    stack.pop_back();
    if (!n->is_array()) {
      f(*n);
      continue;
    }
    for (auto it = n->rbegin(); it != n->rend(); ++it) stack.push_back(&*it);
  }
}

bool condition_matches(const Condition& c, const Found& found) {
  for (const Match& m : c.matches) {
    if (m.type == MatchType::Exists) {
      if (m.exists == found.present) return true;
      continue;
    }
    for (const json* v : found.values)
      if (value_matches(m, *v)) return true;
  }
  return false;
}


}  // namespace

void collect_scalars(const json& v, Found& found) {
  for_each_scalar_or_object(v, [&](const json& e) {
    if (!e.is_object()) found.values.push_back(&e);
  });
}

void find_in_document(const json& document, const std::vector<std::string>& path, Found& found) {
  std::vector<const json*> nodes{&document};
  for (const std::string& key : path) {
    std::vector<const json*> next;
    for (const json* n : nodes)
      for_each_scalar_or_object(*n, [&](const json& e) {
        if (!e.is_object()) return;
        auto it = e.find(key);
        if (it != e.end()) next.push_back(&*it);
      });
    nodes.swap(next);
  }
  for (const json* n : nodes) collect_scalars(*n, found);
  found.present = !found.values.empty();
}

Pattern::Pattern() : impl_(std::make_unique<Impl>()) {}
Pattern::~Pattern() = default;
Pattern::Pattern(Pattern&&) noexcept = default;
Pattern& Pattern::operator=(Pattern&&) noexcept = default;

bool Pattern::matches_everything() const { return !impl_ || impl_->branches.empty(); }

bool Pattern::matches(const Lookup& lookup) const {
  if (matches_everything()) return true;
  for (const Branch& branch : impl_->branches) {
    bool all = true;
    for (const auto& c : branch) {
      Found found;
      lookup(c->path, found);
      if (!condition_matches(*c, found)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

bool Pattern::matches(const json* document) const {
  if (matches_everything()) return true;
  for (const Branch& branch : impl_->branches) {
    bool all = true;
    for (const auto& c : branch) {
      Found found;
      if (!document) {
        all = false;
        break;
      }
      find_in_document(*document, c->path, found);
      if (!condition_matches(*c, found)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

std::variant<Pattern, AwsError> parse(std::string_view text, const Options& options) {
  Pattern pattern;
  if (text.empty()) return pattern;
  if (text.size() > options.max_bytes) return options.invalid("Filter policy is too long");
  if (text::json_nesting_exceeds(text, kMaxNesting)) return options.invalid("Filter policy is too complex");
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return options.invalid("failed to parse JSON.");
  if (!doc.is_object()) return options.invalid("Filter policy must be a JSON object");
  Expander expander(options);
  std::vector<RawBranch> raw = expander.expand(doc, {});
  if (expander.error) return *expander.error;
  auto branches = compile(raw, options);
  if (auto* e = std::get_if<AwsError>(&branches)) return *e;
  pattern.impl_->branches = std::move(std::get<std::vector<Branch>>(branches));
  if (pattern.impl_->branches.size() == 1 && pattern.impl_->branches.front().empty()) pattern.impl_->branches.clear();
  return pattern;
}

}  // namespace awan::event_pattern

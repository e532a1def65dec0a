#pragma once
// CloudWatch Logs filter patterns (FilterLogEvents, metric and subscription filters): terms,
// quoted phrases, ?optional and -excluded terms, and JSON patterns { $.a.b[0] = "x" && ... }.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace awan::logs {

class FilterPattern {
 public:
  // The pattern, or the reason it is not one. Parentheses nest at most kMaxDepth deep.
  static std::variant<FilterPattern, std::string> parse(std::string_view text);
  static constexpr int kMaxDepth = 32;

  bool matches(std::string_view message) const;
  bool matches_everything() const { return kind_ == Kind::Terms && terms_.empty(); }

  // A term of a text pattern: required (all must appear), optional (?term: one of them must
  // appear) or excluded (-term: none may appear). Case-sensitive substrings.
  struct Term {
    enum class Role { Required, Optional, Excluded } role = Role::Required;
    std::string text;
  };
  // A JSON pattern's tree: comparisons at the leaves, && and || inside.
  struct Selector {
    std::vector<std::variant<std::string, size_t>> steps;  // member names and array indexes
  };
  struct Comparison {
    enum class Op { Eq, Ne, Lt, Gt, Le, Ge, IsNull, IsTrue, IsFalse, NotExists } op = Op::Eq;
    Selector selector;
    std::string text;        // a string value (may hold * wildcards)
    bool is_number = false;  // the value was a number literal
    double number = 0;
  };
  struct Node {
    enum class Kind { Compare, And, Or } kind = Kind::Compare;
    Comparison compare;
    std::vector<Node> children;
  };

 private:
  enum class Kind { Terms, Json };
  bool match_terms(std::string_view message) const;
  bool match_json(std::string_view message) const;

  Kind kind_ = Kind::Terms;
  std::vector<Term> terms_;
  std::shared_ptr<const Node> json_;
};

}  // namespace awan::logs

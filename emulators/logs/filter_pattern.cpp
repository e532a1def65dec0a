// Filter patterns (filter_pattern.hpp): the text-pattern tokenizer, the JSON-pattern parser
// and their evaluation against one log event message.
#include "logs/filter_pattern.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace awan::logs {

namespace {

using json = nlohmann::json;
using Comparison = FilterPattern::Comparison;
using Node = FilterPattern::Node;
using Op = Comparison::Op;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A quoted string from s[pos] == '"' with \" and \\ escapes; pos ends past the closing quote.
bool read_quoted(std::string_view s, size_t& pos, std::string& out) {
  for (++pos; pos < s.size(); ++pos) {
    char c = s[pos];
    if (c == '"') {
      ++pos;
      return true;
    }
    if (c == '\\' && pos + 1 < s.size() && (s[pos + 1] == '"' || s[pos + 1] == '\\')) c = s[++pos];
    out += c;
  }
  return false;
}

// '*' matches any run of characters (the iterative two-pointer match: no recursion).
bool glob_match(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::variant<std::vector<FilterPattern::Term>, std::string> parse_terms(std::string_view s) {
  using Role = FilterPattern::Term::Role;
  std::vector<FilterPattern::Term> terms;
  size_t pos = 0;
  while (true) {
    while (pos < s.size() && is_space(s[pos])) ++pos;
    if (pos >= s.size()) break;
    FilterPattern::Term term;
    bool marked = pos + 1 < s.size() && !is_space(s[pos + 1]);
    if (s[pos] == '?' && marked) {
      term.role = Role::Optional;
      ++pos;
    } else if (s[pos] == '-' && marked) {
      term.role = Role::Excluded;
      ++pos;
    }
    if (s[pos] == '"') {
      if (!read_quoted(s, pos, term.text)) return std::string("Unterminated quoted term");
    } else {
      while (pos < s.size() && !is_space(s[pos])) term.text += s[pos++];
    }
    if (!term.text.empty()) terms.push_back(std::move(term));
  }
  return terms;
}

// The JSON pattern grammar:
//   pattern := '{' or '}'      or := and ('||' and)*      and := unary ('&&' unary)*
//   unary := '(' or ')' | selector op value | selector IS NULL|TRUE|FALSE | selector NOT EXISTS
class JsonPatternParser {
 public:
  explicit JsonPatternParser(std::string_view s) : s_(s) {}

  std::variant<Node, std::string> run() {
    Node root;
    skip_space();
    if (!eat("{")) return std::string("A JSON filter pattern starts with {");
    if (!parse_or(root, 0)) return error_;
    skip_space();
    if (!eat("}")) return error_.empty() ? std::string("Expected } at offset ") + std::to_string(pos_) : error_;
    skip_space();
    if (pos_ != s_.size()) return std::string("Unexpected text after }");
    return root;
  }

 private:
  bool fail(std::string message) {
    if (error_.empty()) error_ = std::move(message) + " at offset " + std::to_string(pos_);
    return false;
  }
  void skip_space() {
    while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
  }
  bool eat(std::string_view token) {
    if (s_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  bool eat_word(std::string_view word) {
    skip_space();
    if (s_.substr(pos_, word.size()) != word) return false;
    size_t end = pos_ + word.size();
    if (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_')) return false;
    pos_ = end;
    return true;
  }

  // A chain of `child` joined by `joiner` becomes one node of `kind` (or the only child).
  template <typename Child>
  bool parse_chain(Node& out, int depth, std::string_view joiner, Node::Kind kind, Child child) {
    Node first;
    if (!(this->*child)(first, depth)) return false;
    std::vector<Node> children;
    children.push_back(std::move(first));
    while (true) {
      skip_space();
      if (!eat(joiner)) break;
      Node next;
      if (!(this->*child)(next, depth)) return false;
      children.push_back(std::move(next));
    }
    if (children.size() == 1) {
      out = std::move(children.front());
    } else {
      out.kind = kind;
      out.children = std::move(children);
    }
    return true;
  }
  bool parse_or(Node& out, int depth) { return parse_chain(out, depth, "||", Node::Kind::Or, &JsonPatternParser::parse_and); }
  bool parse_and(Node& out, int depth) {
    return parse_chain(out, depth, "&&", Node::Kind::And, &JsonPatternParser::parse_unary);
  }

  bool parse_unary(Node& out, int depth) {
    skip_space();
    if (eat("(")) {
      if (depth + 1 > FilterPattern::kMaxDepth) return fail("Parentheses nest too deeply");
      if (!parse_or(out, depth + 1)) return false;
      skip_space();
      return eat(")") || fail("Expected )");
    }
    out.kind = Node::Kind::Compare;
    return parse_selector(out.compare.selector) && parse_comparison(out.compare);
  }

  static bool selector_char(char c) {
    return !is_space(c) && c != '.' && c != '[' && c != ']' && c != '=' && c != '!' && c != '<' && c != '>' &&
           c != '(' && c != ')' && c != '&' && c != '|' && c != '}' && c != '"';
  }

  bool parse_selector(FilterPattern::Selector& sel) {
    if (!eat("$")) return fail("Expected a selector ($.field)");
    while (pos_ < s_.size()) {
      if (eat(".")) {
        size_t start = pos_;
        while (pos_ < s_.size() && selector_char(s_[pos_])) ++pos_;
        if (pos_ == start) return fail("Expected a field name");
        sel.steps.emplace_back(std::string(s_.substr(start, pos_ - start)));
      } else if (eat("[")) {
        size_t index = 0, digits = 0;
        for (; pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_])) && digits < 9; ++pos_, ++digits)
          index = index * 10 + static_cast<size_t>(s_[pos_] - '0');
        if (digits == 0 || !eat("]")) return fail("Expected an array index");
        sel.steps.emplace_back(index);
      } else {
        break;
      }
    }
    return true;
  }

  bool parse_comparison(Comparison& c) {
    skip_space();
    if (eat_word("IS")) {
      if (eat_word("NULL")) c.op = Op::IsNull;
      else if (eat_word("TRUE")) c.op = Op::IsTrue;
      else if (eat_word("FALSE")) c.op = Op::IsFalse;
      else return fail("Expected NULL, TRUE or FALSE after IS");
      return true;
    }
    if (eat_word("NOT")) {
      c.op = Op::NotExists;
      return eat_word("EXISTS") || fail("Expected EXISTS after NOT");
    }
    if (eat("!=")) c.op = Op::Ne;
    else if (eat("<=")) c.op = Op::Le;
    else if (eat(">=")) c.op = Op::Ge;
    else if (eat("=")) c.op = Op::Eq;
    else if (eat("<")) c.op = Op::Lt;
    else if (eat(">")) c.op = Op::Gt;
    else return fail("Expected a comparison operator");
    if (!parse_value(c)) return false;
    bool ordered = c.op == Op::Lt || c.op == Op::Gt || c.op == Op::Le || c.op == Op::Ge;
    return !ordered || c.is_number || fail("A numeric comparison needs a number");
  }

  bool parse_value(Comparison& c) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '"') return read_quoted(s_, pos_, c.text) || fail("Unterminated string");
    size_t start = pos_;
    while (pos_ < s_.size() && !is_space(s_[pos_]) && s_[pos_] != ')' && s_[pos_] != '}' && s_[pos_] != '&' &&
           s_[pos_] != '|')
      ++pos_;
    if (pos_ == start) return fail("Expected a value");
    c.text = std::string(s_.substr(start, pos_ - start));
    char* end = nullptr;
    double d = std::strtod(c.text.c_str(), &end);
    if (end && *end == '\0' && std::isfinite(d) && c.text.find_first_of("xXnN") == std::string::npos) {
      c.is_number = true;
      c.number = d;
    }
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string error_;
};

const json* resolve(const json& doc, const FilterPattern::Selector& sel) {
  const json* v = &doc;
  for (const auto& step : sel.steps) {
    if (const auto* name = std::get_if<std::string>(&step)) {
      if (!v->is_object()) return nullptr;
      auto it = v->find(*name);
      if (it == v->end()) return nullptr;
      v = &*it;
    } else {
      size_t i = std::get<size_t>(step);
      if (!v->is_array() || i >= v->size()) return nullptr;
      v = &(*v)[i];
    }
  }
  return v;
}

bool equals(const Comparison& c, const json& v) {
  if (v.is_number()) return c.is_number && v.get<double>() == c.number;
  if (v.is_string()) return glob_match(c.text, v.get_ref<const std::string&>());
  if (v.is_boolean()) return c.text == (v.get<bool>() ? "true" : "false");
  return false;
}

bool compare(const Comparison& c, const json& doc) {
  const json* v = resolve(doc, c.selector);
  if (c.op == Op::NotExists) return v == nullptr;
  if (!v) return false;
  switch (c.op) {
    case Op::IsNull: return v->is_null();
    case Op::IsTrue: return v->is_boolean() && v->get<bool>();
    case Op::IsFalse: return v->is_boolean() && !v->get<bool>();
    case Op::Eq: return equals(c, *v);
    case Op::Ne: return !equals(c, *v);
    default: break;
  }
  if (!v->is_number()) return false;
  double x = v->get<double>();
  switch (c.op) {
    case Op::Lt: return x < c.number;
    case Op::Gt: return x > c.number;
    case Op::Le: return x <= c.number;
    case Op::Ge: return x >= c.number;
    default: return false;
  }
}

// Recursion follows the parentheses of the pattern: at most 2 * kMaxDepth frames.
bool evaluate(const Node& n, const json& doc) {
  switch (n.kind) {
    case Node::Kind::Compare: return compare(n.compare, doc);
    case Node::Kind::And:
      for (const auto& c : n.children)
        if (!evaluate(c, doc)) return false;
      return true;
    case Node::Kind::Or:
      for (const auto& c : n.children)
        if (evaluate(c, doc)) return true;
      return false;
  }
  return false;
}

}  // namespace

std::variant<FilterPattern, std::string> FilterPattern::parse(std::string_view text) {
  std::string_view s = trim(text);
  FilterPattern p;
  if (!s.empty() && s.front() == '{') {
    auto root = JsonPatternParser(s).run();
    if (auto* err = std::get_if<std::string>(&root)) return *err;
    p.kind_ = Kind::Json;
    p.json_ = std::make_shared<const Node>(std::move(std::get<Node>(root)));
    return p;
  }
  if (!s.empty() && s.front() == '[') return std::string("Space-delimited filter patterns are not supported");
  if (s.size() >= 2 && s.front() == '%' && s.back() == '%') return std::string("Regular expression filter patterns are not supported");
  auto terms = parse_terms(s);
  if (auto* err = std::get_if<std::string>(&terms)) return *err;
  p.terms_ = std::move(std::get<std::vector<Term>>(terms));
  return p;
}

bool FilterPattern::matches(std::string_view message) const {
  return kind_ == Kind::Json ? match_json(message) : match_terms(message);
}

bool FilterPattern::match_terms(std::string_view message) const {
  bool any_optional = false, optional_found = false;
  for (const auto& t : terms_) {
    bool found = message.find(t.text) != std::string_view::npos;
    switch (t.role) {
      case Term::Role::Required:
        if (!found) return false;
        break;
      case Term::Role::Excluded:
        if (found) return false;
        break;
      case Term::Role::Optional:
        any_optional = true;
        optional_found = optional_found || found;
        break;
    }
  }
  return !any_optional || optional_found;
}

bool FilterPattern::match_json(std::string_view message) const {
  std::string_view s = trim(message);
  if (s.empty() || (s.front() != '{' && s.front() != '[')) return false;
  json doc = json::parse(s, nullptr, false);
  return !doc.is_discarded() && evaluate(*json_, doc);
}

}  // namespace awan::logs

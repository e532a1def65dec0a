// Lexing, parsing and AWS's validation phases of DynamoDB expressions (evaluation and
// update application: expression_eval.cpp).
#include "dynamodb/expression.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>

#include "awan/error.hpp"
#include "dynamodb/value.hpp"

namespace awan::dynamodb::expr {

namespace {

// ---------------------------------------------------------------- lexer

enum class Tok { Ident, Name, Value, Number, LParen, RParen, LBracket, RBracket, Dot, Comma, Eq, Ne, Lt, Le, Gt, Ge,
                 Plus, Minus, Invalid, End };

struct Token {
  Tok type;
  size_t pos;
  size_t end;
  std::string_view text;
};

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_word_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 32);
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 32);
    if (x != y) return false;
  }
  return true;
}

std::vector<Token> lex(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    size_t start = i;
    auto push = [&](Tok t, size_t len) {
      out.push_back({t, start, start + len, s.substr(start, len)});
      i = start + len;
    };
    if (is_ident_start(c)) {
      size_t j = i;
      while (j < s.size() && is_word_char(s[j])) ++j;
      push(Tok::Ident, j - i);
    } else if (c >= '0' && c <= '9') {
      size_t j = i;
      while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
      push(Tok::Number, j - i);
    } else if (c == '#' || c == ':') {
      size_t j = i + 1;
      while (j < s.size() && is_word_char(s[j])) ++j;
      if (j == i + 1)
        push(Tok::Invalid, 1);
      else
        push(c == '#' ? Tok::Name : Tok::Value, j - i);
    } else {
      switch (c) {
        case '(': push(Tok::LParen, 1); break;
        case ')': push(Tok::RParen, 1); break;
        case '[': push(Tok::LBracket, 1); break;
        case ']': push(Tok::RBracket, 1); break;
        case '.': push(Tok::Dot, 1); break;
        case ',': push(Tok::Comma, 1); break;
        case '+': push(Tok::Plus, 1); break;
        case '-': push(Tok::Minus, 1); break;
        case '=': push(Tok::Eq, 1); break;
        case '<':
          if (i + 1 < s.size() && s[i + 1] == '>') push(Tok::Ne, 2);
          else if (i + 1 < s.size() && s[i + 1] == '=') push(Tok::Le, 2);
          else push(Tok::Lt, 1);
          break;
        case '>':
          if (i + 1 < s.size() && s[i + 1] == '=') push(Tok::Ge, 2);
          else push(Tok::Gt, 1);
          break;
        default: {
          // One (possibly multi-byte UTF-8) character.
          size_t len = 1;
          unsigned char u = static_cast<unsigned char>(c);
          if (u >= 0xC0) len = u >= 0xF0 ? 4 : (u >= 0xE0 ? 3 : 2);
          len = std::min(len, s.size() - i);
          push(Tok::Invalid, len);
        }
      }
    }
  }
  out.push_back({Tok::End, s.size(), s.size(), std::string_view()});
  return out;
}

// ---------------------------------------------------------------- errors

[[noreturn]] void fail(std::string_view label, const std::string& msg) {
  throw AwsError::validation("Invalid " + std::string(label) + ": " + msg);
}

const char* kNotDefinedName = "An expression attribute name used in the document path is not defined; attribute name: ";
const char* kNotDefinedValue = "An expression attribute value used in expression is not defined; attribute value: ";

bool is_condition_function(std::string_view f) {
  return f == "attribute_exists" || f == "attribute_not_exists" || f == "attribute_type" || f == "begins_with" ||
         f == "contains" || f == "size";
}
bool is_update_function(std::string_view f) { return f == "if_not_exists" || f == "list_append"; }

// Parenthesised groups, NOTs and function calls nest at most this deep: the parser, the
// validation passes and the evaluator recurse once per level, and 4 KB of "(" would otherwise
// overflow an I/O thread's stack. Expressions within AWS's 300-operator limit nest less.
constexpr int kMaxNestingLevels = 150;

bool is_keyword(std::string_view w) {
  return iequals(w, "AND") || iequals(w, "OR") || iequals(w, "NOT") || iequals(w, "BETWEEN") || iequals(w, "IN");
}
bool is_section(std::string_view w) {
  return iequals(w, "SET") || iequals(w, "REMOVE") || iequals(w, "ADD") || iequals(w, "DELETE");
}

// ---------------------------------------------------------------- parser

class Parser {
 public:
  Parser(std::string_view text, std::string_view label, bool update)
      : text_(text), label_(label), update_(update), toks_(lex(text)) {}

  [[noreturn]] void syntax_error(size_t i) {
    const Token& t = toks_[i];
    size_t from = i > 0 ? toks_[i - 1].pos : t.pos;
    size_t to = text_.size();
    if (t.type != Tok::End && i + 1 < toks_.size() && toks_[i + 1].type != Tok::End) to = toks_[i + 1].end;
    else if (t.type != Tok::End) to = t.end;
    std::string token = t.type == Tok::End ? "<EOF>" : std::string(t.text);
    fail(label_, "Syntax error; token: \"" + token + "\", near: \"" + std::string(text_.substr(from, to - from)) + "\"");
  }
  [[noreturn]] void redundant() { fail(label_, "The expression has redundant parentheses;"); }

  // One more nesting level for its lifetime; past kMaxNestingLevels, a ValidationException.
  class Nested {
   public:
    explicit Nested(Parser& p) : p_(p) {
      if (++p_.depth_ > kMaxNestingLevels)
        fail(p_.label_, "The expression is nested too deeply; maximum nesting levels: " +
                            std::to_string(kMaxNestingLevels));
    }
    ~Nested() { --p_.depth_; }
    Nested(const Nested&) = delete;
    Nested& operator=(const Nested&) = delete;

   private:
    Parser& p_;
  };

  const Token& peek() const { return toks_[pos_]; }
  bool at(Tok t) const { return toks_[pos_].type == t; }
  bool at_word(std::string_view w) const { return at(Tok::Ident) && iequals(peek().text, w); }
  void expect(Tok t) {
    if (!at(t)) syntax_error(pos_);
    ++pos_;
  }
  bool at_end() const { return at(Tok::End); }
  size_t pos() const { return pos_; }

  static bool is_plain_operand(const Node& n) {
    return n.kind == Kind::Path || n.kind == Kind::Value || n.kind == Kind::Plus || n.kind == Kind::Minus;
  }
  static bool is_condition(const Node& n) {
    return n.kind == Kind::Compare || n.kind == Kind::Between || n.kind == Kind::In || n.kind == Kind::And ||
           n.kind == Kind::Or || n.kind == Kind::Not;
  }

  // ---- conditions
  Node parse_condition_root() {
    if (at_end()) fail(label_, "The expression can not be empty;");
    Node n = parse_or();
    if (!at_end() || is_plain_operand(n)) syntax_error(pos_);
    return n;
  }

  // A node of `kind` at token `tok` whose first argument is `first`.
  static Node node_at(Kind kind, const char* op, size_t tok, Node first) {
    Node n;
    n.kind = kind;
    n.op = op;
    n.token = tok;
    n.args.push_back(std::move(first));
    return n;
  }
  // Left-associative `operand (word operand)*` of conditions: OR over AND over NOT.
  Node parse_binary(const char* word, Kind kind, Node (Parser::*operand)()) {
    Node left = (this->*operand)();
    while (at_word(word)) {
      if (is_plain_operand(left)) syntax_error(pos_);
      size_t tok = pos_++;
      Node right = (this->*operand)();
      if (is_plain_operand(right)) syntax_error(pos_);
      Node n = node_at(kind, "", tok, std::move(left));
      n.args.push_back(std::move(right));
      left = std::move(n);
    }
    return left;
  }
  Node parse_or() { return parse_binary("OR", Kind::Or, &Parser::parse_and); }
  Node parse_and() { return parse_binary("AND", Kind::And, &Parser::parse_not); }
  Node parse_not() {
    if (at_word("NOT")) {
      Nested level(*this);
      size_t tok = pos_++;
      Node child = parse_not();
      if (is_plain_operand(child)) syntax_error(pos_);
      Node n;
      n.kind = Kind::Not;
      n.token = tok;
      n.args.push_back(std::move(child));
      return n;
    }
    return parse_predicate();
  }
  static const char* comparator(Tok t) {
    switch (t) {
      case Tok::Eq: return "=";
      case Tok::Ne: return "<>";
      case Tok::Lt: return "<";
      case Tok::Le: return "<=";
      case Tok::Gt: return ">";
      case Tok::Ge: return ">=";
      default: return nullptr;
    }
  }
  Node parse_predicate() {
    Node left = parse_primary();
    if (const char* op = comparator(peek().type)) {
      if (is_condition(left)) syntax_error(pos_);
      size_t tok = pos_++;
      Node right = parse_operand();
      Node n = node_at(Kind::Compare, op, tok, std::move(left));
      n.args.push_back(std::move(right));
      return n;
    }
    if (at_word("BETWEEN")) {
      if (is_condition(left)) syntax_error(pos_);
      size_t tok = pos_++;
      Node lo = parse_operand();
      if (!at_word("AND")) syntax_error(pos_);
      ++pos_;
      Node hi = parse_operand();
      Node n = node_at(Kind::Between, "BETWEEN", tok, std::move(left));
      n.args.push_back(std::move(lo));
      n.args.push_back(std::move(hi));
      return n;
    }
    if (at_word("IN")) {
      if (is_condition(left)) syntax_error(pos_);
      size_t tok = pos_++;
      expect(Tok::LParen);
      Node n = node_at(Kind::In, "IN", tok, std::move(left));
      n.args.push_back(parse_operand());
      while (at(Tok::Comma)) {
        ++pos_;
        n.args.push_back(parse_operand());
      }
      expect(Tok::RParen);
      return n;
    }
    return left;
  }
  // "(" what `inner` parses ")" (marked parens; doubled parens are redundant), else an atom.
  Node parenthesised_or_atom(Node (Parser::*inner)(), bool update_operand) {
    if (at(Tok::LParen)) {
      Nested level(*this);
      ++pos_;
      Node n = (this->*inner)();
      expect(Tok::RParen);
      if (n.parens) redundant();
      n.parens = true;
      return n;
    }
    return parse_atom(update_operand);
  }
  // A parenthesised condition or an operand.
  Node parse_primary() {
    return parenthesised_or_atom(&Parser::parse_or, false);
  }
  // Strictly an operand.
  Node parse_operand() {
    return parenthesised_or_atom(&Parser::parse_operand, false);
  }

  Node parse_atom(bool update_operand) {
    const Token& t = peek();
    if (t.type == Tok::Value) {
      Node n;
      n.kind = Kind::Value;
      n.value_name = std::string(t.text);
      n.token = pos_++;
      return n;
    }
    if (t.type == Tok::Ident && toks_[pos_ + 1].type == Tok::LParen) {
      if (update_ ? is_section(t.text) : is_keyword(t.text)) syntax_error(pos_);
      Nested level(*this);
      Node n;
      n.kind = Kind::Call;
      n.op = std::string(t.text);
      n.token = pos_;
      pos_ += 2;
      if (!at(Tok::RParen)) {
        n.args.push_back(update_operand ? parse_update_operand() : parse_operand());
        while (at(Tok::Comma)) {
          ++pos_;
          n.args.push_back(update_operand ? parse_update_operand() : parse_operand());
        }
      }
      expect(Tok::RParen);
      if (at(Tok::Dot) || at(Tok::LBracket)) syntax_error(pos_);
      return n;
    }
    if (t.type == Tok::Ident || t.type == Tok::Name) {
      Node n;
      n.kind = Kind::Path;
      n.token = pos_;
      n.path = parse_path();
      return n;
    }
    syntax_error(pos_);
  }

  Path parse_path() {
    Path p;
    auto element = [&]() {
      const Token& t = peek();
      if (t.type == Tok::Ident) {
        if (update_ ? is_section(t.text) : is_keyword(t.text)) syntax_error(pos_);
        p.push_back({std::string(t.text), -1, false});
      } else if (t.type == Tok::Name) {
        p.push_back({std::string(t.text), -1, true});
      } else {
        syntax_error(pos_);
      }
      ++pos_;
    };
    element();
    while (true) {
      if (at(Tok::Dot)) {
        ++pos_;
        element();
      } else if (at(Tok::LBracket)) {
        ++pos_;
        if (!at(Tok::Number)) syntax_error(pos_);
        std::string_view digits = peek().text;
        int64_t idx = 0;
        for (char c : digits) {
          idx = idx * 10 + (c - '0');
          if (idx > 1'000'000'000) idx = 1'000'000'000;
        }
        p.push_back({std::string(), idx, false});
        ++pos_;
        expect(Tok::RBracket);
      } else {
        break;
      }
    }
    return p;
  }

  // ---- update expressions
  Node parse_update_operand() {
    return parenthesised_or_atom(&Parser::parse_set_value, true);
  }
  Node parse_set_value() {
    Node left = parse_update_operand();
    if (at(Tok::Plus) || at(Tok::Minus)) {
      Node n;
      n.kind = at(Tok::Plus) ? Kind::Plus : Kind::Minus;
      n.op = at(Tok::Plus) ? "+" : "-";
      n.token = pos_++;
      n.args.push_back(std::move(left));
      n.args.push_back(parse_update_operand());
      return n;
    }
    return left;
  }
  Path parse_update_path() {
    if (!at(Tok::Ident) && !at(Tok::Name)) syntax_error(pos_);
    return parse_path();
  }

  struct Section {
    std::string name;
    std::vector<UpdateAction> actions;
  };
  std::vector<Section> parse_update_root() {
    if (at_end()) fail(label_, "The expression can not be empty;");
    std::vector<Section> sections;
    while (!at_end()) {
      if (!at(Tok::Ident) || !is_section(peek().text)) syntax_error(pos_);
      Section sec;
      std::string word(peek().text);
      for (auto& c : word) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
      sec.name = word;
      ++pos_;
      do {
        if (!sec.actions.empty()) ++pos_;  // the comma
        UpdateAction a;
        a.path = parse_update_path();
        if (word == "SET") {
          a.type = UpdateAction::Set;
          expect(Tok::Eq);
          a.value = parse_set_value();
        } else if (word == "REMOVE") {
          a.type = UpdateAction::Remove;
        } else {
          a.type = word == "ADD" ? UpdateAction::Add : UpdateAction::Delete;
          if (!at(Tok::Value)) syntax_error(pos_);
          a.value.kind = Kind::Value;
          a.value.value_name = std::string(peek().text);
          a.value.token = pos_++;
        }
        sec.actions.push_back(std::move(a));
      } while (at(Tok::Comma));
      if (!at_end() && !(at(Tok::Ident) && is_section(peek().text))) syntax_error(pos_);
      sections.push_back(std::move(sec));
    }
    return sections;
  }

  std::vector<Path> parse_projection_root() {
    if (at_end()) fail(label_, "The expression can not be empty;");
    std::vector<Path> out;
    out.push_back(parse_update_path());
    while (at(Tok::Comma)) {
      ++pos_;
      out.push_back(parse_update_path());
    }
    if (!at_end()) syntax_error(pos_);
    return out;
  }

 private:
  std::string_view text_;
  std::string_view label_;
  bool update_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;  // nesting levels open (Nested)
};

// ---------------------------------------------------------------- semantic checks

template <class F>
void walk_pre(const Node& n, F&& f) {
  f(n);
  for (const auto& a : n.args) walk_pre(a, f);
}

void check_function_names(const Node& root, std::string_view label, bool update) {
  walk_pre(root, [&](const Node& n) {
    if (n.kind != Kind::Call) return;
    if (update) {
      if (is_update_function(n.op)) return;
      if (is_condition_function(n.op)) fail(label, "The function is not allowed in an update expression; function: " + n.op);
    } else {
      if (is_condition_function(n.op)) return;
      if (is_update_function(n.op)) fail(label, "The function is not allowed in a condition expression; function: " + n.op);
    }
    fail(label, "Invalid function name; function: " + n.op);
  });
}

void check_operand_context(const Node& n, std::string_view label);
void check_condition_context(const Node& n, std::string_view label) {
  switch (n.kind) {
    case Kind::And:
    case Kind::Or:
    case Kind::Not:
      for (const auto& a : n.args) check_condition_context(a, label);
      break;
    case Kind::Compare:
    case Kind::Between:
    case Kind::In:
      for (const auto& a : n.args) check_operand_context(a, label);
      break;
    case Kind::Call:
      if (n.op == "size") fail(label, "The function is not allowed to be used this way in an expression; function: size");
      for (const auto& a : n.args) check_operand_context(a, label);
      break;
    default:
      break;
  }
}
void check_operand_context(const Node& n, std::string_view label) {
  if (n.kind == Kind::Call) {
    if (n.op != "size")
      fail(label, "The function is not allowed to be used this way in an expression; function: " + n.op);
    for (const auto& a : n.args) check_operand_context(a, label);
  }
}

void check_reserved(const Path& p, std::string_view label) {
  for (const auto& e : p)
    if (!e.is_index() && !e.placeholder && is_reserved_word(e.name))
      fail(label, "Attribute name is a reserved keyword; reserved keyword: " + e.name);
}
void check_reserved_tree(const Node& root, std::string_view label) {
  walk_pre(root, [&](const Node& n) {
    if (n.kind == Kind::Path) check_reserved(n.path, label);
  });
}

void resolve_path(Path& p, Context& ctx, std::string_view label) {
  for (auto& e : p) {
    if (!e.placeholder) continue;
    const json* v = nullptr;
    if (ctx.names && ctx.names->is_object()) {
      auto it = ctx.names->find(e.name);
      if (it != ctx.names->end() && it->is_string()) v = &*it;
    }
    if (!v) fail(label, kNotDefinedName + e.name);
    ctx.used_names.insert(e.name);
    e.name = v->get<std::string>();
    e.placeholder = false;
  }
  if (p.size() > 32)
    fail(label, "The document path has too many nesting levels; nesting levels: " + std::to_string(p.size()));
}

void resolve_value(Node& n, Context& ctx, std::string_view label) {
  const json* v = nullptr;
  if (ctx.values && ctx.values->is_object()) {
    auto it = ctx.values->find(n.value_name);
    if (it != ctx.values->end()) v = &*it;
  }
  if (!v) fail(label, kNotDefinedValue + n.value_name);
  ctx.used_values.insert(n.value_name);
  n.value = v;
}

// Static type of an operand: a type tag, "N" for size(), "L" for list_append, "" when unknown.
std::string static_type(const Node& n) {
  if (n.kind == Kind::Value && n.value) return std::string(value_type(*n.value));
  if (n.kind == Kind::Call && n.op == "size") return "N";
  if (n.kind == Kind::Call && n.op == "list_append") return "L";
  if (n.kind == Kind::Plus || n.kind == Kind::Minus) return "N";
  return "";
}

void check_distinct(const Node& n, const std::string& op, std::string_view label) {
  if (n.args.empty() || n.args[0].kind != Kind::Path) return;
  for (size_t i = 1; i < n.args.size(); ++i) {
    if (n.args[i].kind == Kind::Path && n.args[i].path == n.args[0].path)
      fail(label, "The first operand must be distinct from the remaining operands for this operator or function; operator: " +
                      op + ", first operand: " + render_path(n.args[0].path));
  }
}

void operand_count(const Node& n, size_t want, std::string_view label) {
  if (n.args.size() != want)
    fail(label, "Incorrect number of operands for operator or function; operator or function: " + n.op +
                    ", number of operands: " + std::to_string(n.args.size()));
}
void require_path(const Node& n, const Node& arg, std::string_view label) {
  if (arg.kind != Kind::Path)
    fail(label, "Operator or function requires a document path; operator or function: " + n.op);
}
void type_error(const std::string& op, const std::string& type, std::string_view label) {
  fail(label, "Incorrect operand type for operator or function; operator or function: " + op + ", operand type: " + type);
}

// <, <=, >, >= and BETWEEN order strings, numbers and binaries only: a constant of another type
// (list, map, set, BOOL, NULL) is a validation error, not a false condition.
void ordered_operands(const Node& n, const std::string& op, std::string_view label) {
  for (const auto& a : n.args) {
    std::string t = static_type(a);
    if (!t.empty() && t != "S" && t != "N" && t != "B") type_error(op, t, label);
  }
}

// Post-order: children first (names and values resolved left to right), then the node.
void check_node(Node& n, Context& ctx, std::string_view label) {
  if (n.kind == Kind::Path) {
    resolve_path(n.path, ctx, label);
    return;
  }
  if (n.kind == Kind::Value) {
    resolve_value(n, ctx, label);
    return;
  }
  for (auto& a : n.args) check_node(a, ctx, label);
  switch (n.kind) {
    case Kind::Compare:
      check_distinct(n, n.op, label);
      if (n.op != "=" && n.op != "<>") ordered_operands(n, n.op, label);
      break;
    case Kind::Between: {
      check_distinct(n, n.op, label);
      ordered_operands(n, "BETWEEN", label);
      const Node& lo = n.args[1];
      const Node& hi = n.args[2];
      if (lo.kind == Kind::Value && hi.kind == Kind::Value) {
        if (value_type(*lo.value) != value_type(*hi.value))
          fail(label, "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: "
                      "AttributeValue: " + render_value(*lo.value) + ", upper bound operand: AttributeValue: " +
                          render_value(*hi.value));
        auto c = compare_values(*lo.value, *hi.value);
        if (c && *c > 0)
          fail(label, "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound "
                      "operand: AttributeValue: " + render_value(*lo.value) + ", upper bound operand: AttributeValue: " +
                          render_value(*hi.value));
      }
      break;
    }
    case Kind::In:
      if (n.args.size() - 1 > 100)
        fail(label, "The IN operator is provided with too many operands; number of operands: " +
                        std::to_string(n.args.size() - 1));
      check_distinct(n, n.op, label);
      break;
    case Kind::Call: {
      const std::string& f = n.op;
      if (f == "attribute_exists" || f == "attribute_not_exists") {
        operand_count(n, 1, label);
        require_path(n, n.args[0], label);
      } else if (f == "attribute_type") {
        operand_count(n, 2, label);
        require_path(n, n.args[0], label);
        std::string t = static_type(n.args[1]);
        // A path's type is unknown until evaluation: AWS names every type it could have.
        if (n.args[1].kind != Kind::Value || t != "S")
          type_error(f, t.empty() ? "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}" : t, label);
        const std::string& name = n.args[1].value->at("S").get_ref<const std::string&>();
        static const char* kTypes[] = {"S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"};
        if (std::find_if(std::begin(kTypes), std::end(kTypes), [&](const char* x) { return name == x; }) ==
            std::end(kTypes))
          fail(label, "Invalid attribute type name found; type: " + name + ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
        check_distinct(n, f, label);
      } else if (f == "begins_with") {
        operand_count(n, 2, label);
        for (const auto& a : n.args) {
          std::string t = static_type(a);
          if (!t.empty() && t != "S" && t != "B") type_error(f, t, label);
        }
        check_distinct(n, f, label);
      } else if (f == "contains") {
        operand_count(n, 2, label);
        check_distinct(n, f, label);
      } else if (f == "size") {
        operand_count(n, 1, label);
        std::string t = static_type(n.args[0]);
        if (t == "N" || t == "BOOL" || t == "NULL") type_error(f, t, label);
      } else if (f == "if_not_exists") {
        operand_count(n, 2, label);
        require_path(n, n.args[0], label);
      } else if (f == "list_append") {
        operand_count(n, 2, label);
        for (const auto& a : n.args) {
          std::string t = static_type(a);
          if (!t.empty() && t != "L") type_error(f, t, label);
        }
      }
      break;
    }
    case Kind::Plus:
    case Kind::Minus:
      for (const auto& a : n.args) {
        std::string t = static_type(a);
        if (!t.empty() && t != "N") type_error(n.op, t, label);
      }
      break;
    default:
      break;
  }
}

// Paths of an update / projection must neither overlap nor conflict.
void check_paths(const std::vector<const Path*>& paths, std::string_view label) {
  for (size_t i = 0; i < paths.size(); ++i)
    for (size_t j = i + 1; j < paths.size(); ++j) {
      const Path& a = *paths[i];
      const Path& b = *paths[j];
      size_t n = std::min(a.size(), b.size());
      size_t k = 0;
      while (k < n && a[k] == b[k] && a[k].is_index() == b[k].is_index()) ++k;
      if (k == n)
        fail(label, "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: " +
                        render_path(a) + ", path two: " + render_path(b));
    }
  for (size_t i = 0; i < paths.size(); ++i)
    for (size_t j = i + 1; j < paths.size(); ++j) {
      const Path& a = *paths[i];
      const Path& b = *paths[j];
      size_t n = std::min(a.size(), b.size());
      size_t k = 0;
      while (k < n && a[k] == b[k] && a[k].is_index() == b[k].is_index()) ++k;
      if (k < n && a[k].is_index() != b[k].is_index())
        fail(label, "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: " +
                        render_path(a) + ", path two: " + render_path(b));
    }
}

}  // namespace

// ---------------------------------------------------------------- public API

std::string render_path(const Path& p) {
  std::string s = "[";
  for (size_t i = 0; i < p.size(); ++i) {
    if (i) s += ", ";
    if (p[i].is_index())
      s.append("[").append(std::to_string(p[i].index)).append("]");
    else
      s += p[i].name;
  }
  return s + "]";
}

void check_unused(const Context& ctx) {
  auto unused = [](const json* m, const std::set<std::string>& used) {
    std::string keys;
    if (!m || !m->is_object()) return keys;
    for (auto it = m->begin(); it != m->end(); ++it) {
      if (used.count(it.key())) continue;
      if (!keys.empty()) keys += ", ";
      keys += it.key();
    }
    return keys;
  };
  std::string n = unused(ctx.names, ctx.used_names);
  if (!n.empty()) throw AwsError::validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {" + n + "}");
  std::string v = unused(ctx.values, ctx.used_values);
  if (!v.empty()) throw AwsError::validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {" + v + "}");
}

// Each expression is at most 4096 bytes of raw text; conditions and filters also say how long.
static void check_expression_size(std::string_view text, std::string_view label) {
  if (text.size() <= 4096) return;
  std::string m = "Expression size has exceeded the maximum allowed size;";
  if (label == "ConditionExpression" || label == "FilterExpression") m += " expression size: " + std::to_string(text.size());
  fail(label, m);
}

Node parse_condition(std::string_view text, std::string_view label, Context& ctx) {
  check_expression_size(text, label);
  Parser p(text, label, false);
  Node root = p.parse_condition_root();
  check_function_names(root, label, false);
  check_condition_context(root, label);
  check_reserved_tree(root, label);
  check_node(root, ctx, label);
  return root;
}

Update parse_update(std::string_view text, Context& ctx) {
  const std::string_view label = "UpdateExpression";
  check_expression_size(text, label);
  Parser p(text, label, true);
  auto sections = p.parse_update_root();
  for (auto& s : sections)
    for (auto& a : s.actions)
      if (a.type == UpdateAction::Set) check_function_names(a.value, label, true);
  for (auto& s : sections)
    for (auto& a : s.actions) {
      check_reserved(a.path, label);
      if (a.type == UpdateAction::Set) check_reserved_tree(a.value, label);
    }
  std::set<std::string> seen;
  for (auto& s : sections)
    if (!seen.insert(s.name).second)
      fail(label, "The \"" + s.name + "\" section can only be used once in an update expression;");
  // Names and values, in order.
  for (auto& s : sections)
    for (auto& a : s.actions) {
      resolve_path(a.path, ctx, label);
      if (a.type != UpdateAction::Remove) {
        // resolve names/values inside the value tree in source order
        std::function<void(Node&)> res = [&](Node& n) {
          if (n.kind == Kind::Path) resolve_path(n.path, ctx, label);
          else if (n.kind == Kind::Value) resolve_value(n, ctx, label);
          for (auto& c : n.args) res(c);
        };
        res(a.value);
      }
    }
  std::vector<const Path*> paths;
  for (auto& s : sections)
    for (auto& a : s.actions) paths.push_back(&a.path);
  check_paths(paths, label);
  for (auto& s : sections)
    for (auto& a : s.actions) {
      if (a.type != UpdateAction::Add && a.type != UpdateAction::Delete) continue;
      auto t = value_type(*a.value.value);
      bool ok = a.type == UpdateAction::Add ? (t == "N" || t == "SS" || t == "NS" || t == "BS")
                                            : (t == "SS" || t == "NS" || t == "BS");
      if (!ok) {
        static const std::map<std::string, std::string, std::less<>> kLong = {
            {"S", "STRING"}, {"N", "NUMBER"}, {"B", "BINARY"}, {"BOOL", "BOOLEAN"}, {"NULL", "NULL"},
            {"M", "MAP"},    {"L", "LIST"},   {"SS", "SET"},   {"NS", "SET"},       {"BS", "SET"}};
        auto it = kLong.find(t);
        std::string op = a.type == UpdateAction::Add ? "ADD" : "DELETE";
        fail(label, "Incorrect operand type for operator or function; operator: " + op + ", operand type: " +
                        (it == kLong.end() ? std::string(t) : it->second) + ", typeSet: ALLOWED_FOR_" + op + "_OPERAND");
      }
    }
  // Function operand counts and types (names/values already resolved: re-resolution is a no-op).
  for (auto& s : sections)
    for (auto& a : s.actions)
      if (a.type == UpdateAction::Set) check_node(a.value, ctx, label);
  Update u;
  for (auto& s : sections)
    for (auto& a : s.actions) u.actions.push_back(std::move(a));
  return u;
}

std::vector<Path> parse_projection(std::string_view text, Context& ctx) {
  const std::string_view label = "ProjectionExpression";
  check_expression_size(text, label);
  Parser p(text, label, false);
  auto paths = p.parse_projection_root();
  for (auto& path : paths) check_reserved(path, label);
  for (auto& path : paths) resolve_path(path, ctx, label);
  std::vector<const Path*> ptrs;
  for (auto& path : paths) ptrs.push_back(&path);
  check_paths(ptrs, label);
  return paths;
}

}  // namespace awan::dynamodb::expr

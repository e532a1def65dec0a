// The JSONata subset's parser (see jsonata.hpp): a tokenizer and a Pratt parser with
// JSONata's binding powers (:= 10, ?: 20, or 25, and 30, comparisons, `in`, ~> and ^ 40, + - &
// 50, * / % 60, . 75, [ ( @ # 80); `%` and `**` where an operand is expected are the parent and
// the descendants. A `/` where an operand is expected opens a regular expression
// (compiled here, see jsonata_regex.hpp). Nesting is bounded; any malformed input is a nullptr
// with a reason.
#include <cmath>

#include "stepfunctions/jsonata.hpp"
#include "stepfunctions/jsonata_regex.hpp"
#include "stepfunctions/jsonata_signature.hpp"

namespace awan::stepfunctions::jsonata {

using json = nlohmann::json;

namespace {

constexpr int kMaxDepth = 64;
constexpr size_t kMaxLength = 64 * 1024;

struct Token {
  enum Kind { End, Number, String, Name, Variable, Op, Regex } kind = End;
  std::string text;
  std::string flags;  // of a Regex
  double number = 0;
  size_t at = 0;
};

struct ParseError {
  std::string why;
};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  // The text of a function signature up to its closing '>' (the '<' was the last token).
  std::string signature() {
    size_t start = i_;
    int depth = 1;
    for (; i_ < s_.size(); ++i_) {
      if (s_[i_] == '<') ++depth;
      else if (s_[i_] == '>' && --depth == 0) break;
    }
    if (i_ >= s_.size()) throw ParseError{"unterminated function signature at " + std::to_string(start)};
    operand_next_ = false;
    return std::string(s_.substr(start, i_++ - start));
  }

  Token next() {
    Token t = scan();
    // After an operator (but not a closing bracket) an operand is expected: `/` opens a regex.
    operand_next_ = t.kind == Token::Op && t.text != ")" && t.text != "]" && t.text != "}";
    return t;
  }

 private:
  Token scan() {
    skip_space();
    Token t;
    t.at = i_;
    if (i_ >= s_.size()) return t;
    char c = s_[i_];
    if (c == '/' && operand_next_) return regex(t);
    if (c == '"' || c == '\'') {
      t.kind = Token::String;
      t.text = string_literal(c);
      return t;
    }
    if (c >= '0' && c <= '9') {
      size_t start = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ + 1 < s_.size() && s_[i_] == '.' && s_[i_ + 1] >= '0' && s_[i_ + 1] <= '9') {
        ++i_;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      }
      if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
        size_t save = i_++;
        if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
        if (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
          while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
        } else {
          i_ = save;
        }
      }
      t.kind = Token::Number;
      t.number = std::strtod(std::string(s_.substr(start, i_ - start)).c_str(), nullptr);
      if (!std::isfinite(t.number)) throw ParseError{"number out of range at " + std::to_string(start)};
      return t;
    }
    if (c == '$') {
      ++i_;
      t.kind = Token::Variable;
      if (i_ < s_.size() && s_[i_] == '$') {
        ++i_;
        t.text = "$";
        return t;
      }
      t.text = identifier();
      return t;
    }
    if (c == '`') {
      ++i_;
      size_t end = s_.find('`', i_);
      if (end == std::string_view::npos) throw ParseError{"unterminated name at " + std::to_string(t.at)};
      t.kind = Token::Name;
      t.text = std::string(s_.substr(i_, end - i_));
      i_ = end + 1;
      return t;
    }
    if (is_name_char(c)) {
      t.kind = Token::Name;
      t.text = identifier();
      if (t.text == "and" || t.text == "or" || t.text == "in") t.kind = Token::Op;
      return t;
    }
    static const char* two[] = {":=", "!=", "<=", ">=", "..", "**", "~>"};
    for (const char* op : two)
      if (s_.compare(i_, 2, op) == 0) {
        i_ += 2;
        t.kind = Token::Op;
        t.text = op;
        return t;
      }
    if (std::string_view("+-*/%=<>&?:.,;()[]{}^@#").find(c) != std::string_view::npos) {
      ++i_;
      t.kind = Token::Op;
      t.text = std::string(1, c);
      return t;
    }
    throw ParseError{std::string("unexpected character '") + c + "' at " + std::to_string(i_)};
  }

  // /pattern/flags: up to the first `/` that is neither escaped nor in a [class].
  Token regex(Token t) {
    size_t start = ++i_;
    bool in_class = false;
    for (; i_ < s_.size(); ++i_) {
      char c = s_[i_];
      if (c == '\\') {
        ++i_;
        continue;
      }
      if (c == '[') in_class = true;
      else if (c == ']') in_class = false;
      else if (c == '/' && !in_class) break;
    }
    if (i_ >= s_.size()) throw ParseError{"unterminated regular expression at " + std::to_string(t.at)};
    t.kind = Token::Regex;
    t.text = std::string(s_.substr(start, i_ - start));
    ++i_;
    while (i_ < s_.size() && s_[i_] >= 'a' && s_[i_] <= 'z') t.flags += s_[i_++];
    return t;
  }

  static bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9') ||
           static_cast<unsigned char>(c) >= 0x80;
  }
  std::string identifier() {
    size_t start = i_;
    while (i_ < s_.size() && is_name_char(s_[i_])) ++i_;
    return std::string(s_.substr(start, i_ - start));
  }
  void skip_space() {
    while (i_ < s_.size()) {
      if (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r') {
        ++i_;
      } else if (s_.compare(i_, 2, "/*") == 0) {
        size_t end = s_.find("*/", i_ + 2);
        if (end == std::string_view::npos) throw ParseError{"unterminated comment"};
        i_ = end + 2;
      } else {
        break;
      }
    }
  }
  std::string string_literal(char quote) {
    size_t start = i_++;
    std::string out;
    while (i_ < s_.size() && s_[i_] != quote) {
      char c = s_[i_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) break;
      char e = s_[i_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (i_ + 4 > s_.size()) throw ParseError{"bad \\u escape at " + std::to_string(i_)};
          unsigned cp = 0;
          for (int k = 0; k < 4; ++k) {
            char h = s_[i_++];
            cp <<= 4;
            if (h >= '0' && h <= '9') cp |= static_cast<unsigned>(h - '0');
            else if (h >= 'a' && h <= 'f') cp |= static_cast<unsigned>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') cp |= static_cast<unsigned>(h - 'A' + 10);
            else throw ParseError{"bad \\u escape at " + std::to_string(i_)};
          }
          if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // lone surrogates are not text
          if (cp < 0x80) out += static_cast<char>(cp);
          else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          }
          break;
        }
        default: out += e;
      }
    }
    if (i_ >= s_.size()) throw ParseError{"unterminated string at " + std::to_string(start)};
    ++i_;
    return out;
  }

  std::string_view s_;
  size_t i_ = 0;
  bool operand_next_ = true;
};

int binding_power(const Token& t) {
  if (t.kind != Token::Op) return 0;
  const std::string& o = t.text;
  if (o == ":=") return 10;
  if (o == "?") return 20;
  if (o == "or") return 25;
  if (o == "and") return 30;
  if (o == "=" || o == "!=" || o == "<" || o == "<=" || o == ">" || o == ">=" || o == "in" || o == "~>" || o == "^") return 40;
  if (o == "+" || o == "-" || o == "&") return 50;
  if (o == "*" || o == "/" || o == "%") return 60;
  if (o == ".") return 75;
  if (o == "[" || o == "(" || o == "@" || o == "#") return 80;
  return 0;
}

class Parser {
 public:
  explicit Parser(std::string_view s) : lex_(s) { advance(); }

  NodePtr parse_all() {
    NodePtr n = expression(0, 0);
    if (tok_.kind != Token::End) throw ParseError{"unexpected '" + tok_.text + "' at " + std::to_string(tok_.at)};
    return n;
  }

 private:
  void advance() { tok_ = lex_.next(); }
  bool is_op(const char* o) const { return tok_.kind == Token::Op && tok_.text == o; }
  void expect(const char* o) {
    if (!is_op(o)) throw ParseError{std::string("expected '") + o + "' at " + std::to_string(tok_.at)};
    advance();
  }
  static NodePtr make(Node::Kind k, std::string text = "", std::vector<NodePtr> args = {}, json value = nullptr) {
    auto n = std::make_shared<Node>();
    n->kind = k;
    n->text = std::move(text);
    n->args = std::move(args);
    n->value = std::move(value);
    n->tuples = k == Node::Parent || k == Node::FocusBind || k == Node::IndexBind;
    for (const auto& a : n->args) n->tuples = n->tuples || a->tuples;
    return n;
  }

  NodePtr expression(int rbp, int depth) {
    if (depth > kMaxDepth) throw ParseError{"expression nested too deeply"};
    NodePtr left = prefix(depth);
    while (binding_power(tok_) > rbp) left = infix(std::move(left), depth);
    return left;
  }

  NodePtr prefix(int depth) {
    Token t = tok_;
    if (t.kind == Token::End) throw ParseError{"unexpected end of expression"};
    advance();
    switch (t.kind) {
      case Token::Number: {
        double d = t.number;
        json v = (std::floor(d) == d && std::fabs(d) < 9e15) ? json(static_cast<int64_t>(d)) : json(d);
        return make(Node::Literal, "", {}, v);
      }
      case Token::String: return make(Node::Literal, "", {}, t.text);
      case Token::Variable: return make(Node::Variable, t.text);
      case Token::Regex: {
        std::string why;
        auto re = compile_regex(t.text, t.flags, &why);
        if (!re) throw ParseError{why + ", at " + std::to_string(t.at)};
        auto n = std::make_shared<Node>();
        n->kind = Node::Regex;
        n->text = t.text;
        n->value = t.flags;
        n->regex = std::move(re);
        return n;
      }
      case Token::Name:
        if (t.text == "function" && is_op("(")) return lambda(depth);
        if (t.text == "true" || t.text == "false") return make(Node::Literal, "", {}, t.text == "true");
        if (t.text == "null") return make(Node::Literal, "", {}, nullptr);
        return make(Node::Name, t.text);
      default: break;
    }
    const std::string& o = t.text;
    if (o == "-") return make(Node::Negate, "", {expression(70, depth + 1)});
    if (o == "*") return make(Node::Wildcard);
    if (o == "**") return make(Node::Descendants);
    if (o == "%") return make(Node::Parent);
    if (o == "(") {
      std::vector<NodePtr> parts;
      while (!is_op(")")) {
        parts.push_back(expression(0, depth + 1));
        if (!is_op(";")) break;
        advance();
      }
      expect(")");
      return make(Node::Block, "", std::move(parts));
    }
    if (o == "[") {
      std::vector<NodePtr> items;
      while (!is_op("]")) {
        NodePtr item = expression(0, depth + 1);
        if (is_op("..")) {
          advance();
          item = make(Node::Range, "", {item, expression(0, depth + 1)});
        }
        items.push_back(std::move(item));
        if (!is_op(",")) break;
        advance();
      }
      expect("]");
      return make(Node::Array, "", std::move(items));
    }
    if (o == "{") {
      std::vector<NodePtr> members;
      while (!is_op("}")) {
        members.push_back(expression(0, depth + 1));
        expect(":");
        members.push_back(expression(0, depth + 1));
        if (!is_op(",")) break;
        advance();
      }
      expect("}");
      return make(Node::Object, "", std::move(members));
    }
    throw ParseError{"unexpected '" + o + "' at " + std::to_string(t.at)};
  }

  // function($a, $b)<signature> { body }
  NodePtr lambda(int depth) {
    expect("(");
    json params = json::array();
    while (!is_op(")")) {
      if (tok_.kind != Token::Variable || tok_.text.empty() || tok_.text == "$")
        throw ParseError{"a function parameter must be a $name, at " + std::to_string(tok_.at)};
      params.push_back(tok_.text);
      advance();
      if (!is_op(",")) break;
      advance();
    }
    expect(")");
    std::string signature;
    if (is_op("<")) {
      signature = lex_.signature();
      std::string why;
      auto sig = parse_signature(signature, &why);
      if (!sig) throw ParseError{why};
      advance();
    }
    expect("{");
    NodePtr body = expression(0, depth + 1);
    expect("}");
    return make(Node::Lambda, signature, {body}, params);
  }

  NodePtr infix(NodePtr left, int depth) {
    Token t = tok_;
    int bp = binding_power(t);
    advance();
    const std::string& o = t.text;
    if (o == ".") return make(Node::Path, "", {left, expression(bp, depth + 1)});
    if (o == "[") {
      if (is_op("]")) {  // a[]: keep the array
        advance();
        return left;
      }
      NodePtr predicate = expression(0, depth + 1);
      expect("]");
      return make(Node::Filter, "", {left, predicate});
    }
    if (o == "(") {
      std::vector<NodePtr> args;
      bool partial = false;
      while (!is_op(")")) {
        if (is_op("?")) {  // partial application: `?` stands for a whole argument
          size_t at = tok_.at;
          advance();
          if (!is_op(",") && !is_op(")"))
            throw ParseError{"a placeholder ? must be a whole argument, at " + std::to_string(at)};
          args.push_back(make(Node::Placeholder));
          partial = true;
        } else {
          args.push_back(expression(0, depth + 1));
        }
        if (!is_op(",")) break;
        advance();
      }
      expect(")");
      if (left->kind != Node::Variable) {  // function(){...}(x), /re/(s), ($f)(x)
        if (partial) throw ParseError{"only a $function can be partially applied, at " + std::to_string(t.at)};
        args.insert(args.begin(), left);
        return make(Node::Apply, "", std::move(args));
      }
      return make(partial ? Node::Partial : Node::Call, left->text, std::move(args));
    }
    if (o == "?") {
      NodePtr then = expression(0, depth + 1);
      std::vector<NodePtr> args = {left, then};
      if (is_op(":")) {
        advance();
        args.push_back(expression(0, depth + 1));
      }
      return make(Node::Condition, "", std::move(args));
    }
    if (o == ":=") {
      if (left->kind != Node::Variable || left->text.empty() || left->text == "$")
        throw ParseError{"the left side of := must be a $variable, at " + std::to_string(t.at)};
      return make(Node::Bind, left->text, {expression(bp - 1, depth + 1)});  // right-associative
    }
    if (o == "~>") return make(Node::Chain, "", {left, expression(bp, depth + 1)});
    if (o == "@" || o == "#") {  // step@$v, step#$i
      if (tok_.kind != Token::Variable || tok_.text.empty() || tok_.text == "$")
        throw ParseError{"'" + o + "' must be followed by a $variable, at " + std::to_string(t.at)};
      if (o == "@" && (left->kind == Node::Filter || left->kind == Node::Sort))
        throw ParseError{"A context variable binding must precede any predicates on a step, at " + std::to_string(t.at)};
      std::string var = tok_.text;
      advance();
      return make(o == "@" ? Node::FocusBind : Node::IndexBind, var, {left});
    }
    if (o == "^") {  // order-by: ^(key, <key, >key)
      expect("(");
      std::vector<NodePtr> args = {left};
      json descending = json::array();
      while (true) {
        bool desc = is_op(">");
        if (desc || is_op("<")) advance();
        descending.push_back(desc);
        args.push_back(expression(0, depth + 1));
        if (!is_op(",")) break;
        advance();
      }
      expect(")");
      return make(Node::Sort, "", std::move(args), std::move(descending));
    }
    if (o == "**" || o == "..")
      throw ParseError{"operator '" + o + "' is not supported, at " + std::to_string(t.at)};
    return make(Node::Binary, o, {left, expression(bp, depth + 1)});
  }

  Lexer lex_;
  Token tok_;
};

// Well-formed UTF-8 (literals become JSON strings, which must be text).
bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size() || (n == 2 && c < 0xC2)) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    if (n == 3) {
      auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return false;  // overlong, surrogate
    }
    if (n == 4) {
      auto c1 = static_cast<unsigned char>(s[i + 1]);
      if (c > 0xF4 || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

NodePtr parse(std::string_view text, std::string* why) {
  try {
    if (text.size() > kMaxLength) throw ParseError{"expression too long"};
    if (!valid_utf8(text)) throw ParseError{"the expression is not UTF-8 text"};
    return Parser(text).parse_all();
  } catch (const ParseError& e) {
    if (why) *why = e.why;
    return nullptr;
  }
}

bool is_expression(const json& v, std::string* expr) {
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  if (s.size() < 4 || s.compare(0, 2, "{%") != 0 || s.compare(s.size() - 2, 2, "%}") != 0) return false;
  if (expr) *expr = s.substr(2, s.size() - 4);
  return true;
}

std::optional<std::pair<std::string, std::string>> check_template(const json& tpl, int depth) {
  if (depth > kMaxDepth) return std::make_pair(std::string(), std::string("the template is nested too deeply"));
  std::string expr, why;
  if (is_expression(tpl, &expr)) {
    if (!parse(expr, &why)) return std::make_pair(std::string(), why);
    return std::nullopt;
  }
  if (tpl.is_object()) {
    for (auto it = tpl.begin(); it != tpl.end(); ++it)
      if (auto bad = check_template(it.value(), depth + 1)) return std::make_pair("/" + it.key() + bad->first, bad->second);
  } else if (tpl.is_array()) {
    for (size_t i = 0; i < tpl.size(); ++i)
      if (auto bad = check_template(tpl[i], depth + 1)) {
        std::string where = "[";
        where.append(std::to_string(i)).append("]").append(bad->first);
        return std::make_pair(std::move(where), bad->second);
      }
  }
  return std::nullopt;
}

}  // namespace awan::stepfunctions::jsonata

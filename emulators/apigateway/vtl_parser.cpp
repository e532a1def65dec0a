// Mapping templates (vtl.hpp): the parser, from template text to the syntax tree of vtl_ast.hpp.
#include "apigateway/vtl_ast.hpp"

#include <cstdlib>

namespace awan::apigateway::vtl {

namespace {

bool ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9') || c == '-'; }

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}

  std::vector<Node> parse_template() {
    std::string end;
    auto nodes = block(0, end);
    if (!end.empty()) throw VtlError("unexpected #" + end);
    return nodes;
  }

 private:
  const std::string& s_;
  size_t p_ = 0;

  [[noreturn]] void fail(const std::string& what) const {
    throw VtlError(what + " at character " + std::to_string(p_));
  }
  bool at(const char* lit) const { return s_.compare(p_, std::char_traits<char>::length(lit), lit) == 0; }
  void ws() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r')) ++p_;
  }
  void expect(char c) {
    ws();
    if (p_ >= s_.size() || s_[p_] != c) fail(std::string("expected '") + c + "'");
    ++p_;
  }

  // After a directive: a line holding only the directive emits nothing of its line.
  void gobble_line(std::vector<Node>& nodes, size_t directive_start) {
    size_t q = p_;
    while (q < s_.size() && (s_[q] == ' ' || s_[q] == '\t')) ++q;
    bool line_end = q >= s_.size() || s_[q] == '\n' || s_[q] == '\r';
    size_t b = directive_start;
    while (b > 0 && (s_[b - 1] == ' ' || s_[b - 1] == '\t')) --b;
    bool line_start = b == 0 || s_[b - 1] == '\n';
    if (!line_end || !line_start) return;
    if (!nodes.empty() && nodes.back().kind == Node::Text) {
      auto& t = nodes.back().text;
      size_t spaces = directive_start - b;
      if (t.size() >= spaces) t.resize(t.size() - spaces);
    }
    p_ = q;
    if (p_ < s_.size() && s_[p_] == '\r') ++p_;
    if (p_ < s_.size() && s_[p_] == '\n') ++p_;
  }

  std::string directive_name() {
    bool braced = p_ < s_.size() && s_[p_] == '{';
    if (braced) ++p_;
    size_t b = p_;
    while (p_ < s_.size() && ((s_[p_] >= 'a' && s_[p_] <= 'z') || (s_[p_] >= 'A' && s_[p_] <= 'Z'))) ++p_;
    std::string name = s_.substr(b, p_ - b);
    if (braced) {
      if (p_ >= s_.size() || s_[p_] != '}') fail("expected '}'");
      ++p_;
    }
    return name;
  }

  void text(std::vector<Node>& nodes, char c) {
    if (nodes.empty() || nodes.back().kind != Node::Text) nodes.push_back(Node{});
    nodes.back().text += c;
  }

  std::vector<Node> block(int depth, std::string& terminator) {
    if (depth > kMaxDepth) fail("templates nest too deeply");
    std::vector<Node> nodes;
    while (p_ < s_.size()) {
      char c = s_[p_];
      if (c == '#' && at("##")) {
        while (p_ < s_.size() && s_[p_] != '\n') ++p_;
        if (p_ < s_.size()) ++p_;
        continue;
      }
      if (c == '#' && at("#*")) {
        size_t e = s_.find("*#", p_ + 2);
        if (e == std::string::npos) fail("unterminated comment");
        p_ = e + 2;
        continue;
      }
      if (c == '#' && p_ + 1 < s_.size() && (ident_start(s_[p_ + 1]) || s_[p_ + 1] == '{')) {
        size_t start = p_;
        ++p_;
        size_t save = p_;
        std::string name = directive_name();
        if (name == "end" || name == "else" || name == "elseif") {
          if (name != "elseif") gobble_line(nodes, start);
          terminator = name;
          return nodes;
        }
        if (name == "set") {
          expect('(');
          ws();
          Node n;
          n.kind = Node::Set;
          if (p_ >= s_.size() || s_[p_] != '$') fail("#set needs a reference");
          n.target = reference();
          expect('=');
          n.expr = expression(depth + 1);
          expect(')');
          gobble_line(nodes, start);
          nodes.push_back(std::move(n));
          continue;
        }
        if (name == "if") {
          Node n;
          n.kind = Node::If;
          expect('(');
          ExprP cond = expression(depth + 1);
          expect(')');
          gobble_line(nodes, start);
          while (true) {
            std::string term;
            auto body = block(depth + 1, term);
            n.branches.emplace_back(std::move(cond), std::move(body));
            if (term == "end") break;
            if (term == "else") {
              std::string t2;
              auto else_body = block(depth + 1, t2);
              if (t2 != "end") fail("#else without #end");
              n.branches.emplace_back(nullptr, std::move(else_body));
              break;
            }
            if (term == "elseif") {
              expect('(');
              cond = expression(depth + 1);
              expect(')');
              gobble_line(n.branches.back().second, p_);
              continue;
            }
            fail("#if without #end");
          }
          nodes.push_back(std::move(n));
          continue;
        }
        if (name == "foreach") {
          Node n;
          n.kind = Node::Foreach;
          expect('(');
          ws();
          if (p_ >= s_.size() || s_[p_] != '$') fail("#foreach needs a variable");
          ++p_;
          size_t b = p_;
          while (p_ < s_.size() && ident_char(s_[p_])) ++p_;
          n.var = s_.substr(b, p_ - b);
          ws();
          if (!at("in")) fail("expected 'in'");
          p_ += 2;
          n.expr = expression(depth + 1);
          expect(')');
          gobble_line(nodes, start);
          std::string term;
          n.body = block(depth + 1, term);
          if (term != "end") fail("#foreach without #end");
          nodes.push_back(std::move(n));
          continue;
        }
        if (name == "break" || name == "stop") {
          Node n;
          n.kind = Node::Break;
          nodes.push_back(std::move(n));
          continue;
        }
        p_ = save;  // not a directive: literal '#'
        text(nodes, '#');
        continue;
      }
      if (c == '$' && p_ + 1 < s_.size() &&
          (ident_start(s_[p_ + 1]) || s_[p_ + 1] == '{' ||
           (s_[p_ + 1] == '!' && p_ + 2 < s_.size() && (ident_start(s_[p_ + 2]) || s_[p_ + 2] == '{')))) {
        Node n;
        n.kind = Node::Ref;
        n.expr = reference(depth + 1);
        nodes.push_back(std::move(n));
        continue;
      }
      text(nodes, c);
      ++p_;
    }
    return nodes;
  }

  ExprP reference(int depth = 0) {
    if (depth > kMaxDepth) fail("expression nests too deeply");
    size_t start = p_;
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Ref;
    ++p_;  // '$'
    if (p_ < s_.size() && s_[p_] == '!') {
      e->quiet = true;
      ++p_;
    }
    bool braced = p_ < s_.size() && s_[p_] == '{';
    if (braced) ++p_;
    size_t b = p_;
    while (p_ < s_.size() && ident_char(s_[p_]) && !(s_[p_] == '-' && !braced)) ++p_;
    e->root = s_.substr(b, p_ - b);
    if (e->root.empty()) fail("reference without a name");
    while (p_ < s_.size()) {
      if (s_[p_] == '.' && p_ + 1 < s_.size() && ident_start(s_[p_ + 1])) {
        ++p_;
        Accessor a;
        size_t nb = p_;
        while (p_ < s_.size() && ident_char(s_[p_]) && s_[p_] != '-') ++p_;
        a.name = s_.substr(nb, p_ - nb);
        if (p_ < s_.size() && s_[p_] == '(') {
          a.kind = Accessor::Call;
          ++p_;
          ws();
          if (p_ < s_.size() && s_[p_] == ')') {
            ++p_;
          } else {
            while (true) {
              a.args.push_back(expression(depth + 1));
              ws();
              if (p_ < s_.size() && s_[p_] == ',') {
                ++p_;
                continue;
              }
              expect(')');
              break;
            }
          }
        }
        e->chain.push_back(std::move(a));
      } else if (s_[p_] == '[') {
        ++p_;
        Accessor a;
        a.kind = Accessor::Index;
        a.args.push_back(expression(depth + 1));
        expect(']');
        e->chain.push_back(std::move(a));
      } else {
        break;
      }
    }
    if (braced) {
      if (p_ >= s_.size() || s_[p_] != '}') fail("expected '}'");
      ++p_;
    }
    e->source = s_.substr(start, p_ - start);
    return e;
  }

  ExprP binary(ExprP l, std::string op, ExprP r) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Binary;
    e->op = std::move(op);
    e->kids.push_back(std::move(l));
    e->kids.push_back(std::move(r));
    return e;
  }

  bool word(const char* w) {
    size_t n = std::char_traits<char>::length(w);
    if (s_.compare(p_, n, w) == 0 && (p_ + n >= s_.size() || !ident_char(s_[p_ + n]))) {
      p_ += n;
      return true;
    }
    return false;
  }

  ExprP expression(int depth) {
    if (depth > kMaxDepth) fail("expression nests too deeply");
    ExprP l = and_expr(depth + 1);
    while (true) {
      ws();
      if (at("||")) p_ += 2;
      else if (!word("or")) return l;
      l = binary(std::move(l), "||", and_expr(depth + 1));
    }
  }
  ExprP and_expr(int depth) {
    ExprP l = equality(depth);
    while (true) {
      ws();
      if (at("&&")) p_ += 2;
      else if (!word("and")) return l;
      l = binary(std::move(l), "&&", equality(depth));
    }
  }
  ExprP equality(int depth) {
    ExprP l = relational(depth);
    while (true) {
      ws();
      std::string op;
      if (at("==")) op = "==", p_ += 2;
      else if (at("!=")) op = "!=", p_ += 2;
      else if (word("eq")) op = "==";
      else if (word("ne")) op = "!=";
      else return l;
      l = binary(std::move(l), op, relational(depth));
    }
  }
  ExprP relational(int depth) {
    ExprP l = additive(depth);
    while (true) {
      ws();
      std::string op;
      if (at("<=")) op = "<=", p_ += 2;
      else if (at(">=")) op = ">=", p_ += 2;
      else if (at("<")) op = "<", p_ += 1;
      else if (at(">")) op = ">", p_ += 1;
      else if (word("le")) op = "<=";
      else if (word("ge")) op = ">=";
      else if (word("lt")) op = "<";
      else if (word("gt")) op = ">";
      else return l;
      l = binary(std::move(l), op, additive(depth));
    }
  }
  ExprP additive(int depth) {
    ExprP l = multiplicative(depth);
    while (true) {
      ws();
      if (p_ < s_.size() && (s_[p_] == '+' || s_[p_] == '-')) {
        std::string op(1, s_[p_++]);
        l = binary(std::move(l), op, multiplicative(depth));
      } else {
        return l;
      }
    }
  }
  ExprP multiplicative(int depth) {
    ExprP l = unary(depth);
    while (true) {
      ws();
      if (p_ < s_.size() && (s_[p_] == '*' || s_[p_] == '/' || s_[p_] == '%')) {
        std::string op(1, s_[p_++]);
        l = binary(std::move(l), op, unary(depth));
      } else {
        return l;
      }
    }
  }
  ExprP unary(int depth) {
    if (depth > kMaxDepth) fail("expression nests too deeply");
    ws();
    if ((p_ < s_.size() && s_[p_] == '!' && !at("!=")) || word("not")) {
      if (s_[p_ - 1] == '!') {
      }
      if (p_ < s_.size() && s_[p_] == '!') ++p_;
      auto e = std::make_unique<Expr>();
      e->kind = Expr::Unary;
      e->op = "!";
      e->kids.push_back(unary(depth + 1));
      return e;
    }
    if (p_ < s_.size() && s_[p_] == '-' && p_ + 1 < s_.size() && !(s_[p_ + 1] >= '0' && s_[p_ + 1] <= '9')) {
      ++p_;
      auto e = std::make_unique<Expr>();
      e->kind = Expr::Unary;
      e->op = "-";
      e->kids.push_back(unary(depth + 1));
      return e;
    }
    return primary(depth + 1);
  }

  ExprP literal(json v) {
    auto e = std::make_unique<Expr>();
    e->lit = std::move(v);
    return e;
  }

  ExprP primary(int depth) {
    if (depth > kMaxDepth) fail("expression nests too deeply");
    ws();
    if (p_ >= s_.size()) fail("unexpected end of template");
    char c = s_[p_];
    if (c == '(') {
      ++p_;
      ExprP e = expression(depth + 1);
      expect(')');
      return e;
    }
    if (c == '$') return reference(depth + 1);
    if (c == '\'' || c == '"') {
      ++p_;
      std::string v;
      while (true) {
        if (p_ >= s_.size()) fail("unterminated string");
        if (s_[p_] == c) {
          if (p_ + 1 < s_.size() && s_[p_ + 1] == c) {  // doubled quote
            v += c;
            p_ += 2;
            continue;
          }
          ++p_;
          break;
        }
        v += s_[p_++];
      }
      if (c == '"' && v.find_first_of("$#") != std::string::npos) {
        auto e = std::make_unique<Expr>();
        e->kind = Expr::Str;
        e->op = v;
        return e;
      }
      return literal(v);
    }
    if ((c >= '0' && c <= '9') || c == '-') {
      size_t b = p_;
      if (c == '-') ++p_;
      while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') ++p_;
      bool real = false;
      if (p_ + 1 < s_.size() && s_[p_] == '.' && s_[p_ + 1] >= '0' && s_[p_ + 1] <= '9') {
        real = true;
        ++p_;
        while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') ++p_;
      }
      std::string t = s_.substr(b, p_ - b);
      if (t == "-") fail("expected a number");
      if (real) return literal(std::strtod(t.c_str(), nullptr));
      return literal(static_cast<int64_t>(std::strtoll(t.c_str(), nullptr, 10)));
    }
    if (word("true")) return literal(true);
    if (word("false")) return literal(false);
    if (word("null")) return literal(nullptr);
    if (c == '[') {
      ++p_;
      auto e = std::make_unique<Expr>();
      e->kind = Expr::List;
      ws();
      if (p_ < s_.size() && s_[p_] == ']') {
        ++p_;
        return e;
      }
      e->kids.push_back(expression(depth + 1));
      ws();
      if (at("..")) {
        p_ += 2;
        e->kind = Expr::Range;
        e->kids.push_back(expression(depth + 1));
        expect(']');
        return e;
      }
      while (true) {
        ws();
        if (p_ < s_.size() && s_[p_] == ',') {
          ++p_;
          e->kids.push_back(expression(depth + 1));
          continue;
        }
        expect(']');
        return e;
      }
    }
    if (c == '{') {
      ++p_;
      auto e = std::make_unique<Expr>();
      e->kind = Expr::Map;
      ws();
      if (p_ < s_.size() && s_[p_] == '}') {
        ++p_;
        return e;
      }
      while (true) {
        e->kids.push_back(expression(depth + 1));
        expect(':');
        e->kids.push_back(expression(depth + 1));
        ws();
        if (p_ < s_.size() && s_[p_] == ',') {
          ++p_;
          continue;
        }
        expect('}');
        return e;
      }
    }
    fail(std::string("unexpected '") + c + "'");
  }
};

}  // namespace

std::vector<Node> parse_template(const std::string& text) {
  Parser p(text);
  return p.parse_template();
}

}  // namespace awan::apigateway::vtl

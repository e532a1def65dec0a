// Mapping templates (vtl.hpp): a parser to a small syntax tree, then an evaluator over JSON
// values with bounded depth, iterations, steps and output.
#include "apigateway/vtl.hpp"

#include <cmath>
#include <memory>
#include <stdexcept>
#include <vector>

#include "core/crypto.hpp"
#include "core/text.hpp"

namespace awan::apigateway {

using json = nlohmann::json;

namespace {

constexpr int kMaxDepth = 48;
constexpr int kMaxIterations = 1000;
constexpr size_t kMaxOutput = 10 * 1024 * 1024;
constexpr long kMaxSteps = 1000000;

struct VtlError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Expr;
using ExprP = std::unique_ptr<Expr>;

struct Accessor {
  enum Kind { Field, Call, Index } kind = Field;
  std::string name;
  std::vector<ExprP> args;
};

struct Expr {
  enum Kind { Lit, Str, Ref, List, Map, Range, Unary, Binary } kind = Lit;
  json lit;
  std::string op;  // Unary/Binary operator; Str: the raw text of a double-quoted string
  std::vector<ExprP> kids;
  std::string root;
  std::vector<Accessor> chain;
  bool quiet = false;
  std::string source;  // Ref: its text, rendered when it does not resolve
};

struct Node {
  enum Kind { Text, Ref, Set, If, Foreach, Break } kind = Text;
  std::string text;
  ExprP expr, target;  // Ref/Set value; Set target
  std::vector<std::pair<ExprP, std::vector<Node>>> branches;  // If: (condition, body); null condition = #else
  std::string var;                                            // Foreach
  std::vector<Node> body;
};

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

// ---- evaluation ----

std::string java_string(const json& v, int depth = 0) {
  if (depth > kMaxDepth) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "null";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_float()) {
    double d = v.get<double>();
    std::string s = json(d).dump();
    if (s.find('.') == std::string::npos && s.find('e') == std::string::npos) s += ".0";
    return s;
  }
  if (v.is_number()) return v.dump();
  std::string out = v.is_array() ? "[" : "{";
  bool first = true;
  if (v.is_array()) {
    for (auto& x : v) {
      out += (first ? "" : ", ") + java_string(x, depth + 1);
      first = false;
    }
    return out + "]";
  }
  for (auto& [k, x] : v.items()) {
    out += (first ? "" : ", ") + k + "=" + java_string(x, depth + 1);
    first = false;
  }
  return out + "}";
}

bool truthy(const json& v) { return !(v.is_null() || (v.is_boolean() && !v.get<bool>())); }

std::string escape_js(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\'': out += "\\'"; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '/': out += "\\/"; break;
      default: out += c;
    }
  }
  return out;
}

class Evaluator {
 public:
  explicit Evaluator(const VtlInput& in) : in_(in) {}

  void render(const std::vector<Node>& nodes, std::string& out, int depth) {
    if (depth > kMaxDepth) throw VtlError("templates nest too deeply");
    for (const auto& n : nodes) {
      if (broke_) return;
      step();
      switch (n.kind) {
        case Node::Text:
          out += n.text;
          break;
        case Node::Ref: {
          json v = eval(*n.expr, depth + 1);
          if (v.is_null()) {
            if (!n.expr->quiet) out += n.expr->source;
          } else {
            out += java_string(v);
          }
          break;
        }
        case Node::Set:
          assign(*n.target, eval(*n.expr, depth + 1), depth + 1);
          break;
        case Node::If:
          for (const auto& [cond, body] : n.branches) {
            if (!cond || truthy(eval(*cond, depth + 1))) {
              render(body, out, depth + 1);
              break;
            }
          }
          break;
        case Node::Foreach: {
          json items = eval(*n.expr, depth + 1);
          std::vector<json> list;
          if (items.is_array()) list.assign(items.begin(), items.end());
          else if (items.is_object()) for (auto& [k, v] : items.items()) list.push_back(v);
          json saved = vars_.count(n.var) ? vars_[n.var] : json();
          json saved_foreach = vars_.count("foreach") ? vars_["foreach"] : json();
          int count = 0;
          for (size_t i = 0; i < list.size(); ++i) {
            if (++count > kMaxIterations) throw VtlError("#foreach exceeds 1000 iterations");
            vars_[n.var] = list[i];
            vars_["foreach"] = {{"index", i}, {"count", i + 1}, {"hasNext", i + 1 < list.size()},
                                {"first", i == 0}, {"last", i + 1 == list.size()}};
            vars_["velocityCount"] = i + 1;
            render(n.body, out, depth + 1);
            if (broke_) {
              broke_ = false;
              break;
            }
          }
          vars_[n.var] = saved;
          vars_["foreach"] = saved_foreach;
          break;
        }
        case Node::Break:
          broke_ = true;
          return;
      }
      if (out.size() > kMaxOutput) throw VtlError("the template's output exceeds 10 MB");
    }
  }

 private:
  const VtlInput& in_;
  std::map<std::string, json> vars_;
  bool broke_ = false;
  long steps_ = 0;
  bool body_parsed_ = false;
  json body_json_;

  void step() {
    if (++steps_ > kMaxSteps) throw VtlError("the template takes too many steps");
  }

  const json& body_json() {
    if (!body_parsed_) {
      body_parsed_ = true;
      if (in_.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        body_json_ = json::object();
      } else if (!text::json_nesting_exceeds(in_.body, 256)) {
        body_json_ = json::parse(in_.body, nullptr, false);
        if (body_json_.is_discarded()) body_json_ = json();
      }
    }
    return body_json_;
  }

  void assign(const Expr& target, json value, int depth) {
    if (target.chain.empty()) {
      vars_[target.root] = std::move(value);
      return;
    }
    json* slot = &vars_[target.root];
    for (size_t i = 0; i < target.chain.size(); ++i) {
      const Accessor& a = target.chain[i];
      if (a.kind == Accessor::Call) return;
      if (a.kind == Accessor::Field) {
        if (!slot->is_object()) return;
        slot = &(*slot)[a.name];
      } else {
        json k = eval(*a.args[0], depth + 1);
        if (slot->is_array() && k.is_number_integer()) {
          int64_t idx = k.get<int64_t>();
          if (idx < 0 || idx >= static_cast<int64_t>(slot->size())) return;
          slot = &(*slot)[static_cast<size_t>(idx)];
        } else if (slot->is_object()) {
          slot = &(*slot)[java_string(k)];
        } else {
          return;
        }
      }
    }
    *slot = std::move(value);
  }

  std::vector<json> args(const Accessor& a, int depth) {
    std::vector<json> out;
    for (const auto& e : a.args) out.push_back(eval(*e, depth + 1));
    return out;
  }

  json params_map() const {
    json m = {{"path", json::object()}, {"querystring", json::object()}, {"header", json::object()}};
    for (auto& [k, v] : in_.path) m["path"][k] = v;
    for (auto& [k, v] : in_.querystring) m["querystring"][k] = v;
    for (auto& [k, v] : in_.header) m["header"][k] = v;
    return m;
  }

  json input_call(const Accessor& a, int depth) {
    auto av = args(a, depth);
    std::string arg0 = av.empty() ? "" : java_string(av[0]);
    if (a.name == "body") return in_.body;
    if (a.name == "json") {
      json v = json_path(body_json(), av.empty() ? "$" : arg0);
      return v.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    if (a.name == "path") return json_path(body_json(), av.empty() ? "$" : arg0);
    if (a.name == "params") {
      if (av.empty()) return params_map();
      for (const auto* m : {&in_.path, &in_.querystring, &in_.header}) {
        auto it = m->find(arg0);
        if (it != m->end()) return it->second;
      }
      if (a.kind == Accessor::Call) {
        for (auto& [k, v] : in_.header)
          if (text::ascii_lower(k) == text::ascii_lower(arg0)) return v;
      }
      return "";
    }
    return nullptr;
  }

  json util_call(const Accessor& a, int depth) {
    auto av = args(a, depth);
    std::string s = av.empty() ? "" : java_string(av[0]);
    if (a.name == "escapeJavaScript") return escape_js(s);
    if (a.name == "base64Encode") return crypto::base64_encode(s);
    if (a.name == "base64Decode") return crypto::base64_decode(s).value_or("");
    if (a.name == "urlEncode") return text::percent_encode(s);
    if (a.name == "urlDecode") return text::percent_decode(s, true).value_or(s);
    if (a.name == "parseJson") {
      if (text::json_nesting_exceeds(s, 256)) return nullptr;
      json v = json::parse(s, nullptr, false);
      return v.is_discarded() ? json() : v;
    }
    return nullptr;
  }

  json method(const json& v, const Accessor& a, int depth) {
    auto av = args(a, depth);
    const std::string& m = a.name;
    if (m == "size" || m == "length") {
      if (v.is_string()) return static_cast<int64_t>(v.get_ref<const std::string&>().size());
      if (v.is_array() || v.is_object()) return static_cast<int64_t>(v.size());
      return nullptr;
    }
    if (m == "isEmpty") {
      if (v.is_string()) return v.get_ref<const std::string&>().empty();
      if (v.is_array() || v.is_object()) return v.empty();
      return nullptr;
    }
    if (m == "toString") return java_string(v);
    if (m == "equals" && av.size() == 1) return v == av[0] || java_string(v) == java_string(av[0]);
    if (m == "get" && av.size() == 1) return index(v, av[0]);
    if (m == "keySet" && v.is_object()) {
      json keys = json::array();
      for (auto& [k, x] : v.items()) keys.push_back(k);
      return keys;
    }
    if (m == "values" && v.is_object()) {
      json vals = json::array();
      for (auto& [k, x] : v.items()) vals.push_back(x);
      return vals;
    }
    if ((m == "containsKey") && v.is_object() && av.size() == 1) return v.contains(java_string(av[0]));
    if (m == "contains" && av.size() == 1) {
      if (v.is_string()) return v.get_ref<const std::string&>().find(java_string(av[0])) != std::string::npos;
      if (v.is_array()) return std::find(v.begin(), v.end(), av[0]) != v.end();
      return nullptr;
    }
    if (!v.is_string()) return nullptr;
    const std::string& s = v.get_ref<const std::string&>();
    auto num = [&](size_t i) { return i < av.size() && av[i].is_number_integer() ? av[i].get<int64_t>() : -1; };
    if (m == "toLowerCase") return text::ascii_lower(s);
    if (m == "toUpperCase") {
      std::string u = s;
      for (auto& c : u)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      return u;
    }
    if (m == "trim") {
      size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
      return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    }
    if (m == "startsWith" && av.size() == 1) return s.rfind(java_string(av[0]), 0) == 0;
    if (m == "endsWith" && av.size() == 1) {
      std::string t = java_string(av[0]);
      return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
    }
    if (m == "indexOf" && av.size() == 1) {
      size_t at = s.find(java_string(av[0]));
      return at == std::string::npos ? int64_t{-1} : static_cast<int64_t>(at);
    }
    if (m == "substring") {
      int64_t b = num(0), e = av.size() > 1 ? num(1) : static_cast<int64_t>(s.size());
      if (b < 0 || e < b || e > static_cast<int64_t>(s.size())) return nullptr;
      return s.substr(static_cast<size_t>(b), static_cast<size_t>(e - b));
    }
    if ((m == "replace" || m == "replaceAll") && av.size() == 2) {
      std::string from = java_string(av[0]), to = java_string(av[1]), out;
      if (from.empty()) return s;
      size_t i = 0;
      while (true) {
        size_t at = s.find(from, i);
        if (at == std::string::npos) break;
        out += s.substr(i, at - i) + to;
        i = at + from.size();
        step();
      }
      return out + s.substr(i);
    }
    if (m == "split" && av.size() == 1) {
      std::string sep = java_string(av[0]);
      json parts = json::array();
      if (sep.empty()) return parts;
      size_t i = 0;
      while (true) {
        size_t at = s.find(sep, i);
        parts.push_back(s.substr(i, at == std::string::npos ? std::string::npos : at - i));
        if (at == std::string::npos) break;
        i = at + sep.size();
        step();
      }
      return parts;
    }
    return nullptr;
  }

  static json index(const json& v, const json& k) {
    if (v.is_array() && k.is_number_integer()) {
      int64_t i = k.get<int64_t>();
      if (i < 0 || i >= static_cast<int64_t>(v.size())) return nullptr;
      return v[static_cast<size_t>(i)];
    }
    if (v.is_object()) {
      auto it = v.find(java_string(k));
      return it == v.end() ? json() : *it;
    }
    return nullptr;
  }

  json eval_ref(const Expr& e, int depth) {
    size_t i = 0;
    json v;
    if (e.root == "input" && !vars_.count("input")) {
      if (e.chain.empty()) return nullptr;
      v = input_call(e.chain[0], depth);
      i = 1;
    } else if (e.root == "util" && !vars_.count("util")) {
      if (e.chain.empty()) return nullptr;
      v = util_call(e.chain[0], depth);
      i = 1;
    } else if (e.root == "context" && !vars_.count("context")) {
      v = in_.context;
    } else if (e.root == "stageVariables" && !vars_.count("stageVariables")) {
      v = in_.stage_variables;
    } else {
      auto it = vars_.find(e.root);
      if (it == vars_.end()) return nullptr;
      v = it->second;
    }
    for (; i < e.chain.size(); ++i) {
      step();
      const Accessor& a = e.chain[i];
      if (v.is_null()) return nullptr;
      if (a.kind == Accessor::Field) {
        if (v.is_object()) {
          auto it = v.find(a.name);
          v = it == v.end() ? json() : *it;
        } else if (a.name == "empty") {
          v = method(v, Accessor{Accessor::Call, "isEmpty", {}}, depth);
        } else {
          return nullptr;
        }
      } else if (a.kind == Accessor::Index) {
        v = index(v, eval(*a.args[0], depth + 1));
      } else {
        v = method(v, a, depth);
      }
    }
    return v;
  }

  static bool numeric(const json& v) { return v.is_number(); }

  json eval(const Expr& e, int depth) {
    if (depth > kMaxDepth * 4) throw VtlError("expression nests too deeply");
    step();
    switch (e.kind) {
      case Expr::Lit:
        return e.lit;
      case Expr::Str: {
        Parser p(e.op);
        auto nodes = p.parse_template();
        std::string out;
        render(nodes, out, depth + 1);
        return out;
      }
      case Expr::Ref:
        return eval_ref(e, depth + 1);
      case Expr::List: {
        json a = json::array();
        for (const auto& k : e.kids) a.push_back(eval(*k, depth + 1));
        return a;
      }
      case Expr::Map: {
        json m = json::object();
        for (size_t i = 0; i + 1 < e.kids.size(); i += 2)
          m[java_string(eval(*e.kids[i], depth + 1))] = eval(*e.kids[i + 1], depth + 1);
        return m;
      }
      case Expr::Range: {
        json a = eval(*e.kids[0], depth + 1), b = eval(*e.kids[1], depth + 1);
        if (!a.is_number_integer() || !b.is_number_integer()) return nullptr;
        int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
        if (std::abs(y - x) > kMaxIterations) throw VtlError("range exceeds 1000 items");
        json out = json::array();
        for (int64_t i = x; x <= y ? i <= y : i >= y; i += x <= y ? 1 : -1) out.push_back(i);
        return out;
      }
      case Expr::Unary: {
        json v = eval(*e.kids[0], depth + 1);
        if (e.op == "!") return !truthy(v);
        if (v.is_number_integer()) return -v.get<int64_t>();
        if (v.is_number()) return -v.get<double>();
        return nullptr;
      }
      case Expr::Binary:
        break;
    }
    const std::string& op = e.op;
    if (op == "&&") return truthy(eval(*e.kids[0], depth + 1)) && truthy(eval(*e.kids[1], depth + 1));
    if (op == "||") return truthy(eval(*e.kids[0], depth + 1)) || truthy(eval(*e.kids[1], depth + 1));
    json l = eval(*e.kids[0], depth + 1), r = eval(*e.kids[1], depth + 1);
    if (op == "==" || op == "!=") {
      bool eq;
      if (numeric(l) && numeric(r)) eq = l.get<double>() == r.get<double>();
      else if (l.is_null() || r.is_null()) eq = l.is_null() && r.is_null();
      else eq = java_string(l) == java_string(r);
      return op == "==" ? eq : !eq;
    }
    if (op == "<" || op == ">" || op == "<=" || op == ">=") {
      int c;
      if (numeric(l) && numeric(r)) {
        double a = l.get<double>(), b = r.get<double>();
        c = a < b ? -1 : a > b ? 1 : 0;
      } else if (l.is_string() && r.is_string()) {
        c = l.get<std::string>().compare(r.get<std::string>());
      } else {
        return false;
      }
      if (op == "<") return c < 0;
      if (op == ">") return c > 0;
      if (op == "<=") return c <= 0;
      return c >= 0;
    }
    if (op == "+" && (l.is_string() || r.is_string())) {
      if (l.is_null() || r.is_null()) return nullptr;
      return java_string(l) + java_string(r);
    }
    if (!numeric(l) || !numeric(r)) return nullptr;
    if (l.is_number_integer() && r.is_number_integer()) {
      int64_t a = l.get<int64_t>(), b = r.get<int64_t>();
      if (op == "+") return a + b;
      if (op == "-") return a - b;
      if (op == "*") return a * b;
      if (b == 0) return nullptr;
      if (op == "/") return a / b;
      return a % b;
    }
    double a = l.get<double>(), b = r.get<double>();
    if (op == "+") return a + b;
    if (op == "-") return a - b;
    if (op == "*") return a * b;
    if (b == 0) return nullptr;
    if (op == "/") return a / b;
    return std::fmod(a, b);
  }
};

}  // namespace

json json_path(const json& doc, const std::string& path) {
  if (path.empty() || path[0] != '$') return nullptr;
  const json* v = &doc;
  size_t i = 1;
  while (i < path.size()) {
    if (v->is_null()) return nullptr;
    if (path[i] == '.') {
      ++i;
      size_t b = i;
      while (i < path.size() && path[i] != '.' && path[i] != '[') ++i;
      std::string name = path.substr(b, i - b);
      if (name.empty()) return nullptr;
      if (!v->is_object()) return nullptr;
      auto it = v->find(name);
      if (it == v->end()) return nullptr;
      v = &*it;
    } else if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string::npos) return nullptr;
      std::string inner = path.substr(i + 1, close - i - 1);
      i = close + 1;
      if (inner.size() >= 2 && (inner.front() == '\'' || inner.front() == '"') && inner.back() == inner.front()) {
        if (!v->is_object()) return nullptr;
        auto it = v->find(inner.substr(1, inner.size() - 2));
        if (it == v->end()) return nullptr;
        v = &*it;
      } else {
        if (!v->is_array() || inner.empty() || inner.find_first_not_of("0123456789") != std::string::npos) return nullptr;
        size_t idx = std::strtoul(inner.c_str(), nullptr, 10);
        if (idx >= v->size()) return nullptr;
        v = &(*v)[idx];
      }
    } else {
      return nullptr;
    }
  }
  return *v;
}

VtlResult render_vtl(const std::string& template_text, const VtlInput& input) {
  VtlResult r;
  try {
    Parser p(template_text);
    auto nodes = p.parse_template();
    Evaluator e(input);
    e.render(nodes, r.output, 0);
  } catch (const VtlError& e) {
    r.ok = false;
    r.error = e.what();
    r.output.clear();
  } catch (const json::exception& e) {
    r.ok = false;
    r.error = e.what();
    r.output.clear();
  }
  return r;
}

}  // namespace awan::apigateway

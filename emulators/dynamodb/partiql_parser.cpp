// PartiQL lexer and recursive-descent parser (the subset DynamoDB accepts).
#include <algorithm>
#include <cctype>
#include <set>

#include "awan/error.hpp"
#include "dynamodb/number.hpp"
#include "dynamodb/partiql.hpp"
#include "dynamodb/value.hpp"

namespace awan::dynamodb::partiql {

namespace {

// A literal value nests at most 32 levels below the statement, as items do (an attribute
// value of 31 lists or maps around a scalar is accepted, of 32 refused).
constexpr int kMaxDepth = 32;

[[noreturn]] void invalid(std::string message) { throw AwsError::validation(std::move(message)); }
[[noreturn]] void malformed(const std::string& detail) {
  invalid("Statement wasn't well formed, can't be processed: " + detail);
}

enum class Tok {
  Word,     // bare identifier or keyword
  Quoted,   // "identifier"
  String,   // 'literal'
  Number,
  Punct,    // ( ) [ ] { } , . : ; * ? = <> != < <= > >= << >> + -
  End,
};

struct Token {
  Tok type = Tok::End;
  std::string text;
  size_t pos = 0;
};

std::string upper(std::string_view s) {
  std::string u(s);
  for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}
std::string lower(std::string_view s) {
  std::string u(s);
  for (auto& c : u) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return u;
}

const std::set<std::string>& keywords() {
  static const std::set<std::string> k = {
      "SELECT", "FROM", "WHERE",   "INSERT",  "INTO",    "VALUE",     "UPDATE", "SET", "REMOVE", "DELETE",
      "AND",    "OR",   "NOT",     "IN",      "IS",      "MISSING",   "NULL",   "TRUE", "FALSE", "BETWEEN",
      "ORDER",  "BY",   "ASC",     "DESC",    "VALUES",  "RETURNING", "LIMIT",  "AS",  "AT",     "EXISTS"};
  return k;
}

// The text of the literal quoted by s[i] (a doubled quote stands for one); `i` ends past it.
std::string quoted_text(std::string_view s, size_t& i, const char* unterminated) {
  const char q = s[i];
  const size_t n = s.size();
  std::string text;
  ++i;
  while (i < n) {
    if (s[i] == q) {
      if (i + 1 < n && s[i + 1] == q) {
        text += q;
        i += 2;
        continue;
      }
      ++i;
      return text;
    }
    text += s[i++];
  }
  malformed(unterminated);
}

std::vector<Token> lex(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0, n = s.size();
  while (i < n) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < n && s[i + 1] == '-') {
      while (i < n && s[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      size_t end = s.find("*/", i + 2);
      if (end == std::string_view::npos) malformed("Unexpected end of input in comment");
      i = end + 2;
      continue;
    }
    Token t;
    t.pos = i;
    if (c == '\'') {
      t.type = Tok::String;
      t.text = quoted_text(s, i, "Invalid literal: unterminated string");
    } else if (c == '"') {
      t.type = Tok::Quoted;
      t.text = quoted_text(s, i, "Invalid literal: unterminated quoted identifier");
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      size_t start = i;
      while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      if (i < n && s[i] == '.') {
        ++i;
        while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      }
      if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-')) ++j;
        if (j < n && std::isdigit(static_cast<unsigned char>(s[j]))) {
          while (j < n && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
          i = j;
        }
      }
      if (i < n && (std::isalpha(static_cast<unsigned char>(s[i])) || s[i] == '_')) malformed("Invalid literal");
      t.type = Tok::Number;
      t.text = std::string(s.substr(start, i - start));
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$') {
      size_t start = i;
      while (i < n && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == '$')) ++i;
      t.type = Tok::Word;
      t.text = std::string(s.substr(start, i - start));
    } else {
      static const char* kTwo[] = {"<>", "!=", "<=", ">=", "<<", ">>"};
      t.type = Tok::Punct;
      for (const char* two : kTwo)
        if (i + 1 < n && s[i] == two[0] && s[i + 1] == two[1]) {
          t.text = two;
          break;
        }
      if (t.text.empty()) {
        if (std::string_view("()[]{},.:;*?=<>+-").find(c) == std::string_view::npos) malformed("Invalid character");
        t.text = std::string(1, c);
      }
      i += t.text.size();
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.pos = n;
  out.push_back(end);
  return out;
}

class Parser {
 public:
  Parser(std::string_view text, const json* params) : toks_(lex(text)), params_(params) {}

  Statement parse_statement() {
    Statement st;
    if (is_kw("SELECT")) {
      parse_select(st);
    } else if (is_kw("INSERT")) {
      parse_insert(st);
    } else if (is_kw("UPDATE")) {
      parse_update(st);
    } else if (is_kw("DELETE")) {
      parse_delete(st);
    } else if (is_kw("EXISTS") && peek(1).type == Tok::Punct && peek(1).text == "(") {
      next();
      next();
      parse_select(st);
      st.kind = Statement::Kind::Exists;
      expect_punct(")");
    } else {
      malformed("Expected data manipulation");
    }
    if (is_punct(";")) next();
    if (peek().type != Tok::End) malformed("Unexpected token after expression");
    st.parameters_used = used_;
    return st;
  }

 private:
  // ---- tokens
  const Token& peek(size_t ahead = 0) const { return toks_[std::min(pos_ + ahead, toks_.size() - 1)]; }
  const Token& next() {
    const Token& t = toks_[pos_];
    if (t.type != Tok::End) ++pos_;
    return t;
  }
  bool is_kw(const char* kw, size_t ahead = 0) const {
    const Token& t = peek(ahead);
    return t.type == Tok::Word && upper(t.text) == kw;
  }
  bool is_keyword_token(const Token& t) const { return t.type == Tok::Word && keywords().count(upper(t.text)); }
  bool is_punct(const char* p, size_t ahead = 0) const {
    const Token& t = peek(ahead);
    return t.type == Tok::Punct && t.text == p;
  }
  [[noreturn]] void unexpected() const {
    const Token& t = peek();
    if (t.type == Tok::End) malformed("Unexpected end of statement");
    if (is_keyword_token(t)) malformed("Unexpected keyword");
    malformed("Unexpected token");
  }
  void expect_kw(const char* kw) {
    if (!is_kw(kw)) {
      if (peek().type == Tok::End) malformed(std::string("Expected ") + kw);
      unexpected();
    }
    next();
  }
  void expect_punct(const char* p) {
    if (!is_punct(p)) {
      if (peek().type == Tok::End) malformed(std::string("Expected ") + p);
      unexpected();
    }
    next();
  }

  // An identifier: "quoted" (any text) or a bare word that is not a keyword.
  std::string identifier() {
    const Token& t = peek();
    if (t.type == Tok::Quoted) {
      next();
      return t.text;
    }
    if (t.type == Tok::Word && !is_keyword_token(t)) {
      next();
      return t.text;
    }
    if (t.type == Tok::End) malformed("Expected identifier");
    unexpected();
  }
  bool at_identifier() const {
    const Token& t = peek();
    return t.type == Tok::Quoted || (t.type == Tok::Word && !is_keyword_token(t));
  }

  // ---- statements
  void source(Statement& st, bool allow_index) {
    st.table = identifier();
    if (st.table.empty()) invalid("Path component cannot be an empty string");
    if (is_punct(".")) {
      next();
      if (!allow_index) invalid("FROM clause may only contain a single table name in data manipulation statements");
      st.index = identifier();
      if (st.index.empty()) invalid("Path component cannot be an empty string");
      if (is_punct(".")) invalid("A path may contain at most 2 components in the FROM clause");
    }
  }

  void parse_select(Statement& st) {
    st.kind = Statement::Kind::Select;
    expect_kw("SELECT");
    if (is_punct("*")) {
      next();
      if (is_punct(",")) invalid("Other attributes should not be present in the projection when '*' is used.");
    } else {
      if (is_kw("VALUE")) invalid("Select projection doesn't support value or pivot keywords");
      while (true) {
        st.projection.push_back(path());
        if (is_kw("AS")) invalid("Aliasing is not supported");
        if (is_punct("*")) invalid("Other attributes should not be present in the projection when '*' is used.");
        if (!is_punct(",")) break;
        next();
        if (is_punct("*")) invalid("Other attributes should not be present in the projection when '*' is used.");
      }
    }
    expect_kw("FROM");
    source(st, true);
    if (is_punct(",")) invalid("Only select from a single table or index is supported.");
    if (is_kw("AS") || is_kw("AT")) invalid("Aliasing is not supported");
    if (is_kw("WHERE")) {
      next();
      st.where = condition();
    }
    if (is_kw("ORDER")) {
      next();
      expect_kw("BY");
      while (true) {
        std::string attr = identifier();
        bool desc = false;
        if (is_kw("ASC")) {
          next();
        } else if (is_kw("DESC")) {
          next();
          desc = true;
        }
        st.order_by.emplace_back(attr, desc);
        if (!is_punct(",")) break;
        next();
      }
    }
  }

  void parse_insert(Statement& st) {
    st.kind = Statement::Kind::Insert;
    expect_kw("INSERT");
    expect_kw("INTO");
    source(st, false);
    if (is_kw("VALUES")) invalid("Unsupported operation: Inserting multiple items in a single statement is not supported, use \"INSERT INTO tableName VALUE item\" instead");
    expect_kw("VALUE");
    if (!is_punct("{"))
      invalid("Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.");
    json v = value_literal(0, "root");
    st.item = std::move(v["M"]);
    if (is_kw("RETURNING")) invalid("RETURNING is not supported in INSERT");
  }

  void parse_update(Statement& st) {
    st.kind = Statement::Kind::Update;
    expect_kw("UPDATE");
    source(st, true);
    bool any = false;
    while (is_kw("SET") || is_kw("REMOVE")) {
      any = true;
      bool set = is_kw("SET");
      next();
      while (true) {
        if (set) st.sets.push_back(assignment());
        else st.removes.push_back(path());
        if (!is_punct(",")) break;
        next();
      }
    }
    if (!any) {
      if (is_kw("ADD") || is_kw("DELETE")) invalid("Only SET and REMOVE are supported in update expressions at this time");
      if (peek().type == Tok::End) malformed("Expected SET");
      unexpected();
    }
    if (is_kw("WHERE")) {
      next();
      st.where = condition();
    }
    returning(st);
  }

  void parse_delete(Statement& st) {
    st.kind = Statement::Kind::Delete;
    expect_kw("DELETE");
    expect_kw("FROM");
    source(st, true);
    if (is_kw("WHERE")) {
      next();
      st.where = condition();
    }
    returning(st);
    if (!st.returning.empty() && st.returning != "ALL_OLD")
      invalid("Invalid returning clause: RETURNING " + st.returning_clause +
              " *. Only RETURNING ALL OLD * is allowed in DELETE statements.");
  }

  void returning(Statement& st) {
    if (!is_kw("RETURNING")) return;
    next();
    std::string scope = peek().type == Tok::Word ? upper(peek().text) : "";
    if (scope != "ALL" && scope != "MODIFIED") unexpected();
    next();
    std::string age = peek().type == Tok::Word ? upper(peek().text) : "";
    if (age != "OLD" && age != "NEW") unexpected();
    next();
    if (!is_punct("*")) invalid("Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause");
    next();
    if (is_punct(",")) invalid("Invalid syntax with multiple returning elements in RETURNING clause");
    st.returning_clause = scope + " " + age;
    st.returning = (scope == "ALL" ? "ALL_" : "UPDATED_") + age;
  }

  SetAction assignment() {
    depth_ = 0;
    SetAction a;
    a.path = path();
    expect_punct("=");
    const Token& t = peek();
    if (t.type == Tok::Word && peek(1).type == Tok::Punct && peek(1).text == "(") {
      std::string fn = lower(t.text);
      if (fn == "set_add" || fn == "set_delete") {
        std::string name = upper(fn.substr(4));
        next();
        next();
        if (is_punct(")")) invalid("SET_" + name + " must have exactly two arguments");
        Path first = path();
        if (!same_path(first, a.path)) invalid("The first argument to SET_" + name + " must equal the assignment value");
        if (!is_punct(",")) invalid("SET_" + name + " must have exactly two arguments");
        next();
        Expr v = operand();
        if (is_punct(",")) invalid("SET_" + name + " must have exactly two arguments");
        expect_punct(")");
        std::string vt = v.kind == Expr::Kind::Value ? std::string(value_type(v.value)) : "";
        if (vt != "SS" && vt != "NS" && vt != "BS")
          invalid("The second argument to SET_" + name + " must be a value with type SET");
        a.type = fn == "set_add" ? SetAction::Add : SetAction::Delete;
        a.value = std::move(v);
        return a;
      }
    }
    a.value = set_value();
    return a;
  }

  static bool same_path(const Path& a, const Path& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i].index != b[i].index || (a[i].index < 0 && a[i].name != b[i].name)) return false;
    return true;
  }

  Expr set_value() {
    Expr left = set_operand();
    if (is_punct("+") || is_punct("-")) {
      Expr e;
      e.kind = Expr::Kind::Arith;
      e.op = next().text;
      e.args.push_back(std::move(left));
      e.args.push_back(set_operand());
      if (is_punct("+") || is_punct("-")) unexpected();
      return e;
    }
    return left;
  }
  Expr set_operand() {
    const Token& t = peek();
    if (t.type == Tok::Word && peek(1).type == Tok::Punct && peek(1).text == "(") {
      std::string fn = lower(t.text);
      if (fn != "list_append") invalid("Unrecognized function: " + t.text);
      next();
      next();
      enter();
      Expr e;
      e.kind = Expr::Kind::Call;
      e.op = fn;
      e.args.push_back(set_operand());
      expect_punct(",");
      e.args.push_back(set_operand());
      --depth_;
      expect_punct(")");
      return e;
    }
    if (is_punct("(")) {
      next();
      enter();
      Expr inner = set_value();
      --depth_;
      expect_punct(")");
      return inner;
    }
    return operand();
  }

  // ---- paths
  Path path() {
    Path p;
    if (is_punct("[")) invalid("A path cannot start with a list index");
    p.push_back({identifier(), -1});
    while (true) {
      if (is_punct(".")) {
        next();
        if (is_punct("*")) invalid("Unpivot path component like a.*.b are not supported");
        p.push_back({identifier(), -1});
      } else if (is_punct("[")) {
        next();
        if (is_punct("*")) invalid("Wildcard path component like a[*].b are not supported");
        const Token& t = peek();
        if (t.type == Tok::Punct && t.text == "-" && peek(1).type == Tok::Number)
          invalid("List index is not within the allowable range; index: [-" + peek(1).text + "]");
        if (t.type != Tok::Number || t.text.find_first_not_of("0123456789") != std::string::npos) {
          if (t.type == Tok::String) invalid("Unexpected path component");
          unexpected();
        }
        if (t.text.size() > 9 || std::stoll(t.text) > 2147483647LL)
          invalid("List index is not within the allowable range; index: [" + t.text + "]");
        p.push_back({"", std::stoll(t.text)});
        next();
        expect_punct("]");
      } else {
        break;
      }
    }
    return p;
  }

  // ---- conditions
  Expr condition() {
    depth_ = 0;
    return parse_or();
  }
  void enter() {
    if (++depth_ > 100) malformed("Expression nesting too deep");
  }
  Expr parse_or() {
    enter();
    Expr left = parse_and();
    if (!is_kw("OR")) {
      --depth_;
      return left;
    }
    Expr e;
    e.kind = Expr::Kind::Or;
    e.args.push_back(std::move(left));
    while (is_kw("OR")) {
      next();
      e.args.push_back(parse_and());
    }
    --depth_;
    return e;
  }
  Expr parse_and() {
    Expr left = parse_not();
    if (!is_kw("AND")) return left;
    Expr e;
    e.kind = Expr::Kind::And;
    e.args.push_back(std::move(left));
    while (is_kw("AND")) {
      next();
      e.args.push_back(parse_not());
    }
    return e;
  }
  Expr parse_not() {
    if (is_kw("NOT")) {
      next();
      enter();
      Expr e;
      e.kind = Expr::Kind::Not;
      e.args.push_back(parse_not());
      --depth_;
      return e;
    }
    return predicate();
  }
  Expr predicate() {
    Expr left = operand();
    const Token& t = peek();
    if (t.type == Tok::Punct && (t.text == "=" || t.text == "<>" || t.text == "!=" || t.text == "<" || t.text == "<=" ||
                                 t.text == ">" || t.text == ">=")) {
      Expr e;
      e.kind = Expr::Kind::Compare;
      e.op = t.text == "!=" ? "<>" : t.text;
      next();
      e.args.push_back(std::move(left));
      e.args.push_back(operand());
      return e;
    }
    bool negated = false;
    if (is_kw("NOT") && (is_kw("IN", 1) || is_kw("BETWEEN", 1))) {
      next();
      negated = true;
    }
    if (is_kw("BETWEEN")) {
      next();
      Expr e;
      e.kind = Expr::Kind::Between;
      e.args.push_back(std::move(left));
      e.args.push_back(operand());
      expect_kw("AND");
      e.args.push_back(operand());
      return negated ? negate(std::move(e)) : e;
    }
    if (is_kw("IN")) {
      next();
      Expr e;
      e.kind = Expr::Kind::In;
      e.args.push_back(std::move(left));
      std::string close;
      if (is_punct("[")) close = "]";
      else if (is_punct("(")) close = ")";
      else invalid("IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member");
      next();
      if (is_punct(close.c_str()))
        invalid("IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member");
      while (true) {
        e.args.push_back(operand());
        if (!is_punct(",")) break;
        next();
      }
      expect_punct(close.c_str());
      return negated ? negate(std::move(e)) : e;
    }
    if (is_kw("IS")) {
      next();
      Expr e;
      if (is_kw("NOT")) {
        next();
        e.negated = true;
      }
      if (is_kw("MISSING")) {
        e.kind = Expr::Kind::IsMissing;
      } else if (is_kw("NULL")) {
        e.kind = Expr::Kind::IsNull;
      } else {
        const Token& ty = peek();
        if (ty.type == Tok::Word)
          invalid("Unsupported data type for IS operator: " + upper(ty.text) +
                  ". Supported data types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]");
        unexpected();
      }
      next();
      if (left.kind != Expr::Kind::Path && left.kind != Expr::Kind::Value)
        invalid("The left hand side argument to IS must be a Variable Reference, Literal, or Path");
      e.args.push_back(std::move(left));
      return e;
    }
    return left;
  }
  static Expr negate(Expr inner) {
    Expr e;
    e.kind = Expr::Kind::Not;
    e.args.push_back(std::move(inner));
    return e;
  }

  // A parenthesised condition, a function call, a path or a value.
  Expr operand() {
    const Token& t = peek();
    if (t.type == Tok::Punct && t.text == "(") {
      next();
      enter();
      Expr inner = parse_or();
      --depth_;
      expect_punct(")");
      return inner;
    }
    if (t.type == Tok::Word && peek(1).type == Tok::Punct && peek(1).text == "(" && !is_keyword_token(t)) {
      std::string fn = lower(t.text);
      static const std::set<std::string> kFunctions = {"begins_with", "contains",         "attribute_type", "size",
                                                       "attribute_exists", "attribute_not_exists"};
      if (!kFunctions.count(fn)) invalid("Unrecognized function: " + t.text);
      next();
      next();
      enter();
      Expr e;
      e.kind = Expr::Kind::Call;
      e.op = fn;
      if (!is_punct(")")) {
        while (true) {
          e.args.push_back(operand());
          if (!is_punct(",")) break;
          next();
        }
      }
      --depth_;
      expect_punct(")");
      return e;
    }
    if (at_identifier()) {
      Expr e;
      e.kind = Expr::Kind::Path;
      e.path = path();
      return e;
    }
    if (is_kw("MISSING")) {
      next();
      Expr e;
      e.kind = Expr::Kind::Missing;
      return e;
    }
    Expr e;
    e.kind = Expr::Kind::Value;
    e.value = value_literal(0, "root");
    return e;
  }

  // ---- values
  json parameter(const std::string& where) {
    (void)where;
    size_t i = used_++;
    if (params_ && params_->is_array() && i < params_->size()) return (*params_)[i];
    return json{{"NULL", true}};  // the count mismatch is reported after parsing
  }

  json number(const std::string& text) {
    Number n;
    if (auto err = parse_number(text, n)) invalid(*err);
    return {{"N", format_number(n)}};
  }

  json value_literal(int depth, const std::string& where) {
    if (depth > kMaxDepth) invalid("Nesting Levels have exceeded supported limits under " + where);
    const Token& t = peek();
    switch (t.type) {
      case Tok::String: {
        next();
        return {{"S", t.text}};
      }
      case Tok::Number: {
        next();
        return number(t.text);
      }
      case Tok::Word: {
        std::string u = upper(t.text);
        if (u == "TRUE" || u == "FALSE") {
          next();
          return {{"BOOL", u == "TRUE"}};
        }
        if (u == "NULL") {
          next();
          return {{"NULL", true}};
        }
        if (u == "MISSING") invalid("MISSING must be compared using IS operator");
        unexpected();
      }
      case Tok::Punct: {
        if (t.text == "?") {
          next();
          return parameter(where);
        }
        if (t.text == "-" || t.text == "+") {
          bool neg = t.text == "-";
          next();
          const Token& num = peek();
          if (num.type != Tok::Number) invalid("Unsupported operator in Condition Expression. Operator: " + std::string(neg ? "-" : "+"));
          next();
          return number((neg ? "-" : "") + num.text);
        }
        if (t.text == "{") {
          next();
          json m = json::object();
          while (!is_punct("}")) {
            const Token& k = peek();
            std::string key;
            if (k.type == Tok::String || k.type == Tok::Quoted) {
              key = k.text;
              next();
            } else if (k.type == Tok::Number) {
              invalid("Tuple keys must be of type String. Actual type: DECIMAL under " + where);
            } else {
              unexpected();
            }
            if (m.contains(key)) invalid("Duplicate keys in tuple. Key: " + key + " under " + where);
            expect_punct(":");
            m[key] = value_literal(depth + 1, where == "root" ? key : where + "." + key);
            if (!is_punct(",")) break;
            next();
          }
          expect_punct("}");
          return {{"M", std::move(m)}};
        }
        if (t.text == "[") {
          next();
          json l = json::array();
          while (!is_punct("]")) {
            l.push_back(value_literal(depth + 1, where));
            if (!is_punct(",")) break;
            next();
          }
          expect_punct("]");
          return {{"L", std::move(l)}};
        }
        if (t.text == "<<") {
          next();
          std::vector<json> members;
          while (!is_punct(">>")) {
            members.push_back(value_literal(depth + 1, where));
            if (!is_punct(",")) break;
            next();
          }
          expect_punct(">>");
          if (members.empty()) invalid("Empty bags are not supported");
          std::string type(value_type(members[0]));
          for (const auto& m : members)
            if (value_type(m) != type || (type != "S" && type != "N" && type != "B"))
              invalid("Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags");
          json arr = json::array();
          std::vector<json> seen;
          for (const auto& m : members) {
            for (const auto& s : seen)
              if (values_equal(s, m)) {
                std::string list;
                for (const auto& x : members) list += (list.empty() ? "" : ", ") + x.begin().value().get<std::string>();
                invalid("One or more parameter values were invalid: Input collection [" + list + "] contains duplicates.");
              }
            seen.push_back(m);
            arr.push_back(m.begin().value());
          }
          return {{type + "S", std::move(arr)}};
        }
        unexpected();
      }
      case Tok::Quoted:
      case Tok::End:
        unexpected();
    }
    unexpected();
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
  const json* params_;
  size_t used_ = 0;
  int depth_ = 0;
};

}  // namespace

Statement parse(std::string_view text, const json* parameters) {
  Parser p(text, parameters);
  Statement st = p.parse_statement();
  size_t given = parameters && parameters->is_array() ? parameters->size() : 0;
  if (st.parameters_used != given) invalid("Number of parameters in request and statement don't match.");
  return st;
}

}  // namespace awan::dynamodb::partiql

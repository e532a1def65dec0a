// PartiQL expressions as DynamoDB expression text, and compiled conditions.
#include "dynamodb/partiql_render.hpp"

#include "dynamodb/request.hpp"

namespace awan::dynamodb::partiql::render {

using request::invalid;

std::string Renderer::name(const std::string& n) {
  auto it = name_keys_.find(n);
  if (it != name_keys_.end()) return it->second;
  std::string k = "#n" + std::to_string(name_keys_.size());
  name_keys_[n] = k;
  names_[k] = n;
  return k;
}

std::string Renderer::value(const json& av) {
  std::string k = ":v" + std::to_string(values_.size());
  values_[k] = av;
  return k;
}

std::string Renderer::path(const Path& p) {
  std::string s;
  for (const auto& e : p) {
    if (e.index >= 0) {
      s.append("[").append(std::to_string(e.index)).append("]");
    } else {
      if (!s.empty()) s += '.';
      s += name(e.name);
    }
  }
  return s;
}

std::string Renderer::operand(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Path:
      return path(e.path);
    case Expr::Kind::Value:
      return value(e.value);
    case Expr::Kind::Missing:
      invalid("MISSING must be compared using IS operator");
    case Expr::Kind::Call:
      if (e.op == "size" || e.op == "list_append") return call(e);
      break;
    case Expr::Kind::Arith:
      return operand(e.args[0]) + " " + e.op + " " + operand(e.args[1]);
    default:
      break;
  }
  // A condition used where a value is expected ("a = (b = c)").
  invalid("Unsupported operator in Condition Expression. Operator: " + describe(e));
}

std::string Renderer::condition(const Expr& e, int parent) {
  switch (e.kind) {
    case Expr::Kind::Or:
    case Expr::Kind::And: {
      bool is_or = e.kind == Expr::Kind::Or;
      int mine = is_or ? 1 : 2;
      std::string s;
      for (const auto& a : e.args) {
        if (!is_boolean(a)) invalid("The arguments to AND/OR must be Expressions");
        s += (s.empty() ? "" : (is_or ? " OR " : " AND ")) + condition(a, mine);
      }
      return parent > mine ? "(" + s + ")" : s;
    }
    case Expr::Kind::Not: {
      if (!is_boolean(e.args[0])) invalid("The argument to NOT must be a Type or Expression");
      return "NOT " + condition(e.args[0], 3);
    }
    case Expr::Kind::Compare:
      return operand(e.args[0]) + " " + e.op + " " + operand(e.args[1]);
    case Expr::Kind::Between:
      return operand(e.args[0]) + " BETWEEN " + operand(e.args[1]) + " AND " + operand(e.args[2]);
    case Expr::Kind::In: {
      if (e.args[0].kind != Expr::Kind::Path)
        invalid("IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member");
      std::string s = operand(e.args[0]) + " IN (";
      for (size_t i = 1; i < e.args.size(); ++i) s += (i > 1 ? ", " : "") + operand(e.args[i]);
      return s + ")";
    }
    case Expr::Kind::Call:
      if (e.op == "size") break;
      return call(e);
    case Expr::Kind::IsMissing:
      if (e.args[0].kind != Expr::Kind::Path) invalid("The left hand side argument to IS must be a Variable Reference, Literal, or Path");
      return std::string(e.negated ? "attribute_exists(" : "attribute_not_exists(") + path(e.args[0].path) + ")";
    case Expr::Kind::IsNull: {
      if (e.args[0].kind != Expr::Kind::Path) invalid("The left hand side argument to IS must be a Variable Reference, Literal, or Path");
      std::string p = path(e.args[0].path);
      std::string t = value(json{{"S", "NULL"}});
      std::string s = e.negated ? "attribute_exists(" + p + ") AND NOT attribute_type(" + p + ", " + t + ")"
                                : "attribute_not_exists(" + p + ") OR attribute_type(" + p + ", " + t + ")";
      int mine = e.negated ? 2 : 1;
      return parent > mine ? "(" + s + ")" : s;
    }
    default:
      break;
  }
  invalid("WHERE clause must contain an expression that resolves to a boolean");
}

std::string Renderer::call(const Expr& e) {
  std::string s = e.op + "(";
  for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + operand(e.args[i]);
  return s + ")";
}

bool Renderer::is_boolean(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Path:
    case Expr::Kind::Value:
    case Expr::Kind::Missing:
    case Expr::Kind::Arith:
      return false;
    case Expr::Kind::Call:
      return e.op != "size" && e.op != "list_append";
    default:
      return true;
  }
}

std::string Renderer::describe(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Compare: return e.op;
    case Expr::Kind::Between: return "BETWEEN";
    case Expr::Kind::In: return "IN";
    case Expr::Kind::And: return "AND";
    case Expr::Kind::Or: return "OR";
    case Expr::Kind::Not: return "NOT";
    case Expr::Kind::IsMissing:
    case Expr::Kind::IsNull: return "IS";
    default: return e.op;
  }
}

void Renderer::attach(json& in) const {
  if (!names_.empty()) in["ExpressionAttributeNames"] = names_;
  if (!values_.empty()) in["ExpressionAttributeValues"] = values_;
}

std::unique_ptr<Compiled> compile(const Expr& e) {
  Renderer r;
  std::string text = r.condition(e);
  auto c = std::make_unique<Compiled>();
  c->names = r.names();
  c->values = r.values();
  c->ctx.names = c->names.empty() ? nullptr : &c->names;
  c->ctx.values = c->values.empty() ? nullptr : &c->values;
  relabel([&] {
    c->node = expr::parse_condition(text, "ConditionExpression", c->ctx);
    return 0;
  });
  return c;
}

bool matches(const Compiled* c, const json& item) { return !c || expr::evaluate(c->node, item); }

}  // namespace awan::dynamodb::partiql::render

// Request parsing shared by the DynamoDB operations: expression attribute names/values,
// legacy (non-expression) conditions and projections.
#include <map>
#include <set>

#include "dynamodb/service_impl.hpp"

namespace awan::dynamodb::svc {
namespace {

bool valid_placeholder(const std::string& k, char lead) {
  if (k.size() < 2 || k[0] != lead) return false;
  return std::all_of(k.begin() + 1, k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

// Checks and validates ExpressionAttributeNames/Values. `expressions` lists the expression
// members present; `values_null_msg` is AWS's wording of which expressions were null.
void prepare_attrs(json& in, Expressions& ex, bool any_expression, const std::string& values_null_msg) {
  if (json* n = in.contains("ExpressionAttributeNames") && !in["ExpressionAttributeNames"].is_null()
                    ? &in["ExpressionAttributeNames"] : nullptr) {
    if (!n->is_object()) throw AwsError::serialization("Unexpected value type for ExpressionAttributeNames");
    if (!any_expression) invalid("ExpressionAttributeNames can only be specified when using expressions");
    if (n->empty()) invalid("ExpressionAttributeNames must not be empty");
    for (auto it = n->begin(); it != n->end(); ++it)
      if (!valid_placeholder(it.key(), '#'))
        invalid("ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + it.key() + "\"");
    ex.ctx.names = n;
  }
  if (json* v = in.contains("ExpressionAttributeValues") && !in["ExpressionAttributeValues"].is_null()
                    ? &in["ExpressionAttributeValues"] : nullptr) {
    if (!v->is_object()) throw AwsError::serialization("Unexpected value type for ExpressionAttributeValues");
    if (!any_expression) invalid("ExpressionAttributeValues can only be specified when using expressions: " + values_null_msg);
    if (v->empty()) invalid("ExpressionAttributeValues must not be empty");
    for (auto it = v->begin(); it != v->end(); ++it)
      if (!valid_placeholder(it.key(), ':'))
        invalid("ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + it.key() + "\"");
    for (auto it = v->begin(); it != v->end(); ++it) {
      try {
        validate_value(it.value());
      } catch (AwsError& e) {
        if (e.code == "ValidationException")
          e.message = "ExpressionAttributeValues contains invalid value: " + e.message + " for key " + it.key();
        throw;
      }
    }
    ex.ctx.values = v;
  }
}

void no_mixing(const json& in, std::initializer_list<const char*> legacy, std::initializer_list<const char*> modern) {
  std::string l, m;
  for (const char* k : legacy)
    if (member(in, k)) l += (l.empty() ? "" : ", ") + std::string(k);
  for (const char* k : modern)
    if (member(in, k)) m += (m.empty() ? "" : ", ") + std::string(k);
  if (!l.empty() && !m.empty())
    invalid("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {" +
            l + "} Expression parameters: {" + m + "}");
}

// ---- legacy conditions (Expected, KeyConditions, QueryFilter, ScanFilter) as expression trees
expr::Node path_node(const std::string& name) {
  expr::Node n;
  n.kind = expr::Kind::Path;
  n.path.push_back({name, -1, false});
  return n;
}
expr::Node value_node(const json& v) {
  expr::Node n;
  n.kind = expr::Kind::Value;
  n.value = &v;
  return n;
}
namespace {

expr::Node combine(std::vector<expr::Node> parts, bool use_or) {
  if (parts.empty()) return {};
  expr::Node acc = std::move(parts[0]);
  for (size_t i = 1; i < parts.size(); ++i) {
    expr::Node n;
    n.kind = use_or ? expr::Kind::Or : expr::Kind::And;
    n.args.push_back(std::move(acc));
    n.args.push_back(std::move(parts[i]));
    acc = std::move(n);
  }
  return acc;
}

// AWS's checks of a legacy condition's arguments: their number, one type for all of them, a type
// the operator accepts, and BETWEEN bounds in order.
void check_arguments(const std::string& o, const std::vector<const json*>& vals) {
  size_t n = vals.size();
  bool count_ok = (o == "NULL" || o == "NOT_NULL") ? n == 0 : o == "IN" ? n > 0 : o == "BETWEEN" ? n == 2 : n == 1;
  if (!count_ok)
    invalid("One or more parameter values were invalid: Invalid number of argument(s) for the " + o + " ComparisonOperator");
  if (n == 0) return;
  std::string_view type = value_type(*vals[0]);
  for (const json* v : vals)
    if (value_type(*v) != type)
      invalid("One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type");
  bool scalar = type == "S" || type == "N" || type == "B";
  bool ok = true;
  if (o == "LT" || o == "LE" || o == "GT" || o == "GE" || o == "IN" || o == "BETWEEN")
    ok = scalar;
  else if (o == "CONTAINS" || o == "NOT_CONTAINS")
    ok = scalar || type == "BOOL" || type == "NULL";
  else if (o == "BEGINS_WITH")
    ok = type == "S" || type == "B";
  if (!ok)
    invalid("One or more parameter values were invalid: ComparisonOperator " + o + " is not valid for " + std::string(type) +
            " AttributeValue type");
  if (o == "BETWEEN") {
    auto c = compare_values(*vals[0], *vals[1]);
    if (c && *c > 0) invalid("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
  }
}

}  // namespace

expr::Node legacy_condition(json& conds, const std::string& conditional_operator, bool expected) {
  std::vector<expr::Node> parts;
  for (auto it = conds.begin(); it != conds.end(); ++it) {
    const std::string& name = it.key();
    json& c = it.value();
    const json* op = member(c, "ComparisonOperator");
    json* list = c.contains("AttributeValueList") && c["AttributeValueList"].is_array() ? &c["AttributeValueList"] : nullptr;
    json* value = c.contains("Value") && !c["Value"].is_null() ? &c["Value"] : nullptr;
    if (list)
      for (auto& v : *list) validate_value(v);
    if (value) validate_value(*value);
    if (!op) {
      if (!expected) invalid("One or more parameter values were invalid: ComparisonOperator is required");
      if (list)
        invalid("One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for Attribute: " + name);
      bool exists = !c.contains("Exists") || c["Exists"].is_null() || c["Exists"].get<bool>();
      if (exists) {
        if (!value)
          invalid("One or more parameter values were invalid: Value must be provided when Exists is " +
                  std::string(c.contains("Exists") && !c["Exists"].is_null() ? "true" : "null") + " for Attribute: " + name);
        expr::Node n;
        n.kind = expr::Kind::Compare;
        n.op = "=";
        n.args.push_back(path_node(name));
        n.args.push_back(value_node(*value));
        parts.push_back(std::move(n));
      } else {
        if (value)
          invalid("One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: " + name);
        expr::Node n;
        n.kind = expr::Kind::Call;
        n.op = "attribute_not_exists";
        n.args.push_back(path_node(name));
        parts.push_back(std::move(n));
      }
      continue;
    }
    if (list && value)
      invalid("One or more parameter values were invalid: Value and AttributeValueList cannot be used together for Attribute: " + name);
    if (c.contains("Exists") && !c["Exists"].is_null())
      invalid("One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: " + name);
    std::string o = op->get<std::string>();
    if (expected && !list && !value && o != "NULL" && o != "NOT_NULL")
      invalid("One or more parameter values were invalid: Value or AttributeValueList must be used with ComparisonOperator: " +
              o + " for Attribute: " + name);
    std::vector<const json*> vals;
    if (list)
      for (auto& v : *list) vals.push_back(&v);
    else if (value)
      vals.push_back(value);
    check_arguments(o, vals);
    expr::Node node;
    static const std::map<std::string, std::string> kCmp = {{"EQ", "="}, {"NE", "<>"}, {"LE", "<="},
                                                            {"LT", "<"},  {"GE", ">="}, {"GT", ">"}};
    if (auto cmp = kCmp.find(o); cmp != kCmp.end()) {
      node.kind = expr::Kind::Compare;
      node.op = cmp->second;
      node.args.push_back(path_node(name));
      node.args.push_back(value_node(*vals[0]));
    } else if (o == "NULL" || o == "NOT_NULL") {
      node.kind = expr::Kind::Call;
      node.op = o == "NULL" ? "attribute_not_exists" : "attribute_exists";
      node.args.push_back(path_node(name));
    } else if (o == "CONTAINS" || o == "NOT_CONTAINS" || o == "BEGINS_WITH") {
      node.kind = expr::Kind::Call;
      node.op = o == "BEGINS_WITH" ? "begins_with" : "contains";
      node.args.push_back(path_node(name));
      node.args.push_back(value_node(*vals[0]));
      if (o == "NOT_CONTAINS") {
        expr::Node neg;
        neg.kind = expr::Kind::Not;
        neg.args.push_back(std::move(node));
        node = std::move(neg);
      }
    } else if (o == "IN" || o == "BETWEEN") {
      node.kind = o == "IN" ? expr::Kind::In : expr::Kind::Between;
      node.op = o;
      node.args.push_back(path_node(name));
      for (auto* v : vals) node.args.push_back(value_node(*v));
    } else {
      invalid("1 validation error detected: Value '" + o +
              "' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, "
              "BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]");
    }
    parts.push_back(std::move(node));
  }
  return combine(std::move(parts), conditional_operator == "OR");
}

void conditional_operator_needs(const json& in, const char* conditions) {
  if (!member(in, "ConditionalOperator")) return;
  const json* c = member(in, conditions);
  size_t n = c && c->is_object() ? c->size() : 0;
  if (n == 0) invalid("ConditionalOperator cannot be used without Filter or Expected");
  if (n < 2) invalid("ConditionalOperator can only be used when Filter or Expected has two or more elements");
}

// Projection from ProjectionExpression or AttributesToGet.
std::optional<std::vector<expr::Path>> projection_of(json& in, Expressions& ex) {
  if (const json* pe = member(in, "ProjectionExpression"))
    return expr::parse_projection(pe->get<std::string>(), ex.ctx);
  if (const json* atg = member(in, "AttributesToGet")) {
    std::vector<expr::Path> out;
    std::set<std::string> seen;
    for (const auto& a : *atg) {
      std::string s = a.get<std::string>();
      if (!seen.insert(s).second) invalid("One or more parameter values were invalid: Duplicate value in attribute name: " + s);
      out.push_back({{s, -1, false}});
    }
    return out;
  }
  return std::nullopt;
}

}  // namespace awan::dynamodb::svc

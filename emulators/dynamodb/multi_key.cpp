// Key conditions on a global secondary index with multi-attribute keys (up to four partition and
// four sort attributes): equality on every partition attribute, then conditions on the sort
// attributes from left to right, equalities first and at most one other comparison, last. The
// index stores tuple keys (key_codec's append_key_component), so a condition is one range of
// tuples. Neighbours: query_scan.cpp (Query), item_support.cpp (index_keys).
#include <map>

#include "dynamodb/service_impl.hpp"

namespace awan::dynamodb::svc {

namespace {

struct SortTerm {
  std::string op;                // "=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"
  std::vector<const json*> vals;
};

std::string component(const json& v) {
  std::string out;
  append_key_component(out, encode_key(v));
  return out;
}

// The tuples that begin with `prefix`.
KeyRange prefix_range(const std::string& prefix) {
  KeyRange r;
  if (prefix.empty()) return r;
  r.lo = prefix;
  std::string next = prefix_successor(prefix);
  if (!next.empty()) {
    r.hi = next;
    r.hi_strict = true;
  }
  return r;
}

// The sort tuples: equal to `prefix` on the attributes before, and `term` on the next one.
KeyRange sort_range(const std::string& prefix, const SortTerm& term) {
  KeyRange r = prefix_range(prefix);
  const std::string& op = term.op;
  if (op == "=") return prefix_range(prefix + component(*term.vals[0]));
  if (op == "begins_with") {
    std::string p = prefix;
    for (char c : encode_key(*term.vals[0])) {  // the component's escaped bytes, unterminated
      p.push_back(c);
      if (c == '\0') p.push_back('\xFF');
    }
    return prefix_range(p);
  }
  std::string a = prefix + component(*term.vals[0]);
  if (op == "<" || op == "<=") {
    r.lo = prefix;
    r.lo_strict = false;
    r.hi = op == "<" ? a : prefix_successor(a);
    r.hi_strict = true;
  } else if (op == ">" || op == ">=") {
    r.lo = op == ">=" ? a : prefix_successor(a);
    r.lo_strict = false;
  } else if (op == "BETWEEN") {
    r.lo = a;
    r.lo_strict = false;
    r.hi = prefix_successor(prefix + component(*term.vals[1]));
    r.hi_strict = true;
  }
  return r;
}

}  // namespace

KeyRange DynamoDbService::multi_key_range(const expr::Node& root, const IndexInfo& ix, std::string& pk) {
  std::vector<const expr::Node*> conds;
  flatten_and(root, conds);
  const std::string pre = "Invalid KeyConditionExpression: ";
  std::map<std::string, SortTerm> terms;
  for (const expr::Node* c : conds) {
    if (c->kind == expr::Kind::Or) invalid(pre + "Invalid operator used in KeyConditionExpression: OR");
    if (c->kind == expr::Kind::Not) invalid(pre + "Invalid operator used in KeyConditionExpression: NOT");
    if (c->kind == expr::Kind::In) invalid(pre + "Invalid operator used in KeyConditionExpression: IN");
    if (c->kind == expr::Kind::Call && c->op != "begins_with")
      invalid(pre + "Invalid operator used in KeyConditionExpression: " + c->op);
    if (c->kind == expr::Kind::Compare && c->op == "<>") invalid(pre + "Invalid operator used in KeyConditionExpression: <>");
    SortTerm term{c->kind == expr::Kind::Between ? "BETWEEN" : c->op, {}};
    const expr::Node* path = nullptr;
    for (size_t i = 0; i < c->args.size(); ++i) {
      const auto& a = c->args[i];
      if (a.kind == expr::Kind::Path && !path && (i == 0 || c->kind == expr::Kind::Compare)) {
        if (i != 0) {
          static const std::map<std::string, std::string> kFlip = {{"<", ">"}, {">", "<"}, {"<=", ">="}, {">=", "<="}, {"=", "="}};
          term.op = kFlip.at(term.op);
        }
        path = &a;
      } else if (a.kind == expr::Kind::Value) {
        term.vals.push_back(a.value);
      } else {
        invalid(pre + "Invalid condition in KeyConditionExpression: " + term.op +
                " operator must have one of its operands be a key attribute");
      }
    }
    if (!path)
      invalid(pre + "Invalid condition in KeyConditionExpression: " + term.op +
              " operator must have one of its operands be a key attribute");
    if (path->path.size() != 1) invalid(pre + "Nested attributes are not supported in KeyConditionExpression");
    if (!terms.emplace(path->path[0].name, std::move(term)).second)
      invalid("KeyConditionExpressions must only contain one condition per key");
  }
  auto check_types = [](const KeyDef& kd, const SortTerm& t) {
    for (const json* v : t.vals)
      if (value_type(*v) != kd.type)
        invalid("One or more parameter values were invalid: Condition parameter type does not match schema type");
  };
  size_t matched = 0;  // conditions on key attributes
  pk.clear();
  for (const KeyDef& kd : ix.hash_keys) {
    auto it = terms.find(kd.name);
    if (it == terms.end()) invalid("Query condition missed key schema element: " + kd.name);
    if (it->second.op != "=") invalid("Query key condition not supported");
    check_types(kd, it->second);
    append_key_component(pk, encode_key(*it->second.vals[0]));
    ++matched;
  }
  // Sort attributes from the left: equalities extend the prefix; one other comparison ends it.
  std::string prefix;
  KeyRange r;
  bool ended = false;
  for (const KeyDef& kd : ix.range_keys) {
    auto it = terms.find(kd.name);
    if (it == terms.end()) {
      ended = true;
      continue;
    }
    if (ended) invalid("Query condition missed key schema element: " + ix.range_keys[matched - ix.hash_keys.size()].name);
    check_types(kd, it->second);
    if (it->second.op == "begins_with" && kd.type == "N")
      invalid(pre + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N");
    ++matched;
    if (it->second.op == "=") {
      append_key_component(prefix, encode_key(*it->second.vals[0]));
      r = prefix_range(prefix);
    } else {
      r = sort_range(prefix, it->second);
      // Nothing may follow a comparison that is not an equality.
      for (const KeyDef& later : ix.range_keys)
        if (&later > &kd && terms.count(later.name)) invalid("Query key condition not supported");
      break;
    }
  }
  if (matched != terms.size()) {  // a condition on an attribute that is not a key of the index
    for (const KeyDef& kd : ix.range_keys)
      if (!terms.count(kd.name)) invalid("Query condition missed key schema element: " + kd.name);
    invalid("Query key condition not supported");
  }
  return r;
}

}  // namespace awan::dynamodb::svc

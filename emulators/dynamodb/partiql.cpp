// PartiQL executor: statements become DynamoDB API documents run by the service itself.
#include "dynamodb/partiql.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "awan/error.hpp"
#include "core/crypto.hpp"
#include "dynamodb/expression.hpp"
#include "dynamodb/partiql_render.hpp"
#include "dynamodb/request.hpp"
#include "dynamodb/value.hpp"

namespace awan::dynamodb::partiql {

namespace {

using render::compile;
using render::Compiled;
using render::matches;
using render::relabel;
using render::Renderer;
using request::invalid;
using request::member;

[[noreturn]] void not_found() { throw AwsError("ResourceNotFoundException", "Requested resource not found"); }

// The PartiQL members' checks on top of the shared constraint messages.
class Constraints : public request::Constraints {
 public:
  void statement(const json& in, const std::string& path) {
    const json* s = member(in, "Statement");
    if (!s) return add(nullptr, path, "Member must not be null");
    if (!s->is_string()) throw AwsError::serialization("Unexpected value type for Statement");
    size_t n = s->get_ref<const std::string&>().size();
    if (n < 1) add(s, path, "Member must have length greater than or equal to 1");
    if (n > 8192) add(s, path, "Member must have length less than or equal to 8192");
  }
  void parameters(const json& in, const std::string& path) {
    const json* p = member(in, "Parameters");
    if (!p) return;
    if (!p->is_array()) throw AwsError::serialization("Unexpected value type for Parameters");
    if (p->empty()) add(p, path, "Member must have length greater than or equal to 1");
  }
  void capacity(const json& in) {
    const json* v = member(in, "ReturnConsumedCapacity");
    if (v && *v != "INDEXES" && *v != "TOTAL" && *v != "NONE")
      add(v, "returnConsumedCapacity", "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]");
  }
  void on_failure(const json& in, const std::string& path) {
    const json* v = member(in, "ReturnValuesOnConditionCheckFailure");
    if (v && *v != "ALL_OLD" && *v != "NONE") add(v, path, "Member must satisfy enum value set: [ALL_OLD, NONE]");
  }
  void list(const json& in, const char* field, const std::string& path, size_t max) {
    const json* v = member(in, field);
    if (!v) return add(nullptr, path, "Member must not be null");
    if (!v->is_array()) throw AwsError::serialization(std::string("Unexpected value type for ") + field);
    if (v->empty()) add(v, path, "Member must have length greater than or equal to 1");
    if (v->size() > max) add(v, path, "Member must have length less than or equal to " + std::to_string(max));
  }

};

// Validates the Parameters of one statement (numbers canonicalised in place).
void validate_parameters(json& stmt) {
  if (json* p = stmt.contains("Parameters") && stmt["Parameters"].is_array() ? &stmt["Parameters"] : nullptr)
    for (auto& v : *p) validate_value(v);
}

Statement parse_member(json& stmt) {
  validate_parameters(stmt);
  const json* params = member(stmt, "Parameters");
  return parse(stmt["Statement"].get_ref<const std::string&>(), params);
}

// ---------------------------------------------------------------- WHERE analysis

void conjuncts(const Expr& e, std::vector<const Expr*>& out) {
  if (e.kind == Expr::Kind::And) {
    for (const auto& a : e.args) conjuncts(a, out);
  } else {
    out.push_back(&e);
  }
}

// "attr = value" (either side) on a top-level attribute: (attr, value).
std::optional<std::pair<std::string, const json*>> equality(const Expr& c) {
  if (c.kind != Expr::Kind::Compare || c.op != "=") return std::nullopt;
  const Expr* p = &c.args[0];
  const Expr* v = &c.args[1];
  if (p->kind != Expr::Kind::Path) std::swap(p, v);
  if (p->kind != Expr::Kind::Path || v->kind != Expr::Kind::Value || p->path.size() != 1) return std::nullopt;
  return std::make_pair(p->path[0].name, &v->value);
}

// The conjunction of the given parts (nullopt when empty).
std::optional<Expr> conjunction(std::vector<const Expr*> parts) {
  if (parts.empty()) return std::nullopt;
  if (parts.size() == 1) return *parts[0];
  Expr e;
  e.kind = Expr::Kind::And;
  for (const Expr* p : parts) e.args.push_back(*p);
  return e;
}

// A WHERE clause naming a table's full primary key: the Key and the remaining condition.
struct KeyedWhere {
  json key = json::object();
  std::optional<Expr> rest;
};

// `single_item` (writes): a second equality on a key attribute is refused.
std::optional<KeyedWhere> full_key(const TableInfo& t, const std::optional<Expr>& where, bool single_item = false) {
  if (!where) return std::nullopt;
  std::vector<const Expr*> parts;
  conjuncts(*where, parts);
  KeyedWhere kw;
  std::vector<const Expr*> rest;
  for (const Expr* c : parts) {
    auto eq = equality(*c);
    if (eq && (eq->first == t.hash.name || (t.range && eq->first == t.range->name))) {
      if (!kw.key.contains(eq->first)) {
        kw.key[eq->first] = *eq->second;
        continue;
      }
      if (single_item)
        invalid("Multiple conditions on same key " + eq->first + ". Only single item Update/Insert/Delete are supported");
    }
    rest.push_back(c);
  }
  if (!kw.key.contains(t.hash.name) || (t.range && !kw.key.contains(t.range->name))) return std::nullopt;
  kw.rest = conjunction(rest);
  return kw;
}

const TableInfo& table_of(const Backend& b, const Statement& st) {
  const TableInfo* t = b.table(st.table);
  if (!t) not_found();
  return *t;
}

// ---------------------------------------------------------------- projection

json project(const Statement& st, const json& item) {
  if (st.projection.empty()) return item;
  json out = json::object();
  for (const auto& p : st.projection) {
    expr::Path ep;
    for (const auto& e : p) ep.push_back({e.name, e.index, false});
    const json* v = expr::resolve(item, ep);
    if (!v) continue;
    size_t last = p.size() - 1;
    while (p[last].index >= 0) --last;
    std::string key = p[last].name;
    for (size_t i = last + 1; i < p.size(); ++i) key.append("[").append(std::to_string(p[i].index)).append("]");
    out[key] = *v;
  }
  return out;
}

// ---------------------------------------------------------------- NextToken

std::string request_hash(const json& in) {
  json basis = {{"s", in.value("Statement", "")}, {"p", in.value("Parameters", json())}};
  return crypto::sha256_hex(basis.dump()).substr(0, 16);
}

// Where a read stopped: the partition (for IN over the partition key) and the last key.
struct Resume {
  size_t partition = 0;
  json last_key;  // null: start of the partition
};

std::string make_token(const json& in, const Resume& r) {
  json t = {{"h", request_hash(in)}, {"i", r.partition}, {"k", r.last_key}};
  return crypto::base64_encode(t.dump());
}

Resume read_token(const json& in, const std::string& token) {
  auto raw = crypto::base64_decode(token);
  json t = raw ? json::parse(*raw, nullptr, false) : json();
  if (!t.is_object() || !t.contains("h") || !t.contains("k") || !t.contains("i") || !t["i"].is_number_unsigned() ||
      !(t["k"].is_object() || t["k"].is_null()))
    invalid("Invalid NextToken");
  if (t["h"] != request_hash(in)) invalid("NextToken does not match request");
  return {t["i"].get<size_t>(), t["k"]};
}

// ---------------------------------------------------------------- SELECT

void copy_capacity(const json& from, json& to) {
  if (const json* c = member(from, "ConsumedCapacity")) to["ConsumedCapacity"] = *c;
}

// The partition-key values a WHERE clause pins (an equality, or IN over values of the key's
// type); empty when the read must scan.
std::vector<json> partitions(const std::vector<const Expr*>& parts, const KeyDef& hash) {
  for (const Expr* c : parts) {
    auto eq = equality(*c);
    if (eq && eq->first == hash.name && value_type(*eq->second) == hash.type) return {*eq->second};
  }
  for (const Expr* c : parts) {
    if (c->kind != Expr::Kind::In || c->args[0].kind != Expr::Kind::Path || c->args[0].path.size() != 1 ||
        c->args[0].path[0].name != hash.name)
      continue;
    std::vector<json> values;
    bool typed = true;
    for (size_t i = 1; i < c->args.size(); ++i) {
      const Expr& v = c->args[i];
      if (v.kind != Expr::Kind::Value || value_type(v.value) != hash.type) {
        typed = false;
        break;
      }
      if (std::none_of(values.begin(), values.end(), [&](const json& x) { return values_equal(x, v.value); }))
        values.push_back(v.value);
    }
    if (typed && !values.empty()) return values;
  }
  return {};
}

json run_select(const Statement& st, json& in, const Backend& b) {
  const TableInfo& t = table_of(b, st);
  const IndexInfo* ix = nullptr;
  if (!st.index.empty()) {
    ix = t.find_index(st.index);
    if (!ix) invalid("The table does not have the specified index: " + st.index);
  }
  bool consistent = member(in, "ConsistentRead") && in["ConsistentRead"].get<bool>();
  if (ix && ix->global && consistent) invalid("Strongly consistent read is not supported on Global Secondary Indexes");
  const KeyDef& hash = ix ? ix->hash : t.hash;
  const std::optional<KeyDef>& range = ix ? ix->range : t.range;

  // Key conditions: partition-key values turn the read into Queries (one per value).
  std::vector<const Expr*> parts;
  if (st.where) conjuncts(*st.where, parts);
  // An index of multi-attribute keys is scanned (with the whole WHERE as the filter).
  std::vector<json> pks = ix && ix->multi() ? std::vector<json>{} : partitions(parts, hash);
  Renderer kr;
  std::string kce, pk_placeholder;
  if (!pks.empty()) {
    pk_placeholder = kr.value(pks[0]);
    kce = kr.name(hash.name) + " = " + pk_placeholder;
  }
  bool forward = true;
  if (!kce.empty() && range) {
    for (const Expr* c : parts) {
      auto on_range = [&](const Expr& p) { return p.kind == Expr::Kind::Path && p.path.size() == 1 && p.path[0].name == range->name; };
      auto typed = [&](const Expr& v) { return v.kind == Expr::Kind::Value && value_type(v.value) == range->type; };
      std::string cond;
      if (c->kind == Expr::Kind::Compare && c->op != "<>") {
        const Expr* p = &c->args[0];
        const Expr* v = &c->args[1];
        std::string op = c->op;
        if (!on_range(*p)) {
          std::swap(p, v);
          static const std::map<std::string, std::string> kFlip = {{"<", ">"}, {">", "<"}, {"<=", ">="}, {">=", "<="}, {"=", "="}};
          op = kFlip.at(op);
        }
        if (on_range(*p) && typed(*v)) cond = kr.name(range->name) + " " + op + " " + kr.value(v->value);
      } else if (c->kind == Expr::Kind::Between && on_range(c->args[0]) && typed(c->args[1]) && typed(c->args[2])) {
        cond = kr.name(range->name) + " BETWEEN " + kr.value(c->args[1].value) + " AND " + kr.value(c->args[2].value);
      } else if (c->kind == Expr::Kind::Call && c->op == "begins_with" && c->args.size() == 2 && on_range(c->args[0]) &&
                 typed(c->args[1]) && range->type != "N") {
        cond = "begins_with(" + kr.name(range->name) + ", " + kr.value(c->args[1].value) + ")";
      }
      if (!cond.empty()) {
        kce += " AND " + cond;
        break;
      }
    }
  }
  if (!st.order_by.empty()) {
    if (!st.where) invalid("Must have WHERE clause in the statement when using ORDER BY clause.");
    if (kce.empty()) invalid("Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.");
    bool hash_ordered = false, hash_desc = false;
    for (const auto& [attr, desc] : st.order_by) {
      if (attr != hash.name && !(range && attr == range->name))
        invalid("Variable reference " + attr + " in ORDER BY clause must be part of the primary key");
      if (range && attr == range->name) forward = !desc;
      if (attr == hash.name) {
        hash_ordered = true;
        hash_desc = desc;
      }
    }
    if (pks.size() > 1 && !hash_ordered) invalid("Must have hash key in ORDER BY clause when more than one hash key condition specified in WHERE clause.");
    if (hash_ordered)
      std::stable_sort(pks.begin(), pks.end(), [&](const json& a, const json& c) {
        int r = compare_values(a, c).value_or(0);
        return hash_desc ? r > 0 : r < 0;
      });
  }
  std::unique_ptr<Compiled> filter = st.where ? compile(*st.where) : nullptr;

  json req = {{"TableName", st.table}};
  if (ix) req["IndexName"] = st.index;
  if (!kce.empty()) {
    req["KeyConditionExpression"] = kce;
    kr.attach(req);
    if (!forward) req["ScanIndexForward"] = false;
  }
  if (consistent) req["ConsistentRead"] = true;
  if (const json* c = member(in, "ReturnConsumedCapacity")) req["ReturnConsumedCapacity"] = *c;
  int64_t limit = member(in, "Limit") ? in["Limit"].get<int64_t>() : 0;
  Resume resume;
  if (const json* nt = member(in, "NextToken")) {
    resume = read_token(in, nt->get<std::string>());
    if (resume.partition >= std::max<size_t>(pks.size(), 1)) invalid("Invalid NextToken");
  }
  json out = {{"Items", json::array()}};
  int64_t scanned = 0;
  double units = 0;
  json capacity;
  int calls = 0;
  size_t n = std::max<size_t>(pks.size(), 1);
  for (size_t i = resume.partition; i < n; ++i) {
    if (!pks.empty()) req["ExpressionAttributeValues"][pk_placeholder] = pks[i];
    if (i == resume.partition && !resume.last_key.is_null()) req["ExclusiveStartKey"] = resume.last_key;
    else req.erase("ExclusiveStartKey");
    if (limit > 0) req["Limit"] = limit - scanned;
    json page = relabel([&] { return b.call(pks.empty() ? "Scan" : "Query", req); });
    ++calls;
    scanned += page.value("ScannedCount", int64_t{0});
    for (const auto& item : page["Items"])
      if (matches(filter.get(), item)) out["Items"].push_back(project(st, item));
    if (const json* c = member(page, "ConsumedCapacity")) {
      if (capacity.is_null()) capacity = *c;
      units += c->value("CapacityUnits", 0.0);
    }
    if (const json* lek = member(page, "LastEvaluatedKey")) {
      out["NextToken"] = make_token(in, {i, *lek});
      out["LastEvaluatedKey"] = *lek;
      break;
    }
    if (limit > 0 && scanned >= limit) {
      if (i + 1 < n) out["NextToken"] = make_token(in, {i + 1, json()});
      break;
    }
  }
  if (!capacity.is_null()) {
    if (calls > 1) {  // several partitions: the total of their Queries
      capacity["CapacityUnits"] = units;
      if (capacity.contains("Table") && !ix) capacity["Table"]["CapacityUnits"] = units;
    }
    out["ConsumedCapacity"] = std::move(capacity);
  }
  return out;
}

// ---------------------------------------------------------------- writes

// A write statement as a TransactWriteItems entry ({"Put": {...}} etc.), plus what the
// transaction pre-check needs.
struct WriteOp {
  std::string kind;  // Put, Update, Delete, ConditionCheck
  json body;         // the operation's request (TableName, Key/Item, expressions)
  json key;          // primary key of the target item
  std::unique_ptr<Compiled> rest;  // non-key WHERE conditions
  const Statement* st = nullptr;
};

json key_of_item(const TableInfo& t, const json& item) {
  json k = json::object();
  if (item.contains(t.hash.name)) k[t.hash.name] = item[t.hash.name];
  if (t.range && item.contains(t.range->name)) k[t.range->name] = item[t.range->name];
  return k;
}

WriteOp build_write(const Statement& st, const Backend& b) {
  WriteOp op;
  op.st = &st;
  const TableInfo& t = table_of(b, st);
  if (!st.index.empty()) invalid("This operation is not supported on an index");
  if (st.kind == Statement::Kind::Insert) {
    op.kind = "Put";
    op.body = {{"TableName", st.table},
               {"Item", st.item},
               {"ConditionExpression", "attribute_not_exists(#n0)"},
               {"ExpressionAttributeNames", {{"#n0", t.hash.name}}}};
    op.key = key_of_item(t, st.item);
    return op;
  }
  auto kw = full_key(t, st.where, st.kind != Statement::Kind::Exists);
  if (!kw) {
    if (st.kind == Statement::Kind::Exists) invalid("EXISTS() must contain a single item read with additional condition");
    invalid("Where clause does not contain a mandatory equality on all key attributes");
  }
  for (auto it = kw->key.begin(); it != kw->key.end(); ++it) {
    std::string_view vt = value_type(it.value());
    if (vt != "S" && vt != "N" && vt != "B")
      invalid("Key value must be of type S, N, or B. Key name: " + it.key() + ", Key type: " + std::string(vt));
  }
  op.key = kw->key;
  if (kw->rest) op.rest = compile(*kw->rest);
  Renderer r;
  op.body = {{"TableName", st.table}, {"Key", kw->key}};
  std::string rest = kw->rest ? r.condition(*kw->rest, 2) : "";
  std::string hash = r.name(t.hash.name);
  if (st.kind == Statement::Kind::Update) {
    op.kind = "Update";
    std::string set, add, del, remove;
    for (const auto& a : st.sets) {
      std::string p = r.path(a.path);
      if (a.type == SetAction::Assign) set += (set.empty() ? "" : ", ") + p + " = " + r.operand(a.value);
      else if (a.type == SetAction::Add) add += (add.empty() ? "" : ", ") + p + " " + r.operand(a.value);
      else del += (del.empty() ? "" : ", ") + p + " " + r.operand(a.value);
    }
    for (const auto& p : st.removes) remove += (remove.empty() ? "" : ", ") + r.path(p);
    std::string ue;
    if (!set.empty()) ue += "SET " + set;
    if (!remove.empty()) ue += (ue.empty() ? "" : " ") + std::string("REMOVE ") + remove;
    if (!add.empty()) ue += (ue.empty() ? "" : " ") + std::string("ADD ") + add;
    if (!del.empty()) ue += (ue.empty() ? "" : " ") + std::string("DELETE ") + del;
    op.body["UpdateExpression"] = ue;
    op.body["ConditionExpression"] = "attribute_exists(" + hash + ")" + (rest.empty() ? "" : " AND " + rest);
  } else if (st.kind == Statement::Kind::Delete) {
    op.kind = "Delete";
    if (!rest.empty()) op.body["ConditionExpression"] = "attribute_not_exists(" + hash + ") OR " + rest;
  } else {  // EXISTS
    op.kind = "ConditionCheck";
    op.body["ConditionExpression"] = "attribute_exists(" + hash + ")" + (rest.empty() ? "" : " AND " + rest);
  }
  r.attach(op.body);
  if (!op.body.contains("ConditionExpression")) {
    // The hash-key name was registered but is unused: drop it again.
    op.body["ExpressionAttributeNames"].erase(hash);
    if (op.body["ExpressionAttributeNames"].empty()) op.body.erase("ExpressionAttributeNames");
  }
  return op;
}

json run_write(const Statement& st, json& in, const Backend& b) {
  WriteOp op = build_write(st, b);
  json req = op.body;
  if (const json* c = member(in, "ReturnConsumedCapacity")) req["ReturnConsumedCapacity"] = *c;
  if (const json* f = member(in, "ReturnValuesOnConditionCheckFailure")) req["ReturnValuesOnConditionCheckFailure"] = *f;
  if (!st.returning.empty()) req["ReturnValues"] = st.returning;
  static const std::map<std::string, std::string> kOps = {{"Put", "PutItem"}, {"Update", "UpdateItem"}, {"Delete", "DeleteItem"}};
  json res;
  try {
    res = relabel([&] { return b.call(kOps.at(op.kind), req); });
  } catch (AwsError& e) {
    if (e.code == "ConditionalCheckFailedException" && op.kind == "Put") {
      AwsError dup("DuplicateItemException", "Duplicate primary key exists in table");
      throw dup;
    }
    throw;
  }
  json out = {{"Items", json::array()}};
  if (const json* a = member(res, "Attributes"))
    if (!a->empty()) out["Items"].push_back(*a);
  copy_capacity(res, out);
  return out;
}

json run(const Statement& st, json& in, const Backend& b) {
  if (st.kind == Statement::Kind::Exists) invalid("EXISTS can only be used in ExecuteTransaction write requests.");
  if (st.kind == Statement::Kind::Select) return run_select(st, in, b);
  return run_write(st, in, b);
}

// ---------------------------------------------------------------- batch helpers

std::string batch_code(const std::string& exception) {
  static const std::map<std::string, std::string> kCodes = {
      {"ConditionalCheckFailedException", "ConditionalCheckFailed"},
      {"DuplicateItemException", "DuplicateItem"},
      {"ValidationException", "ValidationError"},
      {"SerializationException", "ValidationError"},
      {"ResourceNotFoundException", "ResourceNotFound"},
      {"TransactionConflictException", "TransactionConflict"},
      {"ProvisionedThroughputExceededException", "ProvisionedThroughputExceeded"},
      {"ItemCollectionSizeLimitExceededException", "ItemCollectionSizeLimitExceeded"},
      {"RequestLimitExceeded", "RequestLimitExceeded"},
      {"ThrottlingException", "ThrottlingError"},
      {"AccessDeniedException", "AccessDenied"},
  };
  auto it = kCodes.find(exception);
  return it == kCodes.end() ? "InternalServerError" : it->second;
}

void add_capacity(std::map<std::string, double>& totals, const json& res) {
  const json* c = member(res, "ConsumedCapacity");
  if (!c) return;
  auto one = [&](const json& x) {
    if (x.contains("TableName") && x.contains("CapacityUnits"))
      totals[x["TableName"].get<std::string>()] += x["CapacityUnits"].get<double>();
  };
  if (c->is_array()) {
    for (const auto& x : *c) one(x);
  } else {
    one(*c);
  }
}

json capacity_list(const std::map<std::string, double>& totals) {
  json caps = json::array();
  for (const auto& [n, u] : totals) caps.push_back({{"TableName", n}, {"CapacityUnits", u}});
  return caps;
}

bool wants_capacity(const json& in) {
  const json* c = member(in, "ReturnConsumedCapacity");
  return c && (*c == "TOTAL" || *c == "INDEXES");
}

}  // namespace

// ================================================================ ExecuteStatement

json execute_statement(json& in, const Backend& b) {
  Constraints c;
  c.statement(in, "statement");
  c.parameters(in, "parameters");
  c.capacity(in);
  c.on_failure(in, "returnValuesOnConditionCheckFailure");
  if (const json* l = member(in, "Limit")) {
    if (!l->is_number_integer()) throw AwsError::serialization("Unexpected value type for Limit");
    if (l->get<int64_t>() < 1) c.add(l, "limit", "Member must have value greater than or equal to 1");
  }
  if (const json* nt = member(in, "NextToken")) {
    if (!nt->is_string()) throw AwsError::serialization("Unexpected value type for NextToken");
    size_t n = nt->get_ref<const std::string&>().size();
    if (n < 1) c.add(nt, "nextToken", "Member must have length greater than or equal to 1");
    if (n > 32768) c.add(nt, "nextToken", "Member must have length less than or equal to 32768");
  }
  c.raise();
  Statement st = parse_member(in);
  return run(st, in, b);
}

// ================================================================ BatchExecuteStatement

json batch_execute_statement(json& in, const Backend& b) {
  Constraints c;
  c.list(in, "Statements", "statements", 25);
  c.capacity(in);
  if (const json* list = member(in, "Statements"); list && list->is_array()) {
    size_t i = 1;
    for (const auto& s : *list) {
      std::string base = "statements." + std::to_string(i++) + ".member.";
      c.statement(s, base + "statement");
      c.parameters(s, base + "parameters");
      c.on_failure(s, base + "returnValuesOnConditionCheckFailure");
    }
  }
  c.raise();
  json& list = in["Statements"];
  struct Slot {
    std::optional<Statement> st;
    std::optional<AwsError> error;
  };
  std::vector<Slot> slots(list.size());
  std::optional<bool> reads;
  for (size_t i = 0; i < list.size(); ++i) {
    try {
      slots[i].st = parse_member(list[i]);
      if (slots[i].st->kind == Statement::Kind::Exists)
        throw AwsError::validation("EXISTS can only be used in ExecuteTransaction write requests.");
    } catch (AwsError& e) {
      slots[i].st.reset();
      slots[i].error = e;
      continue;
    }
    bool r = slots[i].st->is_read();
    if (!reads) reads = r;
    else if (*reads != r) invalid("Read and write requests together in the same batch is not supported.");
  }
  // Two statements on one item are refused up front.
  std::set<std::pair<std::string, std::string>> targets;
  for (auto& s : slots) {
    if (!s.st) continue;
    const TableInfo* t = b.table(s.st->table);
    if (!t || !s.st->index.empty()) continue;
    json key;
    if (s.st->kind == Statement::Kind::Insert) {
      key = key_of_item(*t, s.st->item);
    } else if (auto kw = full_key(*t, s.st->where)) {
      key = kw->key;
    } else {
      continue;
    }
    if (!targets.insert({t->name, key.dump()}).second) invalid("Provided list of item keys contains duplicates");
  }
  json responses = json::array();
  std::map<std::string, double> totals;
  for (size_t i = 0; i < list.size(); ++i) {
    Slot& s = slots[i];
    json r = json::object();
    try {
      if (s.error) throw *s.error;
      const Statement& st = *s.st;
      json sub = json::object();
      if (const json* rc = member(in, "ReturnConsumedCapacity")) sub["ReturnConsumedCapacity"] = *rc;
      if (const json* f = member(list[i], "ReturnValuesOnConditionCheckFailure")) sub["ReturnValuesOnConditionCheckFailure"] = *f;
      if (st.is_read()) {
        const TableInfo& t = table_of(b, st);
        auto kw = st.index.empty() ? full_key(t, st.where) : std::nullopt;
        if (!kw) invalid("Select statements within BatchExecuteStatement must specify the primary key in the where clause.");
        std::unique_ptr<Compiled> rest = kw->rest ? compile(*kw->rest) : nullptr;
        json get = {{"TableName", st.table}, {"Key", kw->key}};
        if (const json* cr = member(list[i], "ConsistentRead")) get["ConsistentRead"] = *cr;
        if (sub.contains("ReturnConsumedCapacity")) get["ReturnConsumedCapacity"] = sub["ReturnConsumedCapacity"];
        json res = b.call("GetItem", get);
        add_capacity(totals, res);
        r["TableName"] = t.name;
        if (const json* item = member(res, "Item"))
          if (matches(rest.get(), *item)) r["Item"] = project(st, *item);
      } else {
        json res = run_write(st, sub, b);
        add_capacity(totals, res);
        r["TableName"] = st.table;
      }
    } catch (const AwsError& e) {
      r = json::object();
      json err = {{"Code", batch_code(e.code)}, {"Message", e.message}};
      if (e.details && e.details->is_object() && e.details->contains("Item")) err["Item"] = (*e.details)["Item"];
      r["Error"] = std::move(err);
    }
    responses.push_back(std::move(r));
  }
  json out = {{"Responses", std::move(responses)}};
  if (wants_capacity(in) && !totals.empty()) out["ConsumedCapacity"] = capacity_list(totals);
  return out;
}

// ================================================================ ExecuteTransaction

json execute_transaction(json& in, const Backend& b) {
  Constraints c;
  c.list(in, "TransactStatements", "transactStatements", 100);
  c.capacity(in);
  if (const json* list = member(in, "TransactStatements"); list && list->is_array()) {
    size_t i = 1;
    for (const auto& s : *list) {
      std::string base = "transactStatements." + std::to_string(i++) + ".member.";
      c.statement(s, base + "statement");
      c.parameters(s, base + "parameters");
      c.on_failure(s, base + "returnValuesOnConditionCheckFailure");
    }
  }
  if (const json* tok = member(in, "ClientRequestToken")) {
    if (!tok->is_string()) throw AwsError::serialization("Unexpected value type for ClientRequestToken");
    size_t n = tok->get_ref<const std::string&>().size();
    if (n < 1) c.add(tok, "clientRequestToken", "Member must have length greater than or equal to 1");
    if (n > 36) c.add(tok, "clientRequestToken", "Member must have length less than or equal to 36");
  }
  c.raise();
  json& list = in["TransactStatements"];
  std::vector<Statement> sts;
  std::optional<bool> reads;
  for (size_t i = 0; i < list.size(); ++i) {
    sts.push_back(parse_member(list[i]));
    const Statement& st = sts.back();
    if (!st.returning.empty())
      invalid("Validation failed in TransactStatements[" + std::to_string(i) + "]: RETURNING clause is not supported in ExecuteTransaction.");
    bool r = st.is_read();
    if (!reads) reads = r;
    else if (*reads != r) invalid("ExecuteTransaction API does not support both read and write operations in the same request.");
  }
  json out = json::object();
  if (*reads) {
    json items = json::array();
    std::vector<std::unique_ptr<Compiled>> rests;
    for (const auto& st : sts) {
      const TableInfo& t = table_of(b, st);
      if (!st.index.empty()) invalid("Reads on indices are not supported within transactions.");
      auto kw = full_key(t, st.where);
      if (!kw) invalid("Select statements within ExecuteTransaction must specify the primary key in the where clause.");
      rests.push_back(kw->rest ? compile(*kw->rest) : nullptr);
      items.push_back({{"Get", {{"TableName", st.table}, {"Key", kw->key}}}});
    }
    json req = {{"TransactItems", std::move(items)}};
    if (const json* rc = member(in, "ReturnConsumedCapacity")) req["ReturnConsumedCapacity"] = *rc;
    json res = relabel([&] { return b.call("TransactGetItems", req); });
    json responses = json::array();
    for (size_t i = 0; i < sts.size(); ++i) {
      json r = json::object();
      const json& got = res["Responses"][i];
      if (const json* item = member(got, "Item"))
        if (matches(rests[i].get(), *item)) r["Item"] = project(sts[i], *item);
      responses.push_back(std::move(r));
    }
    out["Responses"] = std::move(responses);
    copy_capacity(res, out);
    return out;
  }
  std::vector<WriteOp> ops;
  json items = json::array();
  for (size_t i = 0; i < sts.size(); ++i) {
    ops.push_back(build_write(sts[i], b));
    json body = ops.back().body;
    if (const json* f = member(list[i], "ReturnValuesOnConditionCheckFailure")) body["ReturnValuesOnConditionCheckFailure"] = *f;
    items.push_back({{ops.back().kind, std::move(body)}});
  }
  json req = {{"TransactItems", std::move(items)}};
  if (const json* rc = member(in, "ReturnConsumedCapacity")) req["ReturnConsumedCapacity"] = *rc;
  if (const json* tok = member(in, "ClientRequestToken")) req["ClientRequestToken"] = *tok;
  json res;
  try {
    res = relabel([&] { return b.call("TransactWriteItems", req); });
  } catch (const AwsError& e) {
    if (e.code != "TransactionCanceledException") throw;
    // Nothing was written: work out each statement's reason with PartiQL's codes.
    json reasons = json::array();
    std::string codes;
    bool any = false;
    for (size_t i = 0; i < ops.size(); ++i) {
      const WriteOp& op = ops[i];
      json get = {{"TableName", op.st->table}, {"Key", op.key}, {"ConsistentRead", true}};
      json cur = b.call("GetItem", get);
      const json* item = member(cur, "Item");
      json reason = {{"Code", "None"}};
      bool failed = false;
      if (op.kind == "Put" && item) {
        reason = {{"Code", "DuplicateItem"}, {"Message", "Duplicate primary key exists in table"}};
        failed = true;
      } else if ((op.kind == "Update" || op.kind == "ConditionCheck") && (!item || !matches(op.rest.get(), *item))) {
        failed = true;
      } else if (op.kind == "Delete" && item && !matches(op.rest.get(), *item)) {
        failed = true;
      }
      if (failed && reason["Code"] == "None") {
        reason = {{"Code", "ConditionalCheckFailed"}, {"Message", "The conditional request failed"}};
        const json* f = member(list[i], "ReturnValuesOnConditionCheckFailure");
        if (item && f && *f == "ALL_OLD") reason["Item"] = *item;
      }
      any = any || failed;
      codes += (codes.empty() ? "" : ", ") + reason["Code"].get<std::string>();
      reasons.push_back(std::move(reason));
    }
    if (!any) throw;
    AwsError err("TransactionCanceledException",
                 "Transaction cancelled, please refer cancellation reasons for specific reasons [" + codes + "]");
    err.details = std::make_shared<const json>(json{{"CancellationReasons", std::move(reasons)}});
    throw err;
  }
  json responses = json::array();
  for (size_t i = 0; i < sts.size(); ++i) responses.push_back(json::object());
  out["Responses"] = std::move(responses);
  copy_capacity(res, out);
  return out;
}

}  // namespace awan::dynamodb::partiql

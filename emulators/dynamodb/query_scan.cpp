// DynamoDB Query and Scan: key conditions, read plans and pagination.
#include "dynamodb/service_impl.hpp"

namespace awan::dynamodb::svc {

void DynamoDbService::flatten_and(const expr::Node& n, std::vector<const expr::Node*>& out) {
  if (n.kind == expr::Kind::And) {
    flatten_and(n.args[0], out);
    flatten_and(n.args[1], out);
  } else {
    out.push_back(&n);
  }
}

DynamoDbService::KeyCond DynamoDbService::analyze_key_condition(const expr::Node& root, const KeyDef& hash, const std::optional<KeyDef>& range) {
  std::vector<const expr::Node*> conds;
  flatten_and(root, conds);
  const std::string pre = "Invalid KeyConditionExpression: ";
  KeyCond kc;
  std::set<std::string> seen;
  for (const expr::Node* c : conds) {
    if (c->kind == expr::Kind::Or) invalid(pre + "Invalid operator used in KeyConditionExpression: OR");
    if (c->kind == expr::Kind::Not) invalid(pre + "Invalid operator used in KeyConditionExpression: NOT");
    if (c->kind == expr::Kind::In) invalid(pre + "Invalid operator used in KeyConditionExpression: IN");
    if (c->kind == expr::Kind::Call && c->op != "begins_with")
      invalid(pre + "Invalid operator used in KeyConditionExpression: " + c->op);
    if (c->kind == expr::Kind::Compare && c->op == "<>")
      invalid(pre + "Invalid operator used in KeyConditionExpression: <>");
    std::string op = c->kind == expr::Kind::Between ? "BETWEEN" : c->op;
    const expr::Node* path = nullptr;
    std::vector<const json*> vals;
    for (size_t i = 0; i < c->args.size(); ++i) {
      const auto& a = c->args[i];
      if (a.kind == expr::Kind::Path && !path && i == 0) path = &a;
      else if (a.kind == expr::Kind::Path && !path && c->kind == expr::Kind::Compare) {
        path = &a;
        static const std::map<std::string, std::string> kFlip = {{"<", ">"}, {">", "<"}, {"<=", ">="}, {">=", "<="}, {"=", "="}};
        op = kFlip.at(op);
      } else if (a.kind == expr::Kind::Value)
        vals.push_back(a.value);
      else
        invalid(pre + "Invalid condition in KeyConditionExpression: " + op + " operator must have one of its operands be a key attribute");
    }
    if (!path) invalid(pre + "Invalid condition in KeyConditionExpression: " + op + " operator must have one of its operands be a key attribute");
    if (path->path.size() != 1) invalid(pre + "Nested attributes are not supported in KeyConditionExpression");
    const std::string& name = path->path[0].name;
    if (!seen.insert(name).second) invalid("KeyConditionExpressions must only contain one condition per key");
    if (conds.size() > 2) invalid("Conditions can be of length 1 or 2 only");
    const KeyDef* kd = name == hash.name ? &hash : (range && name == range->name ? &*range : nullptr);
    if (!kd) {
      if (!seen.count(hash.name) && conds.size() == 1) invalid("Query condition missed key schema element: " + hash.name);
      invalid("Query condition missed key schema element: " + (seen.count(hash.name) || name == hash.name ? (range ? range->name : hash.name) : hash.name));
    }
    for (const json* v : vals)
      if (value_type(*v) != kd->type)
        invalid("One or more parameter values were invalid: Condition parameter type does not match schema type");
    if (kd == &hash) {
      if (op != "=") invalid("Query key condition not supported");
      kc.pk = vals[0];
    } else {
      if (op == "begins_with" && kd->type == "N")
        invalid(pre + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N");
      kc.op = op;
      kc.v1 = vals.empty() ? nullptr : vals[0];
      kc.v2 = vals.size() > 1 ? vals[1] : nullptr;
    }
  }
  if (!kc.pk) invalid("Query condition missed key schema element: " + hash.name);
  return kc;
}

// The index key of an ExclusiveStartKey (its attributes were checked by check_start_key).
std::pair<std::string, std::string> DynamoDbService::start_index_key(const IndexInfo& ix, const json& esk) {
  auto k = index_keys(ix, esk);
  if (!k) invalid("The provided starting key is invalid: The provided key element does not match the schema");
  return std::move(*k);
}

KeyRange DynamoDbService::range_of(const KeyCond& kc) {
  KeyRange r;
  if (kc.op.empty()) return r;
  std::string a = encode_key(*kc.v1);
  if (kc.op == "=") {
    r.lo = a;
    r.hi = a;
  } else if (kc.op == "<") {
    r.hi = a;
    r.hi_strict = true;
  } else if (kc.op == "<=") {
    r.hi = a;
  } else if (kc.op == ">") {
    r.lo = a;
    r.lo_strict = true;
  } else if (kc.op == ">=") {
    r.lo = a;
  } else if (kc.op == "BETWEEN") {
    r.lo = a;
    r.hi = encode_key(*kc.v2);
  } else if (kc.op == "begins_with") {
    r.lo = a;
    std::string up = a;
    while (!up.empty() && static_cast<unsigned char>(up.back()) == 0xFF) up.pop_back();
    if (!up.empty()) {
      up.back() = static_cast<char>(static_cast<unsigned char>(up.back()) + 1);
      r.hi = up;
      r.hi_strict = true;
    }
  }
  return r;
}

std::optional<std::vector<expr::Path>> DynamoDbService::index_projection(const TableInfo& t, const IndexInfo& ix) {
  if (ix.projection_type == "ALL") return std::nullopt;
  std::vector<expr::Path> p;
  std::set<std::string> names = {t.hash.name};
  if (t.range) names.insert(t.range->name);
  for (const auto& k : ix.hash_keys) names.insert(k.name);
  for (const auto& k : ix.range_keys) names.insert(k.name);
  if (ix.projection_type == "INCLUDE")
    for (const auto& n : ix.non_key) names.insert(n);
  for (const auto& n : names) p.push_back({{n, -1, false}});
  return p;
}

json DynamoDbService::key_attrs(const TableInfo& t, const IndexInfo* ix, const json& item) {
  json k = json::object();
  auto add = [&](const std::string& n) {
    auto it = item.find(n);
    if (it != item.end()) k[n] = *it;
  };
  add(t.hash.name);
  if (t.range) add(t.range->name);
  if (ix) {
    for (const auto& k : ix->hash_keys) add(k.name);
    for (const auto& k : ix->range_keys) add(k.name);
  }
  return k;
}

void DynamoDbService::prepare_read(json& in, ReadPlan& plan, Expressions& ex, bool is_query) {
  Constraints c;
  c.table_name(in);
  c.min_int(in, "Limit", "limit", 1);
  c.enum_value(in, "Select", "select", {"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"});
  c.enum_value(in, "ConditionalOperator", "conditionalOperator", {"OR", "AND"});
  attributes_to_get_constraint(c, in);
  return_capacity_constraint(c, in);
  if (const json* idx = member(in, "IndexName")) {
    const auto& s = idx->get_ref<const std::string&>();
    if (s.size() < 3) c.add(idx, "indexName", "Member must have length greater than or equal to 3");
  }
  c.raise();
  plan.limit = member(in, "Limit") ? in["Limit"].get<int64_t>() : 0;
  plan.consistent = member(in, "ConsistentRead") && in["ConsistentRead"].get<bool>();
  plan.select = str_member(in, "Select");
  if (is_query)
    no_mixing(in, {"AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"},
              {"ProjectionExpression", "FilterExpression", "KeyConditionExpression"});
  else
    no_mixing(in, {"AttributesToGet", "ScanFilter", "ConditionalOperator"}, {"ProjectionExpression", "FilterExpression"});
  bool any = member(in, "ProjectionExpression") || member(in, "FilterExpression") ||
             (is_query && member(in, "KeyConditionExpression"));
  prepare_attrs(in, ex, any,
                is_query ? "KeyConditionExpression and FilterExpression are null"
                         : "FilterExpression is null");
  if (member(in, "AttributesToGet") && !plan.select.empty() && plan.select != "SPECIFIC_ATTRIBUTES")
    invalid("One or more parameter values were invalid: Cannot specify the AttributesToGet when choosing to get " + plan.select);
  if (member(in, "ProjectionExpression") && !plan.select.empty() && plan.select != "SPECIFIC_ATTRIBUTES")
    invalid("One or more parameter values were invalid: Cannot specify the ProjectionExpression when choosing to get " + plan.select);
}

void DynamoDbService::finish_read_plan(json& in, ReadPlan& plan, Expressions& ex, bool is_query) {
  if (!member(in, "FilterExpression")) conditional_operator_needs(in, is_query ? "QueryFilter" : "ScanFilter");
  if (const json* fe = member(in, "FilterExpression")) {
    plan.filter.present = true;
    plan.filter.node = expr::parse_condition(fe->get<std::string>(), "FilterExpression", ex.ctx);
  } else if (json* lf = in.contains(is_query ? "QueryFilter" : "ScanFilter") ? &in[is_query ? "QueryFilter" : "ScanFilter"] : nullptr;
             lf && lf->is_object() && !lf->empty()) {
    plan.filter.present = true;
    plan.filter.node = legacy_condition(*lf, str_member(in, "ConditionalOperator", "AND"), false);
  }
  plan.projection = projection_of(in, ex);
  if (plan.select.empty()) {
    plan.select = plan.projection ? "SPECIFIC_ATTRIBUTES"
                                  : (member(in, "IndexName") ? "ALL_PROJECTED_ATTRIBUTES" : "ALL_ATTRIBUTES");
  }
  if (plan.select == "SPECIFIC_ATTRIBUTES" && !plan.projection)
    invalid("One or more parameter values were invalid: Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES");
}

// A local index read needs the table's item when it asks for attributes the index does not project.
bool DynamoDbService::needs_fetch(const ReadPlan& plan) {
  if (plan.select == "ALL_ATTRIBUTES") return true;
  std::set<std::string> projected;
  for (const auto& p : *plan.index_projection) projected.insert(p[0].name);
  if (plan.projection)
    for (const auto& p : *plan.projection)
      if (!p.empty() && !projected.count(p[0].name)) return true;
  return false;
}

void DynamoDbService::resolve_index(json& in, ReadPlan& plan) {
  plan.table = &find_table(in);
  if (const json* idx = member(in, "IndexName")) {
    plan.index = plan.table->find_index(idx->get<std::string>());
    if (!plan.index)
      invalid("The table does not have the specified index: " + idx->get<std::string>());
    if (plan.index->global && plan.consistent)
      invalid("Consistent reads are not supported on global secondary indexes");
    if (plan.index->global && backfilling(*plan.table, plan.index->name))
      invalid("Cannot read from backfilling global secondary index: " + plan.index->name);
    if (plan.select == "ALL_ATTRIBUTES" && plan.index->projection_type != "ALL" && plan.index->global)
      invalid("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index " +
              plan.index->name + " because its projection type is not ALL");
    plan.index_projection = index_projection(*plan.table, *plan.index);
    plan.fetch = !plan.index->global && plan.index_projection && needs_fetch(plan);
  } else if (plan.select == "ALL_PROJECTED_ATTRIBUTES") {
    invalid("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
  }
  admit(*plan.table, plan.index, false);
}

void DynamoDbService::check_start_key(const ReadPlan& plan, const json& esk) {
  const TableInfo& t = *plan.table;
  const std::string pre = "The provided starting key is invalid: ";
  json copy = esk;
  try {
    validate_item(copy);
  } catch (AwsError& e) {
    e.message = pre + e.message;
    throw;
  }
  size_t want = 1 + (t.range ? 1 : 0);
  std::set<std::string> names = {t.hash.name};
  if (t.range) names.insert(t.range->name);
  if (plan.index) {
    for (const auto& k : plan.index->hash_keys) names.insert(k.name);
    for (const auto& k : plan.index->range_keys) names.insert(k.name);
    want = names.size();
  }
  if (esk.size() != want) invalid(pre + "The provided key element does not match the schema");
  for (const auto& n : names)
    if (!esk.contains(n)) invalid(pre + "The provided key element does not match the schema");
  key_of(t, key_attrs(t, nullptr, esk), pre.c_str());
}

bool DynamoDbService::visit_row(const ReadPlan& plan, const Row& row, PageState& st) {
  json item = Store::decode(row.item);
  size_t sz = row.size >= 0 ? static_cast<size_t>(row.size) : item_size(item);
  // An index read reads the index entry (its projected attributes); a local index fetches what
  // it does not project from the table, one item read each.
  std::optional<json> entry;
  if (plan.index_projection) {
    entry = expr::project(item, *plan.index_projection);
    if (plan.fetch) st.fetch_units += read_units(sz, plan.consistent);
    sz = item_size(*entry);
  }
  st.scanned++;
  st.bytes += sz;
  bool matched = !plan.filter.present || expr::evaluate(plan.filter.node, item);
  bool full = (plan.limit > 0 && st.scanned >= plan.limit) || st.bytes >= kPageSize;
  if (full) st.last_key = key_attrs(*plan.table, plan.index, item);
  if (matched) {
    st.count++;
    if (plan.select != "COUNT") {
      if (entry && (plan.select == "ALL_PROJECTED_ATTRIBUTES" || (plan.select == "ALL_ATTRIBUTES" && plan.index->global)))
        item = std::move(*entry);
      if (plan.projection) item = expr::project(item, *plan.projection);
      st.items.push_back(std::move(item));
    }
  }
  return !full;
}

json DynamoDbService::page_output(json& in, const ReadPlan& plan, PageState& st) {
  json out = json::object();
  if (plan.select != "COUNT") out["Items"] = std::move(st.items);
  out["Count"] = st.count;
  out["ScannedCount"] = st.scanned;
  if (st.last_key) out["LastEvaluatedKey"] = std::move(*st.last_key);
  double units = read_units(st.bytes, plan.consistent);
  consume(*plan.table, plan.index, false, units + st.fetch_units);
  if (wants_capacity(in)) {
    json c = capacity(*plan.table, units + st.fetch_units, str_member(in, "ReturnConsumedCapacity"));
    if (plan.index && str_member(in, "ReturnConsumedCapacity") == "INDEXES") {
      c["Table"] = {{"CapacityUnits", st.fetch_units}};
      c[plan.index->global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes"] = {{plan.index->name, {{"CapacityUnits", units}}}};
    }
    out["ConsumedCapacity"] = c;
  }
  return out;
}

json DynamoDbService::query(json& in) {
  ReadPlan plan;
  Expressions ex;
  prepare_read(in, plan, ex, true);
  if (!member(in, "KeyConditionExpression") && !member(in, "KeyConditions"))
    invalid("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  expr::Node kce;
  if (const json* k = member(in, "KeyConditionExpression"))
    kce = expr::parse_condition(k->get<std::string>(), "KeyConditionExpression", ex.ctx);
  else if (in["KeyConditions"].is_object() && in["KeyConditions"].empty())
    invalid("Conditions can be of length 1 or 2 only");
  else
    kce = legacy_condition(in["KeyConditions"], "AND", false);
  finish_read_plan(in, plan, ex, true);
  expr::check_unused(ex.ctx);
  resolve_index(in, plan);
  const TableInfo& t = *plan.table;
  KeyRange r;
  std::string pk;
  std::vector<const KeyDef*> keys;  // the key attributes of what is queried
  if (plan.index && plan.index->multi()) {
    r = multi_key_range(kce, *plan.index, pk);
    keys = index_key_defs(*plan.index);
  } else {
    const KeyDef& hash = plan.index ? plan.index->hash : t.hash;
    const std::optional<KeyDef>& range = plan.index ? plan.index->range : t.range;
    KeyCond kc = analyze_key_condition(kce, hash, range);
    r = range_of(kc);
    pk = encode_key(*kc.pk);
    keys = {&hash};
    if (range) keys.push_back(&*range);
  }
  if (const json* qf = member(in, "QueryFilter"); qf && qf->is_object()) {
    for (const KeyDef* k : keys)
      if (qf->contains(k->name))
        invalid("QueryFilter can only contain non-primary key attributes: Primary key attribute: " + k->name);
  }
  if (plan.filter.present) {
    std::function<void(const expr::Node&)> walk = [&](const expr::Node& n) {
      if (n.kind == expr::Kind::Path && !n.path.empty()) {
        const std::string& a = n.path[0].name;
        if (std::any_of(keys.begin(), keys.end(), [&](const KeyDef* k) { return k->name == a; }))
          invalid("Filter Expression can only contain non-primary key attributes: Primary key attribute: " + a);
      }
      for (const auto& c : n.args) walk(c);
    };
    if (member(in, "FilterExpression")) walk(plan.filter.node);
  }
  bool forward = !member(in, "ScanIndexForward") || in["ScanIndexForward"].get<bool>();
  PageState st;
  auto visit = [&](const Row& row) { return visit_row(plan, row, st); };
  if (const json* esk = member(in, "ExclusiveStartKey")) {
    check_start_key(plan, *esk);
    auto [tpk, tsk] = key_of(t, key_attrs(t, nullptr, *esk));
    auto [spk, ssk] = plan.index ? start_index_key(*plan.index, *esk) : std::make_pair(tpk, tsk);
    if (spk != pk) invalid("The provided starting key is outside query boundaries based on provided conditions");
    if (plan.index) {
      store_.query_index(t.id, plan.index->name, pk, r, forward, std::array<std::string, 3>{ssk, tpk, tsk}, visit);
    } else {
      store_.query_table(t.id, pk, r, forward, tsk, visit);
    }
  } else if (plan.index) {
    store_.query_index(t.id, plan.index->name, pk, r, forward, std::nullopt, visit);
  } else {
    store_.query_table(t.id, pk, r, forward, std::nullopt, visit);
  }
  return page_output(in, plan, st);
}

uint32_t DynamoDbService::segment_hash(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h;
}

json DynamoDbService::scan(json& in) {
  ReadPlan plan;
  Expressions ex;
  const json* seg = member(in, "Segment");
  const json* total = member(in, "TotalSegments");
  {
    Constraints c;
    if (seg && seg->get<int64_t>() < 0) c.add(seg, "segment", "Member must have value greater than or equal to 0");
    if (total && total->get<int64_t>() < 1) c.add(total, "totalSegments", "Member must have value greater than or equal to 1");
    if (total && total->get<int64_t>() > 1000000) c.add(total, "totalSegments", "Member must have value less than or equal to 1000000");
    c.raise();
  }
  prepare_read(in, plan, ex, false);
  if (seg && !total)
    invalid("The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
  if (total && !seg)
    invalid("The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
  if (seg && seg->get<int64_t>() >= total->get<int64_t>())
    invalid("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: " +
            std::to_string(seg->get<int64_t>()) + " is not less than TotalSegments: " + std::to_string(total->get<int64_t>()));
  finish_read_plan(in, plan, ex, false);
  expr::check_unused(ex.ctx);
  resolve_index(in, plan);
  const TableInfo& t = *plan.table;
  PageState st;
  int64_t nseg = total ? total->get<int64_t>() : 1, myseg = seg ? seg->get<int64_t>() : 0;
  auto visit = [&](const Row& row) {
    if (nseg > 1 && static_cast<int64_t>(segment_hash(row.pk) % static_cast<uint32_t>(nseg)) != myseg) return true;
    return visit_row(plan, row, st);
  };
  if (const json* esk = member(in, "ExclusiveStartKey")) {
    check_start_key(plan, *esk);
    auto [tpk, tsk] = key_of(t, key_attrs(t, nullptr, *esk));
    if (plan.index) {
      auto [ipk, isk] = start_index_key(*plan.index, *esk);
      store_.scan_index(t.id, plan.index->name, std::array<std::string, 4>{ipk, isk, tpk, tsk}, visit);
    } else {
      store_.scan_table(t.id, std::array<std::string, 2>{tpk, tsk}, visit);
    }
  } else if (plan.index) {
    store_.scan_index(t.id, plan.index->name, std::nullopt, visit);
  } else {
    store_.scan_table(t.id, std::nullopt, visit);
  }
  return page_output(in, plan, st);
}

}  // namespace awan::dynamodb::svc

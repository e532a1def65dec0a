// The DynamoDB_20120810 operations over the SQLite store.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "dynamodb/data_plane.hpp"
#include "dynamodb/dynamodb.hpp"
#include "dynamodb/expression.hpp"
#include "dynamodb/features.hpp"
#include "dynamodb/key_codec.hpp"
#include "dynamodb/partiql.hpp"
#include "dynamodb/store.hpp"
#include "dynamodb/table.hpp"
#include "dynamodb/value.hpp"

namespace awan::dynamodb {

namespace {

constexpr size_t kMaxItemSize = 400 * 1024;
constexpr size_t kPageSize = 1024 * 1024;

[[noreturn]] void invalid(std::string msg) { throw AwsError::validation(std::move(msg)); }
[[noreturn]] void not_found(std::string msg = "Requested resource not found") {
  throw AwsError("ResourceNotFoundException", std::move(msg));
}

const json* member(const json& in, const char* name) {
  if (!in.is_object()) return nullptr;
  auto it = in.find(name);
  return it == in.end() || it->is_null() ? nullptr : &*it;
}
std::string str_member(const json& in, const char* name, std::string def = {}) {
  const json* v = member(in, name);
  return v && v->is_string() ? v->get<std::string>() : def;
}

// "N validation error(s) detected: ..." (the awsJson constraint-violation form).
class Constraints {
 public:
  void add(const json* v, const std::string& path, const std::string& msg) {
    std::string val = !v ? "null" : "'" + (v->is_string() ? v->get<std::string>() : v->dump()) + "'";
    errs_.push_back("Value " + val + " at '" + path + "' failed to satisfy constraint: " + msg);
  }
  void raise() const {
    if (errs_.empty()) return;
    std::string m = std::to_string(errs_.size()) + " validation error" + (errs_.size() > 1 ? "s" : "") + " detected: ";
    for (size_t i = 0; i < errs_.size(); ++i) m += (i ? "; " : "") + errs_[i];
    invalid(m);
  }
  void table_name(const json& in, const char* field = "TableName", const char* path = "tableName", bool required = true) {
    const json* v = member(in, field);
    if (!v) {
      if (required) add(nullptr, path, "Member must not be null");
      return;
    }
    if (!v->is_string()) throw AwsError::serialization("Unexpected value type for " + std::string(field));
    const auto& s = v->get_ref<const std::string&>();
    if (s.rfind("arn:", 0) == 0) {
      if (s.size() > 1024) add(v, path, "Member must have length less than or equal to 1024");
      return;
    }
    if (s.size() < 3) add(v, path, "Member must have length greater than or equal to 3");
    if (s.size() > 255) add(v, path, "Member must have length less than or equal to 255");
    bool ok = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    });
    if (!ok) add(v, path, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  }
  void enum_value(const json& in, const char* field, const char* path, std::initializer_list<const char*> allowed) {
    const json* v = member(in, field);
    if (!v) return;
    if (v->is_string())
      for (const char* a : allowed)
        if (*v == a) return;
    std::string set = "[";
    bool first = true;
    for (const char* a : allowed) {
      set += (first ? "" : ", ") + std::string(a);
      first = false;
    }
    add(v, path, "Member must satisfy enum value set: " + set + "]");
  }
  void min_int(const json& in, const char* field, const char* path, int64_t min) {
    const json* v = member(in, field);
    if (v && v->is_number() && v->get<int64_t>() < min)
      add(v, path, "Member must have value greater than or equal to " + std::to_string(min));
  }

 private:
  std::vector<std::string> errs_;
};

std::string table_name_of(const std::string& name_or_arn) {
  if (name_or_arn.rfind("arn:", 0) == 0) {
    auto p = name_or_arn.find(":table/");
    if (p == std::string::npos) invalid("Invalid TableArn: " + name_or_arn);
    std::string rest = name_or_arn.substr(p + 7);
    auto slash = rest.find('/');
    return slash == std::string::npos ? rest : rest.substr(0, slash);
  }
  return name_or_arn;
}

double now_seconds(const Clock* clock) { return static_cast<double>(clock->epoch_millis()) / 1000.0; }

double read_units(size_t bytes, bool consistent) {
  double u = std::max<double>(1.0, std::ceil(static_cast<double>(bytes) / 4096.0));
  return consistent ? u : u / 2.0;
}
double write_units(size_t bytes) { return std::max<double>(1.0, std::ceil(static_cast<double>(bytes) / 1024.0)); }

// Expression attribute names/values of one request.
struct Expressions {
  expr::Context ctx;
};

bool valid_placeholder(const std::string& k, char lead) {
  if (k.size() < 2 || k[0] != lead) return false;
  return std::all_of(k.begin() + 1, k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

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
    if (c.contains("Exists") && !c["Exists"].is_null())
      invalid("One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: " + name);
    if (list && value)
      invalid("One or more parameter values were invalid: Value and AttributeValueList cannot be used together for Attribute: " + name);
    std::vector<const json*> vals;
    if (list)
      for (auto& v : *list) vals.push_back(&v);
    else if (value)
      vals.push_back(value);
    std::string o = op->get<std::string>();
    size_t n = vals.size();
    bool count_ok = (o == "NULL" || o == "NOT_NULL") ? n == 0 : o == "IN" ? n > 0 : o == "BETWEEN" ? n == 2 : n == 1;
    if (!count_ok)
      invalid("One or more parameter values were invalid: Invalid number of argument(s) for the " + o + " ComparisonOperator");
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

struct Condition {
  bool present = false;
  expr::Node node;
};

class DynamoDbService final : public Service, public TableHost, public FeaturesOwner {
 public:
  explicit DynamoDbService(const ServiceEnv& env) : env_(env), store_(env.db_path("dynamodb")) {
    load();
    features_ = std::make_unique<Features>(env_, store_, *this);  // streams, TTL, PITR, backups
    features_->start_sweeper();
  }

  // ---- TableHost / FeaturesOwner (features.hpp)
  TableInfo* host_find(const std::string& account, const std::string& region, const std::string& name) override {
    auto it = tables_.find(table_key(account, region, name));
    return it == tables_.end() ? nullptr : &it->second;
  }
  std::vector<TableInfo*> host_tables() override {
    std::vector<TableInfo*> out;
    for (auto& [k, t] : tables_) out.push_back(&t);
    return out;
  }
  TableInfo& host_create(const std::string& account, const std::string& region, const std::string& name,
                         json meta) override {
    int64_t id = store_.insert_table(account, region, name, meta);
    return tables_[table_key(account, region, name)] = build_info(id, account, region, name, std::move(meta));
  }
  void host_write(const TableInfo& t, const std::string& pk, const std::string& sk, const json* old_item,
                  const json* new_item) override {
    write_item(t, pk, sk, old_item, new_item);
  }
  json host_describe(const TableInfo& t, const std::string& status) override { return describe(t, status); }
  std::mutex& host_mutex() override { return mu_; }
  std::shared_ptr<FeaturesLink> features_link() override { return features_->link(); }
  bool internal_endpoint(std::string_view method, std::string_view path, const std::string&, int& status,
                         json& out) override {
    if (path != "expire") return false;
    if (method != "POST") {
      status = 405;
      out = {{"error", "MethodNotAllowed"}, {"message", "POST /_awan/dynamodb/expire"}};
      return true;
    }
    std::lock_guard lock(mu_);
    status = 200;
    out = {{"deleted", features_->sweep_ttl()}};
    return true;
  }
  void shutdown() override { features_->stop_sweeper(); }

  std::string_view name() const override { return "dynamodb"; }

  void reset() override {
    std::lock_guard lock(mu_);
    store_.reset();
    features_->reset();
    tables_.clear();
    tokens_.clear();
    backfill_until_.clear();
  }

  Result call(const RequestContext& ctx, const std::string& op, json input) override {
    try {
      if (!input.is_object()) {
        if (input.is_null()) input = json::object();
        else throw AwsError::serialization("Start of structure or map found where not expected.");
      }
      std::lock_guard lock(mu_);
      ctx_ = &ctx;
      return Result::ok(dispatch(op, input));
    } catch (const AwsError& e) {
      return Result::fail(e);
    } catch (const storage::SqliteError& e) {
      return Result::fail(AwsError::internal());
    } catch (const json::exception& e) {
      return Result::fail(AwsError::serialization(e.what()));
    }
  }

 private:
  using Handler = json (DynamoDbService::*)(json&);

  json dispatch(const std::string& op, json& in) {
    static const std::unordered_map<std::string, Handler> kOps = {
        {"CreateTable", &DynamoDbService::create_table},
        {"DescribeTable", &DynamoDbService::describe_table},
        {"ListTables", &DynamoDbService::list_tables},
        {"DeleteTable", &DynamoDbService::delete_table},
        {"UpdateTable", &DynamoDbService::update_table},
        {"PutItem", &DynamoDbService::put_item},
        {"GetItem", &DynamoDbService::get_item},
        {"DeleteItem", &DynamoDbService::delete_item},
        {"UpdateItem", &DynamoDbService::update_item},
        {"Query", &DynamoDbService::query},
        {"Scan", &DynamoDbService::scan},
        {"BatchGetItem", &DynamoDbService::batch_get_item},
        {"BatchWriteItem", &DynamoDbService::batch_write_item},
        {"TransactWriteItems", &DynamoDbService::transact_write_items},
        {"TransactGetItems", &DynamoDbService::transact_get_items},
        {"ExecuteStatement", &DynamoDbService::execute_statement},
        {"BatchExecuteStatement", &DynamoDbService::batch_execute_statement},
        {"ExecuteTransaction", &DynamoDbService::execute_transaction},
        {"TagResource", &DynamoDbService::tag_resource},
        {"UntagResource", &DynamoDbService::untag_resource},
        {"ListTagsOfResource", &DynamoDbService::list_tags_of_resource},
        {"DescribeLimits", &DynamoDbService::describe_limits},
        {"DescribeEndpoints", &DynamoDbService::describe_endpoints},
        {"DescribeTimeToLive", &DynamoDbService::describe_time_to_live},
        {"UpdateTimeToLive", &DynamoDbService::update_time_to_live},
    };
    auto it = kOps.find(op);
    if (it == kOps.end() && Features::handles(op)) return features_->call(*ctx_, op, in);
    if (it == kOps.end()) throw AwsError::unknown_operation("An unknown operation was requested.");
    return (this->*(it->second))(in);
  }

  // ------------------------------------------------------------------ tables

  static std::string table_key(const std::string& account, const std::string& region, const std::string& name) {
    return account + '\x1f' + region + '\x1f' + name;
  }

  void load() {
    for (auto& t : store_.load_tables()) {
      TableInfo info = build_info(t.id, t.account, t.region, t.name, std::move(t.meta));
      tables_[table_key(t.account, t.region, t.name)] = std::move(info);
    }
  }

  static TableInfo build_info(int64_t id, const std::string& account, const std::string& region, const std::string& name,
                              json meta) {
    TableInfo t;
    t.id = id;
    t.account = account;
    t.region = region;
    t.name = name;
    t.arn = "arn:aws:dynamodb:" + region + ":" + account + ":table/" + name;
    std::map<std::string, std::string> types;
    for (const auto& d : meta["AttributeDefinitions"]) types[d["AttributeName"]] = d["AttributeType"];
    auto keys = [&](const json& schema, KeyDef& hash, std::optional<KeyDef>& range) {
      for (const auto& k : schema) {
        KeyDef kd{k["AttributeName"], types[k["AttributeName"]]};
        if (k["KeyType"] == "HASH") hash = kd;
        else range = kd;
      }
    };
    keys(meta["KeySchema"], t.hash, t.range);
    for (const char* kind : {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"}) {
      if (!meta.contains(kind)) continue;
      for (const auto& i : meta[kind]) {
        IndexInfo ii;
        ii.name = i["IndexName"];
        ii.global = std::string(kind) == "GlobalSecondaryIndexes";
        keys(i["KeySchema"], ii.hash, ii.range);
        if (i.contains("Projection")) {
          ii.projection_type = i["Projection"].value("ProjectionType", "ALL");
          if (i["Projection"].contains("NonKeyAttributes"))
            for (const auto& a : i["Projection"]["NonKeyAttributes"]) ii.non_key.push_back(a);
        }
        t.indexes.push_back(std::move(ii));
      }
    }
    t.meta = std::move(meta);
    return t;
  }

  TableInfo& find_table(const json& in, const char* field = "TableName") {
    std::string name = table_name_of(str_member(in, field));
    auto it = tables_.find(table_key(ctx_->account_id, ctx_->region, name));
    if (it == tables_.end()) not_found();
    return it->second;
  }
  // Control-plane operations name the table in their ResourceNotFoundException.
  TableInfo& find_table_named(const json& in) {
    std::string name = table_name_of(str_member(in, "TableName"));
    auto it = tables_.find(table_key(ctx_->account_id, ctx_->region, name));
    if (it == tables_.end()) not_found("Requested resource not found: Table: " + name + " not found");
    return it->second;
  }
  TableInfo* find_table_by_name(const std::string& name_or_arn) {
    auto it = tables_.find(table_key(ctx_->account_id, ctx_->region, table_name_of(name_or_arn)));
    return it == tables_.end() ? nullptr : &it->second;
  }

  json describe(const TableInfo& t, const std::string& status = "ACTIVE") {
    const json& m = t.meta;
    auto [count, size] = store_.table_stats(t.id);
    json d = {{"AttributeDefinitions", m["AttributeDefinitions"]},
              {"TableName", t.name},
              {"KeySchema", m["KeySchema"]},
              {"TableStatus", status},
              {"CreationDateTime", m["CreationDateTime"]},
              {"TableSizeBytes", size},
              {"ItemCount", count},
              {"TableArn", t.arn},
              {"TableId", m["TableId"]}};
    json pt = {{"NumberOfDecreasesToday", 0}, {"ReadCapacityUnits", 0}, {"WriteCapacityUnits", 0}};
    if (m.contains("ProvisionedThroughput")) {
      pt["ReadCapacityUnits"] = m["ProvisionedThroughput"]["ReadCapacityUnits"];
      pt["WriteCapacityUnits"] = m["ProvisionedThroughput"]["WriteCapacityUnits"];
    }
    d["ProvisionedThroughput"] = pt;
    if (m.value("BillingMode", "PROVISIONED") == "PAY_PER_REQUEST")
      d["BillingModeSummary"] = {{"BillingMode", "PAY_PER_REQUEST"},
                                 {"LastUpdateToPayPerRequestDateTime", m["CreationDateTime"]}};
    for (const char* kind : {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"}) {
      if (!m.contains(kind)) continue;
      json arr = json::array();
      for (const auto& i : m[kind]) {
        auto [ic, is] = store_.index_stats(t.id, i["IndexName"]);
        json x = {{"IndexName", i["IndexName"]},
                  {"KeySchema", i["KeySchema"]},
                  {"Projection", i.value("Projection", json{{"ProjectionType", "ALL"}})},
                  {"IndexSizeBytes", is},
                  {"ItemCount", ic},
                  {"IndexArn", t.arn + "/index/" + i["IndexName"].get<std::string>()}};
        if (std::string(kind) == "GlobalSecondaryIndexes") {
          x["IndexStatus"] = "ACTIVE";
          if (backfilling(t, i["IndexName"].get_ref<const std::string&>())) {
            x["IndexStatus"] = "CREATING";
            x["Backfilling"] = true;
          }
          json ipt = {{"NumberOfDecreasesToday", 0}, {"ReadCapacityUnits", 0}, {"WriteCapacityUnits", 0}};
          if (i.contains("ProvisionedThroughput")) {
            ipt["ReadCapacityUnits"] = i["ProvisionedThroughput"]["ReadCapacityUnits"];
            ipt["WriteCapacityUnits"] = i["ProvisionedThroughput"]["WriteCapacityUnits"];
          }
          x["ProvisionedThroughput"] = ipt;
        }
        arr.push_back(std::move(x));
      }
      d[kind] = std::move(arr);
    }
    if (m.contains("StreamSpecification") && m["StreamSpecification"].value("StreamEnabled", false))
      d["StreamSpecification"] = m["StreamSpecification"];
    if (m.contains("LatestStreamLabel")) {  // kept once the stream is disabled, as AWS does
      d["LatestStreamLabel"] = m["LatestStreamLabel"];
      d["LatestStreamArn"] = t.arn + "/stream/" + m["LatestStreamLabel"].get<std::string>();
    }
    if (m.contains("SSESpecification") && m["SSESpecification"].value("Enabled", false))
      d["SSEDescription"] = {{"Status", "ENABLED"},
                             {"SSEType", "KMS"},
                             {"KMSMasterKeyArn", "arn:aws:kms:" + t.region + ":" + t.account + ":key/" + m["TableId"].get<std::string>()}};
    if (m.contains("TableClass")) d["TableClassSummary"] = {{"TableClass", m["TableClass"]}};
    d["DeletionProtectionEnabled"] = m.value("DeletionProtectionEnabled", false);
    if (m.contains("RestoreSummary")) d["RestoreSummary"] = m["RestoreSummary"];
    return d;
  }

  json create_table(json& in) {
    Constraints c;
    c.table_name(in);
    if (!member(in, "AttributeDefinitions")) c.add(nullptr, "attributeDefinitions", "Member must not be null");
    if (!member(in, "KeySchema")) c.add(nullptr, "keySchema", "Member must not be null");
    c.enum_value(in, "BillingMode", "billingMode", {"PROVISIONED", "PAY_PER_REQUEST"});
    if (const json* ks = member(in, "KeySchema")) {
      if (ks->empty() || ks->size() > 2)
        c.add(ks, "keySchema", ks->empty() ? "Member must have length greater than or equal to 1"
                                           : "Member must have length less than or equal to 2");
      size_t i = 1;
      for (const auto& k : *ks) {
        Constraints* cc = &c;
        std::string base = "keySchema." + std::to_string(i++) + ".member.";
        const json* kt = member(k, "KeyType");
        if (kt && *kt != "HASH" && *kt != "RANGE") cc->add(kt, base + "keyType", "Member must satisfy enum value set: [HASH, RANGE]");
      }
    }
    if (const json* ad = member(in, "AttributeDefinitions")) {
      size_t i = 1;
      for (const auto& d : *ad) {
        const json* at = member(d, "AttributeType");
        if (at && *at != "S" && *at != "N" && *at != "B")
          c.add(at, "attributeDefinitions." + std::to_string(i) + ".member.attributeType",
                "Member must satisfy enum value set: [B, N, S]");
        ++i;
      }
    }
    c.raise();
    const json& ks = in["KeySchema"];
    const json& ad = in["AttributeDefinitions"];
    std::map<std::string, std::string> defs;
    for (const auto& d : ad) {
      std::string n = str_member(d, "AttributeName");
      if (!defs.emplace(n, str_member(d, "AttributeType")).second)
        invalid("Cannot have two attributes with the same name");
    }
    if (str_member(ks[0], "KeyType") != "HASH") invalid("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    if (ks.size() == 2) {
      if (str_member(ks[1], "KeyType") != "RANGE")
        invalid("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
      if (str_member(ks[0], "AttributeName") == str_member(ks[1], "AttributeName"))
        invalid("Both the Hash Key and the Range Key element in the KeySchema have the same name");
    }
    std::set<std::string> used;
    auto check_keys = [&](const json& schema, const std::string& idx) {
      for (const auto& k : schema) {
        std::string n = str_member(k, "AttributeName");
        if (!defs.count(n)) {
          std::string keys, attrs;
          for (const auto& kk : schema) keys += (keys.empty() ? "" : ", ") + str_member(kk, "AttributeName");
          for (const auto& [an, at] : defs) attrs += (attrs.empty() ? "" : ", ") + an;
          invalid("One or more parameter values were invalid: Some index key attributes are not defined in "
                  "AttributeDefinitions. Keys: [" + keys + "], AttributeDefinitions: [" + attrs + "]");
        }
        used.insert(n);
      }
      (void)idx;
    };
    check_keys(ks, "");
    std::string billing = str_member(in, "BillingMode", "PROVISIONED");
    const json* pt = member(in, "ProvisionedThroughput");
    if (billing == "PROVISIONED" && !pt) invalid("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
    if (billing == "PAY_PER_REQUEST" && pt)
      invalid("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    json meta = {{"AttributeDefinitions", ad}, {"KeySchema", ks}, {"BillingMode", billing}};
    if (pt) meta["ProvisionedThroughput"] = *pt;
    std::set<std::string> index_names;
    if (const json* lsis = member(in, "LocalSecondaryIndexes")) {
      if (ks.size() != 2)
        invalid("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
      if (lsis->empty()) invalid("One or more parameter values were invalid: List of LocalSecondaryIndexes is empty");
      if (lsis->size() > 5) invalid("One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5");
      for (const auto& i : *lsis) {
        std::string n = str_member(i, "IndexName");
        if (!index_names.insert(n).second) invalid("One or more parameter values were invalid: Duplicate index name: " + n);
        check_keys(i["KeySchema"], n);
        if (str_member(i["KeySchema"][0], "AttributeName") != str_member(ks[0], "AttributeName"))
          invalid("One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: " +
                  n + ". index hash key: " + str_member(i["KeySchema"][0], "AttributeName") +
                  ", table hash key: " + str_member(ks[0], "AttributeName"));
      }
      meta["LocalSecondaryIndexes"] = *lsis;
    }
    if (const json* gsis = member(in, "GlobalSecondaryIndexes")) {
      if (gsis->empty()) invalid("One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty");
      if (gsis->size() > 20) invalid("One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20");
      for (const auto& i : *gsis) {
        std::string n = str_member(i, "IndexName");
        if (!index_names.insert(n).second) invalid("One or more parameter values were invalid: Duplicate index name: " + n);
        check_keys(i["KeySchema"], n);
        if (billing == "PROVISIONED" && !member(i, "ProvisionedThroughput"))
          invalid("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: " + n);
        if (billing == "PAY_PER_REQUEST" && member(i, "ProvisionedThroughput"))
          invalid("One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: " + n +
                  " when BillingMode is PAY_PER_REQUEST");
      }
      meta["GlobalSecondaryIndexes"] = *gsis;
    }
    if (used.size() != defs.size())
      invalid("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
    std::string name = in["TableName"];
    if (tables_.count(table_key(ctx_->account_id, ctx_->region, name)))
      throw AwsError("ResourceInUseException", "Table already exists: " + name);
    meta["CreationDateTime"] = now_seconds(env_.clock);
    meta["TableId"] = ids::uuid4();
    if (const json* tags = member(in, "Tags")) meta["Tags"] = *tags;
    if (const json* ss = member(in, "StreamSpecification")) set_stream(meta, *ss);
    if (const json* sse = member(in, "SSESpecification")) meta["SSESpecification"] = *sse;
    if (const json* tc = member(in, "TableClass")) meta["TableClass"] = *tc;
    if (const json* dp = member(in, "DeletionProtectionEnabled")) meta["DeletionProtectionEnabled"] = *dp;
    int64_t id = store_.insert_table(ctx_->account_id, ctx_->region, name, meta);
    TableInfo info = build_info(id, ctx_->account_id, ctx_->region, name, std::move(meta));
    auto& slot = tables_[table_key(ctx_->account_id, ctx_->region, name)] = std::move(info);
    features_->sync_stream(slot);
    json d = describe(slot, "CREATING");
    mark_indexes_creating(d);
    return {{"TableDescription", d}};
  }

  void set_stream(json& meta, const json& spec, const TableInfo* current = nullptr) {
    features_->set_stream_spec(current ? current->name : std::string(), current ? &current->meta : nullptr, meta, spec);
  }

  json describe_table(json& in) {
    Constraints c;
    c.table_name(in);
    c.raise();
    return {{"Table", describe(find_table_named(in))}};
  }

  json list_tables(json& in) {
    Constraints c;
    c.table_name(in, "ExclusiveStartTableName", "exclusiveStartTableName", false);
    if (const json* l = member(in, "Limit")) {
      if (l->get<int64_t>() < 1) c.add(l, "limit", "Member must have value greater than or equal to 1");
      if (l->get<int64_t>() > 100) c.add(l, "limit", "Member must have value less than or equal to 100");
    }
    c.raise();
    int64_t limit = member(in, "Limit") ? in["Limit"].get<int64_t>() : 100;
    std::string start = str_member(in, "ExclusiveStartTableName");
    std::vector<std::string> names;
    for (const auto& [k, t] : tables_)
      if (t.account == ctx_->account_id && t.region == ctx_->region) names.push_back(t.name);
    std::sort(names.begin(), names.end());
    json out = {{"TableNames", json::array()}};
    for (const auto& n : names) {
      if (!start.empty() && n <= start) continue;
      if (static_cast<int64_t>(out["TableNames"].size()) == limit) break;
      out["TableNames"].push_back(n);
    }
    if (static_cast<int64_t>(out["TableNames"].size()) == limit && !names.empty() &&
        out["TableNames"].back() != names.back())
      out["LastEvaluatedTableName"] = out["TableNames"].back();
    return out;
  }

  json delete_table(json& in) {
    Constraints c;
    c.table_name(in);
    c.raise();
    TableInfo& t = find_table_named(in);
    if (t.meta.value("DeletionProtectionEnabled", false))
      invalid("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");
    json d = describe(t, "DELETING");
    features_->on_table_deleted(t);
    store_.delete_table(t.id);
    tables_.erase(table_key(t.account, t.region, t.name));
    return {{"TableDescription", d}};
  }

  json update_table(json& in) {
    Constraints c;
    c.table_name(in);
    c.enum_value(in, "BillingMode", "billingMode", {"PROVISIONED", "PAY_PER_REQUEST"});
    c.raise();
    TableInfo& t = find_table_named(in);
    json meta = t.meta;
    if (const json* ad = member(in, "AttributeDefinitions")) {
      for (const auto& d : *ad) {
        bool found = false;
        for (auto& e : meta["AttributeDefinitions"])
          if (e["AttributeName"] == d["AttributeName"]) found = true;
        if (!found) meta["AttributeDefinitions"].push_back(d);
      }
    }
    if (const json* b = member(in, "BillingMode")) {
      meta["BillingMode"] = *b;
      if (*b == "PAY_PER_REQUEST") meta.erase("ProvisionedThroughput");
    }
    if (const json* pt = member(in, "ProvisionedThroughput")) {
      if (meta.value("BillingMode", "PROVISIONED") == "PAY_PER_REQUEST")
        invalid("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
      meta["ProvisionedThroughput"] = *pt;
    }
    if (const json* ss = member(in, "StreamSpecification")) set_stream(meta, *ss, &t);
    if (const json* dp = member(in, "DeletionProtectionEnabled")) meta["DeletionProtectionEnabled"] = *dp;
    if (const json* sse = member(in, "SSESpecification")) meta["SSESpecification"] = *sse;
    if (const json* tc = member(in, "TableClass")) meta["TableClass"] = *tc;
    std::vector<std::string> backfill, updated;
    json deleted = json::array();  // descriptions of deleted indexes, reported DELETING
    if (const json* updates = member(in, "GlobalSecondaryIndexUpdates")) {
      for (const auto& u : *updates) {
        if (const json* cr = member(u, "Create")) {
          std::string n = str_member(*cr, "IndexName");
          if (t.find_index(n)) invalid("One or more parameter values were invalid: Index with name: " + n + " already exists");
          for (const auto& k : (*cr)["KeySchema"]) {
            bool defined = false;
            for (const auto& d : meta["AttributeDefinitions"])
              if (d["AttributeName"] == k["AttributeName"]) defined = true;
            if (!defined)
              invalid("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [" +
                      k["AttributeName"].get<std::string>() + "]");
          }
          if (!meta.contains("GlobalSecondaryIndexes")) meta["GlobalSecondaryIndexes"] = json::array();
          meta["GlobalSecondaryIndexes"].push_back(*cr);
          backfill.push_back(n);
        } else if (const json* del = member(u, "Delete")) {
          std::string n = str_member(*del, "IndexName");
          const IndexInfo* ii = t.find_index(n);
          if (!ii || !ii->global) not_found("Requested resource not found: Index: " + n + " not found");
          json before = describe(t);
          for (const auto& x : before["GlobalSecondaryIndexes"])
            if (x["IndexName"] == n) deleted.push_back(x);
          auto& arr = meta["GlobalSecondaryIndexes"];
          for (size_t i = 0; i < arr.size(); ++i)
            if (arr[i]["IndexName"] == n) {
              arr.erase(i);
              break;
            }
          if (arr.empty()) meta.erase("GlobalSecondaryIndexes");
          store_.delete_index(t.id, n);
        } else if (const json* upd = member(u, "Update")) {
          std::string n = str_member(*upd, "IndexName");
          const IndexInfo* ii = t.find_index(n);
          if (!ii || !ii->global) not_found("Requested resource not found: Index: " + n + " not found");
          updated.push_back(n);
          for (auto& g : meta["GlobalSecondaryIndexes"])
            if (g["IndexName"] == n && upd->contains("ProvisionedThroughput"))
              g["ProvisionedThroughput"] = (*upd)["ProvisionedThroughput"];
        }
      }
    }
    store_.update_table_meta(t.id, meta);
    t = build_info(t.id, t.account, t.region, t.name, std::move(meta));
    features_->sync_stream(t);
    for (const auto& n : backfill) {  // index existing items
      const IndexInfo* ii = t.find_index(n);
      std::vector<std::pair<std::string, std::string>> keys;
      std::vector<json> items;
      store_.scan_table(t.id, std::nullopt, [&](const Row& r) {
        keys.emplace_back(std::string(r.pk), std::string(r.sk));
        items.push_back(Store::decode(r.item));
        return true;
      });
      for (size_t i = 0; i < keys.size(); ++i)
        if (auto ik = index_keys(*ii, items[i])) store_.put_index_entry(t.id, n, ik->first, ik->second, keys[i].first, keys[i].second);
      start_backfill(t, n);
    }
    json d = describe(t, "UPDATING");
    mark_index_transitions(d, backfill, updated, deleted);
    return {{"TableDescription", d}};
  }

  // ------------------------------------------------------------------ keys and writes

  // Encoded (pk, sk) of a Key parameter; "The provided key element does not match the schema".
  std::pair<std::string, std::string> key_of(const TableInfo& t, const json& key, const char* prefix = "") {
    size_t want = t.range ? 2 : 1;
    auto check = [&](const KeyDef& kd) -> const json& {
      auto it = key.find(kd.name);
      if (it == key.end() || value_type(*it) != kd.type)
        invalid(std::string(prefix) + "The provided key element does not match the schema");
      const json& v = it->begin().value();
      if ((kd.type == "S" && v.get_ref<const std::string&>().empty()) || (kd.type == "B" && v.get_ref<const std::string&>().empty()))
        invalid(std::string(prefix) + "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty " +
                (kd.type == "S" ? "string" : "binary") + " value. Key: " + kd.name);
      return *it;
    };
    if (!key.is_object() || key.size() != want) invalid(std::string(prefix) + "The provided key element does not match the schema");
    const json& h = check(t.hash);
    std::string pk = encode_key(h), sk;
    if (t.range) sk = encode_key(check(*t.range));
    return {std::move(pk), std::move(sk)};
  }

  // Validates an item's key attributes (PutItem) and index keys; returns encoded (pk, sk).
  std::pair<std::string, std::string> item_key(const TableInfo& t, const json& item) {
    auto check = [&](const KeyDef& kd) -> const json& {
      auto it = item.find(kd.name);
      if (it == item.end()) invalid("One or more parameter values were invalid: Missing the key " + kd.name + " in the item");
      auto vt = value_type(*it);
      if (vt != kd.type)
        invalid("One or more parameter values were invalid: Type mismatch for key " + kd.name + " expected: " + kd.type +
                " actual: " + std::string(vt));
      const json& v = it->begin().value();
      if (v.get_ref<const std::string&>().empty())
        invalid("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty " +
                std::string(kd.type == "B" ? "binary" : "string") + " value. Key: " + kd.name);
      return *it;
    };
    std::string pk = encode_key(check(t.hash)), sk;
    if (pk.size() > 2048) invalid("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes");
    if (t.range) {
      sk = encode_key(check(*t.range));
      if (sk.size() > 1024)
        invalid("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
    }
    for (const auto& ix : t.indexes) {
      for (const KeyDef* kd : {&ix.hash, ix.range ? &*ix.range : nullptr}) {
        if (!kd) continue;
        auto it = item.find(kd->name);
        if (it == item.end()) continue;
        auto vt = value_type(*it);
        if (vt != kd->type)
          invalid("One or more parameter values were invalid: Type mismatch for Index Key " + kd->name + " Expected: " +
                  kd->type + " Actual: " + std::string(vt) + " IndexName: " + ix.name);
        if (it->begin().value().get_ref<const std::string&>().empty())
          invalid("One or more parameter values are not valid. A value specified for a secondary index key is not supported. "
                  "The AttributeValue for a key attribute cannot contain an empty " +
                  std::string(kd->type == "B" ? "binary" : "string") + " value. IndexName: " + ix.name +
                  ", IndexKey: " + kd->name);
      }
    }
    return {std::move(pk), std::move(sk)};
  }

  static std::optional<std::pair<std::string, std::string>> index_keys(const IndexInfo& ix, const json& item) {
    auto h = item.find(ix.hash.name);
    if (h == item.end() || value_type(*h) != ix.hash.type) return std::nullopt;
    std::string isk;
    if (ix.range) {
      auto r = item.find(ix.range->name);
      if (r == item.end() || value_type(*r) != ix.range->type) return std::nullopt;
      isk = encode_key(*r);
    }
    return std::make_pair(encode_key(*h), std::move(isk));
  }

  // The one place every item write goes through: old and new image are known here (the
  // change log of streams/PITR hooks in here).
  void write_item(const TableInfo& t, const std::string& pk, const std::string& sk, const json* old_item,
                  const json* new_item) {
    for (const auto& ix : t.indexes) {
      auto ok = old_item ? index_keys(ix, *old_item) : std::nullopt;
      auto nk = new_item ? index_keys(ix, *new_item) : std::nullopt;
      if (ok && nk && *ok == *nk) continue;
      if (ok) store_.delete_index_entry(t.id, ix.name, ok->first, ok->second, pk, sk);
      if (nk) store_.put_index_entry(t.id, ix.name, nk->first, nk->second, pk, sk);
    }
    if (new_item)
      store_.put_item(t.id, pk, sk, *new_item, item_size(*new_item));
    else if (old_item)
      store_.delete_item(t.id, pk, sk);
    features_->on_write(t, pk, sk, old_item, new_item);  // change log (streams, PITR)
  }

  json capacity(const TableInfo& t, double units, const std::string& mode, bool write = false,
                const json* old_item = nullptr, const json* new_item = nullptr) {
    json c = {{"TableName", t.name}};
    double total = units;
    json gsis = json::object(), lsis = json::object();
    if (write && mode == "INDEXES") {
      for (const auto& ix : t.indexes) {
        bool touched = (old_item && index_keys(ix, *old_item)) || (new_item && index_keys(ix, *new_item));
        if (!touched) continue;
        (ix.global ? gsis : lsis)[ix.name] = {{"CapacityUnits", 1.0}};
        total += 1.0;
      }
    }
    c["CapacityUnits"] = total;
    if (mode == "INDEXES") {
      c["Table"] = {{"CapacityUnits", units}};
      if (!gsis.empty()) c["GlobalSecondaryIndexes"] = gsis;
      if (!lsis.empty()) c["LocalSecondaryIndexes"] = lsis;
    }
    return c;
  }

  static void return_capacity_constraint(Constraints& c, const json& in) {
    c.enum_value(in, "ReturnConsumedCapacity", "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"});
  }
  static bool wants_capacity(const json& in) {
    std::string m = str_member(in, "ReturnConsumedCapacity", "NONE");
    return m == "TOTAL" || m == "INDEXES";
  }

  Condition condition_of(json& in, Expressions& ex, const char* expected_field = "Expected") {
    Condition c;
    if (const json* ce = member(in, "ConditionExpression")) {
      c.present = true;
      c.node = expr::parse_condition(ce->get<std::string>(), "ConditionExpression", ex.ctx);
    } else if (member(in, expected_field)) {
      json& e = in[expected_field];
      if (!e.empty()) {
        c.present = true;
        c.node = legacy_condition(e, str_member(in, "ConditionalOperator", "AND"), true);
      }
    }
    return c;
  }

  // ReturnItemCollectionMetrics=SIZE on a table with local secondary indexes.
  void collection_metrics(json& out, const json& in, const TableInfo& t, const std::string& pk, const json& holder) {
    if (str_member(in, "ReturnItemCollectionMetrics") != "SIZE") return;
    if (std::none_of(t.indexes.begin(), t.indexes.end(), [](const IndexInfo& i) { return !i.global; })) return;
    auto h = holder.find(t.hash.name);
    if (h == holder.end()) return;
    out["ItemCollectionMetrics"] = item_collection_metrics(t.hash.name, *h, collection_bytes(store_.db(), t.id, pk));
  }

  // The same for batches and transactions: {table: [metrics of each item collection written]}.
  void collection_metrics_map(json& out, const json& in, const std::vector<std::pair<const TableInfo*, std::string>>& writes) {
    if (str_member(in, "ReturnItemCollectionMetrics") != "SIZE") return;
    json m = json::object();
    std::set<std::pair<int64_t, std::string>> done;
    for (const auto& [t, pk] : writes) {
      if (std::none_of(t->indexes.begin(), t->indexes.end(), [](const IndexInfo& i) { return !i.global; })) continue;
      if (!done.insert({t->id, pk}).second) continue;
      m[t->name].push_back(item_collection_metrics(t->hash.name, decode_key(pk, t->hash.type),
                                                   collection_bytes(store_.db(), t->id, pk)));
    }
    if (!m.empty()) out["ItemCollectionMetrics"] = std::move(m);
  }

  // A global secondary index created by UpdateTable backfills for kBackfillMillis.
  void start_backfill(const TableInfo& t, const std::string& index) {
    backfill_until_[{t.id, index}] = env_.clock->epoch_millis() + kBackfillMillis;
  }
  bool backfilling(const TableInfo& t, const std::string& index) {
    auto it = backfill_until_.find({t.id, index});
    if (it == backfill_until_.end()) return false;
    if (env_.clock->epoch_millis() < it->second) return true;
    backfill_until_.erase(it);
    return false;
  }

  // ReturnValuesOnConditionCheckFailure=ALL_OLD puts the item in the error's Item member.
  [[noreturn]] void condition_failed(const json* old_item, const json& in) {
    AwsError e("ConditionalCheckFailedException", "The conditional request failed");
    if (old_item && str_member(in, "ReturnValuesOnConditionCheckFailure") == "ALL_OLD")
      e.details = std::make_shared<const json>(json{{"Item", *old_item}});
    throw e;
  }

  // ------------------------------------------------------------------ item operations

  json put_item(json& in) {
    Constraints c;
    c.table_name(in);
    if (!member(in, "Item")) c.add(nullptr, "item", "Member must not be null");
    c.enum_value(in, "ReturnValues", "returnValues", {"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"});
    return_capacity_constraint(c, in);
    c.enum_value(in, "ReturnValuesOnConditionCheckFailure", "returnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"});
    c.enum_value(in, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics", {"SIZE", "NONE"});
    c.raise();
    std::string rv = str_member(in, "ReturnValues", "NONE");
    if (rv != "NONE" && rv != "ALL_OLD") invalid("ReturnValues can only be ALL_OLD or NONE");
    no_mixing(in, {"Expected"}, {"ConditionExpression"});
    Expressions ex;
    prepare_attrs(in, ex, member(in, "ConditionExpression") != nullptr, "ConditionExpression is null");
    json& item = in["Item"];
    validate_item(item);
    Condition cond = condition_of(in, ex);
    expr::check_unused(ex.ctx);
    TableInfo& t = find_table(in);
    auto [pk, sk] = item_key(t, item);
    size_t size = item_size(item);
    if (size > kMaxItemSize) invalid("Item size has exceeded the maximum allowed size");
    std::optional<json> old = store_.get_item(t.id, pk, sk);
    if (cond.present && !expr::evaluate(cond.node, old ? *old : json::object())) condition_failed(old ? &*old : nullptr, in);
    storage::Transaction tx(store_.db());
    write_item(t, pk, sk, old ? &*old : nullptr, &item);
    tx.commit();
    json out = json::object();
    collection_metrics(out, in, t, pk, item);
    if (rv == "ALL_OLD" && old) out["Attributes"] = std::move(*old);
    if (wants_capacity(in))
      out["ConsumedCapacity"] = capacity(t, write_units(std::max(size, old ? item_size(*old) : 0)),
                                         str_member(in, "ReturnConsumedCapacity"), true, old ? &*old : nullptr, &item);
    return out;
  }

  json get_item(json& in) {
    Constraints c;
    c.table_name(in);
    if (!member(in, "Key")) c.add(nullptr, "key", "Member must not be null");
    return_capacity_constraint(c, in);
    c.raise();
    no_mixing(in, {"AttributesToGet"}, {"ProjectionExpression"});
    Expressions ex;
    prepare_attrs(in, ex, member(in, "ProjectionExpression") != nullptr, "ProjectionExpression is null");
    json& key = in["Key"];
    validate_item(key);
    auto proj = projection_of(in, ex);
    expr::check_unused(ex.ctx);
    TableInfo& t = find_table(in);
    auto [pk, sk] = key_of(t, key);
    std::optional<json> item = store_.get_item(t.id, pk, sk);
    json out = json::object();
    size_t size = item ? item_size(*item) : 0;
    if (item) out["Item"] = proj ? expr::project(*item, *proj) : std::move(*item);
    if (wants_capacity(in)) {
      bool consistent = member(in, "ConsistentRead") && in["ConsistentRead"].get<bool>();
      out["ConsumedCapacity"] = capacity(t, read_units(size, consistent), str_member(in, "ReturnConsumedCapacity"));
    }
    return out;
  }

  json delete_item(json& in) {
    Constraints c;
    c.table_name(in);
    if (!member(in, "Key")) c.add(nullptr, "key", "Member must not be null");
    c.enum_value(in, "ReturnValues", "returnValues", {"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"});
    return_capacity_constraint(c, in);
    c.enum_value(in, "ReturnValuesOnConditionCheckFailure", "returnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"});
    c.enum_value(in, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics", {"SIZE", "NONE"});
    c.raise();
    std::string rv = str_member(in, "ReturnValues", "NONE");
    if (rv != "NONE" && rv != "ALL_OLD") invalid("ReturnValues can only be ALL_OLD or NONE");
    no_mixing(in, {"Expected"}, {"ConditionExpression"});
    Expressions ex;
    prepare_attrs(in, ex, member(in, "ConditionExpression") != nullptr, "ConditionExpression is null");
    json& key = in["Key"];
    validate_item(key);
    Condition cond = condition_of(in, ex);
    expr::check_unused(ex.ctx);
    TableInfo& t = find_table(in);
    auto [pk, sk] = key_of(t, key);
    std::optional<json> old = store_.get_item(t.id, pk, sk);
    if (cond.present && !expr::evaluate(cond.node, old ? *old : json::object())) condition_failed(old ? &*old : nullptr, in);
    if (old) {
      storage::Transaction tx(store_.db());
      write_item(t, pk, sk, &*old, nullptr);
      tx.commit();
    }
    json out = json::object();
    collection_metrics(out, in, t, pk, key);
    size_t size = old ? item_size(*old) : 0;
    if (rv == "ALL_OLD" && old) out["Attributes"] = *old;
    if (wants_capacity(in))
      out["ConsumedCapacity"] = capacity(t, write_units(size), str_member(in, "ReturnConsumedCapacity"), true,
                                         old ? &*old : nullptr, nullptr);
    return out;
  }

  expr::Update legacy_update(json& updates) {
    expr::Update u;
    for (auto it = updates.begin(); it != updates.end(); ++it) {
      json& au = it.value();
      std::string action = str_member(au, "Action", "PUT");
      json* value = au.contains("Value") && !au["Value"].is_null() ? &au["Value"] : nullptr;
      if (value) validate_value(*value);
      expr::UpdateAction a;
      a.path = {{it.key(), -1, false}};
      if (action == "PUT") {
        if (!value) invalid("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified");
        a.type = expr::UpdateAction::Set;
        a.value = value_node(*value);
      } else if (action == "DELETE") {
        if (value) {
          auto vt = value_type(*value);
          if (vt != "SS" && vt != "NS" && vt != "BS")
            invalid("One or more parameter values were invalid: DELETE action with value is not supported for the type " + std::string(vt));
          a.type = expr::UpdateAction::Delete;
          a.value = value_node(*value);
        } else {
          a.type = expr::UpdateAction::Remove;
        }
      } else if (action == "ADD") {
        if (!value) invalid("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified");
        auto vt = value_type(*value);
        if (vt != "N" && vt != "SS" && vt != "NS" && vt != "BS" && vt != "L")
          invalid("One or more parameter values were invalid: ADD action is not supported for the type " + std::string(vt));
        if (vt == "L") {
          // legacy ADD on a list appends
          a.type = expr::UpdateAction::Set;
          expr::Node call;
          call.kind = expr::Kind::Call;
          call.op = "list_append";
          expr::Node ine;
          ine.kind = expr::Kind::Call;
          ine.op = "if_not_exists";
          ine.args.push_back(path_node(it.key()));
          static const json kEmptyList = {{"L", json::array()}};
          ine.args.push_back(value_node(kEmptyList));
          call.args.push_back(std::move(ine));
          call.args.push_back(value_node(*value));
          a.value = std::move(call);
        } else {
          a.type = expr::UpdateAction::Add;
          a.value = value_node(*value);
        }
      } else {
        invalid("1 validation error detected: Value '" + action +
                "' at 'attributeUpdates." + it.key() + ".member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]");
      }
      u.actions.push_back(std::move(a));
    }
    return u;
  }

  json update_item(json& in) {
    Constraints c;
    c.table_name(in);
    if (!member(in, "Key")) c.add(nullptr, "key", "Member must not be null");
    c.enum_value(in, "ReturnValues", "returnValues", {"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"});
    return_capacity_constraint(c, in);
    c.enum_value(in, "ReturnValuesOnConditionCheckFailure", "returnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"});
    c.enum_value(in, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics", {"SIZE", "NONE"});
    c.raise();
    no_mixing(in, {"AttributeUpdates", "Expected"}, {"UpdateExpression", "ConditionExpression"});
    Expressions ex;
    bool any = member(in, "UpdateExpression") || member(in, "ConditionExpression");
    prepare_attrs(in, ex, any, "UpdateExpression and ConditionExpression are null");
    json& key = in["Key"];
    validate_item(key);
    expr::Update update;
    if (const json* ue = member(in, "UpdateExpression"))
      update = expr::parse_update(ue->get<std::string>(), ex.ctx);
    else if (member(in, "AttributeUpdates"))
      update = legacy_update(in["AttributeUpdates"]);
    Condition cond = condition_of(in, ex);
    expr::check_unused(ex.ctx);
    TableInfo& t = find_table(in);
    auto [pk, sk] = key_of(t, key);
    for (const auto& a : update.actions) {
      const std::string& top = a.path[0].name;
      if (top == t.hash.name || (t.range && top == t.range->name))
        invalid("One or more parameter values were invalid: Cannot update attribute " + top + ". This attribute is part of the key");
    }
    std::optional<json> old = store_.get_item(t.id, pk, sk);
    if (cond.present && !expr::evaluate(cond.node, old ? *old : json::object())) condition_failed(old ? &*old : nullptr, in);
    json item = old ? *old : key;
    expr::apply_update(update, item);
    item_key(t, item);  // index key types
    size_t size = item_size(item);
    if (size > kMaxItemSize) invalid("Item size to update has exceeded the maximum allowed size");
    storage::Transaction tx(store_.db());
    write_item(t, pk, sk, old ? &*old : nullptr, &item);
    tx.commit();
    json out = json::object();
    collection_metrics(out, in, t, pk, key);
    std::string rv = str_member(in, "ReturnValues", "NONE");
    if (rv == "ALL_NEW") {
      out["Attributes"] = item;
    } else if (rv == "ALL_OLD") {
      if (old) out["Attributes"] = *old;
    } else if (rv == "UPDATED_NEW" || rv == "UPDATED_OLD") {
      std::vector<expr::Path> paths;
      for (const auto& a : update.actions) paths.push_back(a.path);
      const json& src = rv == "UPDATED_NEW" ? item : (old ? *old : json::object());
      json attrs = expr::project(src, paths);
      if (!attrs.empty()) out["Attributes"] = std::move(attrs);
    }
    if (wants_capacity(in))
      out["ConsumedCapacity"] = capacity(t, write_units(std::max(size, old ? item_size(*old) : 0)),
                                         str_member(in, "ReturnConsumedCapacity"), true, old ? &*old : nullptr, &item);
    return out;
  }

  // ------------------------------------------------------------------ query and scan

  struct KeyCond {
    const json* pk = nullptr;
    std::string op;  // "", "=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"
    const json* v1 = nullptr;
    const json* v2 = nullptr;
  };

  static void flatten_and(const expr::Node& n, std::vector<const expr::Node*>& out) {
    if (n.kind == expr::Kind::And) {
      flatten_and(n.args[0], out);
      flatten_and(n.args[1], out);
    } else {
      out.push_back(&n);
    }
  }

  KeyCond analyze_key_condition(const expr::Node& root, const KeyDef& hash, const std::optional<KeyDef>& range) {
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

  static KeyRange range_of(const KeyCond& kc) {
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

  // Attributes an index projects (nullopt = all).
  static std::optional<std::vector<expr::Path>> index_projection(const TableInfo& t, const IndexInfo& ix) {
    if (ix.projection_type == "ALL") return std::nullopt;
    std::vector<expr::Path> p;
    std::set<std::string> names = {t.hash.name, ix.hash.name};
    if (t.range) names.insert(t.range->name);
    if (ix.range) names.insert(ix.range->name);
    if (ix.projection_type == "INCLUDE")
      for (const auto& n : ix.non_key) names.insert(n);
    for (const auto& n : names) p.push_back({{n, -1, false}});
    return p;
  }

  json key_attrs(const TableInfo& t, const IndexInfo* ix, const json& item) {
    json k = json::object();
    auto add = [&](const std::string& n) {
      auto it = item.find(n);
      if (it != item.end()) k[n] = *it;
    };
    add(t.hash.name);
    if (t.range) add(t.range->name);
    if (ix) {
      add(ix->hash.name);
      if (ix->range) add(ix->range->name);
    }
    return k;
  }

  struct ReadPlan {
    TableInfo* table = nullptr;
    const IndexInfo* index = nullptr;
    Condition filter;
    std::optional<std::vector<expr::Path>> projection;
    std::string select;
    int64_t limit = 0;
    bool consistent = false;
  };

  void prepare_read(json& in, ReadPlan& plan, Expressions& ex, bool is_query) {
    Constraints c;
    c.table_name(in);
    c.min_int(in, "Limit", "limit", 1);
    c.enum_value(in, "Select", "select", {"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"});
    c.enum_value(in, "ConditionalOperator", "conditionalOperator", {"OR", "AND"});
    return_capacity_constraint(c, in);
    if (const json* idx = member(in, "IndexName")) {
      const auto& s = idx->get_ref<const std::string&>();
      if (s.size() < 3) c.add(idx, "indexName", "Member must have length greater than or equal to 3");
    }
    c.raise();
    plan.limit = member(in, "Limit") ? in["Limit"].get<int64_t>() : 0;
    plan.consistent = member(in, "ConsistentRead") && in["ConsistentRead"].get<bool>();
    plan.select = str_member(in, "Select");
    const char* filter_legacy = is_query ? "QueryFilter" : "ScanFilter";
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

  void finish_read_plan(json& in, ReadPlan& plan, Expressions& ex, bool is_query) {
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

  void resolve_index(json& in, ReadPlan& plan) {
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
    } else if (plan.select == "ALL_PROJECTED_ATTRIBUTES") {
      invalid("One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is not supported because no index name was specified");
    }
  }

  // Validates ExclusiveStartKey against the table (and index) schema.
  void check_start_key(const ReadPlan& plan, const json& esk) {
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
      names.insert(plan.index->hash.name);
      if (plan.index->range) names.insert(plan.index->range->name);
      want = names.size();
    }
    if (esk.size() != want) invalid(pre + "The provided key element does not match the schema");
    for (const auto& n : names)
      if (!esk.contains(n)) invalid(pre + "The provided key element does not match the schema");
    key_of(t, key_attrs(t, nullptr, esk), pre.c_str());
  }

  struct PageState {
    json items = json::array();
    int64_t count = 0, scanned = 0;
    size_t bytes = 0;
    std::optional<json> last_key;
  };

  // Handles one stored row; returns false when the page is full.
  bool visit_row(const ReadPlan& plan, const Row& row, PageState& st) {
    json item = Store::decode(row.item);
    size_t sz = row.size >= 0 ? static_cast<size_t>(row.size) : item_size(item);
    st.scanned++;
    st.bytes += sz;
    bool matched = !plan.filter.present || expr::evaluate(plan.filter.node, item);
    bool full = (plan.limit > 0 && st.scanned >= plan.limit) || st.bytes >= kPageSize;
    if (full) st.last_key = key_attrs(*plan.table, plan.index, item);
    if (matched) {
      st.count++;
      if (plan.select != "COUNT") {
        if (plan.index && (plan.select == "ALL_PROJECTED_ATTRIBUTES" || (plan.select == "ALL_ATTRIBUTES" && plan.index->global)))
          if (auto ip = index_projection(*plan.table, *plan.index)) item = expr::project(item, *ip);
        if (plan.projection) item = expr::project(item, *plan.projection);
        st.items.push_back(std::move(item));
      }
    }
    return !full;
  }

  json page_output(json& in, const ReadPlan& plan, PageState& st) {
    json out = json::object();
    if (plan.select != "COUNT") out["Items"] = std::move(st.items);
    out["Count"] = st.count;
    out["ScannedCount"] = st.scanned;
    if (st.last_key) out["LastEvaluatedKey"] = std::move(*st.last_key);
    if (wants_capacity(in)) {
      double units = read_units(st.bytes, plan.consistent);
      json c = capacity(*plan.table, units, str_member(in, "ReturnConsumedCapacity"));
      if (plan.index && str_member(in, "ReturnConsumedCapacity") == "INDEXES") {
        c["Table"] = {{"CapacityUnits", 0.0}};
        c[plan.index->global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes"] = {{plan.index->name, {{"CapacityUnits", units}}}};
      }
      out["ConsumedCapacity"] = c;
    }
    return out;
  }

  json query(json& in) {
    ReadPlan plan;
    Expressions ex;
    prepare_read(in, plan, ex, true);
    if (!member(in, "KeyConditionExpression") && !member(in, "KeyConditions"))
      invalid("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
    expr::Node kce;
    if (const json* k = member(in, "KeyConditionExpression"))
      kce = expr::parse_condition(k->get<std::string>(), "KeyConditionExpression", ex.ctx);
    else
      kce = legacy_condition(in["KeyConditions"], "AND", false);
    finish_read_plan(in, plan, ex, true);
    expr::check_unused(ex.ctx);
    resolve_index(in, plan);
    const TableInfo& t = *plan.table;
    const KeyDef& hash = plan.index ? plan.index->hash : t.hash;
    const std::optional<KeyDef>& range = plan.index ? plan.index->range : t.range;
    KeyCond kc = analyze_key_condition(kce, hash, range);
    if (plan.filter.present) {
      std::vector<const expr::Node*> all;
      std::function<void(const expr::Node&)> walk = [&](const expr::Node& n) {
        if (n.kind == expr::Kind::Path && !n.path.empty()) {
          const std::string& a = n.path[0].name;
          if (a == hash.name || (range && a == range->name))
            invalid("Filter Expression can only contain non-primary key attributes: Primary key attribute: " + a);
        }
        for (const auto& c : n.args) walk(c);
      };
      if (member(in, "FilterExpression")) walk(plan.filter.node);
    }
    bool forward = !member(in, "ScanIndexForward") || in["ScanIndexForward"].get<bool>();
    KeyRange r = range_of(kc);
    std::string pk = encode_key(*kc.pk);
    PageState st;
    auto visit = [&](const Row& row) { return visit_row(plan, row, st); };
    if (const json* esk = member(in, "ExclusiveStartKey")) {
      check_start_key(plan, *esk);
      auto [tpk, tsk] = key_of(t, key_attrs(t, nullptr, *esk));
      if (plan.index) {
        std::string isk = plan.index->range ? encode_key(esk->at(plan.index->range->name)) : std::string();
        store_.query_index(t.id, plan.index->name, pk, r, forward, std::array<std::string, 3>{isk, tpk, tsk}, visit);
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

  static uint32_t segment_hash(std::string_view s) {
    uint32_t h = 2166136261u;
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    return h;
  }

  json scan(json& in) {
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
        std::string ipk = encode_key(esk->at(plan.index->hash.name));
        std::string isk = plan.index->range ? encode_key(esk->at(plan.index->range->name)) : std::string();
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

  // ------------------------------------------------------------------ batches

  json batch_get_item(json& in) {
    Constraints c;
    if (!member(in, "RequestItems")) c.add(nullptr, "requestItems", "Member must not be null");
    return_capacity_constraint(c, in);
    c.raise();
    json& req = in["RequestItems"];
    if (req.empty())
      invalid("1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
    size_t total = 0;
    for (auto& [name, r] : req.items()) total += r.contains("Keys") ? r["Keys"].size() : 0;
    if (total > 100) invalid("Too many items requested for the BatchGetItem call");
    json out = {{"Responses", json::object()}, {"UnprocessedKeys", json::object()}};
    json caps = json::array();
    size_t response_bytes = 0;  // over 16 MB, the remaining keys are returned unprocessed
    for (auto it = req.begin(); it != req.end(); ++it) {
      json& r = it.value();
      Expressions ex;
      no_mixing(r, {"AttributesToGet"}, {"ProjectionExpression"});
      prepare_attrs(r, ex, member(r, "ProjectionExpression") != nullptr, "ProjectionExpression is null");
      auto proj = projection_of(r, ex);
      expr::check_unused(ex.ctx);
      TableInfo* t = find_table_by_name(it.key());
      if (!t) not_found();
      std::set<std::pair<std::string, std::string>> seen;
      json items = json::array();
      size_t bytes = 0;
      for (auto& k : r["Keys"]) {
        validate_item(k);
        auto key = key_of(*t, k);
        if (!seen.insert(key).second) invalid("Provided list of item keys contains duplicates");
        if (response_bytes >= kBatchGetResponseLimit) {
          json& u = out["UnprocessedKeys"][it.key()];
          if (u.is_null()) {
            u = r;
            u["Keys"] = json::array();
          }
          u["Keys"].push_back(k);
          continue;
        }
        if (auto item = store_.get_item(t->id, key.first, key.second)) {
          size_t sz = item_size(*item);
          if (response_bytes + sz > kBatchGetResponseLimit) {
            response_bytes = kBatchGetResponseLimit;
            json& u = out["UnprocessedKeys"][it.key()];
            u = r;
            u["Keys"] = json::array({k});
            continue;
          }
          bytes += sz;
          response_bytes += sz;
          items.push_back(proj ? expr::project(*item, *proj) : std::move(*item));
        }
      }
      out["Responses"][t->name] = std::move(items);
      if (wants_capacity(in))
        caps.push_back(capacity(*t, read_units(bytes, member(r, "ConsistentRead") && r["ConsistentRead"].get<bool>()),
                                str_member(in, "ReturnConsumedCapacity")));
    }
    if (wants_capacity(in)) out["ConsumedCapacity"] = caps;
    return out;
  }

  json batch_write_item(json& in) {
    Constraints c;
    if (!member(in, "RequestItems")) c.add(nullptr, "requestItems", "Member must not be null");
    return_capacity_constraint(c, in);
    c.enum_value(in, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics", {"SIZE", "NONE"});
    c.raise();
    json& req = in["RequestItems"];
    size_t total = 0;
    for (auto& [name, r] : req.items()) total += r.size();
    if (req.empty())
      invalid("1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
    if (total > 25)
      invalid("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]");
    struct Op {
      TableInfo* t;
      std::string pk, sk;
      json* item;  // null for delete
    };
    std::vector<Op> ops;
    for (auto it = req.begin(); it != req.end(); ++it) {
      TableInfo* t = find_table_by_name(it.key());
      for (auto& w : it.value()) {
        if (json* p = w.contains("PutRequest") ? &w["PutRequest"] : nullptr) {
          json& item = (*p)["Item"];
          validate_item(item);
          auto key = t ? item_key(*t, item) : std::pair<std::string, std::string>();
          if (t && item_size(item) > kMaxItemSize) invalid("Item size has exceeded the maximum allowed size");
          ops.push_back({t, key.first, key.second, &item});
        } else if (json* d = w.contains("DeleteRequest") ? &w["DeleteRequest"] : nullptr) {
          json& key = (*d)["Key"];
          validate_item(key);
          auto k = t ? key_of(*t, key) : std::pair<std::string, std::string>();
          ops.push_back({t, k.first, k.second, nullptr});
        } else {
          invalid("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
        }
      }
    }
    std::set<std::tuple<int64_t, std::string, std::string>> seen;
    for (const auto& op : ops) {
      if (!op.t) not_found();
      if (!seen.insert({op.t->id, op.pk, op.sk}).second) invalid("Provided list of item keys contains duplicates");
    }
    std::map<std::string, double> units;
    storage::Transaction tx(store_.db());
    for (auto& op : ops) {
      std::optional<json> old = store_.get_item(op.t->id, op.pk, op.sk);
      size_t sz = std::max(old ? item_size(*old) : 0, op.item ? item_size(*op.item) : 0);
      units[op.t->name] += write_units(sz);
      write_item(*op.t, op.pk, op.sk, old ? &*old : nullptr, op.item);
    }
    tx.commit();
    json out = {{"UnprocessedItems", json::object()}};
    std::vector<std::pair<const TableInfo*, std::string>> writes;
    for (const auto& op : ops) writes.emplace_back(op.t, op.pk);
    collection_metrics_map(out, in, writes);
    if (wants_capacity(in)) {
      json caps = json::array();
      for (const auto& [n, u] : units) caps.push_back({{"TableName", n}, {"CapacityUnits", u}});
      out["ConsumedCapacity"] = caps;
    }
    return out;
  }

  // ------------------------------------------------------------------ transactions

  struct TxOp {
    std::string kind;  // ConditionCheck, Put, Delete, Update
    TableInfo* t = nullptr;
    std::string pk, sk;
    json* body = nullptr;
    Expressions ex;
    Condition cond;
    expr::Update update;
  };

  json transact_write_items(json& in) {
    Constraints c;
    if (!member(in, "TransactItems")) c.add(nullptr, "transactItems", "Member must not be null");
    return_capacity_constraint(c, in);
    c.enum_value(in, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics", {"SIZE", "NONE"});
    if (const json* ti = member(in, "TransactItems")) {
      if (ti->empty()) c.add(ti, "transactItems", "Member must have length greater than or equal to 1");
      if (ti->size() > 100) c.add(ti, "transactItems", "Member must have length less than or equal to 100");
    }
    c.raise();
    std::string token = str_member(in, "ClientRequestToken");
    std::string fingerprint;
    if (!token.empty()) {
      fingerprint = in["TransactItems"].dump();
      auto it = tokens_.find(token);
      if (it != tokens_.end() && env_.clock->epoch_seconds() - it->second.second < 600) {
        if (it->second.first != fingerprint)
          throw AwsError("IdempotentParameterMismatchException",
                         "Request parameters do not match the parameters of a previous request with the same client token");
        return json::object();
      }
    }
    std::vector<std::unique_ptr<TxOp>> ops;
    for (auto& item : in["TransactItems"]) {
      auto op = std::make_unique<TxOp>();
      int kinds = 0;
      for (const char* k : {"ConditionCheck", "Put", "Delete", "Update"})
        if (item.contains(k) && !item[k].is_null()) {
          op->kind = k;
          op->body = &item[k];
          ++kinds;
        }
      if (kinds != 1)
        invalid("TransactItems can only contain one of Check, Put, Update or Delete");
      json& b = *op->body;
      Constraints cc;
      cc.table_name(b);
      cc.raise();
      bool any = member(b, "ConditionExpression") || member(b, "UpdateExpression");
      prepare_attrs(b, op->ex, any, "ConditionExpression is null");
      if (op->kind == "ConditionCheck" && !member(b, "ConditionExpression"))
        invalid("1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null");
      if (op->kind == "Put") validate_item(b["Item"]);
      else validate_item(b["Key"]);
      if (op->kind == "Update") {
        if (!member(b, "UpdateExpression")) invalid("1 validation error detected: Value null at 'transactItems.1.member.update.updateExpression' failed to satisfy constraint: Member must not be null");
        op->update = expr::parse_update(b["UpdateExpression"].get<std::string>(), op->ex.ctx);
      }
      if (const json* ce = member(b, "ConditionExpression")) {
        op->cond.present = true;
        op->cond.node = expr::parse_condition(ce->get<std::string>(), "ConditionExpression", op->ex.ctx);
      }
      expr::check_unused(op->ex.ctx);
      ops.push_back(std::move(op));
    }
    std::set<std::tuple<int64_t, std::string, std::string>> seen;
    size_t tx_bytes = 0;
    for (auto& op : ops) {
      op->t = &find_table(*op->body);
      json& b = *op->body;
      auto key = op->kind == "Put" ? item_key(*op->t, b["Item"]) : key_of(*op->t, b["Key"]);
      op->pk = key.first;
      op->sk = key.second;
      if (op->kind == "Put" && item_size(b["Item"]) > kMaxItemSize) invalid("Item size has exceeded the maximum allowed size");
      tx_bytes += item_size(op->kind == "Put" ? b["Item"] : b["Key"]);
      if (op->kind == "Update")
        for (const auto& a : op->update.actions) {
          const std::string& top = a.path[0].name;
          if (top == op->t->hash.name || (op->t->range && top == op->t->range->name))
            invalid("One or more parameter values were invalid: Cannot update attribute " + top + ". This attribute is part of the key");
        }
      if (!seen.insert({op->t->id, op->pk, op->sk}).second)
        invalid("Transaction request cannot include multiple operations on one item");
    }
    if (tx_bytes > kMaxTransactionBytes) invalid("Transaction request cannot be larger than 4 MB");
    // Evaluate every condition against the current state, then compute the new images; each
    // failure becomes the operation's cancellation reason (TransactionCanceledException).
    std::vector<std::optional<json>> olds;
    std::vector<json> news(ops.size());
    json reasons = json::array();
    bool failed = false;
    for (size_t i = 0; i < ops.size(); ++i) {
      auto& op = *ops[i];
      olds.push_back(store_.get_item(op.t->id, op.pk, op.sk));
      const json* old = olds.back() ? &*olds.back() : nullptr;
      json reason = {{"Code", "None"}};
      if (op.cond.present && !expr::evaluate(op.cond.node, old ? *old : json::object())) {
        reason = {{"Code", "ConditionalCheckFailed"}, {"Message", "The conditional request failed"}};
        if (old && str_member(*op.body, "ReturnValuesOnConditionCheckFailure") == "ALL_OLD") reason["Item"] = *old;
      } else {
        try {
          if (op.kind == "Update") {
            news[i] = old ? *old : (*op.body)["Key"];
            expr::apply_update(op.update, news[i]);
            item_key(*op.t, news[i]);
            if (item_size(news[i]) > kMaxItemSize) invalid("Item size to update has exceeded the maximum allowed size");
          }
        } catch (const AwsError& e) {
          if (e.code != "ValidationException") throw;
          reason = {{"Code", "ValidationError"}, {"Message", e.message}};
        }
      }
      failed = failed || reason["Code"] != "None";
      reasons.push_back(std::move(reason));
    }
    if (failed) {
      std::string list;
      for (const auto& r : reasons) list += (list.empty() ? "" : ", ") + r["Code"].get<std::string>();
      AwsError e("TransactionCanceledException",
                 "Transaction cancelled, please refer cancellation reasons for specific reasons [" + list + "]");
      e.details = std::make_shared<const json>(json{{"CancellationReasons", std::move(reasons)}});
      throw e;
    }
    storage::Transaction tx(store_.db());
    for (size_t i = 0; i < ops.size(); ++i) {
      auto& op = *ops[i];
      const json* old = olds[i] ? &*olds[i] : nullptr;
      if (op.kind == "Put") write_item(*op.t, op.pk, op.sk, old, &(*op.body)["Item"]);
      else if (op.kind == "Delete") write_item(*op.t, op.pk, op.sk, old, nullptr);
      else if (op.kind == "Update") write_item(*op.t, op.pk, op.sk, old, &news[i]);
    }
    tx.commit();
    if (!token.empty()) tokens_[token] = {fingerprint, env_.clock->epoch_seconds()};
    json out = json::object();
    std::vector<std::pair<const TableInfo*, std::string>> writes;
    for (const auto& op : ops)
      if (op->kind != "ConditionCheck") writes.emplace_back(op->t, op->pk);
    collection_metrics_map(out, in, writes);
    if (wants_capacity(in)) {
      std::map<std::string, double> units;
      for (size_t i = 0; i < ops.size(); ++i) units[ops[i]->t->name] += 2.0 * write_units(olds[i] ? item_size(*olds[i]) : 1);
      json caps = json::array();
      for (const auto& [n, u] : units) caps.push_back({{"TableName", n}, {"CapacityUnits", u}, {"WriteCapacityUnits", u}});
      out["ConsumedCapacity"] = caps;
    }
    return out;
  }

  json transact_get_items(json& in) {
    Constraints c;
    if (!member(in, "TransactItems")) c.add(nullptr, "transactItems", "Member must not be null");
    return_capacity_constraint(c, in);
    if (const json* ti = member(in, "TransactItems")) {
      if (ti->empty()) c.add(ti, "transactItems", "Member must have length greater than or equal to 1");
      if (ti->size() > 100) c.add(ti, "transactItems", "Member must have length less than or equal to 100");
    }
    c.raise();
    json responses = json::array();
    std::set<std::tuple<int64_t, std::string, std::string>> seen;
    for (auto& item : in["TransactItems"]) {
      json& g = item["Get"];
      Expressions ex;
      prepare_attrs(g, ex, member(g, "ProjectionExpression") != nullptr, "ProjectionExpression is null");
      validate_item(g["Key"]);
      auto proj = projection_of(g, ex);
      expr::check_unused(ex.ctx);
      TableInfo& t = find_table(g);
      auto [pk, sk] = key_of(t, g["Key"]);
      if (!seen.insert({t.id, pk, sk}).second)
        invalid("Transaction request cannot include multiple operations on one item");
      auto found = store_.get_item(t.id, pk, sk);
      json r = json::object();
      if (found) r["Item"] = proj ? expr::project(*found, *proj) : std::move(*found);
      responses.push_back(std::move(r));
    }
    return {{"Responses", responses}};
  }

  // ------------------------------------------------------------------ tags, limits, TTL

  TableInfo& table_by_arn(const json& in) {
    std::string arn = str_member(in, "ResourceArn");
    if (arn.rfind("arn:", 0) != 0 || arn.find(":table/") == std::string::npos) invalid("Invalid TableArn");
    TableInfo* t = find_table_by_name(arn);
    if (!t || t->arn != arn.substr(0, t->arn.size()))
      not_found("Requested resource not found: ResourcArn: " + arn + " not found");
    return *t;
  }

  json tag_resource(json& in) {
    Constraints c;
    if (!member(in, "ResourceArn")) c.add(nullptr, "resourceArn", "Member must not be null");
    if (!member(in, "Tags")) c.add(nullptr, "tags", "Member must not be null");
    c.raise();
    TableInfo& t = table_by_arn(in);
    json tags = t.meta.value("Tags", json::array());
    for (const auto& nt : in["Tags"]) {
      bool replaced = false;
      for (auto& et : tags)
        if (et["Key"] == nt["Key"]) {
          et["Value"] = nt["Value"];
          replaced = true;
        }
      if (!replaced) tags.push_back(nt);
    }
    if (tags.size() > 50) invalid("One or more parameter values were invalid: The number of tags exceeds the limit of 50");
    t.meta["Tags"] = tags;
    store_.update_table_meta(t.id, t.meta);
    return json::object();
  }

  json untag_resource(json& in) {
    Constraints c;
    if (!member(in, "ResourceArn")) c.add(nullptr, "resourceArn", "Member must not be null");
    if (!member(in, "TagKeys")) c.add(nullptr, "tagKeys", "Member must not be null");
    c.raise();
    TableInfo& t = table_by_arn(in);
    json tags = json::array();
    std::set<std::string> drop;
    for (const auto& k : in["TagKeys"]) drop.insert(k.get<std::string>());
    for (const auto& et : t.meta.value("Tags", json::array()))
      if (!drop.count(et["Key"].get<std::string>())) tags.push_back(et);
    t.meta["Tags"] = tags;
    store_.update_table_meta(t.id, t.meta);
    return json::object();
  }

  json list_tags_of_resource(json& in) {
    Constraints c;
    if (!member(in, "ResourceArn")) c.add(nullptr, "resourceArn", "Member must not be null");
    c.raise();
    TableInfo& t = table_by_arn(in);
    return {{"Tags", t.meta.value("Tags", json::array())}};
  }

  json describe_limits(json&) {
    return {{"AccountMaxReadCapacityUnits", 80000},
            {"AccountMaxWriteCapacityUnits", 80000},
            {"TableMaxReadCapacityUnits", 40000},
            {"TableMaxWriteCapacityUnits", 40000}};
  }

  // ------------------------------------------------------------------ PartiQL (partiql.cpp)

  partiql::Backend partiql_backend() {
    return {[this](const std::string& op, json& in) { return dispatch(op, in); },
            [this](const std::string& name) -> const TableInfo* { return find_table_by_name(name); }};
  }
  json execute_statement(json& in) { return partiql::execute_statement(in, partiql_backend()); }
  json batch_execute_statement(json& in) { return partiql::batch_execute_statement(in, partiql_backend()); }
  json execute_transaction(json& in) { return partiql::execute_transaction(in, partiql_backend()); }

  json describe_endpoints(json&) {
    return {{"Endpoints", json::array({{{"Address", "dynamodb." + ctx_->region + ".amazonaws.com"},
                                         {"CachePeriodInMinutes", 1440}}})}};
  }

  json describe_time_to_live(json& in) {
    Constraints c;
    c.table_name(in);
    c.raise();
    TableInfo& t = find_table_named(in);
    json d = {{"TimeToLiveStatus", "DISABLED"}};
    if (t.meta.contains("TimeToLive") && t.meta["TimeToLive"].value("Enabled", false))
      d = {{"TimeToLiveStatus", "ENABLED"}, {"AttributeName", t.meta["TimeToLive"]["AttributeName"]}};
    return {{"TimeToLiveDescription", d}};
  }

  json update_time_to_live(json& in) {
    Constraints c;
    c.table_name(in);
    if (!member(in, "TimeToLiveSpecification")) c.add(nullptr, "timeToLiveSpecification", "Member must not be null");
    c.raise();
    TableInfo& t = find_table_named(in);
    const json& spec = in["TimeToLiveSpecification"];
    bool enable = spec.value("Enabled", false);
    bool current = t.meta.contains("TimeToLive") && t.meta["TimeToLive"].value("Enabled", false);
    std::string cur_attr = current ? t.meta["TimeToLive"].value("AttributeName", "") : "";
    if (current && spec.value("AttributeName", "") != cur_attr)
      invalid("TimeToLive is active on a different AttributeName: current AttributeName is " + cur_attr);
    if (enable && current) invalid("TimeToLive is already enabled");
    if (!enable && !current) invalid("TimeToLive is already disabled");
    t.meta["TimeToLive"] = spec;
    store_.update_table_meta(t.id, t.meta);
    return {{"TimeToLiveSpecification", spec}};
  }

  ServiceEnv env_;
  Store store_;
  std::mutex mu_;
  std::unordered_map<std::string, TableInfo> tables_;
  std::unordered_map<std::string, std::pair<std::string, int64_t>> tokens_;
  std::map<std::pair<int64_t, std::string>, int64_t> backfill_until_;  // (table, index) -> ACTIVE at
  const RequestContext* ctx_ = nullptr;
  std::unique_ptr<Features> features_;  // last: destroyed first
};

}  // namespace

std::unique_ptr<awan::Service> make_service(const ServiceEnv& env) { return std::make_unique<DynamoDbService>(env); }

}  // namespace awan::dynamodb

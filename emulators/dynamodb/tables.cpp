// DynamoDB control plane: CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable.
#include "dynamodb/service_impl.hpp"

namespace awan::dynamodb::svc {

std::string DynamoDbService::table_key(const std::string& account, const std::string& region, const std::string& name) {
  return account + '\x1f' + region + '\x1f' + name;
}

void DynamoDbService::load() {
  for (auto& t : store_.load_tables()) {
    TableInfo info = build_info(t.id, t.account, t.region, t.name, std::move(t.meta));
    tables_[table_key(t.account, t.region, t.name)] = std::move(info);
  }
}

TableInfo DynamoDbService::build_info(int64_t id, const std::string& account, const std::string& region, const std::string& name,
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
      for (const auto& k : i["KeySchema"]) {
        KeyDef kd{k["AttributeName"], types[k["AttributeName"]]};
        (k["KeyType"] == "HASH" ? ii.hash_keys : ii.range_keys).push_back(std::move(kd));
      }
      if (!ii.hash_keys.empty()) ii.hash = ii.hash_keys.front();
      if (!ii.range_keys.empty()) ii.range = ii.range_keys.front();
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

TableInfo& DynamoDbService::find_table(const json& in, const char* field) {
  std::string name = table_name_of(str_member(in, field));
  auto it = tables_.find(table_key(ctx_->account_id, ctx_->region, name));
  if (it == tables_.end()) not_found();
  return it->second;
}

TableInfo& DynamoDbService::find_table_named(const json& in) {
  std::string name = table_name_of(str_member(in, "TableName"));
  auto it = tables_.find(table_key(ctx_->account_id, ctx_->region, name));
  if (it == tables_.end()) not_found("Requested resource not found: Table: " + name + " not found");
  return it->second;
}

TableInfo* DynamoDbService::find_table_by_name(const std::string& name_or_arn) {
  auto it = tables_.find(table_key(ctx_->account_id, ctx_->region, table_name_of(name_or_arn)));
  return it == tables_.end() ? nullptr : &it->second;
}

json DynamoDbService::describe(const TableInfo& t, const std::string& status) {
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
  // Tables that are or once were on demand describe their billing mode and when it last
  // became PAY_PER_REQUEST; tables always provisioned have no BillingModeSummary.
  std::string mode = m.value("BillingMode", "PROVISIONED");
  if (m.contains("LastUpdateToPayPerRequestDateTime"))
    d["BillingModeSummary"] = {{"BillingMode", mode},
                               {"LastUpdateToPayPerRequestDateTime", m["LastUpdateToPayPerRequestDateTime"]}};
  else if (mode == "PAY_PER_REQUEST")
    d["BillingModeSummary"] = {{"BillingMode", mode}, {"LastUpdateToPayPerRequestDateTime", m["CreationDateTime"]}};
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
  if (m.contains("TableClass")) {
    d["TableClassSummary"] = {{"TableClass", m["TableClass"]}};
    if (m.contains("TableClassUpdated")) d["TableClassSummary"]["LastUpdateDateTime"] = m["TableClassUpdated"];
  }
  describe_replicas(t, d);
  if (status == "ACTIVE")
    if (GlobalGroup* g = group_of(t); g && group_busy(*g))  // a replica being created is itself CREATING
      d["TableStatus"] = g->replicas[t.region].status == "CREATING" ? "CREATING" : "UPDATING";
  d["DeletionProtectionEnabled"] = m.value("DeletionProtectionEnabled", false);
  if (m.contains("RestoreSummary")) d["RestoreSummary"] = m["RestoreSummary"];
  return d;
}

namespace {
// Capacity units are at least 1 ("provisionedThroughput.readCapacityUnits" style paths).
void throughput_constraints(Constraints& c, const json* pt, const std::string& base) {
  if (!pt || !pt->is_object()) return;
  for (auto [name, path] : {std::pair{"ReadCapacityUnits", "readCapacityUnits"}, {"WriteCapacityUnits", "writeCapacityUnits"}}) {
    const json* v = member(*pt, name);
    if (v && v->is_number() && v->get<double>() < 1)
      c.add(v, base + "provisionedThroughput." + path, "Member must have value greater than or equal to 1");
  }
}

// Key attribute names (KeySchema, AttributeDefinitions) are 1 to 255 bytes.
void key_name_constraint(Constraints& c, const json& element, const std::string& base) {
  const json* n = member(element, "AttributeName");
  if (n && n->is_string() && n->get_ref<const std::string&>().size() > 255)
    c.add(n, base + "attributeName", "Member must have length less than or equal to 255");
}

// A list of strings as the Java service prints it: [a, b].
std::string java_string_list(const json& list) {
  std::string out = "[";
  for (const auto& e : list) out.append(out.size() > 1 ? ", " : "").append(e.is_string() ? e.get<std::string>() : e.dump());
  return out + "]";
}

// The model's constraints on one index definition (CreateTable's GlobalSecondaryIndexes and
// LocalSecondaryIndexes, UpdateTable's GlobalSecondaryIndexUpdates Create): its name, key names,
// projection type, NonKeyAttributes (1 to 20) and throughput. base: "<list>.N.member." or
// "globalSecondaryIndexUpdates.N.member.create.".
void index_definition_constraints(Constraints& c, const json& x, const std::string& base) {
  for (auto [name, path] : {std::pair{"IndexName", "indexName"}, {"KeySchema", "keySchema"}, {"Projection", "projection"}})
    if (!member(x, name)) c.add(nullptr, base + path, "Member must not be null");
  if (const json* n = member(x, "IndexName"); n && n->is_string()) {
    const std::string& name = n->get_ref<const std::string&>();
    if (name.size() < 3) c.add(n, base + "indexName", "Member must have length greater than or equal to 3");
    if (name.size() > 255) c.add(n, base + "indexName", "Member must have length less than or equal to 255");
    bool pattern = !name.empty();
    for (char ch : name)
      pattern = pattern && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                            ch == '_' || ch == '.' || ch == '-');
    if (!pattern) c.add(n, base + "indexName", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  }
  if (const json* pr = member(x, "Projection"); pr && pr->is_object()) {
    const json* t = member(*pr, "ProjectionType");
    if (t && *t != "ALL" && *t != "KEYS_ONLY" && *t != "INCLUDE")
      c.add(t, base + "projection.projectionType", "Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]");
    if (const json* nk = member(*pr, "NonKeyAttributes"); nk && nk->is_array() && (nk->empty() || nk->size() > 20))
      c.add_quoted(java_string_list(*nk), base + "projection.nonKeyAttributes",
                 nk->empty() ? "Member must have length greater than or equal to 1"
                             : "Member must have length less than or equal to 20");
  }
  if (const json* ks = member(x, "KeySchema"); ks && ks->is_array()) {
    size_t k = 1;
    for (const auto& e : *ks) key_name_constraint(c, e, base + "keySchema." + std::to_string(k++) + ".member.");
  }
  throughput_constraints(c, member(x, "ProvisionedThroughput"), base);
}

void index_constraints(Constraints& c, const json* indexes, const std::string& kind) {
  if (!indexes || !indexes->is_array()) return;
  size_t i = 1;
  for (const auto& x : *indexes) {
    std::string base = kind + "." + std::to_string(i++) + ".member.";
    index_definition_constraints(c, x, base);
    // Only global secondary indexes have multi-attribute keys.
    if (const json* ks = member(x, "KeySchema"); kind == "localSecondaryIndexes" && ks && ks->is_array() && ks->size() > 2)
      c.add_quoted(java_object_list(*ks, "KeySchemaElement"), base + "keySchema",
                   "Member must have length less than or equal to 2");
  }
}

// AttributeDefinitions: names of at most 255 bytes, types S, N or B.
void attribute_definition_constraints(Constraints& c, const json* ad) {
  if (!ad || !ad->is_array()) return;
  size_t i = 1;
  for (const auto& d : *ad) {
    std::string base = "attributeDefinitions." + std::to_string(i++) + ".member.";
    key_name_constraint(c, d, base);
    const json* at = member(d, "AttributeType");
    if (at && *at != "S" && *at != "N" && *at != "B")
      c.add(at, base + "attributeType", "Member must satisfy enum value set: [B, N, S]");
  }
}

// "Schema:[SchemaElement: key{pk:S:HASH}, ...]", the form of AWS's "Attributes cannot be redefined".
std::string schema_text(const json& key_schema, const std::map<std::string, std::string>& types) {
  std::string out = "Schema:[";
  bool first = true;
  for (const auto& k : key_schema) {
    std::string n = str_member(k, "AttributeName");
    auto it = types.find(n);
    out.append(first ? "" : ", ").append("SchemaElement: key{").append(n).append(":");
    out.append(it == types.end() ? "" : it->second).append(":").append(str_member(k, "KeyType")).append("}");
    first = false;
  }
  return out + "]";
}

// The AttributeDefinitions of an UpdateTable that creates `index` (named `name`): they must be
// given, define each key attribute of the index (here or already in the table) and not redefine one
// the table's keys or indexes use with another type. The definitions the index uses join the table's;
// the others are ignored, as AWS does.
void add_index_definitions(json& meta, const json& index, const json* request_defs, const std::string& name) {
  if (!request_defs || !request_defs->is_array())
    invalid("One or more parameter values were invalid: AttributeDefinitions is not specified for index: " + name);
  std::map<std::string, std::string> given, current;
  for (const auto& d : *request_defs) {
    std::string n = str_member(d, "AttributeName");
    if (!given.emplace(n, str_member(d, "AttributeType")).second) invalid("Attribute Name is duplicated: " + n);
  }
  for (const auto& d : meta["AttributeDefinitions"]) current[str_member(d, "AttributeName")] = str_member(d, "AttributeType");
  const json& ks = index["KeySchema"];
  std::map<std::string, std::string> types = current;  // the new index's key types
  for (const auto& k : ks) {
    std::string n = str_member(k, "AttributeName");
    auto g = given.find(n);
    if (g == given.end() && !current.count(n)) {
      std::string keys, attrs;
      for (const auto& kk : ks) keys += (keys.empty() ? "" : ", ") + str_member(kk, "AttributeName");
      for (const auto& d : *request_defs) attrs += (attrs.empty() ? "" : ", ") + str_member(d, "AttributeName");
      invalid("One or more parameter values were invalid: Some index key attributes are not defined in "
              "AttributeDefinitions. Keys: [" + keys + "], AttributeDefinitions: [" + attrs + "]");
    }
    if (g != given.end()) types[n] = g->second;
  }
  // A key schema of the table already using an attribute of the new index with another type.
  std::vector<const json*> schemas{&meta["KeySchema"]};
  for (const char* kind : {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"})
    if (meta.contains(kind))
      for (const auto& i : meta[kind]) schemas.push_back(&i["KeySchema"]);
  for (const auto& k : ks) {
    std::string n = str_member(k, "AttributeName");
    auto cur = current.find(n);
    if (cur == current.end() || cur->second == types[n]) continue;
    for (const json* schema : schemas)
      for (const auto& e : *schema)
        if (str_member(e, "AttributeName") == n)
          invalid("One or more parameter values were invalid: Attributes cannot be redefined. Please check that your "
                  "attribute has the same type as previously defined. Existing schema: " + schema_text(*schema, current) +
                  " New schema: " + schema_text(ks, types));
  }
  for (const auto& k : ks) {  // the index's definitions (a stale, unused one takes the new type)
    std::string n = str_member(k, "AttributeName");
    bool found = false;
    for (auto& d : meta["AttributeDefinitions"])
      if (d["AttributeName"] == n) {
        d["AttributeType"] = types[n];
        found = true;
      }
    if (!found) meta["AttributeDefinitions"].push_back({{"AttributeName", n}, {"AttributeType", types[n]}});
  }
}
}  // namespace

// A global secondary index key schema of multi-attribute keys: up to four HASH elements, then up
// to four RANGE elements, each attribute once, with AWS's messages. (A local secondary index of
// more than two elements is refused by the KeySchema length constraint, one of two by the
// HASH-then-RANGE check.)
void DynamoDbService::check_multi_key_schema(const json& ks) {
  size_t hashes = 0, ranges = 0;
  std::set<std::string> names;
  for (const auto& k : ks) {
    std::string type = str_member(k, "KeyType");
    if (type == "HASH" && ranges > 0)
      invalid("One or more parameter values were invalid: All HASH key attributes must precede RANGE key attributes "
              "in the KeySchema");
    ++(type == "HASH" ? hashes : ranges);
    if (!names.insert(str_member(k, "AttributeName")).second)
      invalid(ks.size() == 2 ? "Both the Hash Key and the Range Key element in the KeySchema have the same name"
                             : "The KeySchema contains multiple key attributes with the same name");
  }
  for (auto [count, kind] : {std::pair{hashes, "HASH"}, {ranges, "RANGE"}})
    if (count > 4)
      invalid(std::string("One or more parameter values were invalid: The KeySchema exceeds the maximum allowed number "
                          "of ") + kind + " key attributes");
}

// An index's key schema and projection, checked as DynamoDB checks them (after the constraints).
void DynamoDbService::check_index_definition(const json& index, bool global) {
  const json* ks = member(index, "KeySchema");
  if (ks && ks->is_array() && !ks->empty()) {
    if (str_member((*ks)[0], "KeyType") != "HASH") invalid("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    if (!global && ks->size() == 2 && str_member((*ks)[1], "KeyType") != "RANGE")
      invalid("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    if (ks->size() > 1) check_multi_key_schema(*ks);
  }
  const json* pr = member(index, "Projection");
  const json* type = pr && pr->is_object() ? member(*pr, "ProjectionType") : nullptr;
  if (!type) invalid("One or more parameter values were invalid: Unknown ProjectionType: null");
  const json* non_key = member(*pr, "NonKeyAttributes");
  if (!non_key && *type == "INCLUDE")
    invalid("One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
  if (non_key && *type != "INCLUDE")
    invalid("One or more parameter values were invalid: ProjectionType is " + type->get<std::string>() +
            ", but NonKeyAttributes is specified");
  if (non_key && non_key->is_array()) {
    std::set<std::string> seen;
    for (const auto& a : *non_key)
      if (a.is_string() && !seen.insert(a.get<std::string>()).second)
        invalid("One or more parameter values were invalid: Duplicate element in NonKeyAttributes: " + a.get<std::string>());
  }
}

json DynamoDbService::create_table(json& in) {
  request::require_table_name(in);
  Constraints c;
  c.table_name(in);
  if (!member(in, "AttributeDefinitions")) c.add(nullptr, "attributeDefinitions", "Member must not be null");
  if (!member(in, "KeySchema")) c.add(nullptr, "keySchema", "Member must not be null");
  c.enum_value(in, "BillingMode", "billingMode", {"PROVISIONED", "PAY_PER_REQUEST"});
  c.enum_value(in, "TableClass", "tableClass", {"STANDARD", "STANDARD_INFREQUENT_ACCESS"});
  if (const json* ks = member(in, "KeySchema")) {
    if (ks->is_array() && (ks->empty() || ks->size() > 2))
      c.add_quoted(java_object_list(*ks, "KeySchemaElement"), "keySchema",
                 ks->empty() ? "Member must have length greater than or equal to 1"
                             : "Member must have length less than or equal to 2");
    size_t i = 1;
    for (const auto& k : *ks) {
      Constraints* cc = &c;
      std::string base = "keySchema." + std::to_string(i++) + ".member.";
      key_name_constraint(c, k, base);
      const json* kt = member(k, "KeyType");
      if (kt && *kt != "HASH" && *kt != "RANGE") cc->add(kt, base + "keyType", "Member must satisfy enum value set: [HASH, RANGE]");
    }
  }
  attribute_definition_constraints(c, member(in, "AttributeDefinitions"));
  throughput_constraints(c, member(in, "ProvisionedThroughput"), "");
  index_constraints(c, member(in, "GlobalSecondaryIndexes"), "globalSecondaryIndexes");
  index_constraints(c, member(in, "LocalSecondaryIndexes"), "localSecondaryIndexes");
  c.raise();
  const json& ks = in["KeySchema"];
  const json& ad = in["AttributeDefinitions"];
  std::map<std::string, std::string> defs;
  for (const auto& d : ad) {
    std::string n = str_member(d, "AttributeName");
    if (!defs.emplace(n, str_member(d, "AttributeType")).second) invalid("Attribute Name is duplicated: " + n);
  }
  // A two-element key with an attribute not defined (or one name twice and one definition): AWS's
  // message is then this one, before the others.
  if (ks.size() == 2) {
    std::string a = str_member(ks[0], "AttributeName"), b = str_member(ks[1], "AttributeName");
    if (!defs.count(a) || !defs.count(b) || (a == b && defs.size() == 1))
      invalid("Invalid KeySchema: Some index key attribute have no definition");
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
      check_index_definition(i, false);
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
      check_index_definition(i, true);
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

void DynamoDbService::set_stream(json& meta, const json& spec, const TableInfo* current) {
  features_->set_stream_spec(current ? current->name : std::string(), current ? &current->meta : nullptr, meta, spec);
}

json DynamoDbService::describe_table(json& in) {
  request::require_table_name(in);
  Constraints c;
  c.table_name(in);
  c.raise();
  return {{"Table", describe(find_table_named(in))}};
}

json DynamoDbService::list_tables(json& in) {
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

json DynamoDbService::delete_table(json& in) {
  request::require_table_name(in);
  Constraints c;
  c.table_name(in);
  c.raise();
  TableInfo& t = find_table_named(in);
  if (t.meta.value("DeletionProtectionEnabled", false))
    invalid("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");
  check_not_updating(t);
  json d = describe(t, "DELETING");
  leave_group(t);  // the other replicas keep serving
  buckets_.forget(t.id);
  features_->on_table_deleted(t);
  store_.delete_table(t.id);
  tables_.erase(table_key(t.account, t.region, t.name));
  return {{"TableDescription", d}};
}

// GlobalSecondaryIndexUpdates as AWS takes them: one action an entry, one entry an index, and one
// index created or deleted at a time (none while one is being built); updates of throughput may
// accompany that one.
void DynamoDbService::check_index_updates(const TableInfo& t, const json& updates) {
  if (!updates.is_array()) return;
  size_t online = 0;
  std::set<std::string> named;
  for (const auto& u : updates) {
    const json* action = nullptr;
    int actions = 0;
    for (const char* kind : {"Create", "Update", "Delete"})
      if (const json* a = member(u, kind)) {
        action = a;
        ++actions;
        if (std::string(kind) != "Update") ++online;
      }
    if (actions == 0)
      invalid("One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, "
              "GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null");
    if (actions > 1)
      invalid("One or more parameter values were invalid: Only one global secondary index action is allowed per "
              "GlobalSecondaryIndexUpdate object");
    std::string n = str_member(*action, "IndexName");
    if (!named.insert(n).second)
      invalid("One or more parameter values were invalid: Only one global secondary index update per index is allowed "
              "simultaneously. Index: " + n);
  }
  bool building = false;
  for (const auto& i : t.indexes) building = building || (i.global && backfilling(t, i.name));
  if (online > 1 || (online == 1 && building))
    throw AwsError("LimitExceededException",
                   "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");
}

json DynamoDbService::update_table(json& in) {
  request::require_table_name(in);
  Constraints c;
  c.table_name(in);
  c.enum_value(in, "BillingMode", "billingMode", {"PROVISIONED", "PAY_PER_REQUEST"});
  c.enum_value(in, "TableClass", "tableClass", {"STANDARD", "STANDARD_INFREQUENT_ACCESS"});
  throughput_constraints(c, member(in, "ProvisionedThroughput"), "");
  attribute_definition_constraints(c, member(in, "AttributeDefinitions"));
  if (const json* updates = member(in, "GlobalSecondaryIndexUpdates"); updates && updates->is_array()) {
    size_t i = 1;
    for (const auto& u : *updates) {
      if (const json* cr = member(u, "Create"))
        index_definition_constraints(c, *cr, "globalSecondaryIndexUpdates." + std::to_string(i) + ".member.create.");
      ++i;
    }
  }
  c.raise();
  TableInfo& t = find_table_named(in);
  check_not_updating(t);
  static constexpr const char* kChanges[] = {"ProvisionedThroughput", "BillingMode", "StreamSpecification",
                                             "GlobalSecondaryIndexUpdates", "SSESpecification", "ReplicaUpdates",
                                             "TableClass", "DeletionProtectionEnabled", "OnDemandThroughput",
                                             "WarmThroughput", "MultiRegionConsistency"};
  if (std::none_of(std::begin(kChanges), std::end(kChanges), [&](const char* k) { return member(in, k) != nullptr; }))
    invalid("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or "
            "SSESpecification or ReplicaUpdates is required");
  // PROVISIONED to PROVISIONED with the throughput it has.
  if (const json* pt = member(in, "ProvisionedThroughput");
      pt && pt->is_object() && t.meta.value("BillingMode", "PROVISIONED") == "PROVISIONED" &&
      str_member(in, "BillingMode", "PROVISIONED") == "PROVISIONED" && t.meta.contains("ProvisionedThroughput")) {
    const json& cur = t.meta["ProvisionedThroughput"];
    auto units = [](const json& o, const char* k) { return o.contains(k) && o[k].is_number() ? o[k].get<int64_t>() : -1; };
    int64_t cr = units(cur, "ReadCapacityUnits"), cw = units(cur, "WriteCapacityUnits");
    int64_t rr = units(*pt, "ReadCapacityUnits"), rw = units(*pt, "WriteCapacityUnits");
    if (cr == rr && cw == rw && !member(in, "GlobalSecondaryIndexUpdates"))
      invalid("The provisioned throughput for the table will not change. The requested value equals the current value. "
              "Current ReadCapacityUnits provisioned for the table: " + std::to_string(cr) +
              ". Requested ReadCapacityUnits: " + std::to_string(rr) +
              ". Current WriteCapacityUnits provisioned for the table: " + std::to_string(cw) +
              ". Requested WriteCapacityUnits: " + std::to_string(rw) +
              ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.");
  }
  if (const json* updates = member(in, "GlobalSecondaryIndexUpdates")) check_index_updates(t, *updates);
  std::vector<ReplicaAction> replica_actions;
  if (const json* ru = member(in, "ReplicaUpdates")) replica_actions = plan_replica_updates(t, *ru);
  check_billing_switch(t, in);
  json meta = t.meta;
  if (const json* b = member(in, "BillingMode")) {
    if (*b == "PAY_PER_REQUEST") {
      meta.erase("ProvisionedThroughput");
      if (meta.value("BillingMode", "PROVISIONED") != "PAY_PER_REQUEST")
        meta["LastUpdateToPayPerRequestDateTime"] = now_seconds(env_.clock);
    } else if (meta.value("BillingMode", "PROVISIONED") == "PAY_PER_REQUEST" &&
               !meta.contains("LastUpdateToPayPerRequestDateTime")) {
      meta["LastUpdateToPayPerRequestDateTime"] = meta["CreationDateTime"];
    }
    meta["BillingMode"] = *b;
  }
  if (const json* pt = member(in, "ProvisionedThroughput")) {
    if (meta.value("BillingMode", "PROVISIONED") == "PAY_PER_REQUEST")
      invalid("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    meta["ProvisionedThroughput"] = *pt;
  }
  if (const json* ss = member(in, "StreamSpecification")) {
    if (group_of(t) && ss->is_object() && !ss->value("StreamEnabled", true))
      invalid("One or more parameter values were invalid: Disabling the stream is not allowed on a Global Table "
              "replica: " + t.name);
    set_stream(meta, *ss, &t);
  }
  // A table that gets its first replica gets a stream (NEW_AND_OLD_IMAGES) when it has none; a
  // stream it already has stays as it is.
  bool creates_replica = std::any_of(replica_actions.begin(), replica_actions.end(),
                                     [](const ReplicaAction& a) { return a.kind == "Create"; });
  if (creates_replica && !(meta.contains("StreamSpecification") && meta["StreamSpecification"].value("StreamEnabled", false)))
    set_stream(meta, {{"StreamEnabled", true}, {"StreamViewType", "NEW_AND_OLD_IMAGES"}}, &t);
  if ((creates_replica || group_of(t)) && meta.value("BillingMode", "PROVISIONED") != "PAY_PER_REQUEST")
    invalid("Table write capacity should either be Pay-Per-Request or AutoScaled.");
  for (const auto& a : replica_actions)  // without auto scaling, a replica is on demand
    if (member(a.settings, "ProvisionedThroughputOverride"))
      invalid("One or more parameter values were invalid: ProvisionedThroughputOverride cannot be specified when "
              "BillingMode is PAY_PER_REQUEST");
  if (const json* dp = member(in, "DeletionProtectionEnabled")) meta["DeletionProtectionEnabled"] = *dp;
  if (const json* sse = member(in, "SSESpecification")) meta["SSESpecification"] = *sse;
  if (const json* tc = member(in, "TableClass")) {
    meta["TableClass"] = *tc;
    meta["TableClassUpdated"] = now_seconds(env_.clock);
  }
  std::vector<std::string> backfill, updated;
  json deleted = json::array();  // descriptions of deleted indexes, reported DELETING
  if (const json* updates = member(in, "GlobalSecondaryIndexUpdates")) {
    for (const auto& u : *updates) {
      if (const json* cr = member(u, "Create")) {
        std::string n = str_member(*cr, "IndexName");
        check_index_definition(*cr, true);
        if (t.find_index(n)) invalid("Attempting to create an index which already exists");
        add_index_definitions(meta, *cr, member(in, "AttributeDefinitions"), n);
        const bool provisioned = meta.value("BillingMode", "PROVISIONED") == "PROVISIONED";
        if (provisioned && !member(*cr, "ProvisionedThroughput"))
          invalid("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: " + n);
        if (!provisioned && member(*cr, "ProvisionedThroughput"))
          invalid("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be "
                  "specified for index: " + n + " when BillingMode is PAY_PER_REQUEST");
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
    for (const auto& s : store_.all_items(t.id))
      if (auto ik = index_keys(*ii, s.item)) store_.put_index_entry(t.id, n, ik->first, ik->second, s.pk, s.sk);
    start_backfill(t, n);
  }
  if (!replica_actions.empty()) apply_replica_updates(t, replica_actions);
  align_replicas(t, "UpdateTable", in);
  json d = describe(t, "UPDATING");
  mark_index_transitions(d, backfill, updated, deleted);
  return {{"TableDescription", d}};
}

}  // namespace awan::dynamodb::svc

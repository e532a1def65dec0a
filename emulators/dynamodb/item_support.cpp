// What every item write shares: key encoding and validation, the one write path,
// consumed capacity, conditions, item collection metrics and GSI backfill.
#include "dynamodb/service_impl.hpp"

namespace awan::dynamodb::svc {

std::pair<std::string, std::string> DynamoDbService::key_of(const TableInfo& t, const json& key, const char* prefix) {
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

std::pair<std::string, std::string> DynamoDbService::item_key(const TableInfo& t, const json& item) {
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
    auto check_index_key = [&](const KeyDef& kd, bool is_hash) {
      auto it = item.find(kd.name);
      if (it == item.end()) return;
      auto vt = value_type(*it);
      if (vt != kd.type)
        invalid("One or more parameter values were invalid: Type mismatch for Index Key " + kd.name + " Expected: " +
                kd.type + " Actual: " + std::string(vt) + " IndexName: " + ix.name);
      if (it->begin().value().get_ref<const std::string&>().empty())
        invalid("One or more parameter values are not valid. A value specified for a secondary index key is not supported. "
                "The AttributeValue for a key attribute cannot contain an empty " +
                std::string(kd.type == "B" ? "binary" : "string") + " value. IndexName: " + ix.name +
                ", IndexKey: " + kd.name);
      // Index keys have the table's key limits.
      size_t size = encode_key(*it).size();
      if (is_hash && size > 2048)
        invalid("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes");
      if (!is_hash && size > 1024)
        invalid("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
    };
    for (const auto& kd : ix.hash_keys) check_index_key(kd, true);
    for (const auto& kd : ix.range_keys) check_index_key(kd, false);
  }
  return {std::move(pk), std::move(sk)};
}

// An item the index cannot hold (key attribute missing, of another type, an empty string or
// binary, or beyond the key size limits: items a GSI backfill meets, since writes refuse them)
// has no entry.
std::optional<std::pair<std::string, std::string>> DynamoDbService::index_keys(const IndexInfo& ix, const json& item) {
  auto usable = [](const json& v) {
    const json& raw = v.begin().value();
    return !(raw.is_string() && raw.get_ref<const std::string&>().empty());
  };
  // One attribute: its encoding; multi-attribute keys: the tuples of their encodings.
  // Sparse: an item missing any key attribute is not in the index.
  bool tuples = ix.multi();
  auto encode = [&](const std::vector<KeyDef>& defs, size_t limit, std::string& out) {
    for (const KeyDef& kd : defs) {
      auto v = item.find(kd.name);
      if (v == item.end() || value_type(*v) != kd.type || !usable(*v)) return false;
      std::string e = encode_key(*v);
      if (e.size() > limit) return false;
      if (tuples) append_key_component(out, e);
      else out = std::move(e);
    }
    return true;
  };
  std::string ipk, isk;
  if (!encode(ix.hash_keys, 2048, ipk) || !encode(ix.range_keys, 1024, isk)) return std::nullopt;
  return std::make_pair(std::move(ipk), std::move(isk));
}

std::vector<const KeyDef*> DynamoDbService::index_key_defs(const IndexInfo& ix) {
  std::vector<const KeyDef*> out;
  for (const auto& k : ix.hash_keys) out.push_back(&k);
  for (const auto& k : ix.range_keys) out.push_back(&k);
  return out;
}

void DynamoDbService::write_item(const TableInfo& t, const std::string& pk, const std::string& sk, const json* old_item,
                                 const json* new_item, std::optional<size_t> new_size) {
  int64_t ts = 0;
  json stamped;
  if (GlobalGroup* g = group_of(t)) {
    const json* given = new_item;
    ts = replicated_write(t, *g, pk, sk, new_item, stamped);
    if (new_item != given) new_size.reset();  // stamped with the legacy replication attributes
  }
  for (const auto& ix : t.indexes) {
    auto ok = old_item ? index_keys(ix, *old_item) : std::nullopt;
    auto nk = new_item ? index_keys(ix, *new_item) : std::nullopt;
    if (ok && nk && *ok == *nk) continue;
    if (ok) store_.delete_index_entry(t.id, ix.name, ok->first, ok->second, pk, sk);
    if (nk) store_.put_index_entry(t.id, ix.name, nk->first, nk->second, pk, sk);
  }
  if (new_item)
    store_.put_item(t.id, pk, sk, *new_item, new_size ? *new_size : item_size(*new_item));
  else if (old_item)
    store_.delete_item(t.id, pk, sk);
  features_->on_write(t, pk, sk, old_item, new_item, ts, replicating_ != nullptr);  // change log (streams, PITR, replication)
}

// Write units a write costs an index, by AWS's rules: nothing when the item is in the index
// neither before nor after; one write of the entry (its projected attributes, in 1 KB units) when
// it enters or leaves the index, or stays with changed projected attributes; two (a delete and a
// put) when its index key changes.
double DynamoDbService::index_write_units(const TableInfo& t, const IndexInfo& ix, const json* old_item,
                                          const json* new_item) {
  auto before = old_item ? index_keys(ix, *old_item) : std::nullopt;
  auto after = new_item ? index_keys(ix, *new_item) : std::nullopt;
  if (!before && !after) return 0;
  auto projection = index_projection(t, ix);
  auto entry = [&](const json& item) { return projection ? expr::project(item, *projection) : item; };
  if (!before) return write_units(item_size(entry(*new_item)));
  if (!after) return write_units(item_size(entry(*old_item)));
  json old_entry = entry(*old_item), new_entry = entry(*new_item);
  if (*before != *after) return write_units(item_size(old_entry)) + write_units(item_size(new_entry));
  return old_entry == new_entry ? 0 : write_units(item_size(new_entry));
}

json DynamoDbService::capacity(const TableInfo& t, double units, const std::string& mode, bool write,
              const json* old_item, const json* new_item) {
  json c = {{"TableName", t.name}};
  double total = units;
  json gsis = json::object(), lsis = json::object();
  if (write) {
    for (const auto& ix : t.indexes) {
      double u = index_write_units(t, ix, old_item, new_item);
      if (u == 0) continue;
      (ix.global ? gsis : lsis)[ix.name] = {{"CapacityUnits", u}};
      total += u;
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

void DynamoDbService::add_capacity(json& sum, const json& c) {
  if (sum.is_null()) {
    sum = c;
    return;
  }
  auto add = [](json& into, const json& from) {
    into["CapacityUnits"] = into.value("CapacityUnits", 0.0) + from.value("CapacityUnits", 0.0);
  };
  add(sum, c);
  if (const json* tc = member(c, "Table")) add(sum["Table"], *tc);
  for (const char* k : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"})
    if (const json* m = member(c, k))
      for (auto it = m->begin(); it != m->end(); ++it) add(sum[k][it.key()], it.value());
}

void DynamoDbService::attributes_to_get_constraint(Constraints& c, const json& in) {
  const json* atg = member(in, "AttributesToGet");
  if (atg && atg->is_array() && atg->empty())
    c.add(atg, "attributesToGet", "Member must have length greater than or equal to 1");
}

void DynamoDbService::return_capacity_constraint(Constraints& c, const json& in) {
  c.enum_value(in, "ReturnConsumedCapacity", "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"});
}

bool DynamoDbService::wants_capacity(const json& in) {
  std::string m = str_member(in, "ReturnConsumedCapacity", "NONE");
  return m == "TOTAL" || m == "INDEXES";
}

Condition DynamoDbService::condition_of(json& in, Expressions& ex, const char* expected_field) {
  Condition c;
  if (const json* ce = member(in, "ConditionExpression")) {
    c.present = true;
    c.node = expr::parse_condition(ce->get<std::string>(), "ConditionExpression", ex.ctx);
    return c;
  }
  conditional_operator_needs(in, expected_field);
  if (member(in, expected_field)) {
    json& e = in[expected_field];
    if (!e.empty()) {
      c.present = true;
      c.node = legacy_condition(e, str_member(in, "ConditionalOperator", "AND"), true);
    }
  }
  return c;
}

void DynamoDbService::collection_metrics(json& out, const json& in, const TableInfo& t, const std::string& pk, const json& holder) {
  if (str_member(in, "ReturnItemCollectionMetrics") != "SIZE") return;
  if (std::none_of(t.indexes.begin(), t.indexes.end(), [](const IndexInfo& i) { return !i.global; })) return;
  auto h = holder.find(t.hash.name);
  if (h == holder.end()) return;
  out["ItemCollectionMetrics"] = item_collection_metrics(t.hash.name, *h, collection_bytes(store_.db(), t.id, pk));
}

void DynamoDbService::collection_metrics_map(json& out, const json& in, const std::vector<std::pair<const TableInfo*, std::string>>& writes) {
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

void DynamoDbService::start_backfill(const TableInfo& t, const std::string& index) {
  backfill_until_[{t.id, index}] = env_.clock->epoch_millis() + kBackfillMillis;
}

bool DynamoDbService::backfilling(const TableInfo& t, const std::string& index) {
  auto it = backfill_until_.find({t.id, index});
  if (it == backfill_until_.end()) return false;
  if (env_.clock->epoch_millis() < it->second) return true;
  backfill_until_.erase(it);
  return false;
}

void DynamoDbService::condition_failed(const json* old_item, const json& in) {
  AwsError e("ConditionalCheckFailedException", "The conditional request failed");
  if (old_item && str_member(in, "ReturnValuesOnConditionCheckFailure") == "ALL_OLD")
    e.details = std::make_shared<const json>(json{{"Item", *old_item}});
  throw e;
}

void DynamoDbService::check_write_request(const json& in, const char* body_field, const char* body_path) {
  Constraints c;
  c.table_name(in);
  if (!member(in, body_field)) c.add(nullptr, body_path, "Member must not be null");
  c.enum_value(in, "ReturnValues", "returnValues", {"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"});
  return_capacity_constraint(c, in);
  c.enum_value(in, "ReturnValuesOnConditionCheckFailure", "returnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"});
  c.enum_value(in, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics", {"SIZE", "NONE"});
  c.raise();
}

std::string DynamoDbService::prepare_conditional_write(json& in, Expressions& ex) {
  std::string rv = str_member(in, "ReturnValues", "NONE");
  if (rv != "NONE" && rv != "ALL_OLD") invalid("ReturnValues can only be ALL_OLD or NONE");
  no_mixing(in, {"Expected"}, {"ConditionExpression"});
  prepare_attrs(in, ex, member(in, "ConditionExpression") != nullptr, "ConditionExpression is null");
  return rv;
}

bool DynamoDbService::needs_old_item(const TableInfo& t, const Condition& cond, const std::string& return_values,
                                     const json& in) {
  return cond.present || return_values != "NONE" || !t.indexes.empty() || wants_capacity(in) || features_->observes(t) ||
         group_of(t);
}

std::optional<json> DynamoDbService::checked_old_item(const TableInfo& t, const std::string& pk, const std::string& sk,
                                                      const Condition& cond, const json& in) {
  std::optional<json> old = store_.get_item(t.id, pk, sk);
  if (cond.present && !expr::evaluate(cond.node, old ? *old : json::object())) condition_failed(old ? &*old : nullptr, in);
  return old;
}

}  // namespace awan::dynamodb::svc

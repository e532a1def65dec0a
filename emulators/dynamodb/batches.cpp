// DynamoDB BatchGetItem and BatchWriteItem.
#include "dynamodb/service_impl.hpp"

namespace awan::dynamodb::svc {

json DynamoDbService::batch_get_item(json& in) {
  Constraints c;
  if (!member(in, "RequestItems")) c.add(nullptr, "requestItems", "Member must not be null");
  return_capacity_constraint(c, in);
  c.raise();
  json& req = in["RequestItems"];
  // The nested members are checked as AWS does today (2026), naming RequestItems.<table>.member.X
  // without the value.
  if (req.empty()) c.add_unvalued("RequestItems", "Member must have length greater than or equal to 1");
  for (auto& [name, r] : req.items()) {
    const std::string base = "RequestItems." + name + ".member.";
    if (const json* keys = member(r, "Keys"); keys && keys->is_array() && (keys->empty() || keys->size() > 100))
      c.add_unvalued(base + "Keys", keys->empty() ? "Member must have length greater than or equal to 1"
                                                  : "Member must have length less than or equal to 100");
    if (const json* atg = member(r, "AttributesToGet"); atg && atg->is_array() && atg->empty())
      c.add_unvalued(base + "AttributesToGet", "Member must have length greater than or equal to 1");
  }
  c.raise();
  size_t total = 0;
  for (auto& [name, r] : req.items()) total += r.contains("Keys") ? r["Keys"].size() : 0;
  if (total > 100) invalid("Too many items requested for the BatchGetItem call");
  json out = {{"Responses", json::object()}, {"UnprocessedKeys", json::object()}};
  json caps = json::array();
  size_t response_bytes = 0;  // over 16 MB, the remaining keys are returned unprocessed
  // --enforce-throughput: a throttled table's keys come back unprocessed; every table
  // throttled is ProvisionedThroughputExceededException.
  size_t throttled = 0;
  for (auto it = req.begin(); it != req.end(); ++it)
    if (TableInfo* t = find_table_by_name(it.key()); t && throttle_reason(*t, nullptr, false)) ++throttled;
  for (auto it = req.begin(); it != req.end(); ++it) {
    json& r = it.value();
    Expressions ex;
    no_mixing(r, {"AttributesToGet"}, {"ProjectionExpression"});
    prepare_attrs(r, ex, member(r, "ProjectionExpression") != nullptr, "ProjectionExpression is null");
    auto proj = projection_of(r, ex);
    expr::check_unused(ex.ctx);
    TableInfo* t = find_table_by_name(it.key());
    if (!t) not_found();
    if (throttled == req.size()) admit(*t, nullptr, false);
    if (throttled && throttle_reason(*t, nullptr, false)) {
      out["UnprocessedKeys"][it.key()] = r;
      continue;
    }
    std::set<std::pair<std::string, std::string>> seen;
    json items = json::array();
    // Each key is read as a GetItem would be: its item's size rounded up to 4 KB on its own
    // (a key without an item still reads one unit), then summed per table.
    const bool consistent = member(r, "ConsistentRead") && r["ConsistentRead"].get<bool>();
    double units = 0;
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
      auto item = store_.get_item(t->id, key.first, key.second);
      units += read_units(item ? item_size(*item) : 0, consistent);
      if (item) {
        size_t sz = item_size(*item);
        if (response_bytes + sz > kBatchGetResponseLimit) {
          response_bytes = kBatchGetResponseLimit;
          json& u = out["UnprocessedKeys"][it.key()];
          u = r;
          u["Keys"] = json::array({k});
          continue;
        }
        response_bytes += sz;
        items.push_back(proj ? expr::project(*item, *proj) : std::move(*item));
      }
    }
    out["Responses"][t->name] = std::move(items);
    consume(*t, nullptr, false, units);
    if (wants_capacity(in))
      caps.push_back(capacity(*t, units, str_member(in, "ReturnConsumedCapacity")));
  }
  if (wants_capacity(in)) out["ConsumedCapacity"] = caps;
  return out;
}

namespace {

// AWS prints the offending map as Java renders it: {Table=[com.amazonaws.dynamodb.v20120810.WriteRequest@<hash>,
// ...]} (java_object_list).
std::string write_request_map_text(const json& req) {
  std::string out = "{";
  for (auto it = req.begin(); it != req.end(); ++it) {
    if (it != req.begin()) out += ", ";
    out += it.key() + "=" + java_object_list(it.value(), "WriteRequest");
  }
  return out + "}";
}

}  // namespace

json DynamoDbService::batch_write_item(json& in) {
  Constraints c;
  if (!member(in, "RequestItems")) c.add(nullptr, "requestItems", "Member must not be null");
  return_capacity_constraint(c, in);
  c.enum_value(in, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics", {"SIZE", "NONE"});
  c.raise();
  json& req = in["RequestItems"];
  size_t total = 0;
  bool bad_list = false;  // a table's list empty or over 25: the model's constraint on the map's values
  for (auto& [name, r] : req.items()) {
    total += r.size();
    bad_list = bad_list || r.empty() || r.size() > 25;
  }
  if (req.empty())
    invalid("1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
  if (bad_list)
    invalid("1 validation error detected: Value '" + write_request_map_text(req) +
            "' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]");
  if (total > 25) invalid("Too many items requested for the BatchWriteItem call");
  struct Op {
    TableInfo* t;
    std::string pk, sk;
    json* item;  // null for delete
    const json* request;
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
        ops.push_back({t, key.first, key.second, &item, &w});
      } else if (json* d = w.contains("DeleteRequest") ? &w["DeleteRequest"] : nullptr) {
        json& key = (*d)["Key"];
        validate_item(key);
        auto k = t ? key_of(*t, key) : std::pair<std::string, std::string>();
        ops.push_back({t, k.first, k.second, nullptr, &w});
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
  std::map<std::string, json> caps;
  bool want_caps = wants_capacity(in);
  std::string cap_mode = str_member(in, "ReturnConsumedCapacity");
  // --enforce-throughput: throttled requests come back in UnprocessedItems; all of them
  // throttled is ProvisionedThroughputExceededException.
  json unprocessed = json::object();
  size_t throttled = 0;
  for (const auto& op : ops)
    if (throttle_reason(*op.t, nullptr, true, op.item)) ++throttled;
  if (throttled && throttled == ops.size()) admit(*ops[0].t, nullptr, true, ops[0].item);
  storage::Transaction tx(store_.db());
  for (auto& op : ops) {
    if (throttled && throttle_reason(*op.t, nullptr, true, op.item)) {
      unprocessed[op.t->name].push_back(*op.request);
      continue;
    }
    std::optional<json> old = store_.get_item(op.t->id, op.pk, op.sk);
    size_t sz = std::max(old ? item_size(*old) : 0, op.item ? item_size(*op.item) : 0);
    if (want_caps)
      add_capacity(caps[op.t->name], capacity(*op.t, write_units(sz), cap_mode, true, old ? &*old : nullptr, op.item));
    write_item(*op.t, op.pk, op.sk, old ? &*old : nullptr, op.item);
    consume(*op.t, nullptr, true, write_units(sz), old ? &*old : nullptr, op.item);
  }
  tx.commit();
  json out = {{"UnprocessedItems", std::move(unprocessed)}};
  std::vector<std::pair<const TableInfo*, std::string>> writes;
  for (const auto& op : ops) writes.emplace_back(op.t, op.pk);
  collection_metrics_map(out, in, writes);
  if (want_caps) {
    json list = json::array();
    for (auto& [n, c] : caps) list.push_back(std::move(c));
    out["ConsumedCapacity"] = std::move(list);
  }
  return out;
}

}  // namespace awan::dynamodb::svc

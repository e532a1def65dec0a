// DynamoDB TransactWriteItems and TransactGetItems.
#include "dynamodb/service_impl.hpp"

namespace awan::dynamodb::svc {

namespace {
// TransactionCanceledException with one reason per operation ({"Code": "None"} for those that
// did not fail), the codes listed in the message as AWS lists them.
AwsError cancelled(json reasons) {
  std::string list;
  for (const auto& r : reasons) list += (list.empty() ? "" : ", ") + r["Code"].get<std::string>();
  AwsError e("TransactionCanceledException",
             "Transaction cancelled, please refer cancellation reasons for specific reasons [" + list + "]");
  e.details = std::make_shared<const json>(json{{"CancellationReasons", std::move(reasons)}});
  return e;
}

// Transactions report their units twice, as CapacityUnits and as Read/WriteCapacityUnits, in
// the table's total, its Table part and each index part.
json with_units_kind(json c, const char* kind) {
  auto mirror = [kind](json& node) { node[kind] = node["CapacityUnits"]; };
  mirror(c);
  if (c.contains("Table")) mirror(c["Table"]);
  for (const char* k : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"})
    if (c.contains(k))
      for (auto& [name, node] : c[k].items()) mirror(node);
  return c;
}
}  // namespace

json DynamoDbService::transact_write_items(json& in) {
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
  // An Update of only REMOVE / DELETE actions on an item that does not exist writes nothing (no
  // key-only item, no stream record), as UpdateItem.
  std::vector<bool> no_write(ops.size(), false);
  json reasons = json::array();
  bool failed = false;
  for (size_t i = 0; i < ops.size(); ++i) {
    auto& op = *ops[i];
    olds.push_back(store_.get_item(op.t->id, op.pk, op.sk));
    const json* old = olds.back() ? &*olds.back() : nullptr;
    json reason = {{"Code", "None"}};
    const json* put_item = op.kind == "Put" ? &(*op.body)["Item"] : nullptr;
    if (int why = throttle_reason(*op.t, nullptr, true, put_item)) {
      reason = {{"Code", "ProvisionedThroughputExceeded"}, {"Message", throughput_exceeded_message(why == 2)}};
    } else if (op.cond.present && !expr::evaluate(op.cond.node, old ? *old : json::object())) {
      reason = {{"Code", "ConditionalCheckFailed"}, {"Message", "The conditional request failed"}};
      if (old && str_member(*op.body, "ReturnValuesOnConditionCheckFailure") == "ALL_OLD") reason["Item"] = *old;
    } else {
      try {
        if (op.kind == "Update" && !old && op.update.only_removals()) {
          no_write[i] = true;
        } else if (op.kind == "Update") {
          news[i] = old ? *old : (*op.body)["Key"];
          expr::apply_update(op.update, news[i]);
          if (nesting_depth(news[i]) >= kMaxNestingDepth) invalid(std::string(kNestingTooDeep));
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
  if (failed) throw cancelled(std::move(reasons));
  storage::Transaction tx(store_.db());
  for (size_t i = 0; i < ops.size(); ++i) {
    auto& op = *ops[i];
    const json* old = olds[i] ? &*olds[i] : nullptr;
    if (op.kind == "Put") write_item(*op.t, op.pk, op.sk, old, &(*op.body)["Item"]);
    else if (op.kind == "Delete") write_item(*op.t, op.pk, op.sk, old, nullptr);
    else if (op.kind == "Update" && !no_write[i]) write_item(*op.t, op.pk, op.sk, old, &news[i]);
  }
  tx.commit();
  // A transactional write costs twice a plain one (the prepare and the commit).
  for (size_t i = 0; i < ops.size(); ++i) {
    auto& op = *ops[i];
    const json* old = olds[i] ? &*olds[i] : nullptr;
    const json* now = op.kind == "Put" ? &(*op.body)["Item"] : op.kind == "Update" && !no_write[i] ? &news[i] : nullptr;
    size_t bytes = std::max(old ? item_size(*old) : 0, now ? item_size(*now) : 0);
    bool changes = op.kind != "ConditionCheck";  // a check writes no index
    consume(*op.t, nullptr, true, 2.0 * write_units(bytes ? bytes : 1), changes ? old : nullptr, changes ? now : nullptr);
  }
  if (!token.empty()) tokens_[token] = {fingerprint, env_.clock->epoch_seconds()};
  json out = json::object();
  std::vector<std::pair<const TableInfo*, std::string>> writes;
  for (const auto& op : ops)
    if (op->kind != "ConditionCheck") writes.emplace_back(op->t, op->pk);
  collection_metrics_map(out, in, writes);
  if (wants_capacity(in)) {
    // Per table, in the order the tables are named: the transactional writes (twice the units of
    // the larger image) and, for INDEXES, the indexes the writes changed; index maintenance happens
    // after the transaction, at a plain write's cost.
    std::string mode = str_member(in, "ReturnConsumedCapacity");
    std::map<std::string, json> per_table;
    for (size_t i = 0; i < ops.size(); ++i) {
      const auto& op = *ops[i];
      const json* old = olds[i] ? &*olds[i] : nullptr;
      const json* now = op.kind == "Put" ? &(*op.body)["Item"] : op.kind == "Update" && !no_write[i] ? &news[i] : nullptr;
      size_t bytes = std::max(old ? item_size(*old) : 0, now ? item_size(*now) : 0);
      bool changes = op.kind != "ConditionCheck";
      add_capacity(per_table[op.t->name], capacity(*op.t, 2.0 * write_units(bytes ? bytes : 1), mode, changes,
                                                   changes ? old : nullptr, changes ? now : nullptr));
    }
    json caps = json::array();
    for (auto& [n, c] : per_table) caps.push_back(with_units_kind(std::move(c), "WriteCapacityUnits"));
    out["ConsumedCapacity"] = caps;
  }
  return out;
}

json DynamoDbService::transact_get_items(json& in) {
  Constraints c;
  if (!member(in, "TransactItems")) c.add(nullptr, "transactItems", "Member must not be null");
  return_capacity_constraint(c, in);
  if (const json* ti = member(in, "TransactItems")) {
    if (ti->empty()) c.add(ti, "transactItems", "Member must have length greater than or equal to 1");
    if (ti->size() > 100) c.add(ti, "transactItems", "Member must have length less than or equal to 100");
  }
  c.raise();
  json responses = json::array();
  std::string mode = str_member(in, "ReturnConsumedCapacity");
  std::map<std::string, json> per_table;
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
    if (int why = throttle_reason(t, nullptr, false)) {
      // Throttled: the transaction is cancelled with that item's reason (the others None).
      json reasons = json::array();
      for (size_t k = 0; k < in["TransactItems"].size(); ++k) reasons.push_back({{"Code", "None"}});
      reasons[responses.size()] = {{"Code", "ProvisionedThroughputExceeded"}, {"Message", throughput_exceeded_message(why == 2)}};
      throw cancelled(std::move(reasons));
    }
    auto found = store_.get_item(t.id, pk, sk);
    double units = 2.0 * read_units(found ? item_size(*found) : 1, true);
    consume(t, nullptr, false, units, nullptr, nullptr);
    if (wants_capacity(in)) add_capacity(per_table[t.name], capacity(t, units, mode, false, nullptr, nullptr));
    json r = json::object();
    if (found) r["Item"] = proj ? expr::project(*found, *proj) : std::move(*found);
    responses.push_back(std::move(r));
  }
  json out = {{"Responses", responses}};
  if (wants_capacity(in)) {
    json caps = json::array();
    for (auto& [n, c] : per_table) caps.push_back(with_units_kind(std::move(c), "ReadCapacityUnits"));
    out["ConsumedCapacity"] = caps;
  }
  return out;
}

}  // namespace awan::dynamodb::svc

// DynamoDB single-item operations: PutItem, GetItem, DeleteItem, UpdateItem.
#include "dynamodb/service_impl.hpp"

namespace awan::dynamodb::svc {

void DynamoDbService::plan_put(json& in, PutPlan& p) {
  check_write_request(in, "Item", "item");
  p.return_values = prepare_conditional_write(in, p.ex);
  json& item = in["Item"];
  validate_item(item);
  p.cond = condition_of(in, p.ex);
  expr::check_unused(p.ex.ctx);
  p.size = item_size(item);
}

json DynamoDbService::put_item(json& in) {
  PutPlan p;
  plan_put(in, p);
  return put_planned(in, p);
}

json DynamoDbService::put_planned(json& in, PutPlan& p) {
  json& item = in["Item"];
  const std::string& rv = p.return_values;
  const Condition& cond = p.cond;
  TableInfo& t = find_table(in);
  admit(t, nullptr, true, &item);
  auto [pk, sk] = item_key(t, item);
  size_t size = p.size;
  if (size > kMaxItemSize) invalid("Item size has exceeded the maximum allowed size");
  std::optional<json> old;
  if (needs_old_item(t, cond, rv, in)) {
    old = checked_old_item(t, pk, sk, cond, in);
    storage::Transaction tx(store_.db());
    write_item(t, pk, sk, old ? &*old : nullptr, &item, size);
    tx.commit();
  } else {
    // Nothing observes the old image: the write is the one INSERT, atomic on its own.
    write_item(t, pk, sk, nullptr, &item, size);
  }
  json out = json::object();
  collection_metrics(out, in, t, pk, item);
  consume(t, nullptr, true, write_units(std::max(size, old ? item_size(*old) : 0)), old ? &*old : nullptr, &item);
  if (rv == "ALL_OLD" && old) out["Attributes"] = std::move(*old);
  if (wants_capacity(in))
    out["ConsumedCapacity"] = capacity(t, write_units(std::max(size, old ? item_size(*old) : 0)),
                                       str_member(in, "ReturnConsumedCapacity"), true, old ? &*old : nullptr, &item);
  return out;
}

void DynamoDbService::plan_get(json& in, GetPlan& p) {
  Constraints c;
  c.table_name(in);
  if (!member(in, "Key")) c.add(nullptr, "key", "Member must not be null");
  attributes_to_get_constraint(c, in);
  return_capacity_constraint(c, in);
  c.raise();
  no_mixing(in, {"AttributesToGet"}, {"ProjectionExpression"});
  prepare_attrs(in, p.ex, member(in, "ProjectionExpression") != nullptr, "ProjectionExpression is null");
  validate_item(in["Key"]);
  p.projection = projection_of(in, p.ex);
  expr::check_unused(p.ex.ctx);
  p.consistent = member(in, "ConsistentRead") && in["ConsistentRead"].get<bool>();
}

json DynamoDbService::get_item(json& in) {
  GetPlan p;
  plan_get(in, p);
  std::optional<Store::RawItem> raw;
  json out = get_planned(in, p, raw);
  finish_get(out, p, raw);
  return out;
}

json DynamoDbService::get_planned(json& in, GetPlan& p, std::optional<Store::RawItem>& raw) {
  TableInfo& t = find_table(in);
  admit(t, nullptr, false);
  auto [pk, sk] = key_of(t, in["Key"]);
  raw = store_.get_item_raw(t.id, pk, sk);
  size_t size = raw ? raw->size : 0;
  consume(t, nullptr, false, read_units(size, p.consistent));
  json out = json::object();
  if (wants_capacity(in))
    out["ConsumedCapacity"] = capacity(t, read_units(size, p.consistent), str_member(in, "ReturnConsumedCapacity"));
  return out;
}

void DynamoDbService::finish_get(json& out, const GetPlan& p, std::optional<Store::RawItem>& raw) {
  if (!raw) return;
  json item = Store::decode(raw->cbor);
  out["Item"] = p.projection ? expr::project(item, *p.projection) : std::move(item);
}

json DynamoDbService::delete_item(json& in) {
  check_write_request(in, "Key", "key");
  Expressions ex;
  std::string rv = prepare_conditional_write(in, ex);
  json& key = in["Key"];
  validate_item(key);
  Condition cond = condition_of(in, ex);
  expr::check_unused(ex.ctx);
  TableInfo& t = find_table(in);
  admit(t, nullptr, true);
  auto [pk, sk] = key_of(t, key);
  std::optional<json> old = checked_old_item(t, pk, sk, cond, in);
  consume(t, nullptr, true, write_units(old ? item_size(*old) : 0), old ? &*old : nullptr, nullptr);
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

expr::Update DynamoDbService::legacy_update(json& updates) {
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

json DynamoDbService::update_item(json& in) {
  check_write_request(in, "Key", "key");
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
  admit(t, nullptr, true);
  auto [pk, sk] = key_of(t, key);
  for (const auto& a : update.actions) {
    const std::string& top = a.path[0].name;
    if (top == t.hash.name || (t.range && top == t.range->name))
      invalid("One or more parameter values were invalid: Cannot update attribute " + top + ". This attribute is part of the key");
  }
  std::optional<json> old = checked_old_item(t, pk, sk, cond, in);
  // Only REMOVE and DELETE actions on an item that does not exist: nothing is written (no item
  // holding just the key, no stream record), as in DynamoDB.
  if (!old && update.only_removals()) {
    json out = json::object();
    if (wants_capacity(in))
      out["ConsumedCapacity"] = capacity(t, write_units(item_size(key)), str_member(in, "ReturnConsumedCapacity"), true,
                                         nullptr, nullptr);
    return out;
  }
  json item = old ? *old : key;
  try {
    expr::apply_update(update, item);
  } catch (const AwsError& e) {
    // The legacy parameter words a type mismatch its own way.
    if (member(in, "AttributeUpdates") && e.message == "An operand in the update expression has an incorrect data type")
      invalid("One or more parameter values were invalid: Type mismatch for attribute to update");
    throw;
  }
  if (nesting_depth(item) >= kMaxNestingDepth) invalid(std::string(kNestingTooDeep));
  item_key(t, item);  // index key types
  size_t size = item_size(item);
  if (size > kMaxItemSize) invalid("Item size to update has exceeded the maximum allowed size");
  storage::Transaction tx(store_.db());
  write_item(t, pk, sk, old ? &*old : nullptr, &item);
  tx.commit();
  consume(t, nullptr, true, write_units(std::max(size, old ? item_size(*old) : 0)), old ? &*old : nullptr, &item);
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

}  // namespace awan::dynamodb::svc

// DynamoDB tags, limits, endpoints, TTL settings and the PartiQL backend.
#include "dynamodb/service_impl.hpp"

namespace awan::dynamodb::svc {

TableInfo& DynamoDbService::table_by_arn(const json& in) {
  std::string arn = str_member(in, "ResourceArn");
  if (arn.rfind("arn:", 0) != 0 || arn.find(":table/") == std::string::npos) invalid("Invalid TableArn");
  TableInfo* t = find_table_by_name(arn);
  if (!t || t->arn != arn.substr(0, t->arn.size()))
    not_found("Requested resource not found: ResourcArn: " + arn + " not found");
  return *t;
}

json DynamoDbService::tag_resource(json& in) {
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
  return json(json::value_t::discarded);  // AWS answers with an empty body
}

json DynamoDbService::untag_resource(json& in) {
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
  return json(json::value_t::discarded);  // AWS answers with an empty body
}

json DynamoDbService::list_tags_of_resource(json& in) {
  Constraints c;
  if (!member(in, "ResourceArn")) c.add(nullptr, "resourceArn", "Member must not be null");
  c.raise();
  // A well-formed ARN of a table that does not exist: DynamoDB answers as IAM would for a
  // resource the caller may not read, not ResourceNotFoundException.
  std::string arn = str_member(in, "ResourceArn");
  if (arn.rfind("arn:", 0) == 0 && arn.find(":table/") != std::string::npos) {
    TableInfo* t = find_table_by_name(arn);
    if (!t || t->arn != arn.substr(0, t->arn.size())) {
      std::string caller = ctx_->caller_arn.empty() ? "arn:aws:iam::" + ctx_->account_id + ":root" : ctx_->caller_arn;
      throw AwsError("AccessDeniedException",
                     "User: " + caller + " is not authorized to perform: dynamodb:ListTagsOfResource on resource: " + arn,
                     400);
    }
  }
  TableInfo& t = table_by_arn(in);
  return {{"Tags", t.meta.value("Tags", json::array())}};
}

json DynamoDbService::describe_limits(json&) {
  return {{"AccountMaxReadCapacityUnits", 80000},
          {"AccountMaxWriteCapacityUnits", 80000},
          {"TableMaxReadCapacityUnits", 40000},
          {"TableMaxWriteCapacityUnits", 40000}};
}

partiql::Backend DynamoDbService::partiql_backend() {
  return {[this](const std::string& op, json& in) { return dispatch(op, in); },
          [this](const std::string& name) -> const TableInfo* { return find_table_by_name(name); }};
}

json DynamoDbService::describe_endpoints(json&) {
  return {{"Endpoints", json::array({{{"Address", "dynamodb." + ctx_->region + ".amazonaws.com"},
                                       {"CachePeriodInMinutes", 1440}}})}};
}

json DynamoDbService::describe_time_to_live(json& in) {
  request::require_table_name(in);
  Constraints c;
  c.table_name(in);
  c.raise();
  TableInfo& t = find_table_named(in);
  json d = {{"TimeToLiveStatus", "DISABLED"}};
  if (t.meta.contains("TimeToLive") && t.meta["TimeToLive"].value("Enabled", false))
    d = {{"TimeToLiveStatus", "ENABLED"}, {"AttributeName", t.meta["TimeToLive"]["AttributeName"]}};
  return {{"TimeToLiveDescription", d}};
}

json DynamoDbService::update_time_to_live(json& in) {
  Constraints c;
  c.table_name(in);
  if (!member(in, "TimeToLiveSpecification")) c.add(nullptr, "timeToLiveSpecification", "Member must not be null");
  if (const json* spec = member(in, "TimeToLiveSpecification")) {
    const json* name = spec->is_object() ? member(*spec, "AttributeName") : nullptr;
    if (!name) {
      c.add(nullptr, "timeToLiveSpecification.attributeName", "Member must not be null");
    } else if (name->is_string() && name->get_ref<const std::string&>().empty()) {
      c.add(name, "timeToLiveSpecification.attributeName", "Member must have length greater than or equal to 1");
    }
  }
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
  align_replicas(t, "UpdateTimeToLive", in);
  return {{"TimeToLiveSpecification", spec}};
}

}  // namespace awan::dynamodb::svc

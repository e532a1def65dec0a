// State machine versions and aliases: PublishStateMachineVersion (and CreateStateMachine /
// UpdateStateMachine with publish), ListStateMachineVersions, DeleteStateMachineVersion,
// Create/Describe/Update/Delete/ListStateMachineAlias, and the resolution of a version or alias
// ARN to the machine an execution runs (an alias picks one of its versions by weight).
#include <random>

#include "stepfunctions/service_impl.hpp"

namespace awan::stepfunctions {

namespace {

constexpr size_t kMaxVersions = 1000;
constexpr size_t kMaxAliases = 100;

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// CharacterRestrictedName: letters, digits, '_', '-', '.', at least one of them not a digit.
bool valid_alias_name(const std::string& n) {
  if (n.empty() || n.size() > 80) return false;
  bool non_digit = false;
  for (char c : n) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
    if (c < '0' || c > '9') non_digit = true;
  }
  return non_digit;
}

std::string text_or(const json& in, const char* key) {
  auto it = in.find(key);
  return it != in.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

MachineRef split_machine_arn(const std::string& arn) {
  MachineRef r;
  auto p = arn.find(":stateMachine:");
  if (arn.rfind("arn:aws:states:", 0) != 0 || p == std::string::npos) return r;
  r.valid = true;
  size_t name_at = p + std::string(":stateMachine:").size();
  auto q = arn.find(':', name_at);
  if (q == std::string::npos) {
    r.base = arn;
    return r;
  }
  r.base = arn.substr(0, q);
  r.qualifier = arn.substr(q + 1);
  r.version = all_digits(r.qualifier);
  r.alias = !r.version;
  if (r.qualifier.empty() || r.qualifier.find(':') != std::string::npos) r.valid = false;
  return r;
}

json public_doc(const json& doc) {
  json out = json::object();
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it.key() != "tags" && (it.key().empty() || it.key()[0] != '_')) out[it.key()] = it.value();
  return out;
}

StepFunctionsService::Target StepFunctionsService::resolve_target(const std::string& arn) {
  MachineRef ref = split_machine_arn(arn);
  if (!ref.valid) throw errors::invalid_arn(arn);
  Target t;
  t.base_arn = ref.base;
  if (!ref.alias) {
    t.machine = find_machine(arn);
    if (!t.machine || !find_machine(ref.base)) throw errors::state_machine_does_not_exist(arn);
    if (ref.version) t.version_arn = arn;
    return t;
  }
  auto it = aliases_.find(arn);
  if (it == aliases_.end()) throw errors::resource_not_found("Resource not found: '" + arn + "'");
  const json& routes = it->second["routingConfiguration"];
  static thread_local std::mt19937 rng{std::random_device{}()};
  int roll = std::uniform_int_distribution<int>(0, 99)(rng), acc = 0;
  for (const auto& r : routes) {
    acc += r.value("weight", 0);
    t.version_arn = r["stateMachineVersionArn"];
    if (roll < acc) break;
  }
  t.alias_arn = arn;
  t.machine = find_machine(t.version_arn);
  if (!t.machine) throw errors::state_machine_does_not_exist(t.version_arn);
  return t;
}

json StepFunctionsService::publish(StateMachine& m, const std::string& description) {
  const std::string base = m.arn();
  const std::string revision = m.doc.value("revisionId", "");
  for (const auto& [arn, v] : machines_)
    if (v.doc.value("_base", "") == base && v.doc.value("revisionId", "") == revision)
      return {{"stateMachineVersionArn", arn}, {"creationDate", v.doc["creationDate"]}};
  size_t count = 0;
  for (const auto& [arn, v] : machines_) count += v.doc.value("_base", "") == base;
  if (count >= kMaxVersions)
    throw AwsError("ServiceQuotaExceededException",
                   "Cannot publish more than " + std::to_string(kMaxVersions) + " versions for the state machine", 402);
  int64_t n = m.doc.value("_next_version", 1);
  m.doc["_next_version"] = n + 1;
  store_.put("sm", base, m.doc);
  StateMachine v;
  v.definition = m.definition;
  v.doc = public_doc(m.doc);
  std::string arn = base + ":" + std::to_string(n);
  v.doc["stateMachineArn"] = arn;
  v.doc["creationDate"] = now_s();
  v.doc["_base"] = base;
  v.doc["_version"] = n;
  if (!description.empty()) v.doc["description"] = description;
  else v.doc.erase("description");
  store_.put("sm", arn, v.doc);
  json out = {{"stateMachineVersionArn", arn}, {"creationDate", v.doc["creationDate"]}};
  machines_[arn] = std::move(v);
  return out;
}

Result StepFunctionsService::publish_version(const RequestContext&, json& in) {
  const std::string& arn = required(in, "stateMachineArn");
  MachineRef ref = split_machine_arn(arn);
  if (!ref.valid || !ref.qualifier.empty()) throw errors::invalid_arn(arn);
  auto* m = find_machine(arn);
  if (!m) throw errors::state_machine_does_not_exist(arn);
  std::string description = text_or(in, "description");
  if (description.size() > 256)
    throw errors::validation("1 validation error detected: Value at 'description' failed to satisfy constraint: "
                             "Member must have length less than or equal to 256");
  if (in.contains("revisionId") && in["revisionId"].is_string()) {
    std::string want = in["revisionId"];
    std::string current = m->doc.value("revisionId", "");
    bool initial = want == "INITIAL" && m->doc.value("_initial", false);
    if (!initial && want != current)
      throw errors::conflict("Failed to publish the State Machine version for revision " + want +
                             ". The current State Machine revision is " + current + ".");
  }
  return Result::ok(publish(*m, description));
}

Result StepFunctionsService::list_versions(const RequestContext&, json& in) {
  const std::string& arn = required(in, "stateMachineArn");
  MachineRef ref = split_machine_arn(arn);
  if (!ref.valid || !ref.qualifier.empty()) throw errors::invalid_arn(arn);
  std::vector<std::pair<int64_t, json>> found;
  for (const auto& [varn, v] : machines_)
    if (v.doc.value("_base", "") == arn)
      found.emplace_back(v.doc.value("_version", 0), json{{"stateMachineVersionArn", varn}, {"creationDate", v.doc["creationDate"]}});
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });  // newest first
  std::vector<json> all;
  for (auto& f : found) all.push_back(std::move(f.second));
  return Result::ok(list_page(all, in, "stateMachineVersions"));
}

Result StepFunctionsService::delete_version(const RequestContext&, json& in) {
  const std::string& arn = required(in, "stateMachineVersionArn");
  MachineRef ref = split_machine_arn(arn);
  if (!ref.valid || !ref.version) throw errors::invalid_arn(arn);
  std::vector<std::string> referencing;
  for (const auto& [aarn, a] : aliases_)
    for (const auto& r : a["routingConfiguration"])
      if (r.value("stateMachineVersionArn", "") == arn) referencing.push_back(aarn);
  if (!referencing.empty()) {
    std::string list;
    for (const auto& a : referencing) list += (list.empty() ? "" : ", ") + a;
    throw errors::conflict("Version to be deleted must not be referenced by an alias. "
                           "Current list of aliases referencing this version: [" + list + "]");
  }
  machines_.erase(arn);
  store_.remove("sm", arn);
  return Result::ok();
}

// The routing configuration of an alias: one or two distinct, existing versions of the same
// state machine, weights 0..100 summing to 100. Returns the state machine's ARN.
std::string StepFunctionsService::check_routing(const json& routes) {
  if (!routes.is_array() || routes.empty() || routes.size() > 2)
    throw errors::validation(std::string("1 validation error detected: Value at 'routingConfiguration' failed to satisfy "
                                         "constraint: Member must have length ") +
                             (routes.is_array() && routes.size() > 2 ? "less than or equal to 2" : "greater than or equal to 1"));
  std::string base;
  int sum = 0;
  std::vector<std::string> seen;
  for (const auto& r : routes) {
    if (!r.is_object() || !r.contains("stateMachineVersionArn") || !r["stateMachineVersionArn"].is_string() ||
        !r.contains("weight") || !r["weight"].is_number_integer())
      throw errors::validation("1 validation error detected: Value null at 'routingConfiguration' failed to satisfy "
                               "constraint: Member must not be null");
    std::string varn = r["stateMachineVersionArn"];
    int64_t w = r["weight"];
    if (w < 0 || w > 100)
      throw errors::validation("1 validation error detected: Value '" + std::to_string(w) +
                               "' at 'routingConfiguration.member.weight' failed to satisfy constraint: Member must "
                               "have value " + (w < 0 ? "greater than or equal to 0" : "less than or equal to 100"));
    MachineRef ref = split_machine_arn(varn);
    if (!ref.valid || !ref.version) throw errors::invalid_arn(varn);
    if (!find_machine(varn)) throw errors::resource_not_found("Resource not found: '" + varn + "'");
    if (!base.empty() && ref.base != base)
      throw errors::validation("Routing configuration must contain state machine versions of the same state machine");
    if (std::find(seen.begin(), seen.end(), varn) != seen.end())
      throw errors::validation("Routing configuration must contain distinct state machine version ARNs");
    seen.push_back(varn);
    base = ref.base;
    sum += static_cast<int>(w);
  }
  if (sum != 100) throw errors::validation("Sum of routing configuration weights must be equal to 100");
  return base;
}

Result StepFunctionsService::create_alias(const RequestContext&, json& in) {
  const std::string& name = required(in, "name");
  if (!in.contains("routingConfiguration"))
    throw errors::validation("1 validation error detected: Value null at 'routingConfiguration' failed to satisfy "
                             "constraint: Member must not be null");
  if (!valid_alias_name(name)) throw errors::invalid_name(name);
  std::string description = text_or(in, "description");
  if (description.size() > 256)
    throw errors::validation("1 validation error detected: Value at 'description' failed to satisfy constraint: "
                             "Member must have length less than or equal to 256");
  std::string base = check_routing(in["routingConfiguration"]);
  std::string arn = base + ":" + name;
  if (auto it = aliases_.find(arn); it != aliases_.end()) {
    const json& a = it->second;
    if (a["routingConfiguration"] == in["routingConfiguration"] && a.value("description", "") == description)
      return Result::ok({{"stateMachineAliasArn", arn}, {"creationDate", a["creationDate"]}});
    throw errors::conflict("Failed to create alias because an alias with the same name and a different routing "
                           "configuration already exists.");
  }
  size_t count = 0;
  for (const auto& [aarn, a] : aliases_) count += aarn.rfind(base + ":", 0) == 0;
  if (count >= kMaxAliases)
    throw AwsError("ServiceQuotaExceededException", "Cannot create more than 100 aliases for the state machine", 402);
  double now = now_s();
  json a = {{"stateMachineAliasArn", arn}, {"name", name}, {"routingConfiguration", in["routingConfiguration"]},
            {"creationDate", now}, {"updateDate", now}};
  if (!description.empty()) a["description"] = description;
  aliases_[arn] = a;
  store_.put("alias", arn, a);
  return Result::ok({{"stateMachineAliasArn", arn}, {"creationDate", now}});
}

json* StepFunctionsService::find_alias(const std::string& arn) {
  MachineRef ref = split_machine_arn(arn);
  if (!ref.valid || !ref.alias) throw errors::invalid_arn(arn);
  auto it = aliases_.find(arn);
  if (it == aliases_.end()) throw errors::resource_not_found("Resource not found: '" + arn + "'");
  return &it->second;
}

Result StepFunctionsService::describe_alias(const RequestContext&, json& in) {
  return Result::ok(*find_alias(required(in, "stateMachineAliasArn")));
}

Result StepFunctionsService::update_alias(const RequestContext&, json& in) {
  const std::string& arn = required(in, "stateMachineAliasArn");
  json* a = find_alias(arn);
  if (!in.contains("description") && !in.contains("routingConfiguration"))
    throw errors::validation("Either the description or the RoutingConfiguration must be specified");
  if (in.contains("routingConfiguration")) {
    std::string base = check_routing(in["routingConfiguration"]);
    if (base != split_machine_arn(arn).base)
      throw errors::validation("Routing configuration must contain state machine versions of the same state machine");
    (*a)["routingConfiguration"] = in["routingConfiguration"];
  }
  if (in.contains("description")) {
    std::string d = text_or(in, "description");
    if (d.empty()) a->erase("description");
    else (*a)["description"] = d;
  }
  (*a)["updateDate"] = now_s();
  store_.put("alias", arn, *a);
  return Result::ok({{"updateDate", (*a)["updateDate"]}});
}

Result StepFunctionsService::delete_alias(const RequestContext&, json& in) {
  const std::string& arn = required(in, "stateMachineAliasArn");
  find_alias(arn);
  aliases_.erase(arn);
  store_.remove("alias", arn);
  return Result::ok();
}

Result StepFunctionsService::list_aliases(const RequestContext&, json& in) {
  const std::string& arn = required(in, "stateMachineArn");
  MachineRef ref = split_machine_arn(arn);
  if (!ref.valid || ref.alias) throw errors::invalid_arn(arn);
  if (!find_machine(ref.base)) throw errors::state_machine_does_not_exist(ref.base);
  if (ref.version && !find_machine(arn)) throw errors::resource_not_found("Resource not found: '" + arn + "'");
  std::vector<json> all;
  for (const auto& [aarn, a] : aliases_) {
    if (aarn.rfind(ref.base + ":", 0) != 0) continue;
    bool routes = !ref.version;
    for (const auto& r : a["routingConfiguration"]) routes = routes || r.value("stateMachineVersionArn", "") == arn;
    if (routes) all.push_back({{"stateMachineAliasArn", aarn}, {"creationDate", a["creationDate"]}});
  }
  return Result::ok(list_page(all, in, "stateMachineAliases"));
}

}  // namespace awan::stepfunctions

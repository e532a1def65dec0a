// State machine operations: Create/Describe/Update/Delete/List (publish: versions.cpp),
// ValidateStateMachineDefinition and tags (state machines and activities).
#include <regex>

#include "core/ids.hpp"
#include "stepfunctions/asl_parser.hpp"
#include "stepfunctions/service_impl.hpp"
#include "stepfunctions/variables.hpp"

namespace awan::stepfunctions {

namespace {

std::string ids_revision() { return ids::uuid4(); }


bool valid_name(const std::string& n) {
  if (n.empty() || n.size() > 80) return false;
  for (unsigned char c : n) {
    if (c <= 0x20 || c == 0x7f) return false;
    if (std::string_view("<>{}[]?*\"#%\\^|~`$&,;:/").find(static_cast<char>(c)) != std::string_view::npos) return false;
  }
  return true;
}

json page(const std::vector<json>& all, const json& in, const char* key) {
  size_t start = 0;
  if (in.contains("nextToken") && in["nextToken"].is_string()) {
    try {
      start = std::stoul(in["nextToken"].get<std::string>());
    } catch (...) {
      throw AwsError("InvalidToken", "Invalid Token: 'Invalid token'", 400);
    }
  }
  size_t max = in.value("maxResults", 100);
  if (max == 0 || max > 1000) max = 100;
  json out = {{key, json::array()}};
  for (size_t i = start; i < all.size() && out[key].size() < max; ++i) out[key].push_back(all[i]);
  if (start + max < all.size()) out["nextToken"] = std::to_string(start + max);
  return out;
}

// The ItemProcessor of the distributed Map whose Label (else its state name) is `label`, as its
// map run's children run it (no ProcessorConfig; the query language it inherits); null: none.
json labelled_processor(const json& machine, const std::string& label, bool jsonata, int depth = 0) {
  if (depth > 40 || !machine.is_object() || !machine.contains("States") || !machine["States"].is_object()) return nullptr;
  if (auto q = machine.find("QueryLanguage"); q != machine.end()) jsonata = *q == "JSONata";
  for (auto it = machine["States"].begin(); it != machine["States"].end(); ++it) {
    const json& st = *it;
    if (!st.is_object()) continue;
    bool ata = st.contains("QueryLanguage") ? st["QueryLanguage"] == "JSONata" : jsonata;
    std::vector<const json*> kids;
    if (auto b = st.find("Branches"); b != st.end() && b->is_array())
      for (const auto& x : *b) kids.push_back(&x);
    for (const char* f : {"ItemProcessor", "Iterator"})
      if (auto p = st.find(f); p != st.end() && p->is_object()) {
        kids.push_back(&*p);
        auto c = p->find("ProcessorConfig");
        bool distributed = c != p->end() && c->is_object() && c->value("Mode", "") == "DISTRIBUTED";
        std::string own = st.contains("Label") && st["Label"].is_string() ? st["Label"].get<std::string>() : it.key();
        if (distributed && own == label) {
          json proc = *p;
          proc.erase("ProcessorConfig");
          if (!proc.contains("QueryLanguage") && ata) proc["QueryLanguage"] = "JSONata";
          return proc;
        }
      }
    for (const json* k : kids)
      if (json found = labelled_processor(*k, label, ata, depth + 1); !found.is_null()) return found;
  }
  return nullptr;
}

}  // namespace

// versionDescription is only taken with publish = true.
std::string version_description(const json& in) {
  bool publish = in.value("publish", false);
  std::string d = in.contains("versionDescription") && in["versionDescription"].is_string() ? in["versionDescription"].get<std::string>() : "";
  if (!d.empty() && !publish) throw errors::validation("Version description can only be set when publish is true");
  if (d.size() > 256)
    throw errors::validation("1 validation error detected: Value at 'versionDescription' failed to satisfy constraint: "
                             "Member must have length less than or equal to 256");
  return d;
}

json list_page(const std::vector<json>& all, const json& in, const char* key) { return page(all, in, key); }

json encryption_configuration(const json& in) {
  auto it = in.find("encryptionConfiguration");
  if (it == in.end() || it->is_null()) return {{"type", "AWS_OWNED_KEY"}};
  const json& c = *it;
  auto invalid = [](const std::string& what) {
    return errors::validation("1 validation error detected: " + what);
  };
  if (!c.is_object()) throw invalid("Value at 'encryptionConfiguration' failed to satisfy constraint: Member must be a structure");
  if (!c.contains("type") || !c["type"].is_string())
    throw invalid("Value null at 'encryptionConfiguration.type' failed to satisfy constraint: Member must not be null");
  std::string type = c["type"];
  if (type != "AWS_OWNED_KEY" && type != "CUSTOMER_MANAGED_KMS_KEY")
    throw invalid("Value '" + type + "' at 'encryptionConfiguration.type' failed to satisfy constraint: Member must "
                  "satisfy enum value set: [AWS_OWNED_KEY, CUSTOMER_MANAGED_KMS_KEY]");
  json out = {{"type", type}};
  if (c.contains("kmsKeyId") && !c["kmsKeyId"].is_null()) {
    if (!c["kmsKeyId"].is_string()) throw invalid("Value at 'encryptionConfiguration.kmsKeyId' failed to satisfy constraint: Member must be a string");
    std::string key = c["kmsKeyId"];
    if (key.empty() || key.size() > 2048)
      throw invalid("Value '" + key + "' at 'encryptionConfiguration.kmsKeyId' failed to satisfy constraint: Member must have length " +
                    (key.empty() ? "greater than or equal to 1" : "less than or equal to 2048"));
    out["kmsKeyId"] = key;
  }
  if (c.contains("kmsDataKeyReusePeriodSeconds") && !c["kmsDataKeyReusePeriodSeconds"].is_null()) {
    const json& p = c["kmsDataKeyReusePeriodSeconds"];
    if (!p.is_number_integer()) throw invalid("Value at 'encryptionConfiguration.kmsDataKeyReusePeriodSeconds' failed to satisfy constraint: Member must be an integer");
    int64_t v = p.get<int64_t>();
    if (v < 60 || v > 900)
      throw invalid("Value '" + std::to_string(v) + "' at 'encryptionConfiguration.kmsDataKeyReusePeriodSeconds' failed to "
                    "satisfy constraint: Member must have value " + (v < 60 ? "greater than or equal to 60" : "less than or equal to 900"));
    out["kmsDataKeyReusePeriodSeconds"] = v;
  }
  if (type == "CUSTOMER_MANAGED_KMS_KEY") {
    if (!out.contains("kmsKeyId"))
      throw errors::invalid_encryption_configuration("kmsKeyId is required when the encryption type is CUSTOMER_MANAGED_KMS_KEY");
    if (!out.contains("kmsDataKeyReusePeriodSeconds")) out["kmsDataKeyReusePeriodSeconds"] = 300;
  } else if (out.contains("kmsKeyId") || out.contains("kmsDataKeyReusePeriodSeconds")) {
    throw errors::invalid_encryption_configuration(
        "kmsKeyId and kmsDataKeyReusePeriodSeconds are only allowed when the encryption type is CUSTOMER_MANAGED_KMS_KEY");
  }
  return out;
}

bool all_data(const json& in) {
  auto it = in.find("includedData");
  if (it == in.end() || it->is_null()) return true;
  std::string v = it->is_string() ? it->get<std::string>() : it->dump();
  if (v != "ALL_DATA" && v != "METADATA_ONLY")
    throw errors::validation("1 validation error detected: Value '" + v +
                             "' at 'includedData' failed to satisfy constraint: Member must satisfy enum value set: [ALL_DATA, METADATA_ONLY]");
  return v == "ALL_DATA";
}

const std::string& required(const json& in, const char* member) {
  auto it = in.find(member);
  if (it == in.end() || !it->is_string())
    throw AwsError::validation(std::string("1 validation error detected: Value null at '") + member +
                               "' failed to satisfy constraint: Member must not be null");
  return it->get_ref<const std::string&>();
}

Result StepFunctionsService::create_state_machine(const RequestContext& ctx, json& in) {
  const std::string& name = required(in, "name");
  const std::string& definition = required(in, "definition");
  std::string role = in.value("roleArn", "");
  if (role.empty()) required(in, "roleArn");
  if (!valid_name(name)) throw errors::invalid_name(name);
  std::string description = version_description(in);
  bool publish_now = in.value("publish", false);
  std::string type = in.value("type", "STANDARD");
  if (type != "STANDARD" && type != "EXPRESS")
    throw AwsError::validation("1 validation error detected: Value '" + type +
                               "' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]");
  json encryption = encryption_configuration(in);
  auto parsed = asl::parse(definition);
  if (!parsed.ok()) throw errors::invalid_definition(parsed.message());
  std::string arn = arn_prefix(ctx, "stateMachine") + name;
  if (auto* m = find_machine(arn)) {
    // As AWS documents: the same name, definition, type and logging, tracing and encryption
    // configurations are the same machine (a different roleArn or tags are ignored, not updated).
    if (m->doc["definition"] == definition && m->doc["type"] == type &&
        m->doc["loggingConfiguration"] == in.value("loggingConfiguration", json{{"level", "OFF"}, {"includeExecutionData", false}}) &&
        m->doc["tracingConfiguration"] == in.value("tracingConfiguration", json{{"enabled", false}}) &&
        m->doc.value("encryptionConfiguration", json{{"type", "AWS_OWNED_KEY"}}) == encryption) {
      json out = {{"stateMachineArn", arn}, {"creationDate", m->doc["creationDate"]}};
      if (publish_now) out["stateMachineVersionArn"] = publish(*m, description)["stateMachineVersionArn"];
      return Result::ok(out);
    }
    throw errors::state_machine_already_exists(arn);
  }
  StateMachine m;
  m.definition = std::move(parsed.document);
  m.doc = {{"stateMachineArn", arn},
           {"name", name},
           {"status", "ACTIVE"},
           {"definition", definition},
           {"roleArn", role},
           {"type", type},
           {"creationDate", now_s()},
           {"loggingConfiguration", in.value("loggingConfiguration", json{{"level", "OFF"}, {"includeExecutionData", false}})},
           {"tracingConfiguration", in.value("tracingConfiguration", json{{"enabled", false}})},
           {"encryptionConfiguration", encryption},
           {"revisionId", ids_revision()},
           {"tags", json::array()},
           {"_initial", true}};
  if (in.contains("tags") && in["tags"].is_array()) m.doc["tags"] = in["tags"];
  if (in.contains("description")) m.doc["description"] = in["description"];
  store_.put("sm", arn, m.doc);
  json out = {{"stateMachineArn", arn}, {"creationDate", m.doc["creationDate"]}};
  auto& stored = machines_[arn] = std::move(m);
  if (publish_now) out["stateMachineVersionArn"] = publish(stored, description)["stateMachineVersionArn"];
  return Result::ok(out);
}



Result StepFunctionsService::describe_state_machine(const RequestContext& ctx, json& in) {
  const std::string& arn = required(in, "stateMachineArn");
  MachineRef ref = split_machine_arn(arn);
  if (!ref.valid) throw errors::invalid_arn(arn);
  bool all = all_data(in);
  std::string described = arn;
  size_t name_at = arn.find(":stateMachine:") + 14;
  if (size_t slash = ref.base.find('/', name_at); slash != std::string::npos && !ref.alias && !ref.version) {
    // A distributed Map's `<machine>/<label>`: its ItemProcessor, as its map runs' children run it
    // (the whole definition is read: includedData does not apply, as AWS documents).
    auto* m = find_machine(ref.base.substr(0, slash));
    std::string label = ref.base.substr(slash + 1);
    json proc = m && !label.empty() ? labelled_processor(m->definition, label, false) : json();
    if (proc.is_null()) throw errors::state_machine_does_not_exist(arn);
    json out = public_doc(m->doc);
    out["stateMachineArn"] = arn;
    out["name"] = m->doc.value("name", "") + "/" + label;
    out["label"] = label;
    out["definition"] = proc.dump();
    if (!out.contains("encryptionConfiguration")) out["encryptionConfiguration"] = {{"type", "AWS_OWNED_KEY"}};
    if (json refs = variables::references(proc); !refs.empty()) out["variableReferences"] = std::move(refs);
    return Result::ok(out);
  }
  if (ref.alias) {
    // An alias describes the version it routes to (the one with the larger weight).
    auto alias = aliases_.find(arn);
    if (alias == aliases_.end() || !find_machine(ref.base)) throw errors::state_machine_does_not_exist(arn);
    int64_t best = -1;
    for (const auto& r : alias->second["routingConfiguration"])
      if (r.value("weight", 0) > best) {
        best = r.value("weight", 0);
        described = r.value("stateMachineVersionArn", "");
      }
  }
  auto* m = find_machine(described);
  if (!m) throw errors::state_machine_does_not_exist(arn);
  json out = public_doc(m->doc);
  if (!out.contains("encryptionConfiguration")) out["encryptionConfiguration"] = {{"type", "AWS_OWNED_KEY"}};
  if (!all) {
    out["definition"] = "{}";
  } else if (json refs = variables::references(m->definition); !refs.empty()) {
    out["variableReferences"] = std::move(refs);
  }
  return Result::ok(out);
}

Result StepFunctionsService::update_state_machine(const RequestContext& ctx, json& in) {
  const std::string& arn = required(in, "stateMachineArn");
  MachineRef ref = split_machine_arn(arn);
  if (!ref.valid || !ref.qualifier.empty()) throw errors::invalid_arn(arn);
  auto* m = find_machine(arn);
  if (!m) throw errors::state_machine_does_not_exist(arn);
  std::string description = version_description(in);
  bool publish_now = in.value("publish", false);
  if (!in.contains("definition") && !in.contains("roleArn") && !in.contains("loggingConfiguration") &&
      !in.contains("tracingConfiguration") && !in.contains("encryptionConfiguration"))
    throw AwsError("MissingRequiredParameter", "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified", 400);
  bool changed = false;
  json encryption = in.contains("encryptionConfiguration") ? encryption_configuration(in) : json();
  if (in.contains("definition")) {
    if (!in["definition"].is_string()) required(in, "definition");
    auto parsed = asl::parse(in["definition"].get<std::string>());
    if (!parsed.ok()) throw errors::invalid_definition(parsed.message());
    changed = changed || m->doc["definition"] != in["definition"];
    m->definition = std::move(parsed.document);
    m->doc["definition"] = in["definition"];
  }
  if (!encryption.is_null()) {
    changed = changed || m->doc.value("encryptionConfiguration", json{{"type", "AWS_OWNED_KEY"}}) != encryption;
    m->doc["encryptionConfiguration"] = std::move(encryption);
  }
  for (const char* k : {"roleArn", "loggingConfiguration", "tracingConfiguration"})
    if (in.contains(k)) {
      changed = changed || m->doc[k] != in[k];
      m->doc[k] = in[k];
    }
  // An update that changes nothing keeps the revision (publishing it again is idempotent).
  if (changed) {
    m->doc["revisionId"] = ids_revision();
    m->doc.erase("_initial");
  }
  store_.put("sm", arn, m->doc);
  json out = {{"updateDate", now_s()}, {"revisionId", m->doc["revisionId"]}};
  if (publish_now) out["stateMachineVersionArn"] = publish(*m, description)["stateMachineVersionArn"];
  return Result::ok(out);
}

Result StepFunctionsService::delete_state_machine(const RequestContext& ctx, json& in) {
  const std::string& arn = required(in, "stateMachineArn");
  MachineRef ref = split_machine_arn(arn);
  if (!ref.valid || !ref.qualifier.empty()) throw errors::invalid_arn(arn);
  // Its versions and aliases go with it.
  for (auto it = machines_.begin(); it != machines_.end();) {
    if (it->first == arn || it->second.doc.value("_base", "") == arn) {
      store_.remove("sm", it->first);
      it = machines_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = aliases_.begin(); it != aliases_.end();) {
    if (it->first.rfind(arn + ":", 0) == 0) {
      store_.remove("alias", it->first);
      it = aliases_.erase(it);
    } else {
      ++it;
    }
  }
  return Result::ok();
}

Result StepFunctionsService::list_state_machines(const RequestContext& ctx, json& in) {
  std::vector<json> all;
  std::string prefix = arn_prefix(ctx, "stateMachine");
  for (const auto& [arn, m] : machines_)
    if (arn.rfind(prefix, 0) == 0 && !m.doc.contains("_base"))
      all.push_back({{"stateMachineArn", arn}, {"name", m.doc["name"]}, {"type", m.doc["type"]},
                     {"creationDate", m.doc["creationDate"]}});
  return Result::ok(page(all, in, "stateMachines"));
}

Result StepFunctionsService::validate_definition(const RequestContext& ctx, json& in) {
  const std::string& definition = required(in, "definition");
  std::string severity = in.value("severity", "ERROR");
  if (severity != "ERROR" && severity != "WARNING")
    throw errors::validation("1 validation error detected: Value '" + severity +
                             "' at 'severity' failed to satisfy constraint: Member must satisfy enum value set: [ERROR, WARNING]");
  int64_t max = in.value("maxResults", 100);
  if (max < 0 || max > 100)
    throw errors::validation("1 validation error detected: Value '" + std::to_string(max) +
                             "' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100");
  if (max == 0) max = 100;
  auto parsed = asl::parse(definition);
  // ERRORs fail the definition; WARNINGs (severity WARNING asks for them too) do not.
  json out = {{"result", parsed.ok() ? "OK" : "FAIL"}, {"diagnostics", json::array()}, {"truncated", false}};
  auto report = [&](const std::vector<asl::Diagnostic>& list, const char* level) {
    for (const auto& d : list) {
      if (static_cast<int64_t>(out["diagnostics"].size()) >= max) {
        out["truncated"] = true;
        return;
      }
      out["diagnostics"].push_back({{"severity", level}, {"code", d.code}, {"message", d.message}, {"location", d.location}});
    }
  };
  report(parsed.diagnostics, "ERROR");
  if (severity == "WARNING") report(parsed.warnings, "WARNING");
  return Result::ok(out);
}



Result StepFunctionsService::tag_resource(const RequestContext& ctx, json& in) {
  const std::string& arn = required(in, "resourceArn");
  json* tags = nullptr;
  if (auto* m = find_machine(arn)) tags = &m->doc["tags"];
  else if (auto it = activities_.find(arn); it != activities_.end()) tags = &it->second["tags"];
  if (!tags) throw errors::resource_not_found("Resource not found: '" + arn + "'");
  if (!tags->is_array()) *tags = json::array();
  for (const auto& t : in.value("tags", json::array())) {
    bool replaced = false;
    for (auto& x : *tags)
      if (x["key"] == t["key"]) {
        x["value"] = t["value"];
        replaced = true;
      }
    if (!replaced) tags->push_back(t);
  }
  if (auto* m = find_machine(arn)) store_.put("sm", arn, m->doc);
  else store_.put("activity", arn, activities_[arn]);
  return Result::ok();
}

Result StepFunctionsService::untag_resource(const RequestContext& ctx, json& in) {
  const std::string& arn = required(in, "resourceArn");
  json* tags = nullptr;
  if (auto* m = find_machine(arn)) tags = &m->doc["tags"];
  else if (auto it = activities_.find(arn); it != activities_.end()) tags = &it->second["tags"];
  if (!tags) throw errors::resource_not_found("Resource not found: '" + arn + "'");
  json keep = json::array();
  auto keys = in.value("tagKeys", json::array());
  for (const auto& t : *tags)
    if (std::find(keys.begin(), keys.end(), t["key"]) == keys.end()) keep.push_back(t);
  *tags = keep;
  if (auto* m = find_machine(arn)) store_.put("sm", arn, m->doc);
  else store_.put("activity", arn, activities_[arn]);
  return Result::ok();
}

Result StepFunctionsService::list_tags(const RequestContext& ctx, json& in) {
  const std::string& arn = required(in, "resourceArn");
  if (auto* m = find_machine(arn)) return Result::ok({{"tags", m->doc.value("tags", json::array())}});
  if (auto it = activities_.find(arn); it != activities_.end())
    return Result::ok({{"tags", it->second.value("tags", json::array())}});
  throw errors::resource_not_found("Resource not found: '" + arn + "'");
}

}  // namespace awan::stepfunctions

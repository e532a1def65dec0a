// API keys, usage plans, usage plan keys and usage (rest_impl.hpp). Request counts are kept by
// the data plane (rest_invoke.cpp) per plan, key and day.
#include "apigateway/rest_impl.hpp"
#include "core/ids.hpp"

namespace awan::apigateway {

using namespace rest_errors;

namespace {

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::optional<int64_t> parse_day(const std::string& s) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
    return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

bool plan_patch(json& doc, const std::string& op, const std::string& path, const json& value) {
  if (path != "/apiStages" && path.rfind("/apiStages/", 0) != 0) return false;
  json& stages = doc["apiStages"];
  if (!stages.is_array()) stages = json::array();
  if (path != "/apiStages") throw bad_request("Invalid patch path " + path);
  std::string v = value.is_string() ? value.get<std::string>() : "";
  auto colon = v.find(':');
  if (colon == std::string::npos) throw bad_request("Invalid API Stage specified: " + v + " (expected apiId:stageName)");
  json entry = {{"apiId", v.substr(0, colon)}, {"stage", v.substr(colon + 1)}};
  auto pos = std::find_if(stages.begin(), stages.end(), [&](const json& s) {
    return s.value("apiId", "") == entry["apiId"] && s.value("stage", "") == entry["stage"];
  });
  if (op == "add") {
    if (pos == stages.end()) stages.push_back(entry);
  } else if (op == "remove") {
    if (pos != stages.end()) stages.erase(pos);
  } else {
    throw bad_request("Invalid patch operation specified for /apiStages: " + op);
  }
  return true;
}

bool key_patch(json& doc, const std::string& op, const std::string& path, const json& value) {
  if (path != "/stages") return false;
  json& keys = doc["stageKeys"];
  if (!keys.is_array()) keys = json::array();
  std::string v = value.is_string() ? value.get<std::string>() : "";
  auto pos = std::find(keys.begin(), keys.end(), v);
  if (op == "add" && pos == keys.end()) keys.push_back(v);
  if (op == "remove" && pos != keys.end()) keys.erase(pos);
  return true;
}

void validate_plan(const json& plan, const std::map<std::string, json>& apis, const std::string& scope) {
  if (plan.value("name", "").empty()) throw bad_request("Usage plan name must be non-empty");
  if (auto q = plan.find("quota"); q != plan.end() && q->is_object() && !q->empty()) {
    std::string period = q->value("period", "");
    if (period != "DAY" && period != "WEEK" && period != "MONTH")
      throw bad_request("Invalid quota period specified. Valid options are DAY,WEEK,MONTH");
    if (q->value("limit", 0) <= 0) throw bad_request("Quota limit should be greater than 0");
  }
  if (auto t = plan.find("throttle"); t != plan.end() && t->is_object()) {
    if (t->value("rateLimit", 0.0) < 0 || t->value("burstLimit", 0) < 0)
      throw bad_request("Throttle limits must be non-negative");
  }
  if (auto s = plan.find("apiStages"); s != plan.end() && s->is_array())
    for (auto& st : *s) {
      auto a = apis.find(st.value("apiId", ""));
      if (a == apis.end() || a->second.value("scope", "") != scope)
        throw not_found("Invalid API identifier specified " + st.value("apiId", ""));
      if (!a->second["stages"].contains(st.value("stage", "")))
        throw not_found("Invalid stage identifier specified");
    }
}

}  // namespace

json& RestService::key_of(const std::string& id) {
  auto it = keys_.find(id);
  if (it == keys_.end() || it->second.value("scope", "") != scope()) throw not_found("Invalid API Key identifier specified");
  return it->second;
}

json& RestService::plan_of(const std::string& id) {
  auto it = plans_.find(id);
  if (it == plans_.end() || it->second.value("scope", "") != scope()) throw not_found("Invalid Usage Plan ID specified");
  return it->second;
}

json RestService::key_output(const json& key, bool include_value) const {
  json k = key["key"];
  if (!include_value) k.erase("value");
  return k;
}

json RestService::create_api_key(json& in) {
  std::string value = str(in, "value");
  if (in.contains("value") && value.size() < 20) throw bad_request("API Key value should be at least 20 characters");
  if (value.empty()) value = ids::random_string(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
  std::string sc = scope();
  for (auto& [id, k] : keys_)
    if (k.value("scope", "") == sc && k["key"].value("value", "") == value) throw conflict("API Key already exists");
  std::string id;
  do id = new_id(10);
  while (keys_.count(id));
  json key = {{"id", id}, {"value", value}, {"enabled", in.value("enabled", false)}, {"createdDate", now_s()},
              {"lastUpdatedDate", now_s()}, {"stageKeys", json::array()}, {"tags", in.value("tags", json::object())}};
  key["name"] = str(in, "name", id);
  for (const char* f : {"description", "customerId"})
    if (in.contains(f)) key[f] = in[f];
  if (auto s = in.find("stageKeys"); s != in.end() && s->is_array())
    for (auto& sk : *s) key["stageKeys"].push_back(sk.value("restApiId", "") + "/" + sk.value("stageName", ""));
  keys_[id] = {{"scope", sc}, {"key", key}};
  save_key(id);
  return key;
}

json RestService::get_api_key(json& in) { return key_output(key_of(str(in, "apiKey")), in.value("includeValue", false)); }

json RestService::get_api_keys(json& in) {
  json items = json::array();
  std::string sc = scope(), name = str(in, "nameQuery"), customer = str(in, "customerId");
  bool values = in.value("includeValues", false);
  for (auto& [id, k] : keys_) {
    if (k.value("scope", "") != sc) continue;
    if (!name.empty() && k["key"].value("name", "").rfind(name, 0) != 0) continue;
    if (!customer.empty() && k["key"].value("customerId", "") != customer) continue;
    items.push_back(key_output(k, values));
  }
  return page(items, in);
}

json RestService::update_api_key(json& in) {
  std::string id = str(in, "apiKey");
  json& k = key_of(id);
  json updated = k["key"];
  apply_patch(updated, in.value("patchOperations", json::array()), key_patch);
  updated["id"] = id;
  updated["value"] = k["key"]["value"];
  updated["lastUpdatedDate"] = now_s();
  k["key"] = updated;
  save_key(id);
  return key_output(k, false);
}

json RestService::delete_api_key(json& in) {
  std::string id = str(in, "apiKey");
  key_of(id);
  keys_.erase(id);
  store_.erase("apikey", id);
  for (auto& [pid, plan] : plans_) {
    json& keys = plan["keys"];
    auto pos = std::find(keys.begin(), keys.end(), id);
    if (pos != keys.end()) {
      keys.erase(pos);
      save_plan(pid);
    }
  }
  return json::object();
}

json RestService::create_usage_plan(json& in) {
  json plan = {{"name", str(in, "name")}, {"apiStages", in.value("apiStages", json::array())},
               {"tags", in.value("tags", json::object())}};
  for (const char* f : {"description", "throttle", "quota"})
    if (in.contains(f)) plan[f] = in[f];
  validate_plan(plan, apis_, scope());
  std::string id;
  do id = new_id(6);
  while (plans_.count(id));
  plan["id"] = id;
  plans_[id] = {{"scope", scope()}, {"plan", plan}, {"keys", json::array()}};
  save_plan(id);
  return plan;
}

json RestService::get_usage_plan(json& in) { return plan_of(str(in, "usagePlanId"))["plan"]; }

json RestService::get_usage_plans(json& in) {
  json items = json::array();
  std::string sc = scope(), key = str(in, "keyId");
  for (auto& [id, p] : plans_) {
    if (p.value("scope", "") != sc) continue;
    if (!key.empty() && std::find(p["keys"].begin(), p["keys"].end(), key) == p["keys"].end()) continue;
    items.push_back(p["plan"]);
  }
  return page(items, in);
}

json RestService::update_usage_plan(json& in) {
  std::string id = str(in, "usagePlanId");
  json& p = plan_of(id);
  json updated = p["plan"];
  apply_patch(updated, in.value("patchOperations", json::array()), plan_patch);
  updated["id"] = id;
  validate_plan(updated, apis_, scope());
  p["plan"] = updated;
  for (auto it = buckets_.begin(); it != buckets_.end();)
    it = it->first.rfind("plan/" + id + "/", 0) == 0 ? buckets_.erase(it) : std::next(it);
  save_plan(id);
  return updated;
}

json RestService::delete_usage_plan(json& in) {
  std::string id = str(in, "usagePlanId");
  plan_of(id);
  plans_.erase(id);
  store_.erase("usageplan", id);
  return json::object();
}

json RestService::create_usage_plan_key(json& in) {
  std::string id = str(in, "usagePlanId");
  json& p = plan_of(id);
  std::string type = str(in, "keyType");
  if (type != "API_KEY") throw bad_request("Invalid key type specified: " + type + ". Valid options are API_KEY");
  std::string key_id = str(in, "keyId");
  json& k = key_of(key_id);
  json& keys = p["keys"];
  if (std::find(keys.begin(), keys.end(), key_id) != keys.end()) throw conflict("Usage Plan already contains specified key");
  keys.push_back(key_id);
  save_plan(id);
  return {{"id", key_id}, {"type", "API_KEY"}, {"value", k["key"]["value"]}, {"name", k["key"].value("name", "")}};
}

json RestService::get_usage_plan_key(json& in) {
  json& p = plan_of(str(in, "usagePlanId"));
  std::string key_id = str(in, "keyId");
  json& keys = p["keys"];
  if (std::find(keys.begin(), keys.end(), key_id) == keys.end()) throw not_found("Invalid Usage Plan Key identifier specified");
  json& k = key_of(key_id);
  return {{"id", key_id}, {"type", "API_KEY"}, {"value", k["key"]["value"]}, {"name", k["key"].value("name", "")}};
}

json RestService::get_usage_plan_keys(json& in) {
  json& p = plan_of(str(in, "usagePlanId"));
  std::string name = str(in, "nameQuery");
  json items = json::array();
  for (auto& kid : p["keys"]) {
    auto it = keys_.find(kid.get<std::string>());
    if (it == keys_.end()) continue;
    const json& k = it->second["key"];
    if (!name.empty() && k.value("name", "").rfind(name, 0) != 0) continue;
    items.push_back({{"id", kid}, {"type", "API_KEY"}, {"value", k["value"]}, {"name", k.value("name", "")}});
  }
  return page(items, in);
}

json RestService::delete_usage_plan_key(json& in) {
  std::string id = str(in, "usagePlanId");
  json& p = plan_of(id);
  std::string key_id = str(in, "keyId");
  json& keys = p["keys"];
  auto pos = std::find(keys.begin(), keys.end(), key_id);
  if (pos == keys.end()) throw not_found("Invalid Usage Plan Key identifier specified");
  keys.erase(pos);
  save_plan(id);
  return json::object();
}

json RestService::get_usage(json& in) {
  std::string id = str(in, "usagePlanId");
  json& p = plan_of(id);
  std::string start_s = str(in, "startDate"), end_s = str(in, "endDate");
  auto start = parse_day(start_s), end = parse_day(end_s);
  if (!start) throw bad_request("Invalid startDate specified: " + start_s + " (expected yyyy-MM-dd)");
  if (!end) throw bad_request("Invalid endDate specified: " + end_s + " (expected yyyy-MM-dd)");
  if (*end < *start) throw bad_request("The end date must be after the start date");
  if (*end - *start > 90) throw bad_request("The usage data period cannot exceed 90 days");
  std::string only = str(in, "keyId");
  int64_t limit = p["plan"].contains("quota") ? p["plan"]["quota"].value("limit", int64_t{0}) : 0;
  json items = json::object();
  for (auto& kid : p["keys"]) {
    std::string key = kid;
    if (!only.empty() && key != only) continue;
    auto u = usage_.find(id + "/" + key);
    json days = json::array();
    for (int64_t d = *start; d <= *end; ++d) {
      int64_t used = 0;
      if (u != usage_.end())
        if (auto x = u->second.find(d); x != u->second.end()) used = x->second;
      days.push_back({used, limit > 0 ? std::max<int64_t>(0, limit - used) : 0});
    }
    items[key] = days;
  }
  return {{"usagePlanId", id}, {"startDate", start_s}, {"endDate", end_s}, {"items", items}};
}

}  // namespace awan::apigateway

// Models (JSON Schema draft 4 documents by content type, json_schema.hpp), GetModelTemplate,
// request validators, and the checks of the methods that name them (rest_impl.hpp). The data
// plane applies them in rest_validation.cpp.
#include <set>

#include "apigateway/json_schema.hpp"
#include "apigateway/rest_impl.hpp"

namespace awan::apigateway {

using namespace rest_errors;

namespace {

bool alphanumeric(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return true;
}

json& models_of(json& api) {
  json& m = api["models"];
  if (!m.is_object()) m = json::object();
  return m;
}

json& validators_of(json& api) {
  json& v = api["requestValidators"];
  if (!v.is_object()) v = json::object();
  return v;
}

// The parsed schemas of the API's models by name (for $ref).
ModelLookup lookup_in(const json& models, std::map<std::string, json>& parsed) {
  return [&models, &parsed](const std::string& name) -> const json* {
    auto it = parsed.find(name);
    if (it != parsed.end()) return &it->second;
    auto m = models.find(name);
    if (m == models.end() || !m->contains("schema")) return nullptr;
    json s = json::parse((*m)["schema"].get<std::string>(), nullptr, false);
    if (s.is_discarded()) return nullptr;
    return &parsed.emplace(name, std::move(s)).first->second;
  };
}

void check_schema(const json& models, const std::string& text) {
  json schema = json::parse(text, nullptr, false);
  std::string problem = schema.is_discarded() ? "the schema is not JSON" : "";
  std::map<std::string, json> parsed;
  if (problem.empty()) problem = schema_problem(schema, lookup_in(models, parsed));
  if (!problem.empty())
    throw bad_request("Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified: " +
                      problem + "]");
}

// ---- GetModelTemplate: a mapping template that copies the model's shape from $input ----

struct TemplateWriter {
  const ModelLookup& models;
  const json& root;
  std::string out;

  const json& resolved(const json& s, int& depth) {
    const json* cur = &s;
    while (depth < 16 && cur->is_object() && cur->contains("$ref") && (*cur)["$ref"].is_string()) {
      ++depth;
      std::string ref = (*cur)["$ref"];
      std::string model = model_of_ref(ref);
      const json* next = nullptr;
      if (!model.empty() && model.find('#') == std::string::npos) next = models(model);
      else if (ref.rfind("#/", 0) == 0) {
        try {
          json::json_pointer p(ref.substr(1));
          if (root.contains(p)) next = &root.at(p);
        } catch (const json::exception&) {
        }
      }
      if (!next) break;
      cur = next;
    }
    return *cur;
  }

  static std::string kind(const json& s) {
    if (!s.is_object()) return "string";
    auto t = s.find("type");
    if (t == s.end()) return s.contains("properties") ? "object" : "string";
    if (t->is_array()) return t->empty() || !(*t)[0].is_string() ? "string" : (*t)[0].get<std::string>();
    return t->is_string() ? t->get<std::string>() : "string";
  }

  void value(const json& schema, const std::string& ref, const std::string& indent, int depth) {
    const json& s = resolved(schema, depth);
    std::string k = kind(s);
    if (depth > 8) k = "string";
    if (k == "object" && s.contains("properties") && s["properties"].is_object()) {
      out += "{\n";
      size_t n = 0, total = s["properties"].size();
      for (auto& [name, sub] : s["properties"].items()) {
        out += indent + "  " + json(name).dump() + " : ";
        value(sub, ref + "." + name, indent + "  ", depth + 1);
        out += ++n < total ? ",\n" : "\n";
      }
      out += indent + "}";
    } else if (k == "array") {
      std::string elem = "$elem" + std::to_string(depth);
      out += "[\n#foreach(" + elem + " in " + ref + ")\n" + indent + "  ";
      value(s.value("items", json::object()), elem, indent + "  ", depth + 1);
      out += "#if($foreach.hasNext),#end\n#end\n" + indent + "]";
    } else if (k == "number" || k == "integer" || k == "boolean") {
      out += ref;
    } else {
      out += "\"" + ref + "\"";
    }
  }
};

}  // namespace

json RestService::create_model(json& in) {
  json& api = api_doc(in);
  std::string name = str(in, "name"), content_type = str(in, "contentType");
  if (name.empty()) throw bad_request("Model name must be non-empty");
  if (!alphanumeric(name)) throw bad_request("Model name must be alphanumeric");
  if (content_type.empty()) throw bad_request("Content type must be non-empty");
  json& models = models_of(api);
  if (models.contains(name)) throw conflict("Model name already exists for this REST API");
  json m = {{"name", name}, {"contentType", content_type}};
  if (in.contains("description") && !in["description"].is_null()) m["description"] = in["description"];
  if (auto s = in.find("schema"); s != in.end() && s->is_string() && !s->get_ref<const std::string&>().empty()) {
    check_schema(models, *s);
    m["schema"] = *s;
  }
  std::string id;
  std::set<std::string> taken;
  for (auto& [n, x] : models.items()) taken.insert(x.value("id", ""));
  do id = new_id(6);
  while (taken.count(id));
  m["id"] = id;
  models[name] = m;
  save_api(api["api"]["id"]);
  return m;
}

json RestService::get_model(json& in) {
  json& api = api_doc(in);
  json& models = models_of(api);
  auto it = models.find(str(in, "modelName"));
  if (it == models.end()) throw not_found("Invalid model name specified: " + str(in, "modelName"));
  return *it;
}

json RestService::get_models(json& in) {
  json& api = api_doc(in);
  json items = json::array();
  for (auto& [name, m] : models_of(api).items()) items.push_back(m);
  return page(items, in, "name");
}

json RestService::update_model(json& in) {
  json& api = api_doc(in);
  get_model(in);
  json& m = models_of(api)[str(in, "modelName")];
  json updated = m;
  for (auto& p : in.value("patchOperations", json::array())) {
    std::string path = p.is_object() ? p.value("path", "") : "";
    if (path != "/schema" && path != "/description") throw bad_request("Invalid patch path " + path);
  }
  apply_patch(updated, in.value("patchOperations", json::array()));
  if (updated.contains("schema")) {
    if (!updated["schema"].is_string()) throw bad_request("Invalid model schema specified");
    check_schema(models_of(api), updated["schema"]);
  }
  m = updated;
  save_api(api["api"]["id"]);
  return m;
}

json RestService::delete_model(json& in) {
  json& api = api_doc(in);
  json model = get_model(in);
  std::string name = model["name"];
  for (auto& [rid, r] : api["resources"].items())
    for (auto& [verb, m] : r["resourceMethods"].items()) {
      const json request_models = m.value("requestModels", json::object());
      for (auto& [type, used] : request_models.items())
        if (used == name)
          throw conflict("Cannot delete model '" + name + "', is referenced in method request: " +
                         r["path"].get<std::string>() + "/" + verb);
      const json responses = m.value("methodResponses", json::object());
      for (auto& [code, resp] : responses.items()) {
        const json response_models = resp.value("responseModels", json::object());
        for (auto& [type, used] : response_models.items())
          if (used == name)
            throw conflict("Cannot delete model '" + name + "', is referenced in method response: " +
                           r["path"].get<std::string>() + "/" + verb + "/" + code);
      }
    }
  for (auto& [other, m] : models_of(api).items()) {
    if (other == name || !m.contains("schema")) continue;
    if (m["schema"].get<std::string>().find("/models/" + name + "\"") != std::string::npos)
      throw conflict("Cannot delete model '" + name + "', is referenced in model: " + other);
  }
  models_of(api).erase(name);
  save_api(api["api"]["id"]);
  return json::object();
}

json RestService::get_model_template(json& in) {
  json& api = api_doc(in);
  json model = get_model(in);
  json schema = json::parse(model.value("schema", "{}"), nullptr, false);
  if (!schema.is_object()) throw bad_request("Model has no valid schema");
  std::map<std::string, json> parsed;
  ModelLookup models = lookup_in(models_of(api), parsed);
  TemplateWriter w{models, schema, "#set($inputRoot = $input.path('$'))\n"};
  w.value(schema, "$inputRoot", "", 0);
  return {{"value", w.out}};
}

// ---- request validators ----

json RestService::create_request_validator(json& in) {
  json& api = api_doc(in);
  json& validators = validators_of(api);
  json v = {{"validateRequestBody", in.value("validateRequestBody", false)},
            {"validateRequestParameters", in.value("validateRequestParameters", false)}};
  if (in.contains("name") && in["name"].is_string()) v["name"] = in["name"];
  if (!v["validateRequestBody"].is_boolean() || !v["validateRequestParameters"].is_boolean())
    throw bad_request("Invalid request validator specified");
  std::string id;
  do id = new_id(6);
  while (validators.contains(id));
  v["id"] = id;
  validators[id] = v;
  save_api(api["api"]["id"]);
  return v;
}

json RestService::get_request_validator(json& in) {
  json& api = api_doc(in);
  json& validators = validators_of(api);
  auto it = validators.find(str(in, "requestValidatorId"));
  if (it == validators.end()) throw not_found("Invalid Request Validator identifier specified");
  return *it;
}

json RestService::get_request_validators(json& in) {
  json& api = api_doc(in);
  json items = json::array();
  for (auto& [id, v] : validators_of(api).items()) items.push_back(v);
  return page(items, in);
}

json RestService::update_request_validator(json& in) {
  json& api = api_doc(in);
  get_request_validator(in);
  json& v = validators_of(api)[str(in, "requestValidatorId")];
  json updated = v;
  for (auto& p : in.value("patchOperations", json::array())) {
    std::string path = p.is_object() ? p.value("path", "") : "";
    if (path != "/name" && path != "/validateRequestBody" && path != "/validateRequestParameters")
      throw bad_request("Invalid patch path " + path);
  }
  apply_patch(updated, in.value("patchOperations", json::array()));
  updated["id"] = v["id"];
  for (const char* f : {"validateRequestBody", "validateRequestParameters"})
    if (!updated.value(f, json(false)).is_boolean()) throw bad_request(std::string("Invalid value for ") + f);
  v = updated;
  save_api(api["api"]["id"]);
  return v;
}

json RestService::delete_request_validator(json& in) {
  json& api = api_doc(in);
  get_request_validator(in);
  std::string id = str(in, "requestValidatorId");
  for (auto& [rid, r] : api["resources"].items())
    for (auto& [verb, m] : r["resourceMethods"].items())
      if (m.value("requestValidatorId", "") == id)
        throw conflict("Cannot delete request validator, is referenced in method: " + verb + " " + r["path"].get<std::string>());
  validators_of(api).erase(id);
  save_api(api["api"]["id"]);
  return json::object();
}

void RestService::check_method_references(const json& api, const json& method) {
  if (auto v = method.find("requestValidatorId"); v != method.end() && !v->is_null()) {
    auto validators = api.find("requestValidators");
    if (!v->is_string() || validators == api.end() || !validators->contains(v->get<std::string>()))
      throw bad_request("Invalid Request Validator identifier specified");
  }
  if (auto m = method.find("requestModels"); m != method.end() && m->is_object()) {
    auto models = api.find("models");
    for (auto& [type, name] : m->items())
      if (!name.is_string() || models == api.end() || !models->contains(name.get<std::string>()))
        throw bad_request("Invalid model identifier specified: " + (name.is_string() ? name.get<std::string>() : name.dump()));
  }
}

}  // namespace awan::apigateway

// State input/output processing (see paths.hpp).
#include "stepfunctions/paths.hpp"

#include "stepfunctions/errors.hpp"
#include "stepfunctions/intrinsics.hpp"
#include "stepfunctions/jsonpath.hpp"

namespace awan::stepfunctions::paths {

using json = nlohmann::json;

std::optional<json> resolve(const std::string& path, const Scope& s) {
  if (path.size() >= 2 && path[0] == '$' && path[1] == '$') return jsonpath::read(path, s.input, s.context);
  if (path.size() == 1 || (path.size() > 1 && (path[1] == '.' || path[1] == '[')))
    return jsonpath::read(path, s.input, s.context);
  size_t end = 1;
  while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
  std::string name = path.substr(1, end - 1);
  auto it = s.variables.find(name);
  if (it == s.variables.end()) return std::nullopt;
  std::string rest(1, '$');
  rest.append(path, end, std::string::npos);
  return jsonpath::read(rest, *it, s.context);
}

json input_path(const json& st, const char* field, const json& input, const Scope& s) {
  auto it = st.find(field);
  if (it == st.end()) return input;
  if (it->is_null()) return json::object();
  const std::string& p = it->get_ref<const std::string&>();
  auto v = resolve(p, s);
  if (!v)
    throw StatesError{"States.Runtime", "Invalid path '" + p + "' : No results for path: " + p};
  return *v;
}

json payload(const json& tpl, const Scope& s, const std::string& field, int depth) {
  if (depth > 64) throw StatesError{"States.Runtime", "The payload template is nested too deeply"};
  if (tpl.is_array()) {
    json out = json::array();
    for (const auto& v : tpl) out.push_back(payload(v, s, field, depth + 1));
    return out;
  }
  if (!tpl.is_object()) return tpl;
  json out = json::object();
  for (auto it = tpl.begin(); it != tpl.end(); ++it) {
    const std::string& k = it.key();
    if (k.size() > 2 && k.compare(k.size() - 2, 2, ".$") == 0 && it->is_string()) {
      std::string name = k.substr(0, k.size() - 2);
      const std::string& expr = it->get_ref<const std::string&>();
      if (intrinsics::looks_like_call(expr)) {
        out[name] = intrinsics::evaluate(expr, [&](const std::string& p) { return resolve(p, s); });
        continue;
      }
      auto v = resolve(expr, s);
      if (!v)
        throw StatesError{"States.ParameterPathFailure", "The JSONPath '" + expr + "' specified for the field '" + k +
                                                              "' could not be found in the input '" + s.input.dump() + "'"};
      out[name] = std::move(*v);
    } else {
      out[k] = payload(*it, s, field, depth + 1);
    }
  }
  return out;
}

json result_path(const json& st, const json& raw_input, json result) {
  auto it = st.find("ResultPath");
  if (it == st.end()) return result;
  if (it->is_null()) return raw_input;
  const std::string& p = it->get_ref<const std::string&>();
  if (p == "$") return result;
  json out = raw_input;
  if (!jsonpath::write(out, p, std::move(result)))
    throw StatesError{"States.ResultPathMatchFailure", "Unable to apply ResultPath \"" + p + "\" to input \"" +
                                                           raw_input.dump() + "\""};
  return out;
}

}  // namespace awan::stepfunctions::paths

// JSON Schema draft 4 validation for API Gateway models (json_schema.hpp): one recursive walk
// over (instance, schema) with a depth limit and a step budget, so that recursive $refs and
// combinators cannot run away; patterns run on libstdc++'s polynomial (breadth-first) executor.
#include "apigateway/json_schema.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <regex>

#include "core/regex.hpp"

namespace awan::apigateway {

using json = nlohmann::json;

namespace {

std::string type_of(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::object: return "object";
    case json::value_t::array: return "array";
    case json::value_t::string: return "string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    case json::value_t::number_float: {
      double d = v.get<double>();
      return std::isfinite(d) && std::floor(d) == d ? "integer" : "number";
    }
    default: return "null";
  }
}

bool has_type(const json& v, const std::string& type) {
  std::string t = type_of(v);
  return t == type || (type == "number" && t == "integer");
}

size_t code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string dump(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string quoted_names(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    out += dump(json(names[i]));
  }
  return out + "]";
}

bool backreference(const std::string& p) {
  for (size_t i = 0; i + 1 < p.size(); ++i)
    if (p[i] == '\\') {
      if (p[i + 1] >= '1' && p[i + 1] <= '9') return true;
      ++i;
    }
  return false;
}

// Patterns whose automaton would be large ({m,n} repetitions copy states): the product of
// their counts, bounded.
bool too_costly(const std::string& p) {
  if (p.size() > 512) return true;
  double product = 1;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      ++i;
      continue;
    }
    if (p[i] != '{') continue;
    size_t j = i + 1;
    double largest = 0, current = 0;
    bool digits = false;
    while (j < p.size() && ((p[j] >= '0' && p[j] <= '9') || p[j] == ',')) {
      if (p[j] == ',') {
        largest = std::max(largest, current);
        current = 0;
      } else {
        current = current * 10 + (p[j] - '0');
        digits = true;
      }
      if (current > 1e6) return true;
      ++j;
    }
    if (!digits || j >= p.size() || p[j] != '}') continue;
    product *= std::max(1.0, std::max(largest, current));
    if (product > 4096) return true;
  }
  return false;
}

class Validator {
 public:
  Validator(const ModelLookup& models, const SchemaLimits& limits) : models_(models), limits_(limits) {}

  void run(const json& instance, const json& schema) { apply(instance, schema, schema, 0, errors_); }
  std::vector<std::string> errors() { return std::move(errors_); }

 private:
  using Errors = std::vector<std::string>;

  void fail(Errors& out, std::string message) {
    if (out.size() < limits_.max_errors) out.push_back(std::move(message));
  }

  // The schema a $ref names, with the root its own refs resolve against; nullopt when unknown.
  std::optional<std::pair<const json*, const json*>> resolve(const std::string& ref, const json& root) {
    std::string pointer = ref;
    const json* base = &root;
    if (ref.empty() || ref[0] != '#') {
      std::string model = model_of_ref(ref);
      if (model.empty() || !models_) return std::nullopt;
      auto hash = model.find('#');
      pointer = hash == std::string::npos ? "#" : model.substr(hash);
      base = models_(model.substr(0, hash));
      if (!base) return std::nullopt;
    }
    if (pointer == "#") return std::make_pair(base, base);
    try {
      json::json_pointer p(pointer.substr(1));
      if (!base->contains(p)) return std::nullopt;
      return std::make_pair(&base->at(p), base);
    } catch (const json::exception&) {
      return std::nullopt;
    }
  }

  const std::regex* compiled(const std::string& pattern) {
    auto it = patterns_.find(pattern);
    if (it != patterns_.end()) return it->second.get();
    std::unique_ptr<std::regex> re;
    if (!backreference(pattern) && !too_costly(pattern)) {
      try {
        re = std::make_unique<std::regex>(pattern, core::linear_regex_flags());
      } catch (const std::regex_error&) {
      }
    }
    return patterns_.emplace(pattern, std::move(re)).first->second.get();
  }

  bool matches(const std::string& pattern, const std::string& s) {
    const std::regex* re = compiled(pattern);
    if (!re || s.size() > limits_.max_pattern_subject) return true;  // unusable patterns do not constrain
    try {
      return std::regex_search(s, *re);
    } catch (const std::regex_error&) {
      return true;
    }
  }

  bool name_matches(const std::string& pattern, const std::string& name) {
    const std::regex* re = compiled(pattern);
    if (!re || name.size() > limits_.max_pattern_subject) return false;
    try {
      return std::regex_search(name, *re);
    } catch (const std::regex_error&) {
      return false;
    }
  }

  // Applies `schema` to `v`; the violations go to `out`. Returns whether `v` is valid.
  bool apply(const json& v, const json& schema, const json& root, int depth, Errors& out) {
    if (!schema.is_object()) return true;
    if (++steps_ > limits_.max_steps || depth > limits_.max_depth) {
      fail(out, "schema too complex to apply (nesting or recursion too deep)");
      return false;
    }
    size_t before = out.size();
    bool ok = true;
    if (auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
      auto target = resolve(*ref, root);
      if (!target) {
        fail(out, "unresolvable JSON reference " + dump(*ref));
        return false;
      }
      return apply(v, *target->first, *target->second, depth + 1, out);
    }
    ok &= check_type(v, schema, out);
    ok &= check_enum(v, schema, out);
    if (v.is_number()) ok &= check_number(v, schema, out);
    if (v.is_string()) ok &= check_string(v.get_ref<const std::string&>(), schema, out);
    if (v.is_array()) ok &= check_array(v, schema, root, depth, out);
    if (v.is_object()) ok &= check_object(v, schema, root, depth, out);
    ok &= check_combinators(v, schema, root, depth, out);
    return ok && out.size() == before;
  }

  bool check_type(const json& v, const json& schema, Errors& out) {
    auto t = schema.find("type");
    if (t == schema.end()) return true;
    std::vector<std::string> allowed;
    if (t->is_string()) allowed.push_back(*t);
    if (t->is_array())
      for (auto& x : *t)
        if (x.is_string()) allowed.push_back(x);
    if (allowed.empty()) return true;
    for (auto& a : allowed)
      if (has_type(v, a)) return true;
    std::sort(allowed.begin(), allowed.end());
    fail(out, "instance type (" + type_of(v) + ") does not match any allowed primitive type (allowed: " +
                  quoted_names(allowed) + ")");
    return false;
  }

  bool check_enum(const json& v, const json& schema, Errors& out) {
    auto e = schema.find("enum");
    if (e == schema.end() || !e->is_array()) return true;
    for (auto& x : *e)
      if (x == v) return true;
    fail(out, "instance value (" + dump(v) + ") not found in enum (possible values: " + dump(*e) + ")");
    return false;
  }

  bool check_number(const json& v, const json& schema, Errors& out) {
    double d = v.get<double>();
    bool ok = true;
    if (auto m = schema.find("minimum"); m != schema.end() && m->is_number()) {
      bool exclusive = schema.value("exclusiveMinimum", false) == true;
      double min = m->get<double>();
      if (exclusive && d <= min) {
        fail(out, "numeric instance is not strictly greater than the required minimum " + dump(*m));
        ok = false;
      } else if (d < min) {
        fail(out, "numeric instance is lower than the required minimum (minimum: " + dump(*m) + ", found: " + dump(v) + ")");
        ok = false;
      }
    }
    if (auto m = schema.find("maximum"); m != schema.end() && m->is_number()) {
      bool exclusive = schema.value("exclusiveMaximum", false) == true;
      double max = m->get<double>();
      if (exclusive && d >= max) {
        fail(out, "numeric instance is not strictly lower than the required maximum " + dump(*m));
        ok = false;
      } else if (d > max) {
        fail(out, "numeric instance is greater than the required maximum (maximum: " + dump(*m) + ", found: " + dump(v) + ")");
        ok = false;
      }
    }
    if (auto m = schema.find("multipleOf"); m != schema.end() && m->is_number() && m->get<double>() > 0) {
      double q = d / m->get<double>();
      if (!std::isfinite(q) || std::fabs(q - std::round(q)) > 1e-9) {
        fail(out, "remainder of division is not zero (" + dump(v) + " / " + dump(*m) + ")");
        ok = false;
      }
    }
    return ok;
  }

  bool check_string(const std::string& s, const json& schema, Errors& out) {
    bool ok = true;
    size_t n = code_points(s);
    std::string shown = dump(json(s));
    if (auto m = schema.find("minLength"); m != schema.end() && m->is_number_unsigned() && n < m->get<size_t>()) {
      fail(out, "string " + shown + " is too short (length: " + std::to_string(n) + ", required minimum: " + dump(*m) + ")");
      ok = false;
    }
    if (auto m = schema.find("maxLength"); m != schema.end() && m->is_number_unsigned() && n > m->get<size_t>()) {
      fail(out, "string " + shown + " is too long (length: " + std::to_string(n) + ", maximum allowed: " + dump(*m) + ")");
      ok = false;
    }
    if (auto p = schema.find("pattern"); p != schema.end() && p->is_string() && !matches(*p, s)) {
      fail(out, "ECMA 262 regex " + dump(*p) + " does not match input string " + shown);
      ok = false;
    }
    return ok;
  }

  bool check_array(const json& v, const json& schema, const json& root, int depth, Errors& out) {
    bool ok = true;
    size_t n = v.size();
    if (auto m = schema.find("minItems"); m != schema.end() && m->is_number_unsigned() && n < m->get<size_t>()) {
      fail(out, "array is too short: must have at least " + dump(*m) + " elements but instance has " + std::to_string(n) + " elements");
      ok = false;
    }
    if (auto m = schema.find("maxItems"); m != schema.end() && m->is_number_unsigned() && n > m->get<size_t>()) {
      fail(out, "array is too long: must have at most " + dump(*m) + " elements but instance has " + std::to_string(n) + " elements");
      ok = false;
    }
    if (schema.value("uniqueItems", false) == true && n > 1) {
      std::vector<json> sorted(v.begin(), v.end());
      std::sort(sorted.begin(), sorted.end());
      if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
        fail(out, "array must not contain duplicate elements");
        ok = false;
      }
    }
    auto items = schema.find("items");
    if (items == schema.end()) return ok;
    if (items->is_object()) {
      for (auto& x : v) ok &= apply(x, *items, root, depth + 1, out);
      return ok;
    }
    if (!items->is_array()) return ok;
    for (size_t i = 0; i < n && i < items->size(); ++i) ok &= apply(v[i], (*items)[i], root, depth + 1, out);
    if (n > items->size()) {
      auto extra = schema.find("additionalItems");
      if (extra != schema.end() && extra->is_boolean() && !extra->get<bool>()) {
        fail(out, "array instance has more elements than allowed by the schema (allowed: " + std::to_string(items->size()) +
                      ", found: " + std::to_string(n) + ")");
        ok = false;
      } else if (extra != schema.end() && extra->is_object()) {
        for (size_t i = items->size(); i < n; ++i) ok &= apply(v[i], *extra, root, depth + 1, out);
      }
    }
    return ok;
  }

  bool check_object(const json& v, const json& schema, const json& root, int depth, Errors& out) {
    bool ok = true;
    if (auto r = schema.find("required"); r != schema.end() && r->is_array()) {
      std::vector<std::string> missing;
      for (auto& name : *r)
        if (name.is_string() && !v.contains(name.get<std::string>())) missing.push_back(name);
      if (!missing.empty()) {
        std::sort(missing.begin(), missing.end());
        fail(out, "object has missing required properties (" + quoted_names(missing) + ")");
        ok = false;
      }
    }
    if (auto m = schema.find("minProperties"); m != schema.end() && m->is_number_unsigned() && v.size() < m->get<size_t>()) {
      fail(out, "object has too few properties (found " + std::to_string(v.size()) + " but schema requires at least " + dump(*m) + ")");
      ok = false;
    }
    if (auto m = schema.find("maxProperties"); m != schema.end() && m->is_number_unsigned() && v.size() > m->get<size_t>()) {
      fail(out, "object has too many properties (found " + std::to_string(v.size()) + " but schema requires at most " + dump(*m) + ")");
      ok = false;
    }
    const json empty = json::object();
    auto props = schema.find("properties");
    const json& properties = props != schema.end() && props->is_object() ? *props : empty;
    auto pprops = schema.find("patternProperties");
    const json& patterned = pprops != schema.end() && pprops->is_object() ? *pprops : empty;
    auto extra = schema.find("additionalProperties");
    std::vector<std::string> unexpected;
    for (auto& [name, value] : v.items()) {
      bool covered = false;
      if (auto p = properties.find(name); p != properties.end()) {
        covered = true;
        ok &= apply(value, *p, root, depth + 1, out);
      }
      for (auto& [pattern, sub] : patterned.items()) {
        if (name_matches(pattern, name)) {
          covered = true;
          ok &= apply(value, sub, root, depth + 1, out);
        }
      }
      if (covered || extra == schema.end()) continue;
      if (extra->is_boolean() && !extra->get<bool>()) unexpected.push_back(name);
      else if (extra->is_object()) ok &= apply(value, *extra, root, depth + 1, out);
    }
    if (!unexpected.empty()) {
      std::sort(unexpected.begin(), unexpected.end());
      fail(out, "object instance has properties which are not allowed by the schema: " + quoted_names(unexpected));
      ok = false;
    }
    return ok;
  }

  bool check_combinators(const json& v, const json& schema, const json& root, int depth, Errors& out) {
    bool ok = true;
    auto count = [&](const json& list) {
      size_t matched = 0;
      for (auto& s : list) {
        Errors ignored;
        if (apply(v, s, root, depth + 1, ignored)) ++matched;
      }
      return matched;
    };
    if (auto a = schema.find("allOf"); a != schema.end() && a->is_array() && !a->empty()) {
      size_t matched = count(*a);
      if (matched != a->size()) {
        fail(out, "instance failed to match all required schemas (matched only " + std::to_string(matched) + " out of " +
                      std::to_string(a->size()) + ")");
        ok = false;
      }
    }
    if (auto a = schema.find("anyOf"); a != schema.end() && a->is_array() && !a->empty() && count(*a) == 0) {
      fail(out, "instance failed to match at least one required schema among " + std::to_string(a->size()));
      ok = false;
    }
    if (auto a = schema.find("oneOf"); a != schema.end() && a->is_array() && !a->empty()) {
      size_t matched = count(*a);
      if (matched != 1) {
        fail(out, "instance failed to match exactly one schema (matched " + std::to_string(matched) + " out of " +
                      std::to_string(a->size()) + ")");
        ok = false;
      }
    }
    if (auto n = schema.find("not"); n != schema.end() && n->is_object()) {
      Errors ignored;
      if (apply(v, *n, root, depth + 1, ignored)) {
        fail(out, "instance matched a schema which it should not have");
        ok = false;
      }
    }
    return ok;
  }

  const ModelLookup& models_;
  const SchemaLimits& limits_;
  size_t steps_ = 0;
  Errors errors_;
  std::map<std::string, std::unique_ptr<std::regex>> patterns_;
};

// ---- schema checks (CreateModel, UpdateModel) ----

const char* const kTypes[] = {"null", "boolean", "object", "array", "number", "integer", "string"};

struct Checker {
  const ModelLookup& models;
  const SchemaLimits& limits;
  const json& root;
  size_t steps = 0;

  std::string schema_list(const json& list, const char* keyword, int depth) {
    if (!list.is_array() || list.empty()) return std::string(keyword) + " must be a non-empty array of schemas";
    for (auto& s : list)
      if (auto p = check(s, depth + 1); !p.empty()) return p;
    return "";
  }

  std::string check(const json& s, int depth) {
    if (!s.is_object()) return "a schema must be a JSON object";
    if (depth > limits.max_depth || ++steps > limits.max_steps) return "the schema is nested too deeply";
    if (auto t = s.find("type"); t != s.end()) {
      std::vector<json> names = t->is_array() ? std::vector<json>(t->begin(), t->end()) : std::vector<json>{*t};
      if (names.empty()) return "type must be a string or a non-empty array of strings";
      for (auto& n : names)
        if (!n.is_string() || std::find(std::begin(kTypes), std::end(kTypes), n.get<std::string>()) == std::end(kTypes))
          return "unknown type " + dump(n);
    }
    for (const char* k : {"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"})
      if (auto x = s.find(k); x != s.end() && !x->is_number_unsigned()) return std::string(k) + " must be a non-negative integer";
    for (const char* k : {"minimum", "maximum"})
      if (auto x = s.find(k); x != s.end() && !x->is_number()) return std::string(k) + " must be a number";
    if (auto x = s.find("multipleOf"); x != s.end() && (!x->is_number() || x->get<double>() <= 0))
      return "multipleOf must be a number greater than 0";
    for (const char* k : {"exclusiveMinimum", "exclusiveMaximum", "uniqueItems"})
      if (auto x = s.find(k); x != s.end() && !x->is_boolean()) return std::string(k) + " must be a boolean";
    if (auto x = s.find("enum"); x != s.end() && (!x->is_array() || x->empty())) return "enum must be a non-empty array";
    if (auto x = s.find("required"); x != s.end()) {
      if (!x->is_array()) return "required must be an array of strings";
      for (auto& n : *x)
        if (!n.is_string()) return "required must be an array of strings";
    }
    if (auto x = s.find("pattern"); x != s.end()) {
      if (!x->is_string()) return "pattern must be a string";
      if (auto p = pattern_problem(*x); !p.empty()) return p;
    }
    for (const char* k : {"properties", "patternProperties", "definitions"}) {
      auto x = s.find(k);
      if (x == s.end()) continue;
      if (!x->is_object()) return std::string(k) + " must be an object of schemas";
      for (auto& [name, sub] : x->items()) {
        if (std::string(k) == "patternProperties")
          if (auto p = pattern_problem(name); !p.empty()) return p;
        if (auto p = check(sub, depth + 1); !p.empty()) return p;
      }
    }
    for (const char* k : {"additionalProperties", "additionalItems"})
      if (auto x = s.find(k); x != s.end()) {
        if (x->is_object()) {
          if (auto p = check(*x, depth + 1); !p.empty()) return p;
        } else if (!x->is_boolean()) {
          return std::string(k) + " must be a boolean or a schema";
        }
      }
    if (auto x = s.find("items"); x != s.end()) {
      if (x->is_object()) {
        if (auto p = check(*x, depth + 1); !p.empty()) return p;
      } else if (x->is_array()) {
        for (auto& sub : *x)
          if (auto p = check(sub, depth + 1); !p.empty()) return p;
      } else {
        return "items must be a schema or an array of schemas";
      }
    }
    for (const char* k : {"allOf", "anyOf", "oneOf"})
      if (auto x = s.find(k); x != s.end())
        if (auto p = schema_list(*x, k, depth); !p.empty()) return p;
    if (auto x = s.find("not"); x != s.end())
      if (auto p = check(*x, depth + 1); !p.empty()) return p;
    if (auto x = s.find("$ref"); x != s.end()) {
      if (!x->is_string()) return "$ref must be a string";
      if (auto p = ref_problem(*x); !p.empty()) return p;
    }
    return "";
  }

  static std::string pattern_problem(const std::string& p) {
    if (backreference(p)) return "pattern " + dump(json(p)) + " uses a back reference";
    if (too_costly(p)) return "pattern " + dump(json(p)) + " is too long or repeats too much";
    try {
      std::regex re(p, core::linear_regex_flags());
    } catch (const std::regex_error&) {
      return "pattern " + dump(json(p)) + " is not a valid ECMA 262 regular expression";
    }
    return "";
  }

  std::string ref_problem(const std::string& ref) {
    if (!ref.empty() && ref[0] == '#') {
      if (ref == "#") return "";
      try {
        if (root.contains(json::json_pointer(ref.substr(1)))) return "";
      } catch (const json::exception&) {
      }
      return "unresolvable JSON reference " + dump(json(ref));
    }
    std::string model = model_of_ref(ref);
    if (model.empty()) return "invalid model reference " + dump(json(ref)) + " (expected https://apigateway.amazonaws.com/restapis/<id>/models/<name>)";
    std::string name = model.substr(0, model.find('#'));
    if (!models || !models(name)) return "invalid model reference " + dump(json(ref)) + ": no model " + name;
    return "";
  }
};

}  // namespace

std::string model_of_ref(const std::string& ref) {
  auto hash = ref.find('#');
  std::string base = ref.substr(0, hash), fragment = hash == std::string::npos ? "" : ref.substr(hash);
  auto at = base.rfind("/models/");
  if (at == std::string::npos || base.find("://") == std::string::npos) return "";
  std::string name = base.substr(at + 8);
  if (name.empty() || name.find('/') != std::string::npos) return "";
  return name + fragment;
}

std::string schema_problem(const json& schema, const ModelLookup& models, const SchemaLimits& limits) {
  Checker c{models, limits, schema};
  return c.check(schema, 0);
}

std::vector<std::string> validate_schema(const json& instance, const json& schema, const ModelLookup& models,
                                         const SchemaLimits& limits) {
  Validator v(models, limits);
  v.run(instance, schema);
  return v.errors();
}

}  // namespace awan::apigateway

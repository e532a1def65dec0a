// Mapping templates (vtl.hpp): the evaluator over JSON values, with bounded depth, iterations,
// steps and output, of the syntax tree vtl_parser.cpp builds.
#include "apigateway/vtl.hpp"

#include <cmath>
#include <memory>
#include <stdexcept>
#include <vector>

#include "apigateway/vtl_ast.hpp"
#include "core/crypto.hpp"
#include "core/text.hpp"

namespace awan::apigateway {

using json = nlohmann::json;

namespace {

using namespace vtl;

// ---- evaluation ----

std::string java_string(const json& v, int depth = 0) {
  if (depth > kMaxDepth) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "null";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_float()) {
    double d = v.get<double>();
    std::string s = json(d).dump();
    if (s.find('.') == std::string::npos && s.find('e') == std::string::npos) s += ".0";
    return s;
  }
  if (v.is_number()) return v.dump();
  std::string out = v.is_array() ? "[" : "{";
  bool first = true;
  if (v.is_array()) {
    for (auto& x : v) {
      out += (first ? "" : ", ") + java_string(x, depth + 1);
      first = false;
    }
    return out + "]";
  }
  for (auto& [k, x] : v.items()) {
    out += (first ? "" : ", ") + k + "=" + java_string(x, depth + 1);
    first = false;
  }
  return out + "}";
}

bool truthy(const json& v) { return !(v.is_null() || (v.is_boolean() && !v.get<bool>())); }

std::string escape_js(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\'': out += "\\'"; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '/': out += "\\/"; break;
      default: out += c;
    }
  }
  return out;
}

class Evaluator {
 public:
  explicit Evaluator(const VtlInput& in) : in_(in) {}

  void render(const std::vector<Node>& nodes, std::string& out, int depth) {
    if (depth > kMaxDepth) throw VtlError("templates nest too deeply");
    for (const auto& n : nodes) {
      if (broke_) return;
      step();
      switch (n.kind) {
        case Node::Text:
          out += n.text;
          break;
        case Node::Ref: {
          json v = eval(*n.expr, depth + 1);
          if (v.is_null()) {
            if (!n.expr->quiet) out += n.expr->source;
          } else {
            out += java_string(v);
          }
          break;
        }
        case Node::Set:
          assign(*n.target, eval(*n.expr, depth + 1), depth + 1);
          break;
        case Node::If:
          for (const auto& [cond, body] : n.branches) {
            if (!cond || truthy(eval(*cond, depth + 1))) {
              render(body, out, depth + 1);
              break;
            }
          }
          break;
        case Node::Foreach: {
          json items = eval(*n.expr, depth + 1);
          std::vector<json> list;
          if (items.is_array()) list.assign(items.begin(), items.end());
          else if (items.is_object()) for (auto& [k, v] : items.items()) list.push_back(v);
          json saved = vars_.count(n.var) ? vars_[n.var] : json();
          json saved_foreach = vars_.count("foreach") ? vars_["foreach"] : json();
          int count = 0;
          for (size_t i = 0; i < list.size(); ++i) {
            if (++count > kMaxIterations) throw VtlError("#foreach exceeds 1000 iterations");
            vars_[n.var] = list[i];
            vars_["foreach"] = {{"index", i}, {"count", i + 1}, {"hasNext", i + 1 < list.size()},
                                {"first", i == 0}, {"last", i + 1 == list.size()}};
            vars_["velocityCount"] = i + 1;
            render(n.body, out, depth + 1);
            if (broke_) {
              broke_ = false;
              break;
            }
          }
          vars_[n.var] = saved;
          vars_["foreach"] = saved_foreach;
          break;
        }
        case Node::Break:
          broke_ = true;
          return;
      }
      if (out.size() > kMaxOutput) throw VtlError("the template's output exceeds 10 MB");
    }
  }

 private:
  const VtlInput& in_;
  std::map<std::string, json> vars_;
  bool broke_ = false;
  long steps_ = 0;
  bool body_parsed_ = false;
  json body_json_;

  void step() {
    if (++steps_ > kMaxSteps) throw VtlError("the template takes too many steps");
  }

  const json& body_json() {
    if (!body_parsed_) {
      body_parsed_ = true;
      if (in_.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        body_json_ = json::object();
      } else if (!text::json_nesting_exceeds(in_.body, 256)) {
        body_json_ = json::parse(in_.body, nullptr, false);
        if (body_json_.is_discarded()) body_json_ = json();
      }
    }
    return body_json_;
  }

  void assign(const Expr& target, json value, int depth) {
    if (target.chain.empty()) {
      vars_[target.root] = std::move(value);
      return;
    }
    json* slot = &vars_[target.root];
    for (size_t i = 0; i < target.chain.size(); ++i) {
      const Accessor& a = target.chain[i];
      if (a.kind == Accessor::Call) return;
      if (a.kind == Accessor::Field) {
        if (!slot->is_object()) return;
        slot = &(*slot)[a.name];
      } else {
        json k = eval(*a.args[0], depth + 1);
        if (slot->is_array() && k.is_number_integer()) {
          int64_t idx = k.get<int64_t>();
          if (idx < 0 || idx >= static_cast<int64_t>(slot->size())) return;
          slot = &(*slot)[static_cast<size_t>(idx)];
        } else if (slot->is_object()) {
          slot = &(*slot)[java_string(k)];
        } else {
          return;
        }
      }
    }
    *slot = std::move(value);
  }

  std::vector<json> args(const Accessor& a, int depth) {
    std::vector<json> out;
    for (const auto& e : a.args) out.push_back(eval(*e, depth + 1));
    return out;
  }

  json params_map() const {
    json m = {{"path", json::object()}, {"querystring", json::object()}, {"header", json::object()}};
    for (auto& [k, v] : in_.path) m["path"][k] = v;
    for (auto& [k, v] : in_.querystring) m["querystring"][k] = v;
    for (auto& [k, v] : in_.header) m["header"][k] = v;
    return m;
  }

  json input_call(const Accessor& a, int depth) {
    auto av = args(a, depth);
    std::string arg0 = av.empty() ? "" : java_string(av[0]);
    if (a.name == "body") return in_.body;
    if (a.name == "json") {
      json v = json_path(body_json(), av.empty() ? "$" : arg0);
      return v.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    if (a.name == "path") return json_path(body_json(), av.empty() ? "$" : arg0);
    if (a.name == "params") {
      if (av.empty()) return params_map();
      for (const auto* m : {&in_.path, &in_.querystring, &in_.header}) {
        auto it = m->find(arg0);
        if (it != m->end()) return it->second;
      }
      if (a.kind == Accessor::Call) {
        for (auto& [k, v] : in_.header)
          if (text::ascii_lower(k) == text::ascii_lower(arg0)) return v;
      }
      return "";
    }
    return nullptr;
  }

  json util_call(const Accessor& a, int depth) {
    auto av = args(a, depth);
    std::string s = av.empty() ? "" : java_string(av[0]);
    if (a.name == "escapeJavaScript") return escape_js(s);
    if (a.name == "base64Encode") return crypto::base64_encode(s);
    if (a.name == "base64Decode") return crypto::base64_decode(s).value_or("");
    if (a.name == "urlEncode") return text::percent_encode(s);
    if (a.name == "urlDecode") return text::percent_decode(s, true).value_or(s);
    if (a.name == "parseJson") {
      if (text::json_nesting_exceeds(s, 256)) return nullptr;
      json v = json::parse(s, nullptr, false);
      return v.is_discarded() ? json() : v;
    }
    return nullptr;
  }

  json method(const json& v, const Accessor& a, int depth) {
    auto av = args(a, depth);
    const std::string& m = a.name;
    if (m == "size" || m == "length") {
      if (v.is_string()) return static_cast<int64_t>(v.get_ref<const std::string&>().size());
      if (v.is_array() || v.is_object()) return static_cast<int64_t>(v.size());
      return nullptr;
    }
    if (m == "isEmpty") {
      if (v.is_string()) return v.get_ref<const std::string&>().empty();
      if (v.is_array() || v.is_object()) return v.empty();
      return nullptr;
    }
    if (m == "toString") return java_string(v);
    if (m == "equals" && av.size() == 1) return v == av[0] || java_string(v) == java_string(av[0]);
    if (m == "get" && av.size() == 1) return index(v, av[0]);
    if (m == "keySet" && v.is_object()) {
      json keys = json::array();
      for (auto& [k, x] : v.items()) keys.push_back(k);
      return keys;
    }
    if (m == "values" && v.is_object()) {
      json vals = json::array();
      for (auto& [k, x] : v.items()) vals.push_back(x);
      return vals;
    }
    if ((m == "containsKey") && v.is_object() && av.size() == 1) return v.contains(java_string(av[0]));
    if (m == "contains" && av.size() == 1) {
      if (v.is_string()) return v.get_ref<const std::string&>().find(java_string(av[0])) != std::string::npos;
      if (v.is_array()) return std::find(v.begin(), v.end(), av[0]) != v.end();
      return nullptr;
    }
    if (!v.is_string()) return nullptr;
    const std::string& s = v.get_ref<const std::string&>();
    auto num = [&](size_t i) { return i < av.size() && av[i].is_number_integer() ? av[i].get<int64_t>() : -1; };
    if (m == "toLowerCase") return text::ascii_lower(s);
    if (m == "toUpperCase") {
      std::string u = s;
      for (auto& c : u)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      return u;
    }
    if (m == "trim") {
      size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
      return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    }
    if (m == "startsWith" && av.size() == 1) return s.rfind(java_string(av[0]), 0) == 0;
    if (m == "endsWith" && av.size() == 1) {
      std::string t = java_string(av[0]);
      return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
    }
    if (m == "indexOf" && av.size() == 1) {
      size_t at = s.find(java_string(av[0]));
      return at == std::string::npos ? int64_t{-1} : static_cast<int64_t>(at);
    }
    if (m == "substring") {
      int64_t b = num(0), e = av.size() > 1 ? num(1) : static_cast<int64_t>(s.size());
      if (b < 0 || e < b || e > static_cast<int64_t>(s.size())) return nullptr;
      return s.substr(static_cast<size_t>(b), static_cast<size_t>(e - b));
    }
    if ((m == "replace" || m == "replaceAll") && av.size() == 2) {
      std::string from = java_string(av[0]), to = java_string(av[1]), out;
      if (from.empty()) return s;
      size_t i = 0;
      while (true) {
        size_t at = s.find(from, i);
        if (at == std::string::npos) break;
        out += s.substr(i, at - i) + to;
        i = at + from.size();
        step();
      }
      return out + s.substr(i);
    }
    if (m == "split" && av.size() == 1) {
      std::string sep = java_string(av[0]);
      json parts = json::array();
      if (sep.empty()) return parts;
      size_t i = 0;
      while (true) {
        size_t at = s.find(sep, i);
        parts.push_back(s.substr(i, at == std::string::npos ? std::string::npos : at - i));
        if (at == std::string::npos) break;
        i = at + sep.size();
        step();
      }
      return parts;
    }
    return nullptr;
  }

  static json index(const json& v, const json& k) {
    if (v.is_array() && k.is_number_integer()) {
      int64_t i = k.get<int64_t>();
      if (i < 0 || i >= static_cast<int64_t>(v.size())) return nullptr;
      return v[static_cast<size_t>(i)];
    }
    if (v.is_object()) {
      auto it = v.find(java_string(k));
      return it == v.end() ? json() : *it;
    }
    return nullptr;
  }

  json eval_ref(const Expr& e, int depth) {
    size_t i = 0;
    json v;
    if (e.root == "input" && !vars_.count("input")) {
      if (e.chain.empty()) return nullptr;
      v = input_call(e.chain[0], depth);
      i = 1;
    } else if (e.root == "util" && !vars_.count("util")) {
      if (e.chain.empty()) return nullptr;
      v = util_call(e.chain[0], depth);
      i = 1;
    } else if (e.root == "context" && !vars_.count("context")) {
      v = in_.context;
    } else if (e.root == "stageVariables" && !vars_.count("stageVariables")) {
      v = in_.stage_variables;
    } else {
      auto it = vars_.find(e.root);
      if (it == vars_.end()) return nullptr;
      v = it->second;
    }
    for (; i < e.chain.size(); ++i) {
      step();
      const Accessor& a = e.chain[i];
      if (v.is_null()) return nullptr;
      if (a.kind == Accessor::Field) {
        if (v.is_object()) {
          auto it = v.find(a.name);
          v = it == v.end() ? json() : *it;
        } else if (a.name == "empty") {
          v = method(v, Accessor{Accessor::Call, "isEmpty", {}}, depth);
        } else {
          return nullptr;
        }
      } else if (a.kind == Accessor::Index) {
        v = index(v, eval(*a.args[0], depth + 1));
      } else {
        v = method(v, a, depth);
      }
    }
    return v;
  }

  static bool numeric(const json& v) { return v.is_number(); }

  json eval(const Expr& e, int depth) {
    if (depth > kMaxDepth * 4) throw VtlError("expression nests too deeply");
    step();
    switch (e.kind) {
      case Expr::Lit:
        return e.lit;
      case Expr::Str: {
        auto nodes = parse_template(e.op);
        std::string out;
        render(nodes, out, depth + 1);
        return out;
      }
      case Expr::Ref:
        return eval_ref(e, depth + 1);
      case Expr::List: {
        json a = json::array();
        for (const auto& k : e.kids) a.push_back(eval(*k, depth + 1));
        return a;
      }
      case Expr::Map: {
        json m = json::object();
        for (size_t i = 0; i + 1 < e.kids.size(); i += 2)
          m[java_string(eval(*e.kids[i], depth + 1))] = eval(*e.kids[i + 1], depth + 1);
        return m;
      }
      case Expr::Range: {
        json a = eval(*e.kids[0], depth + 1), b = eval(*e.kids[1], depth + 1);
        if (!a.is_number_integer() || !b.is_number_integer()) return nullptr;
        int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
        if (std::abs(y - x) > kMaxIterations) throw VtlError("range exceeds 1000 items");
        json out = json::array();
        for (int64_t i = x; x <= y ? i <= y : i >= y; i += x <= y ? 1 : -1) out.push_back(i);
        return out;
      }
      case Expr::Unary: {
        json v = eval(*e.kids[0], depth + 1);
        if (e.op == "!") return !truthy(v);
        if (v.is_number_integer()) return -v.get<int64_t>();
        if (v.is_number()) return -v.get<double>();
        return nullptr;
      }
      case Expr::Binary:
        break;
    }
    const std::string& op = e.op;
    if (op == "&&") return truthy(eval(*e.kids[0], depth + 1)) && truthy(eval(*e.kids[1], depth + 1));
    if (op == "||") return truthy(eval(*e.kids[0], depth + 1)) || truthy(eval(*e.kids[1], depth + 1));
    json l = eval(*e.kids[0], depth + 1), r = eval(*e.kids[1], depth + 1);
    if (op == "==" || op == "!=") {
      bool eq;
      if (numeric(l) && numeric(r)) eq = l.get<double>() == r.get<double>();
      else if (l.is_null() || r.is_null()) eq = l.is_null() && r.is_null();
      else eq = java_string(l) == java_string(r);
      return op == "==" ? eq : !eq;
    }
    if (op == "<" || op == ">" || op == "<=" || op == ">=") {
      int c;
      if (numeric(l) && numeric(r)) {
        double a = l.get<double>(), b = r.get<double>();
        c = a < b ? -1 : a > b ? 1 : 0;
      } else if (l.is_string() && r.is_string()) {
        c = l.get<std::string>().compare(r.get<std::string>());
      } else {
        return false;
      }
      if (op == "<") return c < 0;
      if (op == ">") return c > 0;
      if (op == "<=") return c <= 0;
      return c >= 0;
    }
    if (op == "+" && (l.is_string() || r.is_string())) {
      if (l.is_null() || r.is_null()) return nullptr;
      return java_string(l) + java_string(r);
    }
    if (!numeric(l) || !numeric(r)) return nullptr;
    if (l.is_number_integer() && r.is_number_integer()) {
      int64_t a = l.get<int64_t>(), b = r.get<int64_t>();
      if (op == "+") return a + b;
      if (op == "-") return a - b;
      if (op == "*") return a * b;
      if (b == 0) return nullptr;
      if (op == "/") return a / b;
      return a % b;
    }
    double a = l.get<double>(), b = r.get<double>();
    if (op == "+") return a + b;
    if (op == "-") return a - b;
    if (op == "*") return a * b;
    if (b == 0) return nullptr;
    if (op == "/") return a / b;
    return std::fmod(a, b);
  }
};

}  // namespace

json json_path(const json& doc, const std::string& path) {
  if (path.empty() || path[0] != '$') return nullptr;
  const json* v = &doc;
  size_t i = 1;
  while (i < path.size()) {
    if (v->is_null()) return nullptr;
    if (path[i] == '.') {
      ++i;
      size_t b = i;
      while (i < path.size() && path[i] != '.' && path[i] != '[') ++i;
      std::string name = path.substr(b, i - b);
      if (name.empty()) return nullptr;
      if (!v->is_object()) return nullptr;
      auto it = v->find(name);
      if (it == v->end()) return nullptr;
      v = &*it;
    } else if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string::npos) return nullptr;
      std::string inner = path.substr(i + 1, close - i - 1);
      i = close + 1;
      if (inner.size() >= 2 && (inner.front() == '\'' || inner.front() == '"') && inner.back() == inner.front()) {
        if (!v->is_object()) return nullptr;
        auto it = v->find(inner.substr(1, inner.size() - 2));
        if (it == v->end()) return nullptr;
        v = &*it;
      } else {
        if (!v->is_array() || inner.empty() || inner.find_first_not_of("0123456789") != std::string::npos) return nullptr;
        size_t idx = std::strtoul(inner.c_str(), nullptr, 10);
        if (idx >= v->size()) return nullptr;
        v = &(*v)[idx];
      }
    } else {
      return nullptr;
    }
  }
  return *v;
}

VtlResult render_vtl(const std::string& template_text, const VtlInput& input) {
  VtlResult r;
  try {
    auto nodes = vtl::parse_template(template_text);
    Evaluator e(input);
    e.render(nodes, r.output, 0);
  } catch (const VtlError& e) {
    r.ok = false;
    r.error = e.what();
    r.output.clear();
  } catch (const json::exception& e) {
    r.ok = false;
    r.error = e.what();
    r.output.clear();
  }
  return r;
}

}  // namespace awan::apigateway

// The JSONata subset's evaluator (see jsonata.hpp): paths that map over arrays and flatten
// (sequences; a sequence of one is its value), filters and indexes, operators, constructors,
// blocks with := bindings, and templates. Functions are in jsonata_functions.cpp.
#include <cmath>
#include <map>

#include "stepfunctions/errors.hpp"
#include "stepfunctions/jsonata.hpp"
#include "stepfunctions/jsonata_functions.hpp"

namespace awan::stepfunctions::jsonata {

using json = nlohmann::json;

namespace {

constexpr int kMaxDepth = 200;
constexpr int64_t kMaxRange = 10000;

struct Val {
  std::optional<json> v;
  bool seq = false;  // a sequence from a path: flattened into an enclosing path or array
};

struct Env {
  const Bindings& b;
  std::vector<std::map<std::string, json>> frames;
  const json* lookup(const std::string& name) const {
    for (auto it = frames.rbegin(); it != frames.rend(); ++it)
      if (auto f = it->find(name); f != it->end()) return &f->second;
    if (name == "states") return &b.states;
    if (auto v = b.variables.find(name); v != b.variables.end()) return &*v;
    return nullptr;
  }
};

class Evaluator {
 public:
  explicit Evaluator(const Bindings& b) : env_{b, {}}, root_(b.states.contains("input") ? b.states["input"] : json()) {}

  Val eval(const Node& n, const json* ctx, int depth) {
    if (depth > kMaxDepth) fail("the expression is nested too deeply");
    switch (n.kind) {
      case Node::Literal: return {n.value};
      case Node::Name: return name(n.text, ctx);
      case Node::Wildcard: return wildcard(ctx);
      case Node::Variable: {
        if (n.text.empty()) return ctx ? Val{*ctx} : Val{};
        if (n.text == "$") return {root_};
        const json* v = env_.lookup(n.text);
        return v ? Val{*v} : Val{};
      }
      case Node::Path: return path(n, ctx, depth);
      case Node::Filter: return filter(n, ctx, depth);
      case Node::Negate: {
        Val v = eval(*n.args[0], ctx, depth + 1);
        if (!v.v) return {};
        if (!v.v->is_number()) fail("the operand of - must be a number");
        return {number(-v.v->get<double>())};
      }
      case Node::Binary: return binary(n, ctx, depth);
      case Node::Condition: {
        Val c = eval(*n.args[0], ctx, depth + 1);
        if (functions::truthy(c.v)) return eval(*n.args[1], ctx, depth + 1);
        if (n.args.size() > 2) return eval(*n.args[2], ctx, depth + 1);
        return {};
      }
      case Node::Array: return array(n, ctx, depth);
      case Node::Range: fail("a range is only allowed in an array constructor");
      case Node::Object: {
        json out = json::object();
        for (size_t i = 0; i + 1 < n.args.size(); i += 2) {
          Val k = eval(*n.args[i], ctx, depth + 1);
          if (!k.v || !k.v->is_string()) fail("an object key must be a string");
          Val v = eval(*n.args[i + 1], ctx, depth + 1);
          if (v.v) out[k.v->get<std::string>()] = unwrap(std::move(v));
        }
        return {out};
      }
      case Node::Block: {
        env_.frames.emplace_back();
        Val last;
        for (const auto& p : n.args) last = eval(*p, ctx, depth + 1);
        env_.frames.pop_back();
        return last;
      }
      case Node::Bind: {
        Val v = eval(*n.args[0], ctx, depth + 1);
        if (env_.frames.empty()) env_.frames.emplace_back();
        if (v.v) env_.frames.back()[n.text] = *v.v;
        else env_.frames.back().erase(n.text);
        return v;
      }
      case Node::Lambda: fail("a function is only allowed as an argument of $map, $filter, $reduce, $each or $sift");
      case Node::Call: {
        if (n.args.size() >= 2 && n.args[1]->kind == Node::Lambda) return higher_order(n, ctx, depth);
        std::vector<std::optional<json>> args;
        for (const auto& a : n.args) {
          Val v = eval(*a, ctx, depth + 1);
          args.push_back(v.v ? std::optional<json>(unwrap(std::move(v))) : std::nullopt);
        }
        return {functions::call(n.text, args)};
      }
    }
    return {};
  }

  static json unwrap(Val v) {
    if (v.seq && v.v->is_array() && v.v->size() == 1) return (*v.v)[0];
    return std::move(*v.v);
  }

 private:
  [[noreturn]] static void fail(const std::string& why) { throw StatesError{"States.QueryEvaluationError", why}; }

  static json number(double d) {
    if (!std::isfinite(d)) fail("the result is not a finite number");
    if (std::floor(d) == d && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
    return d;
  }

  // The lambda with its parameters bound to `values` (missing ones undefined).
  std::optional<json> apply(const Node& lambda, const std::vector<json>& values, const json* ctx, int depth) {
    std::map<std::string, json> frame;
    for (size_t i = 0; i < lambda.value.size() && i < values.size(); ++i) frame[lambda.value[i].get<std::string>()] = values[i];
    env_.frames.push_back(std::move(frame));
    Val v = eval(*lambda.args[0], ctx, depth + 1);
    env_.frames.pop_back();
    if (!v.v) return std::nullopt;
    return unwrap(std::move(v));
  }

  // $map(array, fn($v, $i, $a)), $filter(array, fn($v, $i, $a)), $reduce(array, fn($acc, $v,
  // $i, $a)[, init]), $each(object, fn($v, $k)), $sift(object, fn($v, $k)).
  Val higher_order(const Node& n, const json* ctx, int depth) {
    const std::string& fn = n.text;
    const Node& lambda = *n.args[1];
    Val first = eval(*n.args[0], ctx, depth + 1);
    if (fn == "each" || fn == "sift") {
      if (n.args.size() != 2) fail("$" + fn + ": wrong number of arguments");
      if (!first.v) return {};
      if (!first.v->is_object()) fail("$" + fn + ": the first argument must be an object");
      json out = fn == "each" ? json::array() : json::object();
      for (auto it = first.v->begin(); it != first.v->end(); ++it) {
        auto r = apply(lambda, {it.value(), it.key()}, ctx, depth);
        if (fn == "each" && r) out.push_back(std::move(*r));
        if (fn == "sift" && functions::truthy(r)) out[it.key()] = it.value();
      }
      return out.empty() ? Val{} : Val{out, fn == "each"};
    }
    if (fn != "map" && fn != "filter" && fn != "reduce") fail("$" + fn + " does not take a function");
    if (n.args.size() != 2 && !(fn == "reduce" && n.args.size() == 3)) fail("$" + fn + ": wrong number of arguments");
    if (!first.v) return {};
    json items = first.v->is_array() ? *first.v : json::array({*first.v});
    if (fn == "reduce") {
      std::optional<json> acc;
      size_t start = 0;
      if (n.args.size() == 3) {
        Val init = eval(*n.args[2], ctx, depth + 1);
        if (init.v) acc = unwrap(std::move(init));
      }
      if (!acc) {
        if (items.empty()) return {};
        acc = items[0];
        start = 1;
      }
      for (size_t i = start; i < items.size(); ++i) {
        acc = apply(lambda, {acc ? *acc : json(), items[i], json(i), items}, ctx, depth);
      }
      return acc ? Val{*acc} : Val{};
    }
    json out = json::array();
    for (size_t i = 0; i < items.size(); ++i) {
      auto r = apply(lambda, {items[i], json(i), items}, ctx, depth);
      if (fn == "map" && r) out.push_back(std::move(*r));
      if (fn == "filter" && functions::truthy(r)) out.push_back(items[i]);
    }
    return out.empty() ? Val{} : Val{out, true};
  }

  static Val name(const std::string& field, const json* ctx) {
    if (!ctx) return {};
    if (ctx->is_object()) {
      auto it = ctx->find(field);
      return it == ctx->end() ? Val{} : Val{*it};
    }
    if (!ctx->is_array()) return {};
    json out = json::array();
    for (const auto& el : *ctx) {
      Val v = name(field, &el);
      if (!v.v) continue;
      if (v.v->is_array()) for (auto& x : *v.v) out.push_back(std::move(x));
      else out.push_back(std::move(*v.v));
    }
    return out.empty() ? Val{} : Val{out, true};
  }

  static Val wildcard(const json* ctx) {
    if (!ctx || !ctx->is_object()) return {};
    json out = json::array();
    for (const auto& v : *ctx) {
      if (v.is_array()) for (const auto& x : v) out.push_back(x);
      else out.push_back(v);
    }
    return out.empty() ? Val{} : Val{out, true};
  }

  Val path(const Node& n, const json* ctx, int depth) {
    Val l = eval(*n.args[0], ctx, depth + 1);
    if (!l.v) return {};
    if (!l.v->is_array()) return eval(*n.args[1], &*l.v, depth + 1);
    json out = json::array();
    for (const auto& el : *l.v) {
      Val r = eval(*n.args[1], &el, depth + 1);
      if (!r.v) continue;
      if (r.v->is_array() && (r.seq || n.args[1]->kind != Node::Array)) for (auto& x : *r.v) out.push_back(std::move(x));
      else out.push_back(std::move(*r.v));
    }
    return out.empty() ? Val{} : Val{out, true};
  }

  Val filter(const Node& n, const json* ctx, int depth) {
    Val l = eval(*n.args[0], ctx, depth + 1);
    if (!l.v) return {};
    json items = l.v->is_array() ? *l.v : json::array({*l.v});
    const Node& p = *n.args[1];
    bool constant = p.kind == Node::Literal || (p.kind == Node::Negate && p.args[0]->kind == Node::Literal);
    json out = json::array();
    auto index_of = [&](const json& num) {
      double d = std::floor(num.get<double>());
      if (!(std::fabs(d) < 1e15)) return int64_t{-1} - static_cast<int64_t>(items.size());  // matches nothing
      auto i = static_cast<int64_t>(d);
      if (i < 0) i += static_cast<int64_t>(items.size());
      return i;
    };
    if (constant) {
      Val idx = eval(p, nullptr, depth + 1);
      if (idx.v && idx.v->is_number()) {
        int64_t i = index_of(*idx.v);
        if (i < 0 || i >= static_cast<int64_t>(items.size())) return {};
        return {items[static_cast<size_t>(i)], true};
      }
    }
    for (size_t i = 0; i < items.size(); ++i) {
      Val r = eval(p, &items[i], depth + 1);
      if (r.v && r.v->is_number()) {
        if (index_of(*r.v) == static_cast<int64_t>(i)) out.push_back(items[i]);
      } else if (functions::truthy(r.v)) {
        out.push_back(items[i]);
      }
    }
    return out.empty() ? Val{} : Val{out, true};
  }

  Val array(const Node& n, const json* ctx, int depth) {
    json out = json::array();
    for (const auto& item : n.args) {
      if (item->kind == Node::Range) {
        Val a = eval(*item->args[0], ctx, depth + 1), b = eval(*item->args[1], ctx, depth + 1);
        if (!a.v || !b.v) continue;
        if (!a.v->is_number_integer() || !b.v->is_number_integer()) fail("the bounds of a range must be integers");
        int64_t from = a.v->get<int64_t>(), to = b.v->get<int64_t>();
        if (to < from) continue;
        // The width in unsigned arithmetic: no signed overflow whatever the bounds.
        uint64_t width = static_cast<uint64_t>(to) - static_cast<uint64_t>(from);
        if (width >= static_cast<uint64_t>(kMaxRange)) fail("a range may hold at most 10000 items");
        for (uint64_t k = 0; k <= width; ++k) out.push_back(from + static_cast<int64_t>(k));
        continue;
      }
      Val v = eval(*item, ctx, depth + 1);
      if (!v.v) continue;
      if (v.seq && v.v->is_array()) for (auto& x : *v.v) out.push_back(std::move(x));
      else out.push_back(std::move(*v.v));
    }
    return {out};
  }

  Val binary(const Node& n, const json* ctx, int depth) {
    const std::string& op = n.text;
    if (op == "and" || op == "or") {
      bool l = functions::truthy(eval(*n.args[0], ctx, depth + 1).v);
      if (op == "and" && !l) return {false};
      if (op == "or" && l) return {true};
      return {functions::truthy(eval(*n.args[1], ctx, depth + 1).v)};
    }
    Val lv = eval(*n.args[0], ctx, depth + 1), rv = eval(*n.args[1], ctx, depth + 1);
    std::optional<json> l = lv.v ? std::optional<json>(unwrap(std::move(lv))) : std::nullopt;
    std::optional<json> r = rv.v ? std::optional<json>(unwrap(std::move(rv))) : std::nullopt;
    if (op == "&") return {functions::to_string(l) + functions::to_string(r)};
    if (op == "=" || op == "!=") {
      bool eq = l && r && functions::equal(*l, *r);
      return {op == "=" ? eq : (l && r && !eq)};
    }
    if (op == "in") {
      if (!l || !r) return {false};
      if (!r->is_array()) return {functions::equal(*l, *r)};
      for (const auto& x : *r)
        if (functions::equal(*l, x)) return {true};
      return {false};
    }
    if (!l || !r) return {};
    if (op == "<" || op == "<=" || op == ">" || op == ">=") {
      bool both_num = l->is_number() && r->is_number(), both_str = l->is_string() && r->is_string();
      if (!both_num && !both_str) fail("the operands of " + op + " must both be numbers or both be strings");
      int c = both_num ? (l->get<double>() < r->get<double>() ? -1 : l->get<double>() > r->get<double>() ? 1 : 0)
                       : l->get_ref<const std::string&>().compare(r->get_ref<const std::string&>());
      bool res = op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0;
      return {res};
    }
    if (!l->is_number() || !r->is_number()) fail("the operands of " + op + " must be numbers");
    double a = l->get<double>(), b = r->get<double>();
    if (op == "+") return {number(a + b)};
    if (op == "-") return {number(a - b)};
    if (op == "*") return {number(a * b)};
    if (op == "/") {
      if (b == 0) fail("division by zero");
      return {number(a / b)};
    }
    if (op == "%") {
      if (b == 0) fail("division by zero");
      return {number(std::fmod(a, b))};
    }
    fail("unknown operator " + op);
  }

  Env env_;
  json root_;
};

}  // namespace

std::optional<json> evaluate(const Node& node, const Bindings& b) {
  Evaluator ev(b);
  const json* ctx = b.states.contains("input") ? &b.states["input"] : nullptr;
  Val v = ev.eval(node, ctx, 0);
  if (!v.v) return std::nullopt;
  return Evaluator::unwrap(std::move(v));
}

json evaluate_template(const json& tpl, const Bindings& b, int depth) {
  if (depth > 64) throw StatesError{"States.QueryEvaluationError", "the template is nested too deeply"};
  std::string expr;
  if (is_expression(tpl, &expr)) {
    std::string why;
    NodePtr n = parse(expr, &why);
    if (!n) throw StatesError{"States.QueryEvaluationError", "The JSONata expression '" + expr + "' is invalid: " + why};
    auto v = evaluate(*n, b);
    return v ? *v : json();
  }
  if (tpl.is_object()) {
    json out = json::object();
    for (auto it = tpl.begin(); it != tpl.end(); ++it) {
      if (is_expression(it.value(), &expr)) {
        NodePtr n = parse(expr);
        if (!n) throw StatesError{"States.QueryEvaluationError", "The JSONata expression '" + expr + "' is invalid"};
        auto v = evaluate(*n, b);
        if (v) out[it.key()] = std::move(*v);  // undefined: the member is left out
        continue;
      }
      out[it.key()] = evaluate_template(it.value(), b, depth + 1);
    }
    return out;
  }
  if (tpl.is_array()) {
    json out = json::array();
    for (const auto& v : tpl) out.push_back(evaluate_template(v, b, depth + 1));
    return out;
  }
  return tpl;
}

}  // namespace awan::stepfunctions::jsonata

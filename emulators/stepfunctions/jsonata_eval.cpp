// The JSONata subset's evaluator (see jsonata.hpp): paths that map over arrays and flatten
// (sequences; a sequence of one is its value), filters and indexes, operators, constructors,
// blocks with := bindings, functions as values (lambdas with their closure, the built-in
// functions, regular expressions, `~>` chains and compositions, partial application), and
// templates. The function library is in jsonata_functions.cpp; the evaluator itself runs the
// functions that take functions ($map, $filter, $reduce, $each, $sift, $single, $sort with a
// comparator, the regex forms of $match, $contains, $split, $replace), the clock ($now,
// $millis, $fromMillis, $toMillis) and $eval. A path that uses %, @ or # runs as a tuple stream
// (tuple_path): each value carries its ancestry and bindings from step to step.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>

#include "awan/clock.hpp"
#include "stepfunctions/errors.hpp"
#include "stepfunctions/jsonata.hpp"
#include "stepfunctions/jsonata_datetime.hpp"
#include "stepfunctions/jsonata_functions.hpp"
#include "stepfunctions/jsonata_regex.hpp"
#include "stepfunctions/jsonata_signature.hpp"

namespace awan::stepfunctions::jsonata {

using json = nlohmann::json;

namespace {

constexpr int kMaxDepth = 200;
constexpr int64_t kMaxRange = 10000;
constexpr size_t kMaxSteps = 5'000'000;  // evaluation steps of one expression
constexpr size_t kMaxScopes = 500'000;   // blocks entered and functions applied

struct Scope;
struct Function;
using FnPtr = std::shared_ptr<const Function>;

struct Val {
  std::optional<json> v;
  bool seq = false;  // a sequence from a path: flattened into an enclosing path or array
  FnPtr fn;          // a function (v is then empty: a function is no JSON value)
  Val() = default;
  Val(std::optional<json> value, bool sequence = false, FnPtr f = nullptr)
      : v(std::move(value)), seq(sequence), fn(std::move(f)) {}
};

// A function value.
struct Function {
  enum Kind { Lambda, Builtin, Pattern, Composed, Partial } kind = Builtin;
  const Node* node = nullptr;  // Lambda: the lambda; Pattern: the regex literal
  Scope* closure = nullptr;    // Lambda: where it was written
  std::string name;            // Builtin
  std::shared_ptr<const Function> first, second;  // Composed: second(first(x)); Partial: first
  std::vector<Val> bound;      // Partial: the arguments given ...
  std::vector<bool> holes;     // ... and where the ? placeholders were
};

// The bindings of a block or a function call; owned by the evaluator, so closures can point
// at them without reference cycles.
struct Scope {
  std::map<std::string, Val> vars;
  Scope* parent = nullptr;
};

// Where a path step's value came from: the context of that step, and that context's own
// ancestry (what % and %.% read).
struct Ancestry {
  json value;
  std::shared_ptr<const Ancestry> up;
};
using Parents = std::shared_ptr<const Ancestry>;

// A value of a path that carries its ancestry and its @/# bindings (a tuple stream).
struct Tuple {
  json value;
  Parents parents;
  std::vector<std::pair<std::string, json>> vars;
};

// The functions the evaluator runs itself (they take functions or read the clock).
bool evaluator_function(const std::string& n) {
  return n == "map" || n == "filter" || n == "reduce" || n == "each" || n == "sift" || n == "single" || n == "match" || n == "now" ||
         n == "millis" || n == "fromMillis" || n == "toMillis" || n == "eval";
}

size_t code_points(const std::string& s, size_t bytes) {
  size_t n = 0;
  for (size_t i = 0; i < bytes && i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++n;
  return n;
}

class Evaluator {
 public:
  explicit Evaluator(const Bindings& b)
      : b_(b), root_(b.states.contains("input") ? b.states["input"] : json()) {
    scope_ = new_scope(nullptr);
  }

  // A function inside an array or object is stored there as a binary value (which no JSON text
  // holds) whose subtype indexes fns_, and is a function again when read.
  Val eval(const Node& n, const json* ctx, int depth) { return loaded(eval_node(n, ctx, depth)); }

  Val loaded(Val v) const {
    if (!v.v || fns_.empty()) return v;
    const json* x = &*v.v;
    if (v.seq && x->is_array() && x->size() == 1) x = &(*x)[0];
    if (!x->is_binary() || x->get_binary().subtype() >= fns_.size()) return v;
    return Val{std::nullopt, false, fns_[x->get_binary().subtype()]};
  }
  json stored(Val v) {
    if (!v.fn) return unwrap(std::move(v));
    if (fns_.size() >= kMaxScopes) fail("the expression applies too many functions");
    fns_.push_back(v.fn);
    return json::binary({}, fns_.size() - 1);
  }
  FnPtr function_of(const Val& v) const { return v.fn ? v.fn : loaded(v).fn; }
  // The value without the functions inside it (left out of objects and arrays): what leaves
  // the evaluator, or goes to a built-in function.
  std::optional<json> without_functions(std::optional<json> v, int depth = 0) const {
    if (!v || fns_.empty()) return v;
    if (v->is_binary()) return std::nullopt;
    if (depth > kMaxDepth + 64 || !(v->is_array() || v->is_object())) return v;
    json out = v->is_array() ? json::array() : json::object();
    for (auto it = v->begin(); it != v->end(); ++it) {
      auto x = without_functions(*it, depth + 1);
      if (!x) continue;
      if (v->is_array()) out.push_back(std::move(*x));
      else out[it.key()] = std::move(*x);
    }
    return out;
  }

  Val eval_node(const Node& n, const json* ctx, int depth) {
    if (depth > kMaxDepth) fail("the expression is nested too deeply");
    if (++steps_ > kMaxSteps) fail("the expression takes too many steps to evaluate");
    switch (n.kind) {
      case Node::Literal: return {n.value};
      case Node::Name: return name(n.text, ctx);
      case Node::Wildcard: return wildcard(ctx);
      case Node::Variable: return variable(n.text, ctx);
      case Node::Path: return n.tuples ? tuple_path(n, ctx, depth) : path(n, ctx, depth);
      case Node::Filter: return n.tuples ? tuple_path(n, ctx, depth) : filter(n, ctx, depth);
      case Node::FocusBind:
      case Node::IndexBind: return tuple_path(n, ctx, depth);
      case Node::Parent:
        if (!parents_) fail("The object representing the 'parent' cannot be derived from this expression");
        return {parents_->value};
      case Node::Descendants: {
        if (!ctx) return {};
        json out = json::array();
        descendants(*ctx, out, depth + 1);
        return out.empty() ? Val{} : Val{out, true};
      }
      case Node::Negate: {
        Val v = eval(*n.args[0], ctx, depth + 1);
        if (!v.v) return {};
        if (!v.v->is_number()) fail("the operand of - must be a number");
        return {number(-v.v->get<double>())};
      }
      case Node::Binary: return binary(n, ctx, depth);
      case Node::Condition: {
        Val c = eval(*n.args[0], ctx, depth + 1);
        if (functions::truthy(c.v) || c.fn) return eval(*n.args[1], ctx, depth + 1);
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
          if (v.v || v.fn) out[k.v->get<std::string>()] = stored(std::move(v));
        }
        return {out};
      }
      case Node::Block: {
        Scope* saved = scope_;
        scope_ = new_scope(saved);
        Val last;
        for (const auto& p : n.args) last = eval(*p, ctx, depth + 1);
        scope_ = saved;
        return last;
      }
      case Node::Bind: {
        Val v = eval(*n.args[0], ctx, depth + 1);
        if (v.v || v.fn) scope_->vars[n.text] = Val{v.v, false, v.fn};
        else scope_->vars.erase(n.text);
        return v;
      }
      case Node::Lambda: {
        auto f = std::make_shared<Function>();
        f->kind = Function::Lambda;
        f->node = &n;
        f->closure = scope_;
        return Val{std::nullopt, false, f};
      }
      case Node::Regex: {
        auto f = std::make_shared<Function>();
        f->kind = Function::Pattern;
        f->node = &n;
        return Val{std::nullopt, false, f};
      }
      case Node::Chain: return chain(n, ctx, depth);
      case Node::Call: return call(n, ctx, depth, nullptr);
      case Node::Partial: return partial(n, ctx, depth);
      case Node::Sort: return order_by(n, ctx, depth);
      case Node::Apply: {
        Val f = eval(*n.args[0], ctx, depth + 1);
        if (!f.fn) fail("Attempted to invoke a non-function");
        std::vector<Val> args;
        for (size_t i = 1; i < n.args.size(); ++i) args.push_back(eval(*n.args[i], ctx, depth + 1));
        callee_.clear();
        return apply(*f.fn, args, ctx, depth);
      }
      case Node::Placeholder: fail("a placeholder ? is only allowed as an argument of a function call");
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

  Scope* new_scope(Scope* parent) {
    if (scopes_.size() >= kMaxScopes) fail("the expression applies too many functions");
    scopes_.push_back(std::make_unique<Scope>());
    scopes_.back()->parent = parent;
    return scopes_.back().get();
  }

  const Val* local(const std::string& name) const {
    for (const Scope* s = scope_; s; s = s->parent)
      if (auto it = s->vars.find(name); it != s->vars.end()) return &it->second;
    return nullptr;
  }

  Val variable(const std::string& text, const json* ctx) {
    if (text.empty()) return ctx ? Val{*ctx} : Val{};
    if (text == "$") return {root_};
    if (const Val* v = local(text)) return *v;
    if (text == "states") return {b_.states};
    if (auto v = b_.variables.find(text); v != b_.variables.end()) return {*v};
    if (functions::is_function(text) || evaluator_function(text)) {
      auto f = std::make_shared<Function>();
      f->name = text;
      return Val{std::nullopt, false, f};
    }
    return {};
  }

  static std::optional<json> plain(const Val& v) {
    if (!v.v) return std::nullopt;
    return unwrap(v);
  }

  // x ~> $f(args): $f(x, args); x ~> $f: $f(x); $f ~> $g: their composition.
  Val chain(const Node& n, const json* ctx, int depth) {
    Val lhs = eval(*n.args[0], ctx, depth + 1);
    const Node& rhs = *n.args[1];
    if (rhs.kind == Node::Call) return call(rhs, ctx, depth, &lhs);
    Val f = eval(rhs, ctx, depth + 1);
    if (!f.fn) fail("The right side of the function application operator ~> must be a function");
    if (lhs.fn) {
      auto c = std::make_shared<Function>();
      c->kind = Function::Composed;
      c->first = lhs.fn;
      c->second = f.fn;
      return Val{std::nullopt, false, c};
    }
    return apply(*f.fn, {lhs}, ctx, depth);
  }

  // $name(args...), with `first` before the written arguments (the left side of ~>).
  Val call(const Node& n, const json* ctx, int depth, const Val* first) {
    std::vector<Val> args;
    if (first) args.push_back(*first);
    for (const auto& a : n.args) args.push_back(eval(*a, ctx, depth + 1));
    if (const Val* bound = local(n.text)) {
      FnPtr f = function_of(*bound);
      if (!f) fail("Attempted to invoke a non-function: $" + n.text);
      callee_ = n.text;
      return apply(*f, args, ctx, depth);
    }
    return builtin(n.text, args, ctx, depth);
  }

  // $f(a, ?, c): a function that takes the missing arguments, in the order of the placeholders.
  Val partial(const Node& n, const json* ctx, int depth) {
    auto p = std::make_shared<Function>();
    p->kind = Function::Partial;
    if (const Val* bound = local(n.text)) {
      p->first = function_of(*bound);
      if (!p->first) fail("Attempted to partially apply a non-function: $" + n.text);
    } else if (functions::is_function(n.text) || evaluator_function(n.text)) {
      auto f = std::make_shared<Function>();
      f->name = n.text;
      p->first = f;
    } else {
      fail("Attempted to partially apply a non-function: $" + n.text);
    }
    for (const auto& a : n.args) {
      bool hole = a->kind == Node::Placeholder;
      p->holes.push_back(hole);
      p->bound.push_back(hole ? Val{} : eval(*a, ctx, depth + 1));
    }
    return Val{std::nullopt, false, p};
  }

  Val apply(const Function& f, const std::vector<Val>& args, const json* ctx, int depth) {
    if (depth > kMaxDepth) fail("the expression is nested too deeply");
    switch (f.kind) {
      case Function::Lambda: {
        const Node& lambda = *f.node;
        std::vector<Val> fitted;
        if (!lambda.text.empty()) fitted = signed_arguments(lambda.text, args, ctx);
        const std::vector<Val>& given = lambda.text.empty() ? args : fitted;
        Scope* saved = scope_;
        scope_ = new_scope(f.closure);
        for (size_t i = 0; i < lambda.value.size() && i < given.size(); ++i)
          if (given[i].v || given[i].fn) scope_->vars[lambda.value[i].get<std::string>()] = Val{plain(given[i]), false, given[i].fn};
        Val v = eval(*lambda.args[0], ctx, depth + 1);
        scope_ = saved;
        return v;
      }
      case Function::Builtin: return builtin(f.name, args, ctx, depth + 1);
      case Function::Pattern: {
        std::vector<Val> a = {args.empty() ? Val{} : args[0], Val{std::nullopt, false, std::make_shared<Function>(f)}, Val{json(1)}};
        return builtin("match", a, ctx, depth + 1);
      }
      case Function::Composed: {
        Val mid = apply(*f.first, args, ctx, depth + 1);
        return apply(*f.second, {mid}, ctx, depth + 1);
      }
      case Function::Partial: {
        std::vector<Val> full;
        size_t next = 0;
        for (size_t i = 0; i < f.bound.size(); ++i) full.push_back(f.holes[i] ? (next < args.size() ? args[next++] : Val{}) : f.bound[i]);
        // A missing argument at the end is left out (a built-in function's optional argument).
        while (!full.empty() && !full.back().v && !full.back().fn) full.pop_back();
        return apply(*f.first, full, ctx, depth + 1);
      }
    }
    return {};
  }

  // The arguments of a call of a lambda with a signature, fitted to it: a missing `-` argument
  // is the context, a single value for an array parameter an array of one; T0410 / T0411 /
  // T0412 when they do not fit.
  std::vector<Val> signed_arguments(const std::string& text, const std::vector<Val>& args, const json* ctx) {
    auto params = parse_signature(text, nullptr);
    if (!params) fail("invalid function signature <" + text + ">");
    auto letter = [](const json& v) {
      return v.is_binary() ? 'f' : v.is_boolean() ? 'b' : v.is_number() ? 'n' : v.is_string() ? 's' : v.is_null() ? 'l' : v.is_array() ? 'a' : 'o';
    };
    std::string types;
    for (const auto& a : args) types += a.fn ? 'f' : !a.v ? 'm' : letter(unwrap(a));
    SignatureFit fit = fit_signature(*params, types);
    const std::string who = callee_.empty() ? "function" : "function " + callee_;
    if (!fit.ok) fail("Argument " + std::to_string(fit.bad_argument) + " of " + who + " does not match function signature");
    std::vector<Val> out;
    for (size_t p = 0; p < params->size(); ++p) {
      const SignatureParam& sp = (*params)[p];
      auto [begin, end] = fit.spans[p];
      if (begin == end) {
        if (sp.modifier == '-' && ctx && !type_fits(letter(*ctx), sp.types))
          fail("Context value is not a compatible type with argument " + std::to_string(begin + 1) + " of " + who);
        out.push_back(sp.modifier == '-' && ctx ? Val{*ctx} : Val{});
        continue;
      }
      for (size_t i = begin; i < end; ++i) {
        Val a = args[i];
        if (sp.types == "a" && a.v && !a.fn) {
          json v = unwrap(a);
          if (!v.is_array()) v = json::array({v});
          if (sp.subtype)
            for (const auto& x : v) {
              if (!type_fits(letter(x), std::string(1, sp.subtype))) {
                static const std::map<char, std::string> plural = {{'a', "arrays"}, {'b', "booleans"}, {'f', "functions"},
                                                                   {'n', "numbers"}, {'o', "objects"}, {'s', "strings"}, {'l', "nulls"}};
                fail("Argument " + std::to_string(i + 1) + " of " + who + " must be an array of " + plural.at(sp.subtype));
              }
            }
          a = Val{v};
        }
        out.push_back(std::move(a));
      }
    }
    return out;
  }

  // A function argument applied to the values a higher-order function hands it: a lambda takes
  // as many as it declares, a built-in function or regex only the first (`keep` of them).
  static size_t arity(const Function& f, size_t keep) {
    if (f.kind == Function::Lambda) return f.node->value.size();
    if (f.kind == Function::Partial) return static_cast<size_t>(std::count(f.holes.begin(), f.holes.end(), true));
    return keep;
  }
  Val apply_each(const Function& f, std::vector<Val> args, size_t keep, const json* ctx, int depth) {
    if (args.size() > arity(f, keep)) args.resize(arity(f, keep));
    callee_.clear();
    return apply(f, args, ctx, depth);
  }

  static const std::string& need_string(const std::string& fn, const Val& v, size_t i) {
    if (!v.v || !v.v->is_string()) fail("$" + fn + ": argument " + std::to_string(i + 1) + " must be a string");
    return v.v->get_ref<const std::string&>();
  }
  static const Regex* pattern_of(const Val& v) {
    return v.fn && v.fn->kind == Function::Pattern ? v.fn->node->regex.get() : nullptr;
  }
  static size_t limit_of(const std::string& fn, const std::vector<Val>& args, size_t i) {
    if (args.size() <= i || !args[i].v) return SIZE_MAX;
    if (!args[i].v->is_number() || args[i].v->get<double>() < 0)
      fail("$" + fn + ": argument " + std::to_string(i + 1) + " must be a positive number");
    double d = args[i].v->get<double>();
    return d > 1e9 ? SIZE_MAX : static_cast<size_t>(d);
  }
  static json match_object(const std::string& s, const RegexMatch& m) {
    json groups = json::array();
    for (const auto& g : m.groups) groups.push_back(g ? json(*g) : json(""));
    return {{"match", s.substr(m.begin, m.end - m.begin)}, {"index", code_points(s, m.begin)}, {"groups", groups}};
  }

  Val builtin(const std::string& fn, const std::vector<Val>& args, const json* ctx, int depth) {
    if (fn == "map" || fn == "filter" || fn == "reduce" || fn == "each" || fn == "sift") return higher_order(fn, args, ctx, depth);
    if (fn == "sort" && args.size() == 2) return sort(args, ctx, depth);
    if (fn == "single") return single(args, ctx, depth);
    if (fn == "match" || ((fn == "contains" || fn == "split" || fn == "replace") && args.size() > 1 && pattern_of(args[1])))
      return regex_function(fn, args, ctx, depth);
    if (fn == "now" || fn == "millis" || fn == "fromMillis" || fn == "toMillis") {
      std::vector<std::optional<json>> plain_args;
      for (const auto& a : args) plain_args.push_back(a.fn ? std::optional<json>(json::binary({})) : plain(a));
      return {datetime::call(fn, plain_args, now_millis())};
    }
    if (fn == "eval") return eval_function(args, ctx, depth);
    if (fn == "exists" && args.size() == 1 && args[0].fn) return {true};
    if (fn == "type" && args.size() == 1 && args[0].fn) return {"function"};
    std::vector<std::optional<json>> plain_args;
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i].fn) fail("$" + fn + ": argument " + std::to_string(i + 1) + " must not be a function");
      plain_args.push_back(without_functions(plain(args[i])));
    }
    return {functions::call(fn, plain_args)};
  }

  // $map(array, fn($v, $i, $a)), $filter(array, fn($v, $i, $a)), $reduce(array, fn($acc, $v,
  // $i, $a)[, init]), $each(object, fn($v, $k)), $sift(object, fn($v, $k)).
  Val higher_order(const std::string& fn, const std::vector<Val>& args, const json* ctx, int depth) {
    size_t most = fn == "reduce" ? 3 : 2;
    if (args.size() < 2 || args.size() > most) fail("$" + fn + ": wrong number of arguments");
    if (!args[1].fn) fail("$" + fn + ": argument 2 must be a function");
    const Function& f = *args[1].fn;
    if (!args[0].v) return {};
    json first = unwrap(args[0]);
    if (fn == "each" || fn == "sift") {
      if (!first.is_object()) fail("$" + fn + ": the first argument must be an object");
      json out = fn == "each" ? json::array() : json::object();
      for (auto it = first.begin(); it != first.end(); ++it) {
        std::vector<Val> a = {Val{it.value()}, Val{it.key()}};
        if (arity(f, 1) > 2) a.push_back(Val{first});
        Val r = apply_each(f, std::move(a), 1, ctx, depth);
        if (fn == "each" && r.v) out.push_back(unwrap(std::move(r)));
        if (fn == "sift" && functions::truthy(plain(r))) out[it.key()] = it.value();
      }
      return out.empty() ? Val{} : Val{out, fn == "each"};
    }
    json items = first.is_array() ? first : json::array({first});
    if (fn == "reduce") {
      std::optional<json> acc;
      size_t start = 0;
      if (args.size() == 3) acc = plain(args[2]);
      if (!acc) {
        if (items.empty()) return {};
        acc = items[0];
        start = 1;
      }
      for (size_t i = start; i < items.size(); ++i) {
        std::vector<Val> a = {Val{acc}, Val{items[i]}, Val{json(i)}};
        if (arity(f, 2) > 3) a.push_back(Val{items});
        acc = plain(apply_each(f, std::move(a), 2, ctx, depth));
      }
      return acc ? Val{*acc} : Val{};
    }
    json out = json::array();
    for (size_t i = 0; i < items.size(); ++i) {
      std::vector<Val> a = {Val{items[i]}, Val{json(i)}};
      if (arity(f, 1) > 2) a.push_back(Val{items});
      Val r = apply_each(f, std::move(a), 1, ctx, depth);
      if (fn == "map" && r.v) out.push_back(unwrap(std::move(r)));
      if (fn == "filter" && functions::truthy(plain(r))) out.push_back(items[i]);
    }
    return out.empty() ? Val{} : Val{out, true};
  }

  // $single(array[, fn($v, $i, $a)]): the one item (that the function accepts), else an error.
  Val single(const std::vector<Val>& args, const json* ctx, int depth) {
    if (args.empty() || args.size() > 2) fail("$single: wrong number of arguments");
    if (args.size() == 2 && !args[1].fn) fail("$single: argument 2 must be a function");
    if (!args[0].v) return {};
    json first = unwrap(args[0]);
    json items = first.is_array() ? first : json::array({first});
    std::optional<json> found;
    for (size_t i = 0; i < items.size(); ++i) {
      bool match = true;
      if (args.size() == 2) {
        std::vector<Val> a = {Val{items[i]}, Val{json(i)}};
        if (arity(*args[1].fn, 1) > 2) a.push_back(Val{items});
        match = functions::truthy(plain(apply_each(*args[1].fn, std::move(a), 1, ctx, depth)));
      }
      if (!match) continue;
      if (found) fail("The $single() function expected exactly 1 matching result.  Instead it matched more.");
      found = items[i];
    }
    if (!found) fail("The $single() function expected exactly 1 matching result.  Instead it matched 0.");
    return {*found};
  }

  // $sort(array, function($l, $r)): a stable merge sort; the function says whether $l goes after $r.
  Val sort(const std::vector<Val>& args, const json* ctx, int depth) {
    if (!args[1].fn) fail("$sort: argument 2 must be a function");
    if (!args[0].v) return {};
    json items = unwrap(args[0]);
    if (!items.is_array()) items = json::array({items});
    std::vector<json> v(items.begin(), items.end()), tmp(v.size());
    const Function& f = *args[1].fn;
    auto after = [&](const json& l, const json& r) { return functions::truthy(plain(apply(f, {Val{l}, Val{r}}, ctx, depth))); };
    for (size_t width = 1; width < v.size(); width *= 2) {
      for (size_t lo = 0; lo < v.size(); lo += 2 * width) {
        size_t mid = std::min(lo + width, v.size()), hi = std::min(lo + 2 * width, v.size());
        size_t i = lo, j = mid, k = lo;
        while (i < mid && j < hi) tmp[k++] = after(v[i], v[j]) ? v[j++] : v[i++];
        while (i < mid) tmp[k++] = v[i++];
        while (j < hi) tmp[k++] = v[j++];
      }
      std::swap(v, tmp);
    }
    return {json(v)};
  }

  // $match(str, /re/[, limit]); $contains, $split, $replace with a regex.
  Val regex_function(const std::string& fn, const std::vector<Val>& args, const json* ctx, int depth) {
    size_t most = fn == "replace" ? 4 : fn == "contains" ? 2 : 3;
    if (args.size() < 2 || args.size() > most) fail("$" + fn + ": wrong number of arguments");
    const Regex* re = pattern_of(args[1]);
    if (!re) fail("$" + fn + ": argument 2 must be a regular expression");
    if (!args[0].v) return {};
    const std::string& s = need_string(fn, args[0], 0);
    if (fn == "contains") return {regex_test(*re, s)};
    if (fn == "match") {
      json out = json::array();
      for (const auto& m : regex_matches(*re, s, limit_of(fn, args, 2))) out.push_back(match_object(s, m));
      return out.empty() ? Val{} : Val{out, true};
    }
    if (fn == "split") {
      json out = json::array();
      size_t from = 0, limit = limit_of(fn, args, 2);
      if (limit == 0) return {out};
      for (const auto& m : regex_matches(*re, s, limit)) {
        out.push_back(s.substr(from, m.begin - from));
        from = m.end;
      }
      if (out.size() < limit) out.push_back(s.substr(from));
      return {out};
    }
    // $replace: a string with $0..$n and $$, or a function of the match object.
    if (args.size() < 3 || (!args[2].fn && !(args[2].v && args[2].v->is_string())))
      fail("$replace: argument 3 must be a string or a function");
    std::string out;
    size_t from = 0;
    for (const auto& m : regex_matches(*re, s, limit_of(fn, args, 3))) {
      out += s.substr(from, m.begin - from);
      if (args[2].fn) {
        Val r = apply(*args[2].fn, {Val{match_object(s, m)}}, ctx, depth);
        auto text = plain(r);
        if (!text || !text->is_string()) fail("Attempted to replace a matched string with a non-string value");
        out += text->get<std::string>();
      } else {
        out += regex_substitute(args[2].v->get_ref<const std::string&>(), s.substr(m.begin, m.end - m.begin), m.groups);
      }
      from = m.end;
    }
    return {out + s.substr(from)};
  }

  int64_t now_millis() {
    if (!now_) now_ = b_.clock ? b_.clock->epoch_millis() : SystemClock::instance().epoch_millis();
    return *now_;
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

  // seq^(<a, >b): a stable sort by the keys, each evaluated with an item as the context (numbers
  // or strings of one type per key; an undefined key sorts last).
  Val order_by(const Node& n, const json* ctx, int depth) {
    Val l = eval(*n.args[0], ctx, depth + 1);
    if (!l.v) return {};
    json items = l.v->is_array() ? *l.v : json::array({*l.v});
    const size_t keys = n.args.size() - 1;
    std::vector<std::vector<std::optional<json>>> key_of(items.size());
    for (size_t i = 0; i < items.size(); ++i)
      for (size_t k = 0; k < keys; ++k) {
        std::optional<json> v = plain(eval(*n.args[k + 1], &items[i], depth + 1));
        if (v && !v->is_number() && !v->is_string()) fail("the keys of ^( ) must be numbers or strings");
        key_of[i].push_back(std::move(v));
      }
    auto compare = [&](size_t a, size_t b) {
      for (size_t k = 0; k < keys; ++k) {
        const auto &x = key_of[a][k], &y = key_of[b][k];
        if (!x || !y) {
          if (!x && !y) continue;
          return x ? -1 : 1;  // undefined last, ascending or not
        }
        if (x->is_number() != y->is_number()) fail("the keys of ^( ) must be of one type");
        int c = x->is_number() ? (x->get<double>() < y->get<double>() ? -1 : x->get<double>() > y->get<double>() ? 1 : 0)
                               : x->get_ref<const std::string&>().compare(y->get_ref<const std::string&>());
        if (c == 0) continue;
        c = c < 0 ? -1 : 1;
        return n.value[k].get<bool>() ? -c : c;
      }
      return 0;
    };
    std::vector<size_t> order(items.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return compare(a, b) < 0; });
    json out = json::array();
    for (size_t i : order) out.push_back(items[i]);
    return {out, true};
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
      if (v.fn) out.push_back(stored(std::move(v)));
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
    if (op == "&") return {functions::to_string(without_functions(l)) + functions::to_string(without_functions(r))};
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

  // $eval(expr[, context]): the expression text parsed and evaluated here (with this scope's
  // variables), over `context` or the current context.
  Val eval_function(const std::vector<Val>& args, const json* ctx, int depth) {
    if (args.empty() || args.size() > 2) fail("$eval: wrong number of arguments");
    if (!args[0].v) return {};
    const std::string& text = need_string("eval", args[0], 0);
    steps_ += text.size();  // parsing is work too
    if (steps_ > kMaxSteps) fail("the expression takes too many steps to evaluate");
    std::string why;
    NodePtr n = parse(text, &why);
    if (!n) fail("Syntax error in expression passed to function eval: " + why);
    parsed_.push_back(n);  // lambdas of the expression may outlive this call
    std::optional<json> over = args.size() == 2 ? plain(args[1]) : std::nullopt;
    if (args.size() == 2 && args[1].fn) fail("$eval: argument 2 must not be a function");
    if (args.size() == 2 && !over) return {};
    try {
      return eval(*n, over ? &*over : ctx, depth + 1);
    } catch (const StatesError& e) {
      fail("Dynamic error evaluating the expression passed to function eval: " + e.cause);
    }
  }

  void descendants(const json& v, json& out, int depth) {
    if (depth > kMaxDepth) fail("the value is nested too deeply for **");
    if (++steps_ > kMaxSteps) fail("the expression takes too many steps to evaluate");
    if (v.is_array()) {
      for (const auto& x : v) descendants(x, out, depth + 1);
      return;
    }
    out.push_back(v);
    if (v.is_object())
      for (const auto& x : v) descendants(x, out, depth + 1);
  }

  // A path whose steps carry ancestry and bindings: each step runs over every tuple of the
  // previous one, with the tuple's @/# variables in scope and % reading its ancestry.
  Val tuple_path(const Node& n, const json* ctx, int depth) {
    std::vector<const Node*> steps;
    const Node* p = &n;
    while (p->kind == Node::Path) {
      steps.push_back(p->args[1].get());
      p = p->args[0].get();
    }
    steps.push_back(p);
    std::reverse(steps.begin(), steps.end());
    std::vector<Tuple> stream;
    stream.push_back(Tuple{ctx ? *ctx : json(), parents_, {}});
    bool undefined_context = !ctx;
    for (size_t i = 0; i < steps.size(); ++i) {
      std::vector<Tuple> next;
      for (const Tuple& t : stream) {
        auto out = tuple_step(*steps[i], t, i == 0, undefined_context, depth + 1);
        for (auto& o : out) next.push_back(std::move(o));
      }
      stream = std::move(next);
      undefined_context = false;
      if (stream.empty()) return {};
    }
    json out = json::array();
    for (auto& t : stream) out.push_back(std::move(t.value));
    return {out, true};
  }

  // Evaluates `e` for the tuple `t` (its variables bound, its ancestry as %).
  Val in_tuple(const Node& e, const Tuple& t, const json* ctx, const Parents& parents, int depth) {
    Scope* saved_scope = scope_;
    Parents saved_parents = parents_;
    if (!t.vars.empty()) {
      scope_ = new_scope(saved_scope);
      for (const auto& [name, v] : t.vars) scope_->vars[name] = Val{v};
    }
    parents_ = parents;
    Val v = eval(e, ctx, depth);
    scope_ = saved_scope;
    parents_ = saved_parents;
    return v;
  }

  // One step of a tuple path for one tuple: the step's values as tuples, after its predicates,
  // @ and # (in the order written).
  std::vector<Tuple> tuple_step(const Node& step, const Tuple& t, bool first, bool no_context, int depth) {
    if (depth > kMaxDepth) fail("the expression is nested too deeply");
    std::vector<const Node*> stages;
    const Node* base = &step;
    while (base->kind == Node::Filter || base->kind == Node::FocusBind || base->kind == Node::IndexBind) {
      stages.push_back(base);
      base = base->args[0].get();
    }
    std::reverse(stages.begin(), stages.end());
    // item: what predicates and # see; out: the tuple that goes on.
    struct Item {
      json item;
      Tuple out;
    };
    std::vector<Item> items;
    auto here = std::make_shared<const Ancestry>(Ancestry{t.value, t.parents});
    const json* ctx = no_context ? nullptr : &t.value;
    if (base->kind == Node::Parent) {
      if (!t.parents) fail("The object representing the 'parent' cannot be derived from this expression");
      items.push_back(Item{t.parents->value, Tuple{t.parents->value, t.parents->up, t.vars}});
    } else {
      Val v = in_tuple(*base, t, ctx, t.parents, depth);
      if (v.v) {
        auto add = [&](json x) { items.push_back(Item{x, Tuple{std::move(x), here, t.vars}}); };
        if (v.v->is_array() && (first || v.seq || base->kind != Node::Array)) {
          for (auto& x : *v.v) add(std::move(x));
        } else {
          add(std::move(*v.v));
        }
      }
    }
    for (const Node* s : stages) {
      if (s->kind == Node::IndexBind) {
        for (size_t i = 0; i < items.size(); ++i) items[i].out.vars.emplace_back(s->text, json(i));
      } else if (s->kind == Node::FocusBind) {
        for (auto& it : items) {
          it.out.vars.emplace_back(s->text, it.item);
          it.out.value = t.value;
          it.out.parents = t.parents;
        }
      } else {
        items = tuple_filter(*s->args[1], std::move(items), here, depth);
      }
    }
    std::vector<Tuple> out;
    for (auto& it : items) out.push_back(std::move(it.out));
    return out;
  }

  template <class Item>
  std::vector<Item> tuple_filter(const Node& pred, std::vector<Item> items, const Parents& here, int depth) {
    std::vector<Item> kept;
    auto index_of = [&](const json& num) {
      double d = std::floor(num.get<double>());
      if (!(std::fabs(d) < 1e15)) return int64_t{-1} - static_cast<int64_t>(items.size());
      auto i = static_cast<int64_t>(d);
      if (i < 0) i += static_cast<int64_t>(items.size());
      return i;
    };
    for (size_t i = 0; i < items.size(); ++i) {
      Val r = in_tuple(pred, items[i].out, &items[i].item, here, depth);
      if (r.v && r.v->is_number()) {
        if (index_of(*r.v) == static_cast<int64_t>(i)) kept.push_back(items[i]);
      } else if (functions::truthy(r.v)) {
        kept.push_back(items[i]);
      }
    }
    return kept;
  }

  const Bindings& b_;
  json root_;
  Scope* scope_ = nullptr;
  Parents parents_;                 // what % reads
  std::vector<FnPtr> fns_;          // the functions stored in arrays and objects
  std::string callee_;              // the $name of the lambda being called (for T0410 / T0412)
  std::vector<NodePtr> parsed_;     // the expressions of $eval
  std::vector<std::unique_ptr<Scope>> scopes_;
  size_t steps_ = 0;
  std::optional<int64_t> now_;
};

}  // namespace

std::optional<json> evaluate(const Node& node, const Bindings& b) {
  Evaluator ev(b);
  const json* ctx = b.states.contains("input") ? &b.states["input"] : nullptr;
  Val v = ev.eval(node, ctx, 0);
  if (!v.v) return std::nullopt;
  return ev.without_functions(Evaluator::unwrap(std::move(v)));
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

// Evaluation of parsed expressions: conditions against an item, update actions applied
// to an item, projections and document paths.
#include "dynamodb/expression.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>

#include "awan/error.hpp"
#include "dynamodb/value.hpp"

namespace awan::dynamodb::expr {

namespace {

// ---------------------------------------------------------------- evaluation

const json* child(const json* av, const PathElement& e) {
  if (!av || !av->is_object() || av->empty()) return nullptr;
  auto first = av->begin();  // (a structured binding of items().begin() would dangle)
  const std::string& type = first.key();
  const json& v = first.value();
  if (e.is_index()) {
    if (type != "L" || static_cast<size_t>(e.index) >= v.size()) return nullptr;
    return &v[static_cast<size_t>(e.index)];
  }
  if (type != "M") return nullptr;
  auto it = v.find(e.name);
  return it == v.end() ? nullptr : &*it;
}

// Evaluates an operand: a pointer to the value (possibly `scratch`), or null when missing.
const json* operand_value(const Node& n, const json& item, json& scratch) {
  switch (n.kind) {
    case Kind::Value:
      return n.value;
    case Kind::Path:
      return resolve(item, n.path);
    case Kind::Call:
      if (n.op == "size") {
        json inner_scratch;
        const json* v = operand_value(n.args[0], item, inner_scratch);
        if (!v) return nullptr;
        auto t = value_type(*v);
        const json& x = v->begin().value();
        size_t sz;
        if (t == "S") sz = x.get_ref<const std::string&>().size();
        else if (t == "B") sz = to_bytes(x).size();
        else if (t == "SS" || t == "NS" || t == "BS" || t == "L" || t == "M") sz = x.size();
        else return nullptr;
        scratch = json{{"N", std::to_string(sz)}};
        return &scratch;
      }
      return nullptr;
    default:
      return nullptr;
  }
}

bool set_contains(const json& set_av, const json& elem) {
  auto st = value_type(set_av);
  auto et = value_type(elem);
  if (st.size() != 2 || et.size() != 1 || st[0] != et[0]) return false;
  json probe = json{{std::string(et), nullptr}};
  for (const auto& m : set_av.begin().value()) {
    probe.begin().value() = m;
    if (values_equal(probe, elem)) return true;
  }
  return false;
}

bool eval(const Node& n, const json& item) {
  switch (n.kind) {
    case Kind::And:
      return eval(n.args[0], item) && eval(n.args[1], item);
    case Kind::Or:
      return eval(n.args[0], item) || eval(n.args[1], item);
    case Kind::Not:
      return !eval(n.args[0], item);
    case Kind::Compare: {
      json s1, s2;
      const json* a = operand_value(n.args[0], item, s1);
      const json* b = operand_value(n.args[1], item, s2);
      if (n.op == "=") return a && b && values_equal(*a, *b);
      if (n.op == "<>") return !(a && b && values_equal(*a, *b));
      if (!a || !b) return false;
      auto c = compare_values(*a, *b);
      if (!c) return false;
      if (n.op == "<") return *c < 0;
      if (n.op == "<=") return *c <= 0;
      if (n.op == ">") return *c > 0;
      return *c >= 0;
    }
    case Kind::Between: {
      json s1, s2, s3;
      const json* x = operand_value(n.args[0], item, s1);
      const json* lo = operand_value(n.args[1], item, s2);
      const json* hi = operand_value(n.args[2], item, s3);
      if (!x || !lo || !hi) return false;
      auto c1 = compare_values(*x, *lo);
      auto c2 = compare_values(*x, *hi);
      return c1 && c2 && *c1 >= 0 && *c2 <= 0;
    }
    case Kind::In: {
      json s;
      const json* x = operand_value(n.args[0], item, s);
      if (!x) return false;
      for (size_t i = 1; i < n.args.size(); ++i) {
        json s2;
        const json* y = operand_value(n.args[i], item, s2);
        if (y && values_equal(*x, *y)) return true;
      }
      return false;
    }
    case Kind::Call: {
      const std::string& f = n.op;
      if (f == "attribute_exists") return resolve(item, n.args[0].path) != nullptr;
      if (f == "attribute_not_exists") return resolve(item, n.args[0].path) == nullptr;
      json s1, s2;
      const json* a = operand_value(n.args[0], item, s1);
      const json* b = n.args.size() > 1 ? operand_value(n.args[1], item, s2) : nullptr;
      if (!a || !b) return false;
      if (f == "attribute_type") return value_type(*a) == b->begin().value().get_ref<const std::string&>();
      if (f == "begins_with") {
        auto ta = value_type(*a);
        if (ta != value_type(*b)) return false;
        if (ta == "S") {
          const auto& x = a->begin().value().get_ref<const std::string&>();
          const auto& y = b->begin().value().get_ref<const std::string&>();
          return x.compare(0, y.size(), y) == 0 && x.size() >= y.size();
        }
        if (ta == "B") {
          std::string x = to_bytes(a->begin().value()), y = to_bytes(b->begin().value());
          return x.size() >= y.size() && x.compare(0, y.size(), y) == 0;
        }
        return false;
      }
      if (f == "contains") {
        auto ta = value_type(*a);
        if (ta == "S") {
          if (value_type(*b) != "S") return false;
          return a->begin().value().get_ref<const std::string&>().find(
                     b->begin().value().get_ref<const std::string&>()) != std::string::npos;
        }
        if (ta == "SS" || ta == "NS" || ta == "BS") return set_contains(*a, *b);
        if (ta == "L") {
          for (const auto& e : a->begin().value())
            if (values_equal(e, *b)) return true;
          return false;
        }
        if (ta == "B" && value_type(*b) == "B")
          return to_bytes(a->begin().value()).find(to_bytes(b->begin().value())) != std::string::npos;
        return false;
      }
      return false;
    }
    default:
      return false;
  }
}

// ---------------------------------------------------------------- update application

[[noreturn]] void update_error(const std::string& msg) { throw AwsError::validation(msg); }

json eval_update_value(const Node& n, const json& item) {
  switch (n.kind) {
    case Kind::Value:
      return *n.value;
    case Kind::Path: {
      const json* v = resolve(item, n.path);
      if (!v) update_error("The provided expression refers to an attribute that does not exist in the item");
      return *v;
    }
    case Kind::Call:
      if (n.op == "if_not_exists") {
        const json* v = resolve(item, n.args[0].path);
        if (v) return *v;
        return eval_update_value(n.args[1], item);
      } else {  // list_append
        json a = eval_update_value(n.args[0], item);
        json b = eval_update_value(n.args[1], item);
        if (value_type(a) != "L" || value_type(b) != "L")
          update_error("An operand in the update expression has an incorrect data type");
        json out = a;
        for (const auto& e : b["L"]) out["L"].push_back(e);
        return out;
      }
    case Kind::Plus:
    case Kind::Minus: {
      json a = eval_update_value(n.args[0], item);
      json b = eval_update_value(n.args[1], item);
      if (value_type(a) != "N" || value_type(b) != "N")
        update_error("An operand in the update expression has an incorrect data type");
      Number x = to_number(a["N"]), y = to_number(b["N"]);
      Number r = add_numbers(x, n.kind == Kind::Plus ? y : negate_number(y));
      if (auto err = check_sum(r)) update_error(*err);
      return json{{"N", format_number(r)}};
    }
    default:
      update_error("Invalid UpdateExpression");
  }
}

// Parent container value (M or L) of the last element of `path`, creating nothing.
json* resolve_mutable(json& item, const Path& p, size_t upto) {
  if (p.empty()) return nullptr;
  auto it = item.find(p[0].name);
  if (it == item.end()) return nullptr;
  json* cur = &*it;
  for (size_t i = 1; i < upto; ++i) {
    const auto& e = p[i];
    if (!cur->is_object() || cur->empty()) return nullptr;
    if (e.is_index()) {
      if (!cur->contains("L")) return nullptr;
      json& l = (*cur)["L"];
      if (static_cast<size_t>(e.index) >= l.size()) return nullptr;
      cur = &l[static_cast<size_t>(e.index)];
    } else {
      if (!cur->contains("M")) return nullptr;
      json& m = (*cur)["M"];
      auto jt = m.find(e.name);
      if (jt == m.end()) return nullptr;
      cur = &*jt;
    }
  }
  return cur;
}

const char* kInvalidPath = "The document path provided in the update expression is invalid for update";

// Where the value at `p` lives, creating the final slot (map key or appended list element).
// nullptr when the parent is missing or has the wrong type.
json* slot_for_write(json& item, const Path& p) {
  if (p.size() == 1) return &item[p[0].name];
  json* parent = resolve_mutable(item, p, p.size() - 1);
  if (!parent) return nullptr;
  const auto& last = p.back();
  if (last.is_index()) {
    if (!parent->contains("L")) return nullptr;
    json& l = (*parent)["L"];
    if (static_cast<size_t>(last.index) >= l.size()) {
      l.push_back(json::object());
      return &l.back();
    }
    return &l[static_cast<size_t>(last.index)];
  }
  if (!parent->contains("M")) return nullptr;
  return &(*parent)["M"][last.name];
}

void remove_at(json& item, const Path& p) {
  if (p.size() == 1) {
    item.erase(p[0].name);
    return;
  }
  json* parent = resolve_mutable(item, p, p.size() - 1);
  if (!parent) return;
  const auto& last = p.back();
  if (last.is_index()) {
    if (!parent->contains("L")) return;
    json& l = (*parent)["L"];
    if (static_cast<size_t>(last.index) < l.size()) l.erase(static_cast<size_t>(last.index));
  } else if (parent->contains("M")) {
    (*parent)["M"].erase(last.name);
  }
}

std::string set_member_key(std::string_view set_type, const json& m) {
  if (set_type == "NS") return format_number(to_number(m));
  if (set_type == "BS") return to_bytes(m);
  return m.get<std::string>();
}

struct PNode {
  std::map<std::string, PNode> keys;
  std::map<int64_t, PNode> idx;
  bool whole = false;
};

std::optional<json> materialize(const json& av, const PNode& node) {
  if (node.whole) return av;
  auto t = value_type(av);
  if (t == "M" && !node.keys.empty()) {
    json m = json::object();
    const json& src = av.begin().value();
    for (const auto& [k, sub] : node.keys) {
      auto it = src.find(k);
      if (it == src.end()) continue;
      if (auto v = materialize(*it, sub)) m[k] = std::move(*v);
    }
    if (m.empty()) return std::nullopt;
    return json{{"M", std::move(m)}};
  }
  if (t == "L" && !node.idx.empty()) {
    json l = json::array();
    const json& src = av.begin().value();
    for (const auto& [i, sub] : node.idx) {
      if (static_cast<size_t>(i) >= src.size()) continue;
      if (auto v = materialize(src[static_cast<size_t>(i)], sub)) l.push_back(std::move(*v));
    }
    if (l.empty()) return std::nullopt;
    return json{{"L", std::move(l)}};
  }
  return std::nullopt;
}

}  // namespace

const json* resolve(const json& item, const Path& p) {
  if (p.empty() || !item.is_object()) return nullptr;
  auto it = item.find(p[0].name);
  if (it == item.end()) return nullptr;
  const json* cur = &*it;
  for (size_t i = 1; i < p.size() && cur; ++i) cur = child(cur, p[i]);
  return cur;
}

bool evaluate(const Node& condition, const json& item) { return eval(condition, item); }

void apply_update(const Update& update, json& item) {
  const json original = item;
  // Compute SET values against the original item first.
  std::vector<json> values(update.actions.size());
  for (size_t i = 0; i < update.actions.size(); ++i)
    if (update.actions[i].type == UpdateAction::Set) values[i] = eval_update_value(update.actions[i].value, original);
  // REMOVE list elements from the highest index down so earlier indexes stay valid.
  std::vector<size_t> order(update.actions.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const auto& a = update.actions[x];
    const auto& b = update.actions[y];
    if (a.type != UpdateAction::Remove || b.type != UpdateAction::Remove) return false;
    if (a.path.size() != b.path.size() || !a.path.back().is_index() || !b.path.back().is_index()) return false;
    return a.path.back().index > b.path.back().index;
  });
  for (size_t i : order) {
    const auto& a = update.actions[i];
    switch (a.type) {
      case UpdateAction::Set: {
        json* slot = slot_for_write(item, a.path);
        if (!slot) update_error(kInvalidPath);
        *slot = std::move(values[i]);
        break;
      }
      case UpdateAction::Remove:
        if (a.path.size() > 1 && !resolve_mutable(item, a.path, a.path.size() - 1)) update_error(kInvalidPath);
        remove_at(item, a.path);
        break;
      case UpdateAction::Add:
      case UpdateAction::Delete: {
        const json& v = *a.value.value;
        auto vt = value_type(v);
        const json* existing = resolve(item, a.path);
        if (!existing) {
          if (a.type == UpdateAction::Delete) {
            if (a.path.size() > 1 && !resolve_mutable(item, a.path, a.path.size() - 1)) update_error(kInvalidPath);
            break;
          }
          json* slot = slot_for_write(item, a.path);
          if (!slot) update_error(kInvalidPath);
          *slot = v;
          break;
        }
        auto et = value_type(*existing);
        if (et != vt) update_error("An operand in the update expression has an incorrect data type");
        json* slot = slot_for_write(item, a.path);
        if (vt == "N") {
          Number r = add_numbers(to_number((*slot)["N"]), to_number(v.at("N")));
          if (auto err = check_sum(r)) update_error(*err);
          *slot = json{{"N", format_number(r)}};
          break;
        }
        std::string type(vt);
        json& members = (*slot)[type];
        std::set<std::string> have;
        for (const auto& m : members) have.insert(set_member_key(vt, m));
        if (a.type == UpdateAction::Add) {
          for (const auto& m : v.at(type))
            if (have.insert(set_member_key(vt, m)).second) members.push_back(m);
        } else {
          std::set<std::string> drop;
          for (const auto& m : v.at(type)) drop.insert(set_member_key(vt, m));
          json kept = json::array();
          for (const auto& m : members)
            if (!drop.count(set_member_key(vt, m))) kept.push_back(m);
          if (kept.empty())
            remove_at(item, a.path);
          else
            members = std::move(kept);
        }
        break;
      }
    }
  }
}

json project(const json& item, const std::vector<Path>& paths) {
  PNode root;
  for (const auto& p : paths) {
    PNode* cur = &root;
    for (const auto& e : p) cur = e.is_index() ? &cur->idx[e.index] : &cur->keys[e.name];
    cur->whole = true;
  }
  json out = json::object();
  for (const auto& [k, sub] : root.keys) {
    auto it = item.find(k);
    if (it == item.end()) continue;
    if (auto v = materialize(*it, sub)) out[k] = std::move(*v);
  }
  return out;
}

}  // namespace awan::dynamodb::expr

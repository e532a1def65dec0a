// Workflow variables in a definition (see variables.hpp): names and scopes of Assign fields,
// and the variables each state references. Called by asl_parser.cpp (validation) and
// state_machines.cpp (DescribeStateMachine's variableReferences).
#include "stepfunctions/variables.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include "stepfunctions/intrinsics.hpp"
#include "stepfunctions/jsonata.hpp"

namespace awan::stepfunctions::variables {

using json = nlohmann::json;

namespace {

constexpr int kMaxNesting = 40;
constexpr size_t kMaxNameLength = 80;

// The next code point of UTF-8 `s` at `i` (advanced), or -1 when the bytes are not UTF-8.
long next_code_point(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i++]);
  if (c < 0x80) return c;
  int extra = c >= 0xF0 && c < 0xF5 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 && c < 0xE0 ? 1 : -1;
  if (extra < 0 || i + extra > s.size()) return -1;
  long cp = c & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) {
    unsigned char b = static_cast<unsigned char>(s[i++]);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
    return -1;
  return cp;
}

// Code points outside ASCII that are not letters: Latin-1 punctuation and symbols, general
// punctuation, arrows/mathematical/technical symbols and box drawing, CJK punctuation,
// private use, fullwidth punctuation, specials, emoji. An approximation of Unicode's ID_Start
// beyond ASCII (the tables are not embedded).
bool non_ascii_non_letter(long cp) {
  static const std::pair<long, long> ranges[] = {
      {0x80, 0xA9},     {0xAB, 0xB4},     {0xB6, 0xB9},     {0xBB, 0xBF},     {0xD7, 0xD7},
      {0xF7, 0xF7},     {0x2000, 0x206F}, {0x20A0, 0x20CF}, {0x2190, 0x2BFF}, {0x3000, 0x3004},
      {0x3008, 0x3020}, {0xE000, 0xF8FF}, {0xFE10, 0xFE1F}, {0xFE30, 0xFE4F}, {0xFF00, 0xFF20},
      {0xFF3B, 0xFF40}, {0xFF5B, 0xFF65}, {0xFFF0, 0xFFFF}, {0x1F000, 0x1FAFF}};
  for (auto [lo, hi] : ranges)
    if (cp >= lo && cp <= hi) return true;
  return false;
}

bool combining_mark(long cp) {
  return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
         (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F);
}

bool id_start(long cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
  return !non_ascii_non_letter(cp) && !combining_mark(cp);
}

bool id_continue(long cp) {
  if (cp < 0x80) return id_start(cp) || (cp >= '0' && cp <= '9') || cp == '_';
  return id_start(cp) || combining_mark(cp) || cp == 0xB7 || cp == 0x203F || cp == 0x2040;
}

// The names a state assigns in its scope: its Assign, its catchers' and its choice rules'.
// Each with the pointer of its Assign field.
struct Assigned {
  std::string name, where;
};

void assigned_by(const json& assign, const std::string& at, bool jsonata, std::vector<Assigned>& names,
                 std::vector<asl::Diagnostic>& out) {
  if (!assign.is_object()) {
    out.push_back({"SCHEMA_VALIDATION_FAILED", "The value for the field 'Assign' must be an OBJECT at " + at, at});
    return;
  }
  for (auto it = assign.begin(); it != assign.end(); ++it) {
    std::string name = it.key();
    // JSONPath: "name.$" takes its value from a path or an intrinsic function.
    if (!jsonata && name.size() > 2 && name.compare(name.size() - 2, 2, ".$") == 0) name.resize(name.size() - 2);
    names.push_back({name, at});
  }
}

std::vector<Assigned> assigned_in_state(const json& st, const std::string& at, bool jsonata,
                                        std::vector<asl::Diagnostic>& out) {
  std::vector<Assigned> names;
  if (auto a = st.find("Assign"); a != st.end()) assigned_by(*a, at + "/Assign", jsonata, names, out);
  for (const char* list : {"Catch", "Choices"}) {
    auto l = st.find(list);
    if (l == st.end() || !l->is_array()) continue;
    for (size_t i = 0; i < l->size(); ++i) {
      const json& r = (*l)[i];
      if (!r.is_object()) continue;
      if (auto a = r.find("Assign"); a != r.end())
        assigned_by(*a, at + "/" + list + "[" + std::to_string(i) + "]/Assign", jsonata, names, out);
    }
  }
  return names;
}

bool uses_jsonata(const json& node, bool inherited) {
  auto q = node.find("QueryLanguage");
  return q == node.end() || !q->is_string() ? inherited : *q == "JSONata";
}

// The branch machines of a state: Parallel branches, a Map's processor (distributed: a scope of
// its own that does not see the outer variables).
struct Child {
  const json* machine;
  std::string at;
  bool distributed;
};

std::vector<Child> children_of(const json& st, const std::string& at) {
  std::vector<Child> kids;
  if (auto b = st.find("Branches"); b != st.end() && b->is_array())
    for (size_t i = 0; i < b->size(); ++i) kids.push_back({&(*b)[i], at + "/Branches[" + std::to_string(i) + "]", false});
  for (const char* proc : {"ItemProcessor", "Iterator"})
    if (auto p = st.find(proc); p != st.end() && p->is_object()) {
      bool distributed = false;
      if (auto c = p->find("ProcessorConfig"); c != p->end() && c->is_object())
        distributed = c->value("Mode", "") == "DISTRIBUTED";
      kids.push_back({&*p, at + "/" + proc, distributed});
    }
  return kids;
}

struct ScopeChecker {
  std::vector<asl::Diagnostic>& out;

  void add(const std::string& message, const std::string& where) {
    if (out.size() >= 100) return;
    out.push_back({"SCHEMA_VALIDATION_FAILED", message + " at " + where, where});
  }

  void scope(const json& machine, const std::string& at, const std::set<std::string>& outer, bool jsonata, int depth) {
    if (depth > kMaxNesting || !machine.is_object()) return;
    auto states = machine.find("States");
    if (states == machine.end() || !states->is_object()) return;
    bool machine_ata = uses_jsonata(machine, jsonata);
    std::set<std::string> here;
    std::vector<std::pair<const json*, std::string>> nested;
    for (auto it = states->begin(); it != states->end(); ++it) {
      if (!it->is_object()) continue;
      std::string st_at = at + "/States/" + it.key();
      bool ata = uses_jsonata(*it, machine_ata);
      for (const auto& a : assigned_in_state(*it, st_at, ata, out)) {
        if (std::string why = name_problem(a.name); !why.empty())
          add("Invalid variable name '" + a.name + "': " + why, a.where);
        else if (outer.count(a.name))
          add("The variable '" + a.name + "' is assigned in an outer scope and cannot be assigned in an inner scope",
              a.where);
        here.insert(a.name);
      }
    }
    std::set<std::string> inner = outer;
    inner.insert(here.begin(), here.end());
    for (auto it = states->begin(); it != states->end(); ++it) {
      if (!it->is_object()) continue;
      bool ata = uses_jsonata(*it, machine_ata);
      for (const auto& kid : children_of(*it, at + "/States/" + it.key()))
        scope(*kid.machine, kid.at, kid.distributed ? std::set<std::string>{} : inner, ata, depth + 1);
    }
  }
};

// ---- references ----

void add_name(std::vector<std::string>& names, const std::string& n) {
  if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
}

// "$name", "$name.a[0]": the variable "name" ("$", "$.x", "$[0]", "$$..." are not variables).
void path_variable(const std::string& path, std::vector<std::string>& names) {
  if (path.size() < 2 || path[0] != '$' || path[1] == '.' || path[1] == '[' || path[1] == '$') return;
  size_t end = path.find_first_of(".[", 1);
  add_name(names, path.substr(1, end == std::string::npos ? std::string::npos : end - 1));
}

void intrinsic_variables(const intrinsics::Expr& e, std::vector<std::string>& names, int depth) {
  if (depth > kMaxNesting) return;
  if (e.kind == intrinsics::Expr::Path) path_variable(e.text, names);
  for (const auto& a : e.args) intrinsic_variables(a, names, depth + 1);
}

void jsonpath_value(const std::string& text, std::vector<std::string>& names) {
  if (intrinsics::looks_like_call(text)) {
    if (auto e = intrinsics::parse(text)) intrinsic_variables(*e, names, 0);
  } else {
    path_variable(text, names);
  }
}

// The names a JSONata expression binds itself ($x := ..., function parameters): not workflow variables.
void jsonata_bound(const jsonata::Node& n, std::set<std::string>& bound, int depth) {
  if (depth > 200) return;
  if (n.kind == jsonata::Node::Bind) bound.insert(n.text);
  if (n.kind == jsonata::Node::Lambda && n.value.is_array())
    for (const auto& p : n.value)
      if (p.is_string()) bound.insert(p.get<std::string>());
  for (const auto& a : n.args)
    if (a) jsonata_bound(*a, bound, depth + 1);
}

void jsonata_variables(const jsonata::Node& n, const std::set<std::string>& bound, std::vector<std::string>& names,
                       int depth) {
  if (depth > 200) return;
  if (n.kind == jsonata::Node::Variable && !n.text.empty() && n.text != "$" && n.text != "states" &&
      !bound.count(n.text))
    add_name(names, n.text);
  for (const auto& a : n.args)
    if (a) jsonata_variables(*a, bound, names, depth + 1);
}

// A state's own fields (not its nested branches): JSONata expressions in every string of a
// JSONata state; in a JSONPath state, the values of "x.$" members, of the *Path fields
// (ResultPath names the output, not a variable) and of choice rules' Variable. Pass's Result is
// a literal.
void state_values(const json& v, const std::string& key, bool jsonata, std::vector<std::string>& names, int depth) {
  if (depth > kMaxNesting) return;
  if (v.is_string()) {
    const auto& text = v.get_ref<const std::string&>();
    if (jsonata) {
      std::string expr;
      if (jsonata::is_expression(v, &expr))
        if (auto node = jsonata::parse(expr)) {
          std::set<std::string> bound;
          jsonata_bound(*node, bound, 0);
          jsonata_variables(*node, bound, names, 0);
        }
      return;
    }
    bool dollar = key.size() > 2 && key.compare(key.size() - 2, 2, ".$") == 0;
    bool path = key.size() > 4 && key.compare(key.size() - 4, 4, "Path") == 0 && key != "ResultPath";
    if (dollar || path || key == "Variable") jsonpath_value(text, names);
    return;
  }
  if (v.is_array()) {
    for (const auto& x : v) state_values(x, key, jsonata, names, depth + 1);
    return;
  }
  if (!v.is_object()) return;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string& k = it.key();
    if (depth == 0 && (k == "Branches" || k == "ItemProcessor" || k == "Iterator" || k == "Comment")) continue;
    if (depth == 0 && k == "Result" && !jsonata) continue;
    state_values(*it, k, jsonata, names, depth + 1);
  }
}

void machine_references(const json& machine, bool jsonata, json& out, int depth) {
  if (depth > kMaxNesting || !machine.is_object()) return;
  auto states = machine.find("States");
  if (states == machine.end() || !states->is_object()) return;
  bool machine_ata = uses_jsonata(machine, jsonata);
  for (auto it = states->begin(); it != states->end(); ++it) {
    if (!it->is_object()) continue;
    bool ata = uses_jsonata(*it, machine_ata);
    std::vector<std::string> names;
    state_values(*it, "", ata, names, 0);
    if (!names.empty()) out[it.key()] = names;
    for (const auto& kid : children_of(*it, "")) machine_references(*kid.machine, ata, out, depth + 1);
  }
}

}  // namespace

std::string name_problem(std::string_view name) {
  if (name.empty()) return "a variable name must not be empty";
  if (name == "states") return "'states' is a reserved variable name";
  size_t i = 0, count = 0;
  while (i < name.size()) {
    long cp = next_code_point(name, i);
    if (cp < 0) return "a variable name must be valid UTF-8";
    if (count == 0 ? !id_start(cp) : !id_continue(cp))
      return count == 0 ? "the first character must be a letter (Unicode ID_Start)"
                        : "a variable name may contain only letters, digits and '_' (Unicode ID_Continue)";
    ++count;
  }
  if (count > kMaxNameLength) return "a variable name must be at most 80 characters";
  return "";
}

void validate(const json& definition, std::vector<asl::Diagnostic>& out) {
  ScopeChecker c{out};
  c.scope(definition, "", {}, false, 0);
}

json references(const json& definition) {
  json out = json::object();
  machine_references(definition, false, out, 0);
  return out;
}

}  // namespace awan::stepfunctions::variables

// The WARNING diagnostics of ValidateStateMachineDefinition (see asl_parser.hpp): fields of
// JSONPath states that look like they were meant to be evaluated but are not. AWS documents the
// codes and what each means, not its texts: the messages are ours.
#include <string>

#include "core/document.hpp"  // text_of: a definition may give any member any type
#include "stepfunctions/asl_parser.hpp"
#include "stepfunctions/intrinsics.hpp"

namespace awan::stepfunctions::asl {

using json = nlohmann::json;

namespace {

constexpr int kMaxNesting = 40;

// "$", "$.a", "$[0]", "$$.Execution.Id", "States.Format(...)": what a ".$" member would evaluate.
bool looks_evaluated(const std::string& text) {
  if (text == "$" || text.rfind("$.", 0) == 0 || text.rfind("$[", 0) == 0 || text.rfind("$$.", 0) == 0) return true;
  return intrinsics::looks_like_call(text) && text.find('(') != std::string::npos && text.back() == ')';
}

bool dollar_key(const std::string& k) { return k.size() > 2 && k.compare(k.size() - 2, 2, ".$") == 0; }

struct Warner {
  std::vector<Diagnostic> out;

  void add(const char* code, const std::string& message, const std::string& where) {
    if (out.size() >= 100) return;
    out.push_back({code, message + " at " + where, where});
  }

  // A payload template (Parameters, ResultSelector, ItemSelector, Assign): members without ".$".
  void template_members(const json& v, const std::string& at, int depth) {
    if (depth > kMaxNesting) return;
    if (v.is_array()) {
      for (size_t i = 0; i < v.size(); ++i) template_members(v[i], at + "[" + std::to_string(i) + "]", depth + 1);
      return;
    }
    if (!v.is_object()) return;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (dollar_key(it.key())) continue;
      if (it->is_string() && looks_evaluated(it->get<std::string>()))
        add("NO_DOLLAR",
            "The value of the field '" + it.key() + "' looks like a JSONPath or an intrinsic function, but the field name "
            "does not end with '.$': it is used as a literal string",
            at + "/" + it.key());
      else
        template_members(*it, at + "/" + it.key(), depth + 1);
    }
  }

  // A ".$" member anywhere in a Pass state's Result.
  void static_result(const json& v, const std::string& at, int depth) {
    if (depth > kMaxNesting) return;
    if (v.is_array()) {
      for (size_t i = 0; i < v.size(); ++i) static_result(v[i], at + "[" + std::to_string(i) + "]", depth + 1);
      return;
    }
    if (!v.is_object()) return;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (dollar_key(it.key()))
        add("PASS_RESULT_IS_STATIC",
            "The field '" + it.key() + "' of a Pass state's Result is not evaluated: Result is static (use Parameters)",
            at + "/" + it.key());
      static_result(*it, at + "/" + it.key(), depth + 1);
    }
  }

  void state(const json& st, const std::string& at) {
    for (const char* f : {"Parameters", "ResultSelector", "ItemSelector", "Assign"})
      if (auto v = st.find(f); v != st.end()) template_members(*v, at + "/" + f, 0);
    for (const char* list : {"Catch", "Choices"})
      if (auto l = st.find(list); l != st.end() && l->is_array())
        for (size_t i = 0; i < l->size(); ++i)
          if ((*l)[i].is_object() && (*l)[i].contains("Assign"))
            template_members((*l)[i]["Assign"], at + "/" + list + "[" + std::to_string(i) + "]/Assign", 0);
    if (text_of(st, "Type") == "Fail")
      for (const char* f : {"Error", "Cause"})
        if (auto v = st.find(f); v != st.end() && v->is_string() && looks_evaluated(v->get<std::string>()))
          add("NO_PATH",
              std::string("The value of the field '") + f + "' looks like a path, but the field name does not end with "
              "'Path': it is used as a literal string (use '" + f + "Path')",
              at + "/" + f);
    if (text_of(st, "Type") == "Pass")
      if (auto r = st.find("Result"); r != st.end()) static_result(*r, at + "/Result", 0);
  }

  void machine(const json& m, const std::string& at, bool jsonata, int depth) {
    if (depth > kMaxNesting || !m.is_object()) return;
    if (auto q = m.find("QueryLanguage"); q != m.end()) jsonata = *q == "JSONata";
    auto states = m.find("States");
    if (states == m.end() || !states->is_object()) return;
    for (auto it = states->begin(); it != states->end(); ++it) {
      const json& st = *it;
      if (!st.is_object()) continue;
      std::string st_at = at + "/States/" + it.key();
      bool ata = st.contains("QueryLanguage") ? st["QueryLanguage"] == "JSONata" : jsonata;
      if (!ata) state(st, st_at);
      if (auto b = st.find("Branches"); b != st.end() && b->is_array())
        for (size_t i = 0; i < b->size(); ++i) machine((*b)[i], st_at + "/Branches[" + std::to_string(i) + "]", ata, depth + 1);
      for (const char* f : {"ItemProcessor", "Iterator"})
        if (auto p = st.find(f); p != st.end()) machine(*p, st_at + "/" + f, ata, depth + 1);
    }
  }
};

}  // namespace

std::vector<Diagnostic> warnings(const json& definition) {
  Warner w;
  w.machine(definition, "", false, 0);
  return std::move(w.out);
}

}  // namespace awan::stepfunctions::asl

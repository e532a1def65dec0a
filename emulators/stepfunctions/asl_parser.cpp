// Amazon States Language validation (see asl_parser.hpp): the top level, each state's fields by
// type, transitions, reachability, Retry/Catch, paths, intrinsic functions and choice rules;
// Parallel branches and Map processors are validated recursively (depth bounded).
#include "stepfunctions/asl_parser.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include "stepfunctions/choice.hpp"
#include "stepfunctions/intrinsics.hpp"
#include "stepfunctions/jsonata.hpp"
#include "stepfunctions/jsonpath.hpp"
#include "stepfunctions/variables.hpp"

namespace awan::stepfunctions::asl {

using json = nlohmann::json;

namespace {

constexpr int kMaxNesting = 32;
constexpr size_t kMaxDefinitionBytes = 1024 * 1024;

const std::set<std::string>& common_fields() {
  static const std::set<std::string> f = {"Type", "Comment", "QueryLanguage"};
  return f;
}

std::set<std::string> fields_of(const std::string& type) {
  static const std::set<std::string> io = {"InputPath", "OutputPath"};
  std::set<std::string> f;
  auto add = [&](std::initializer_list<const char*> names) {
    for (auto n : names) f.insert(n);
  };
  if (type == "Pass") add({"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result", "Assign", "Output"});
  else if (type == "Task")
    add({"Resource", "Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry",
         "Catch", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials",
         "Arguments", "Output", "Assign"});
  else if (type == "Choice") add({"Choices", "Default", "InputPath", "OutputPath", "Assign", "Output"});
  else if (type == "Wait")
    add({"Next", "End", "Seconds", "Timestamp", "SecondsPath", "TimestampPath", "InputPath", "OutputPath", "Assign", "Output"});
  else if (type == "Succeed") add({"InputPath", "OutputPath", "Output"});
  else if (type == "Fail") add({"Error", "Cause", "ErrorPath", "CausePath"});
  else if (type == "Parallel")
    add({"Branches", "Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry",
         "Catch", "Arguments", "Output", "Assign"});
  else if (type == "Map")
    add({"Iterator", "ItemProcessor", "ItemsPath", "Items", "ItemSelector", "Parameters", "MaxConcurrency",
         "MaxConcurrencyPath", "ToleratedFailureCount", "ToleratedFailureCountPath", "ToleratedFailurePercentage",
         "ToleratedFailurePercentagePath", "ItemReader", "ItemBatcher", "ResultWriter", "Label", "Next", "End",
         "InputPath", "OutputPath", "ResultPath", "ResultSelector", "Retry", "Catch", "Output", "Assign", "Arguments"});
  return f;
}

// Fields of the JSONPath query language, refused in a JSONata state.
const std::set<std::string>& jsonpath_only_fields() {
  static const std::set<std::string> f = {"InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector",
                                          "Result", "ItemsPath", "SecondsPath", "TimestampPath", "ErrorPath",
                                          "CausePath", "TimeoutSecondsPath", "HeartbeatSecondsPath",
                                          "MaxConcurrencyPath", "ToleratedFailureCountPath",
                                          "ToleratedFailurePercentagePath", "Iterator"};
  return f;
}

struct Validator {
  std::vector<Diagnostic> out;

  void add(std::string code, std::string message, std::string where) {
    if (out.size() >= 100) return;
    if (where.empty()) where = "/";
    out.push_back({std::move(code), std::move(message) + " at " + where, where});
  }
  void schema(std::string message, std::string where) { add("SCHEMA_VALIDATION_FAILED", std::move(message), std::move(where)); }

  void path_field(const json& st, const char* name, const std::string& at, bool reference, bool nullable = true) {
    auto it = st.find(name);
    if (it == st.end()) return;
    if (it->is_null() && nullable) return;
    if (!it->is_string()) {
      schema(std::string("The value for the field '") + name + "' must be a STRING", at + "/" + name);
      return;
    }
    const auto& text = it->get_ref<const std::string&>();
    bool ok = reference ? jsonpath::is_reference_path(text) : jsonpath::parse(text).has_value();
    if (!ok && !reference && text.size() > 1 && text[0] == '$') ok = true;  // a variable path
    if (!ok) schema(std::string("The value for the field '") + name + "' must be a valid JSONPath", at + "/" + name);
  }

  void payload_template(const json& v, const std::string& at, int depth) {
    if (depth > kMaxNesting) {
      schema("The payload template is nested too deeply", at);
      return;
    }
    if (v.is_array()) {
      for (size_t i = 0; i < v.size(); ++i) payload_template(v[i], at + "[" + std::to_string(i) + "]", depth + 1);
      return;
    }
    if (!v.is_object()) return;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string& k = it.key();
      if (k.size() > 2 && k.compare(k.size() - 2, 2, ".$") == 0) {
        if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
          schema("The value for the field '" + k + "' must be a valid JSONPath or a valid intrinsic function call",
                 at + "/" + k);
          continue;
        }
        const auto& text = it->get_ref<const std::string&>();
        if (intrinsics::looks_like_call(text)) {
          std::string why;
          if (!intrinsics::parse(text, &why))
            schema("The value for the field '" + k + "' must be a valid JSONPath or a valid intrinsic function call",
                   at + "/" + k);
        } else if (text[0] != '$') {
          schema("The value for the field '" + k + "' must be a valid JSONPath or a valid intrinsic function call",
                 at + "/" + k);
        }
      } else {
        payload_template(*it, at + "/" + k, depth + 1);
      }
    }
  }

  void error_list(const json& rules, const std::string& at, bool is_catch) {
    const char* field = is_catch ? "Catch" : "Retry";
    if (!rules.is_array()) {
      schema(std::string("The value for the field '") + field + "' must be an ARRAY", at);
      return;
    }
    for (size_t i = 0; i < rules.size(); ++i) {
      std::string r_at = at + "[" + std::to_string(i) + "]";
      const json& r = rules[i];
      if (!r.is_object()) {
        schema("The value must be an OBJECT", r_at);
        continue;
      }
      if (!r.contains("ErrorEquals")) schema("These fields are required: [ErrorEquals]", r_at);
      else if (!r["ErrorEquals"].is_array() || r["ErrorEquals"].empty())
        schema("The value for the field 'ErrorEquals' must be a non-empty ARRAY", r_at + "/ErrorEquals");
      else {
        const json& ee = r["ErrorEquals"];
        for (size_t j = 0; j < ee.size(); ++j)
          if (!ee[j].is_string()) schema("The value must be a STRING", r_at + "/ErrorEquals[" + std::to_string(j) + "]");
        for (size_t j = 0; j < ee.size(); ++j)
          if (ee[j] == "States.ALL" && ee.size() > 1)
            schema("States.ALL must appear alone in ErrorEquals", r_at + "/ErrorEquals");
      }
      static const std::set<std::string> retry_fields = {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate",
                                                         "MaxDelaySeconds", "JitterStrategy", "Comment"};
      static const std::set<std::string> catch_fields = {"ErrorEquals", "Next", "ResultPath", "Comment", "Assign", "Output"};
      const auto& allowed = is_catch ? catch_fields : retry_fields;
      for (auto it = r.begin(); it != r.end(); ++it)
        if (!allowed.count(it.key())) schema("Field '" + it.key() + "' is not supported", r_at);
      if (is_catch) {
        if (!r.contains("Next")) schema("These fields are required: [Next]", r_at);
        else if (!r["Next"].is_string()) schema("The value for the field 'Next' must be a STRING", r_at + "/Next");
        path_field(r, "ResultPath", r_at, true);
      } else {
        auto positive_int = [&](const char* f, long long min, long long max) {
          if (!r.contains(f)) return;
          const json& v = r[f];
          if (!v.is_number_integer() || v.get<long long>() < min || v.get<long long>() > max)
            schema(std::string("The value for the field '") + f + "' must be " +
                       (min > 0 ? "a positive integer" : "a non-negative integer"),
                   r_at + "/" + f);
        };
        positive_int("IntervalSeconds", 1, 99999999);
        positive_int("MaxAttempts", 0, 99999999);
        positive_int("MaxDelaySeconds", 1, 31622400);
        if (r.contains("BackoffRate") && (!r["BackoffRate"].is_number() || r["BackoffRate"].get<double>() < 1.0))
          schema("The value for the field 'BackoffRate' must be a number greater than or equal to 1.0",
                 r_at + "/BackoffRate");
        if (r.contains("JitterStrategy") && r["JitterStrategy"] != "FULL" && r["JitterStrategy"] != "NONE")
          schema("The value for the field 'JitterStrategy' must be one of [FULL, NONE]", r_at + "/JitterStrategy");
      }
    }
    if (!is_catch)
      for (size_t i = 0; i + 1 < rules.size(); ++i)
        if (rules[i].is_object() && rules[i].contains("ErrorEquals") && rules[i]["ErrorEquals"] == json::array({"States.ALL"}))
          schema("States.ALL must be the last retrier", at + "[" + std::to_string(i) + "]/ErrorEquals");
  }

  // A JSONata state: no JSONPath fields; every "{% %}" of its templates parses; Choice rules
  // are {Condition, Next, Output, Assign}.
  void jsonata_state(const json& st, const std::string& at) {
    for (auto it = st.begin(); it != st.end(); ++it)
      if (jsonpath_only_fields().count(it.key()))
        schema("The field '" + it.key() + "' is not supported by the JSONata query language", at);
    auto check = [&](const json& tpl, const std::string& where, const std::string& field) {
      if (auto bad = jsonata::check_template(tpl))
        schema("The JSONata expression of the field '" + field + "' is invalid: " + bad->second, where + bad->first);
    };
    for (const char* f : {"Arguments", "Output", "Assign", "Items", "ItemSelector", "Error", "Cause", "Seconds", "Timestamp",
                          "TimeoutSeconds", "HeartbeatSeconds", "MaxConcurrency", "ToleratedFailureCount",
                          "ToleratedFailurePercentage"})
      if (st.contains(f)) check(st[f], at + "/" + f, f);
    for (const char* list : {"Catch", "Choices"}) {
      if (!st.contains(list) || !st[list].is_array()) continue;
      for (size_t i = 0; i < st[list].size(); ++i) {
        const json& r = st[list][i];
        std::string r_at = at + "/" + list + "[" + std::to_string(i) + "]";
        if (!r.is_object()) continue;
        for (const char* f : {"Output", "Assign", "Condition"})
          if (r.contains(f)) check(r[f], r_at + "/" + f, f);
      }
    }
  }

  void jsonata_choices(const json& st, const json& states, const std::string& at) {
    target(st, "Default", states, at);
    if (!st.contains("Choices") || !st["Choices"].is_array() || st["Choices"].empty()) {
      schema("The value for the field 'Choices' must be a non-empty ARRAY", at + "/Choices");
      return;
    }
    static const std::set<std::string> rule_fields = {"Condition", "Next", "Comment", "Output", "Assign"};
    for (size_t i = 0; i < st["Choices"].size(); ++i) {
      const json& r = st["Choices"][i];
      std::string r_at = at + "/Choices[" + std::to_string(i) + "]";
      if (!r.is_object()) {
        schema("The value must be an OBJECT", r_at);
        continue;
      }
      for (auto it = r.begin(); it != r.end(); ++it)
        if (!rule_fields.count(it.key())) schema("Field '" + it.key() + "' is not supported", r_at);
      if (!r.contains("Condition") || !r.contains("Next")) schema("These fields are required: [Condition, Next]", r_at);
      else if (!r["Condition"].is_boolean() && !jsonata::is_expression(r["Condition"]))
        schema("The value for the field 'Condition' must be a JSONata expression or a BOOLEAN", r_at + "/Condition");
      target(r, "Next", states, r_at);
    }
  }

  void machine(const json& def, const std::string& at, int depth, bool top, bool inherited_jsonata = false) {
    if (depth > kMaxNesting) {
      schema("The state machine is nested too deeply", at);
      return;
    }
    if (!def.is_object()) {
      schema("The value must be an OBJECT", at);
      return;
    }
    static const std::set<std::string> top_fields = {"Comment", "StartAt", "States", "TimeoutSeconds", "Version",
                                                     "QueryLanguage"};
    static const std::set<std::string> branch_fields = {"Comment", "StartAt", "States", "ProcessorConfig", "QueryLanguage"};
    for (auto it = def.begin(); it != def.end(); ++it)
      if (!(top ? top_fields : branch_fields).count(it.key()))
        schema("Field '" + it.key() + "' is not supported", at.empty() ? "/" : at);
    std::vector<std::string> missing;
    if (!def.contains("StartAt")) missing.push_back("StartAt");
    if (!def.contains("States")) missing.push_back("States");
    if (!missing.empty()) {
      std::string m = "These fields are required: [";
      for (size_t i = 0; i < missing.size(); ++i) m += (i ? ", " : "") + missing[i];
      schema(m + "]", at.empty() ? "/" : at);
      return;
    }
    if (!def["StartAt"].is_string()) {
      schema("The value for the field 'StartAt' must be a STRING", at + "/StartAt");
      return;
    }
    if (!def["States"].is_object()) {
      schema("The value for the field 'States' must be an OBJECT", at + "/States");
      return;
    }
    if (top && def.contains("TimeoutSeconds") &&
        (!def["TimeoutSeconds"].is_number_integer() || def["TimeoutSeconds"].get<long long>() < 1))
      schema("The value for the field 'TimeoutSeconds' must be a positive integer", at + "/TimeoutSeconds");
    if (def.contains("QueryLanguage") && def["QueryLanguage"] != "JSONPath" && def["QueryLanguage"] != "JSONata")
      schema("The value for the field 'QueryLanguage' must be one of [JSONPath, JSONata]", at + "/QueryLanguage");
    bool ata = def.contains("QueryLanguage") ? def["QueryLanguage"] == "JSONata" : inherited_jsonata;
    const json& states = def["States"];
    if (states.empty()) {
      schema("The value for the field 'States' must be a non-empty OBJECT", at + "/States");
      return;
    }
    const std::string& start = def["StartAt"].get_ref<const std::string&>();
    if (!states.contains(start))
      add("MISSING_TRANSITION_TARGET", "Missing 'Next' target: " + start, at + "/StartAt");
    for (auto it = states.begin(); it != states.end(); ++it) {
      if (it.key().empty() || it.key().size() > 80)
        schema("The state name must be between 1 and 80 characters", at + "/States/" + it.key());
      state(it.key(), *it, states, at + "/States/" + it.key(), depth, ata);
    }
    reachability(start, states, at);
  }

  void transitions_of(const json& st, std::vector<std::string>& next) {
    if (!st.is_object()) return;
    if (auto n = st.find("Next"); n != st.end() && n->is_string()) next.push_back(*n);
    if (auto d = st.find("Default"); d != st.end() && d->is_string()) next.push_back(*d);
    for (const char* f : {"Choices", "Catch"})
      if (auto c = st.find(f); c != st.end() && c->is_array())
        for (const auto& r : *c)
          if (r.is_object() && r.contains("Next") && r["Next"].is_string()) next.push_back(r["Next"]);
  }

  void reachability(const std::string& start, const json& states, const std::string& at) {
    std::set<std::string> seen;
    std::vector<std::string> stack{start};
    while (!stack.empty()) {
      std::string s = stack.back();
      stack.pop_back();
      if (!seen.insert(s).second || !states.contains(s)) continue;
      transitions_of(states[s], stack);
    }
    for (auto it = states.begin(); it != states.end(); ++it)
      if (!seen.count(it.key())) add("MISSING_TRANSITION_TARGET", "State \"" + it.key() + "\" is not reachable.", at + "/States/" + it.key());
  }

  void target(const json& st, const char* field, const json& states, const std::string& at) {
    auto it = st.find(field);
    if (it == st.end()) return;
    if (!it->is_string()) {
      schema(std::string("The value for the field '") + field + "' must be a STRING", at + "/" + field);
      return;
    }
    if (!states.contains(*it))
      add("MISSING_TRANSITION_TARGET", std::string("Missing '") + field + "' target: " + it->get<std::string>(), at + "/" + field);
  }

  void state(const std::string& name, const json& st, const json& states, const std::string& at, int depth,
             bool machine_jsonata) {
    if (!st.is_object()) {
      schema("The value must be an OBJECT", at);
      return;
    }
    if (!st.contains("Type")) {
      schema("These fields are required: [Type]", at);
      return;
    }
    if (!st["Type"].is_string()) {
      schema("The value for the field 'Type' must be a STRING", at + "/Type");
      return;
    }
    std::string type = st["Type"];
    bool ata = machine_jsonata;
    if (st.contains("QueryLanguage")) {
      if (st["QueryLanguage"] != "JSONPath" && st["QueryLanguage"] != "JSONata")
        schema("The value for the field 'QueryLanguage' must be one of [JSONPath, JSONata]", at + "/QueryLanguage");
      else if (machine_jsonata && st["QueryLanguage"] == "JSONPath")
        schema("The QueryLanguage of a state cannot be JSONPath when the state machine's is JSONata", at + "/QueryLanguage");
      ata = st["QueryLanguage"] == "JSONata";
    }
    auto allowed = fields_of(type);
    if (allowed.empty()) {
      schema("The value for the field 'Type' must be one of [Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map]",
             at + "/Type");
      return;
    }
    for (auto it = st.begin(); it != st.end(); ++it)
      if (!allowed.count(it.key()) && !common_fields().count(it.key()))
        schema("Field '" + it.key() + "' is not supported", at);
    bool terminal_type = type == "Succeed" || type == "Fail" || type == "Choice";
    if (!terminal_type) {
      bool has_next = st.contains("Next"), has_end = st.contains("End");
      if (has_end && !(st["End"].is_boolean())) schema("The value for the field 'End' must be a BOOLEAN", at + "/End");
      if (has_next && has_end && st["End"] == true)
        schema("Only one of 'Next' or 'End' may be specified", at);
      else if (!has_next && !(has_end && st["End"] == true))
        schema("These fields are required: [Next]", at);
    }
    target(st, "Next", states, at);
    if (ata) jsonata_state(st, at);
    for (const char* p : {"InputPath", "OutputPath"}) path_field(st, p, at, false);
    path_field(st, "ResultPath", at, true);
    for (const char* p : {"Parameters", "ResultSelector", "ItemSelector"})
      if (st.contains(p) && !ata) {
        if (!st[p].is_object() && p != std::string("Parameters")) schema(std::string("The value for the field '") + p + "' must be an OBJECT", at + "/" + p);
        payload_template(st[p], at + "/" + p, 0);
      }
    if (st.contains("Retry")) error_list(st["Retry"], at + "/Retry", false);
    if (st.contains("Catch")) {
      error_list(st["Catch"], at + "/Catch", true);
      if (st["Catch"].is_array())
        for (size_t i = 0; i < st["Catch"].size(); ++i)
          if (st["Catch"][i].is_object()) target(st["Catch"][i], "Next", states, at + "/Catch[" + std::to_string(i) + "]");
    }
    if (type == "Task") task(st, at, ata);
    else if (type == "Choice" && ata) jsonata_choices(st, states, at);
    else if (type == "Choice") choice_state(st, states, at);
    else if (type == "Wait") wait(st, at, ata);
    else if (type == "Fail") fail_state(st, at);
    else if (type == "Parallel") parallel(st, at, depth, ata);
    else if (type == "Map") map(st, at, depth, ata);
  }

  // ata: a JSONata state, whose "{% %}" limits are checked when the state runs (jsonata_limits.cpp).
  void positive(const json& st, const char* f, const std::string& at, bool ata) {
    if (!st.contains(f) || (ata && jsonata::is_expression(st[f]))) return;
    const json& v = st[f];
    if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 99999999)
      schema(std::string("The value for the field '") + f + "' must be a positive integer", at + "/" + f);
  }

  void task(const json& st, const std::string& at, bool ata) {
    if (!st.contains("Resource")) schema("These fields are required: [Resource]", at);
    else if (!st["Resource"].is_string()) schema("The value for the field 'Resource' must be a STRING", at + "/Resource");
    else {
      const std::string& r = st["Resource"].get_ref<const std::string&>();
      if (r.rfind("arn:", 0) != 0) schema("Value is not a valid resource ARN", at + "/Resource");
    }
    positive(st, "TimeoutSeconds", at, ata);
    positive(st, "HeartbeatSeconds", at, ata);
    path_field(st, "TimeoutSecondsPath", at, true);
    path_field(st, "HeartbeatSecondsPath", at, true);
    if (st.contains("TimeoutSeconds") && st.contains("TimeoutSecondsPath"))
      schema("Only one of 'TimeoutSeconds' or 'TimeoutSecondsPath' may be specified", at);
    if (st.contains("HeartbeatSeconds") && st.contains("TimeoutSeconds") && st["HeartbeatSeconds"].is_number() &&
        st["TimeoutSeconds"].is_number() && st["HeartbeatSeconds"].get<long long>() >= st["TimeoutSeconds"].get<long long>())
      schema("The value of 'HeartbeatSeconds' must be smaller than the value of 'TimeoutSeconds'", at + "/HeartbeatSeconds");
  }

  void choice_state(const json& st, const json& states, const std::string& at) {
    target(st, "Default", states, at);
    if (!st.contains("Choices")) {
      schema("These fields are required: [Choices]", at);
      return;
    }
    const json& c = st["Choices"];
    if (!c.is_array() || c.empty()) {
      schema("The value for the field 'Choices' must be a non-empty ARRAY", at + "/Choices");
      return;
    }
    for (size_t i = 0; i < c.size(); ++i) {
      std::string r_at = at + "/Choices[" + std::to_string(i) + "]", where;
      auto m = choice::validate(c[i], true, where);
      if (!m.empty()) schema(m, r_at + where);
      if (c[i].is_object()) target(c[i], "Next", states, r_at);
    }
  }

  void wait(const json& st, const std::string& at, bool ata) {
    int n = 0;
    for (const char* f : {"Seconds", "Timestamp", "SecondsPath", "TimestampPath"}) n += st.contains(f);
    if (n != 1) {
      schema("Exactly one of 'Seconds', 'Timestamp', 'SecondsPath' or 'TimestampPath' must be specified", at);
      return;
    }
    if (ata && ((st.contains("Seconds") && jsonata::is_expression(st["Seconds"])) ||
                (st.contains("Timestamp") && jsonata::is_expression(st["Timestamp"]))))
      return;  // evaluated when the state runs
    if (st.contains("Seconds") && (!st["Seconds"].is_number_integer() || st["Seconds"].get<long long>() < 0 ||
                                   st["Seconds"].get<long long>() > 99999999))
      schema("The value for the field 'Seconds' must be a non-negative integer", at + "/Seconds");
    if (st.contains("Timestamp") && !choice::matches(json{{"Variable", "$"}, {"IsTimestamp", true}},
                                                     [&](const std::string&) { return std::optional<json>(st["Timestamp"]); }))
      schema("The value for the field 'Timestamp' must be a valid ISO-8601 timestamp", at + "/Timestamp");
    path_field(st, "SecondsPath", at, true);
    path_field(st, "TimestampPath", at, true);
  }

  void fail_state(const json& st, const std::string& at) {
    for (const char* f : {"Error", "Cause"})
      if (st.contains(f) && !st[f].is_string()) schema(std::string("The value for the field '") + f + "' must be a STRING", at + "/" + f);
    if (st.contains("Error") && st.contains("ErrorPath")) schema("Only one of 'Error' or 'ErrorPath' may be specified", at);
    if (st.contains("Cause") && st.contains("CausePath")) schema("Only one of 'Cause' or 'CausePath' may be specified", at);
    for (const char* f : {"ErrorPath", "CausePath"})
      if (st.contains(f) && st[f].is_string()) {
        const std::string& t = st[f].get_ref<const std::string&>();
        if (!intrinsics::looks_like_call(t) && !jsonpath::parse(t) && !(t.size() > 1 && t[0] == '$'))
          schema(std::string("The value for the field '") + f + "' must be a valid JSONPath or a valid intrinsic function call", at + "/" + f);
      }
  }

  void parallel(const json& st, const std::string& at, int depth, bool ata) {
    if (!st.contains("Branches")) {
      schema("These fields are required: [Branches]", at);
      return;
    }
    const json& b = st["Branches"];
    if (!b.is_array() || b.empty()) {
      schema("The value for the field 'Branches' must be a non-empty ARRAY", at + "/Branches");
      return;
    }
    for (size_t i = 0; i < b.size(); ++i) machine(b[i], at + "/Branches[" + std::to_string(i) + "]", depth + 1, false, ata);
  }

  void map(const json& st, const std::string& at, int depth, bool ata) {
    const char* proc = st.contains("ItemProcessor") ? "ItemProcessor" : st.contains("Iterator") ? "Iterator" : nullptr;
    if (!proc) {
      schema("These fields are required: [ItemProcessor]", at);
    } else {
      const json& p = st[proc];
      if (p.is_object() && p.contains("ProcessorConfig")) {
        const json& c = p["ProcessorConfig"];
        if (!c.is_object()) schema("The value for the field 'ProcessorConfig' must be an OBJECT", at + "/" + proc + "/ProcessorConfig");
        else {
          if (c.contains("Mode") && c["Mode"] != "INLINE" && c["Mode"] != "DISTRIBUTED")
            schema("The value for the field 'Mode' must be one of [INLINE, DISTRIBUTED]", at + "/" + proc + "/ProcessorConfig/Mode");
          if (c.contains("ExecutionType") && c["ExecutionType"] != "STANDARD" && c["ExecutionType"] != "EXPRESS")
            schema("The value for the field 'ExecutionType' must be one of [STANDARD, EXPRESS]",
                   at + "/" + proc + "/ProcessorConfig/ExecutionType");
        }
      }
      machine(p, at + "/" + proc, depth + 1, false, ata);
    }
    path_field(st, "ItemsPath", at, true);
    auto given = [&](const char* f) { return st.contains(f) && !(ata && jsonata::is_expression(st[f])); };
    if (given("MaxConcurrency") && (!st["MaxConcurrency"].is_number_integer() || st["MaxConcurrency"].get<long long>() < 0))
      schema("The value for the field 'MaxConcurrency' must be a non-negative integer", at + "/MaxConcurrency");
    if (given("ToleratedFailurePercentage") &&
        (!st["ToleratedFailurePercentage"].is_number() || st["ToleratedFailurePercentage"].get<double>() < 0 ||
         st["ToleratedFailurePercentage"].get<double>() > 100))
      schema("The value for the field 'ToleratedFailurePercentage' must be a number between 0 and 100",
             at + "/ToleratedFailurePercentage");
    if (given("ToleratedFailureCount") &&
        (!st["ToleratedFailureCount"].is_number_integer() || st["ToleratedFailureCount"].get<long long>() < 0))
      schema("The value for the field 'ToleratedFailureCount' must be a non-negative integer", at + "/ToleratedFailureCount");
    if (st.contains("Label") && (!st["Label"].is_string() || st["Label"].get_ref<const std::string&>().size() > 40))
      schema("The value for the field 'Label' must be a STRING of at most 40 characters", at + "/Label");
    if (st.contains("ItemReader")) {
      const json& r = st["ItemReader"];
      if (!r.is_object() || !r.contains("Resource")) schema("These fields are required: [Resource]", at + "/ItemReader");
      else if (r.contains("ReaderConfig")) reader_config(r["ReaderConfig"], at + "/ItemReader/ReaderConfig");
    }
    for (const char* f : {"ItemBatcher", "ResultWriter"})
      if (st.contains(f) && !st[f].is_object()) schema(std::string("The value for the field '") + f + "' must be an OBJECT", at + "/" + f);
    if (st.contains("ResultWriter") && st["ResultWriter"].is_object()) writer_config(st["ResultWriter"], at + "/ResultWriter");
  }

  // ResultWriter: WriterConfig, Resource (with its parameters) or both.
  void writer_config(const json& w, const std::string& at) {
    if (!w.contains("WriterConfig")) {
      if (!w.contains("Resource")) schema("These fields are required: [Resource]", at);
      return;
    }
    const json& c = w["WriterConfig"];
    if (!c.is_object()) {
      schema("The value for the field 'WriterConfig' must be an OBJECT", at + "/WriterConfig");
      return;
    }
    static const std::set<std::string> transformations = {"NONE", "COMPACT", "FLATTEN"};
    if (c.contains("Transformation") &&
        (!c["Transformation"].is_string() || !transformations.count(c["Transformation"].get<std::string>())))
      schema("The value for the field 'Transformation' must be one of [NONE, COMPACT, FLATTEN]", at + "/WriterConfig/Transformation");
    if (c.contains("OutputType") && c["OutputType"] != "JSON" && c["OutputType"] != "JSONL")
      schema("The value for the field 'OutputType' must be one of [JSON, JSONL]", at + "/WriterConfig/OutputType");
  }

  void reader_config(const json& c, const std::string& at) {
    if (!c.is_object()) {
      schema("The value for the field 'ReaderConfig' must be an OBJECT", at);
      return;
    }
    static const std::set<std::string> types = {"CSV", "JSON", "JSONL", "MANIFEST", "PARQUET"};
    if (c.contains("InputType") && (!c["InputType"].is_string() || !types.count(c["InputType"].get<std::string>())))
      schema("The value for the field 'InputType' must be one of [CSV, JSON, JSONL, MANIFEST, PARQUET]", at + "/InputType");
    if (c.contains("CSVHeaderLocation") && c["CSVHeaderLocation"] != "FIRST_ROW" && c["CSVHeaderLocation"] != "GIVEN")
      schema("The value for the field 'CSVHeaderLocation' must be one of [FIRST_ROW, GIVEN]", at + "/CSVHeaderLocation");
    if (c.contains("CSVHeaders") &&
        (!c["CSVHeaders"].is_array() || !std::all_of(c["CSVHeaders"].begin(), c["CSVHeaders"].end(),
                                                     [](const json& h) { return h.is_string(); })))
      schema("The value for the field 'CSVHeaders' must be an ARRAY of STRING", at + "/CSVHeaders");
    if (c.contains("MaxItems") && (!c["MaxItems"].is_number_integer() || c["MaxItems"].get<long long>() < 0 ||
                                   c["MaxItems"].get<long long>() > 100000000))
      schema("The value for the field 'MaxItems' must be an integer between 0 and 100000000", at + "/MaxItems");
  }
};

}  // namespace

std::string Parsed::message() const {
  std::string m;
  for (const auto& d : diagnostics) {
    if (!m.empty()) m += ", ";
    m += d.code + ": " + d.message;
  }
  return m;
}

Parsed parse(std::string_view definition) {
  Parsed p;
  if (definition.size() > kMaxDefinitionBytes) {
    p.diagnostics.push_back({"SCHEMA_VALIDATION_FAILED", "The definition is too large at /", "/"});
    return p;
  }
  // Depth-bounded parse: nlohmann's parser recurses; refuse absurd nesting first.
  int depth = 0, max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < definition.size(); ++i) {
    char c = definition[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') in_string = true;
    else if (c == '{' || c == '[') max_depth = std::max(max_depth, ++depth);
    else if (c == '}' || c == ']') --depth;
  }
  if (max_depth > 200) {
    p.diagnostics.push_back({"INVALID_JSON_DESCRIPTION", "The definition is nested too deeply", "/"});
    return p;
  }
  json doc = json::parse(definition, nullptr, false);
  if (doc.is_discarded()) {
    p.diagnostics.push_back({"INVALID_JSON_DESCRIPTION", "Unrecognized token or malformed JSON", "/"});
    p.document = nullptr;
    return p;
  }
  Validator v;
  v.machine(doc, "", 0, true);
  variables::validate(doc, v.out);  // Assign names and scopes
  p.warnings = warnings(doc);
  p.document = std::move(doc);
  p.diagnostics = std::move(v.out);
  return p;
}

}  // namespace awan::stepfunctions::asl

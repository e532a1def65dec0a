// TestState: one state run with an input, outside any execution (no history kept, Waits end at
// once, a matching retrier answers RETRIABLE instead of waiting). Answers status SUCCEEDED /
// FAILED / RETRIABLE / CAUGHT_ERROR, nextState, output, error/cause and, at DEBUG or TRACE,
// inspectionData (input, afterInputPath, afterParameters, result, afterResultSelector,
// afterResultPath, variables).
#include "core/ids.hpp"
#include "stepfunctions/asl_parser.hpp"
#include "stepfunctions/service_impl.hpp"

namespace awan::stepfunctions {

namespace {

json parse_object(const json& in, const char* member, const char* what) {
  if (!in.contains(member)) return json::object();
  if (!in[member].is_string()) throw errors::validation(std::string("Invalid ") + what);
  json v = json::parse(in[member].get<std::string>(), nullptr, false);
  if (v.is_discarded()) throw errors::invalid_execution_input(std::string("Invalid ") + what + ": 'Unrecognized token'");
  return v;
}

// The state to test: the definition itself, or `stateName` of a whole state machine definition.
std::pair<std::string, json> state_of(const json& in, const json& definition) {
  std::string state_name = in.value("stateName", "");
  if (definition.contains("States")) {
    if (state_name.empty()) throw errors::validation("stateName must be specified when the definition is a state machine");
    if (!definition["States"].is_object() || !definition["States"].contains(state_name))
      throw errors::validation("State '" + state_name + "' does not exist in the state machine definition");
    return {state_name, definition["States"][state_name]};
  }
  return {state_name.empty() ? "TestState" : state_name, definition};
}

}  // namespace

void StepFunctionsService::test_state(const RequestContext& ctx, json in, Completion done) {
  std::lock_guard lock(mu_);
  std::string level;
  ExecutionPtr e;
  FramePtr f;
  std::string name;
  json input;
  try {
    const std::string& text = required(in, "definition");
    json definition = json::parse(text, nullptr, false);
    if (definition.is_discarded() || !definition.is_object())
      throw errors::invalid_definition("INVALID_JSON_DESCRIPTION: The definition is not a JSON object");
    level = in.value("inspectionLevel", "INFO");
    if (level != "INFO" && level != "DEBUG" && level != "TRACE")
      throw errors::validation("1 validation error detected: Value '" + level +
                               "' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: "
                               "[INFO, DEBUG, TRACE]");
    json state;
    std::tie(name, state) = state_of(in, definition);
    if (!state.is_object()) throw errors::invalid_definition("SCHEMA_VALIDATION_FAILED: The state must be an object at /");
    // Validated as the only state of a machine; its transitions point outside the test.
    json machine = {{"StartAt", name}, {"States", {{name, state}}}};
    if (definition.contains("QueryLanguage")) machine["QueryLanguage"] = definition["QueryLanguage"];
    auto parsed = asl::parse(machine.dump());
    std::vector<asl::Diagnostic> kept;
    for (auto& d : parsed.diagnostics)
      if (d.code != "MISSING_TRANSITION_TARGET") kept.push_back(std::move(d));
    parsed.diagnostics = std::move(kept);
    if (!parsed.ok()) throw errors::invalid_definition(parsed.message());
    std::string resource = state.value("Resource", "");
    if (resource.find(":activity:") != std::string::npos || resource.find(".waitForTaskToken") != std::string::npos ||
        resource.find(".sync") != std::string::npos)
      throw errors::validation("TestState does not support activities or the .sync and .waitForTaskToken integration patterns");
    if (in.contains("input") && in["input"].is_string()) {
      input = json::parse(in["input"].get<std::string>(), nullptr, false);
      if (input.is_discarded())
        throw errors::invalid_execution_input("Invalid State Machine Execution Input: 'Unrecognized token'");
    } else {
      input = json::object();
    }
    json variables = parse_object(in, "variables", "variables");
    json context = parse_object(in, "context", "context");
    if (!variables.is_object() || !context.is_object()) throw errors::validation("variables and context must be JSON objects");
    e = std::make_shared<Execution>();
    e->express = true;  // never stored
    e->test = true;
    e->account = ctx.account_id;
    e->region = ctx.region;
    e->arn = arn_prefix(ctx, "execution") + "TestState:" + ids::uuid4();
    e->definition = std::move(parsed.document);
    e->context = {{"Execution", {{"Id", e->arn}, {"Input", input}, {"Name", "TestState"}, {"RoleArn", in.value("roleArn", "")}}},
                  {"StateMachine", {{"Id", arn_prefix(ctx, "stateMachine") + "TestState"}, {"Name", "TestState"}}}};
    for (auto it = context.begin(); it != context.end(); ++it) e->context[it.key()] = it.value();
    e->inspection = json::object();
    f = std::make_shared<Frame>();
    f->exec = e;
    f->machine = &e->definition;
    f->live = e->live;
    f->jsonata = e->definition.value("QueryLanguage", "JSONPath") == "JSONata";
    f->variables = std::move(variables);
  } catch (const AwsError& err) {
    return done(Result::fail(err));
  }
  OutcomeFn answer = [this, e, level, done](Outcome o) {
    json out = json::object();
    if (o.retriable) out["status"] = "RETRIABLE";
    else if (o.caught) out["status"] = "CAUGHT_ERROR";
    else out["status"] = o.ok ? "SUCCEEDED" : "FAILED";
    if (o.ok) out["output"] = o.output.dump();
    if (!o.error.empty()) out["error"] = o.error;
    if (!o.cause.empty()) out["cause"] = o.cause;
    if (o.ok && !o.next.empty()) out["nextState"] = o.next;
    if (level != "INFO") out["inspectionData"] = e->inspection;
    e->finished = true;
    post(std::chrono::milliseconds(0), [done, out] { done(Result::ok(out)); });
  };
  try {
    run_state(f, name, std::move(input), {}, answer);
  } catch (const std::exception&) {
    done(Result::fail(AwsError::internal()));
  }
}

}  // namespace awan::stepfunctions

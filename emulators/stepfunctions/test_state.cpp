// TestState: one state run with an input, outside any execution (no history kept, Waits end at
// once, a matching retrier answers RETRIABLE instead of waiting). Answers status SUCCEEDED /
// FAILED / RETRIABLE / CAUGHT_ERROR, nextState, output, error/cause and, at DEBUG or TRACE,
// inspectionData (input, afterInputPath, afterParameters, result, afterResultSelector,
// afterResultPath, variables, errorDetails; a mocked Map's afterItemsPath, afterItemSelector,
// maxConcurrency and tolerated failures). A `mock` stands for the Task's call (or the Parallel's
// branches, the Map's iterations): its result, checked against the API's output shape by
// fieldValidationMode, or its errorOutput; `stateConfiguration` gives the retries already
// made, the failed Map iterations and the data an ItemReader would read.
#include "core/ids.hpp"
#include "protocol/model.hpp"
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

// The operation a Task resource calls, as the model names it (service key, operation), or
// {"", ""} when the result has no model to be checked against (activities, callbacks, .sync).
std::pair<std::string, std::string> modelled_operation(const std::string& resource) {
  if (resource.find(".waitForTaskToken") != std::string::npos || resource.find(".sync") != std::string::npos) return {};
  const std::string prefix = "arn:aws:states:::";
  if (resource.rfind(prefix, 0) != 0) return {};
  std::string rest = resource.substr(prefix.size());
  if (rest.rfind("aws-sdk:", 0) == 0) rest = rest.substr(8);
  auto colon = rest.find(':');
  if (colon == std::string::npos || colon + 1 >= rest.size()) return {};
  std::string service = rest.substr(0, colon), op = rest.substr(colon + 1);
  op[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(op[0])));
  if (service == "sfn" || service == "states") service = "stepfunctions";
  return {service, op};
}

// Why `v` does not conform to `shape` ("" when it does): the types of present members and,
// when `strict`, the required members. Lambda's Payload is JSON in Step Functions, not a blob.
std::string shape_mismatch(const json& v, const protocol::Shape* shape, bool strict, const std::string& where, int depth) {
  using protocol::ShapeType;
  if (!shape || depth > 32 || shape->document) return "";
  auto is = [&](bool ok, const char* what) { return ok ? std::string() : "the field '" + where + "' must be " + what; };
  switch (shape->type) {
    case ShapeType::Structure: {
      if (!v.is_object()) return is(false, "an object");
      for (auto it = v.begin(); it != v.end(); ++it) {
        const protocol::MemberRef* m = shape->find_member(it.key());
        std::string path = where.empty() ? it.key() : where + "." + it.key();
        if (!m) return "the field '" + path + "' is not in the API's response";
        if (it.key() == "Payload" && m->shape && m->shape->type == ShapeType::Blob) continue;
        if (auto bad = shape_mismatch(it.value(), m->shape, strict, path, depth + 1); !bad.empty()) return bad;
      }
      if (strict)
        for (const auto& m : shape->members)
          if (m.required && !v.contains(m.name))
            return "the required field '" + (where.empty() ? m.name : where + "." + m.name) + "' is missing";
      return "";
    }
    case ShapeType::List:
      if (!v.is_array()) return is(false, "an array");
      for (size_t i = 0; i < v.size(); ++i)
        if (auto bad = shape_mismatch(v[i], shape->member.shape, strict, where + "[" + std::to_string(i) + "]", depth + 1);
            !bad.empty())
          return bad;
      return "";
    case ShapeType::Map:
      if (!v.is_object()) return is(false, "an object");
      for (auto it = v.begin(); it != v.end(); ++it)
        if (auto bad = shape_mismatch(it.value(), shape->value.shape, strict, where + "." + it.key(), depth + 1); !bad.empty())
          return bad;
      return "";
    case ShapeType::String:
    case ShapeType::Blob: return is(v.is_string(), "a string");
    case ShapeType::Integer:
    case ShapeType::Long:
    case ShapeType::BigInteger: return is(v.is_number_integer(), "an integer");
    case ShapeType::Float:
    case ShapeType::Double:
    case ShapeType::BigDecimal: return is(v.is_number(), "a number");
    case ShapeType::Boolean: return is(v.is_boolean(), "a boolean");
    case ShapeType::Timestamp: return is(v.is_string() || v.is_number(), "a timestamp");
    default: return "";
  }
}

// Whether a state of a Parallel's branches or a Map's processor (at any depth) is named `name`.
bool has_inner_state(const json& st, const std::string& name, int depth = 0) {
  if (depth > 16 || !st.is_object()) return false;
  std::vector<const json*> machines;
  if (st.contains("Branches") && st["Branches"].is_array())
    for (const auto& b : st["Branches"]) machines.push_back(&b);
  for (const char* k : {"ItemProcessor", "Iterator"})
    if (st.contains(k)) machines.push_back(&st[k]);
  for (const json* m : machines) {
    if (!m->is_object() || !m->contains("States") || !(*m)["States"].is_object()) continue;
    for (auto it = (*m)["States"].begin(); it != (*m)["States"].end(); ++it)
      if (it.key() == name || has_inner_state(it.value(), name, depth + 1)) return true;
  }
  return false;
}

// mock and stateConfiguration, checked as AWS checks them; the mock with its result parsed.
json check_mock(const json& in, const json& state) {
  const std::string type = state.value("Type", "");
  json config = in.contains("stateConfiguration") ? in["stateConfiguration"] : json::object();
  if (!config.is_object()) throw errors::validation("stateConfiguration must be an object");
  json mock = in.contains("mock") ? in["mock"] : json();
  if (!mock.is_null()) {
    if (!mock.is_object()) throw errors::validation("mock must be an object");
    if (type != "Task" && type != "Map" && type != "Parallel")
      throw errors::validation("State type '" + type + "' is not supported when a mock is specified");
    if (mock.contains("result") == mock.contains("errorOutput"))
      throw errors::validation("A test mock should have only one of the following fields: [result, errorOutput].");
    std::string mode = mock.value("fieldValidationMode", "STRICT");
    if (mode != "STRICT" && mode != "PRESENT" && mode != "NONE")
      throw errors::validation("1 validation error detected: Value '" + mode +
                               "' at 'mock.fieldValidationMode' failed to satisfy constraint: Member must satisfy enum value "
                               "set: [STRICT, PRESENT, NONE]");
    if (mock.contains("errorOutput")) {
      const json& err = mock["errorOutput"];
      if (!err.is_object() || !err.contains("error") || !err["error"].is_string())
        throw errors::validation("The error field is required if mock.errorOutput is specified");
    } else {
      if (!mock["result"].is_string()) throw errors::validation("The mocked result must be a JSON string");
      json result = json::parse(mock["result"].get<std::string>(), nullptr, false);
      if (result.is_discarded()) throw errors::validation("The mocked result is not valid JSON");
      if (mode != "NONE") {
        if ((type == "Map" || type == "Parallel") && !result.is_array())
          throw errors::validation("The mocked result of a " + type + " state must be a JSON array");
        auto [service, op] = type == "Task" ? modelled_operation(state.value("Resource", "")) : std::pair<std::string, std::string>{};
        const protocol::Model* model = service.empty() ? nullptr : protocol::Model::get(service);
        const protocol::Operation* operation = model ? model->operation(op) : nullptr;
        if (operation && operation->output) {
          std::string bad = shape_mismatch(result, operation->output, mode == "STRICT", "", 0);
          if (!bad.empty())
            throw errors::validation("The mocked result does not match the " + op + " response (fieldValidationMode " + mode +
                                     "): " + bad);
        }
      }
      mock["result"] = std::move(result);
    }
  } else if (type == "Map" || type == "Parallel") {
    throw errors::validation("State type '" + type + "' is only supported when a mock is specified");
  }
  auto count = [&](const char* k) {
    if (!config.contains(k)) return;
    if (!config[k].is_number_integer() || config[k].get<int64_t>() < 0)
      throw errors::validation(std::string("stateConfiguration.") + k + " must be a non-negative integer");
  };
  count("retrierRetryCount");
  count("mapIterationFailureCount");
  if (config.contains("mapIterationFailureCount") && type != "Map")
    throw errors::validation("mapIterationFailureCount can only be specified for a Map state");
  if (config.contains("mapItemReaderData")) {
    if (type != "Map" || !state.contains("ItemReader"))
      throw errors::validation("mapItemReaderData can only be specified for a Map state with an ItemReader");
    if (!config["mapItemReaderData"].is_string()) throw errors::validation("mapItemReaderData must be a string");
  }
  if (config.contains("errorCausedByState")) {
    if (type != "Map" && type != "Parallel")
      throw errors::validation("errorCausedByState can only be specified for a Map or Parallel state");
    if (mock.is_null() || !mock.contains("errorOutput"))
      throw errors::validation("errorCausedByState can only be specified when mock.errorOutput is specified");
    if (!config["errorCausedByState"].is_string() || !has_inner_state(state, config["errorCausedByState"]))
      throw errors::validation("errorCausedByState '" + config.value("errorCausedByState", "") +
                               "' is not a state of the " + type + " state");
  }
  return json{{"mock", mock}, {"config", config}};
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
    json mocking = check_mock(in, state);
    std::string resource = state.value("Resource", "");
    if (mocking["mock"].is_null() &&
        (resource.find(":activity:") != std::string::npos || resource.find(".waitForTaskToken") != std::string::npos ||
         resource.find(".sync") != std::string::npos))
      throw errors::validation("TestState supports activities and the .sync and .waitForTaskToken integration patterns only "
                               "when a mock is specified");
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
    e->mock = std::move(mocking["mock"]);
    e->test_config = std::move(mocking["config"]);
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

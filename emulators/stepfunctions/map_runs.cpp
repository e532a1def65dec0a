// Distributed Map runs: the map run a DISTRIBUTED Map state starts or, redriven, continues
// (ItemSelector, ItemBatcher, MapRun* events), ResultWriter (SUCCEEDED_n.json, FAILED_n.json and manifest.json
// written to S3 through the operation interface), and DescribeMapRun / ListMapRuns /
// UpdateMapRun. Its child executions run in map_children.cpp.
#include "core/ids.hpp"
#include "core/timefmt.hpp"
#include "stepfunctions/jsonata.hpp"
#include "stepfunctions/paths.hpp"
#include "stepfunctions/service_impl.hpp"

namespace awan::stepfunctions {

namespace {

constexpr size_t kMaxBatchBytes = 256 * 1024;

json zero_counts(int64_t total) {
  return {{"pending", total}, {"running", 0}, {"succeeded", 0}, {"failed", 0}, {"timedOut", 0},
          {"aborted", 0},     {"total", total}, {"resultsWritten", 0}};
}

int64_t positive(const json& batcher, const char* field, const paths::Scope& scope) {
  if (batcher.contains(field) && batcher[field].is_number_integer()) return batcher[field].get<int64_t>();
  std::string path_field = std::string(field) + "Path";
  if (!batcher.contains(path_field) || !batcher[path_field].is_string()) return 0;
  auto v = paths::resolve(batcher[path_field], scope);
  if (!v || !v->is_number_integer() || v->get<int64_t>() < 0)
    throw StatesError{"States.Runtime", "Invalid path '" + batcher[path_field].get<std::string>() +
                                            "': The value must be a positive integer"};
  return v->get<int64_t>();
}

std::string iso(double epoch_s) { return timefmt::iso8601(timefmt::from_epoch_seconds(epoch_s), true); }

std::string state_machine_name(const std::string& arn) {
  auto p = arn.find(":stateMachine:");
  if (p == std::string::npos) return "";
  std::string rest = arn.substr(p + std::string(":stateMachine:").size());
  return rest.substr(0, rest.find(':'));
}

json run_listing(const json& d) {
  json item = {{"executionArn", d["executionArn"]}, {"mapRunArn", d["mapRunArn"]},
               {"stateMachineArn", d.value("_stateMachineArn", "")}, {"startDate", d["startDate"]}};
  if (d.contains("stopDate")) item["stopDate"] = d["stopDate"];
  return item;
}

}  // namespace

// ItemBatcher: {"Items": [...]} of at most MaxItemsPerBatch items and MaxInputBytesPerBatch
// bytes, with BatchInput beside them.
json make_batches(const json& batcher, const json& items, const paths::Scope& scope) {
  int64_t max_items = positive(batcher, "MaxItemsPerBatch", scope);
  int64_t max_bytes = positive(batcher, "MaxInputBytesPerBatch", scope);
  if (max_bytes <= 0 || static_cast<size_t>(max_bytes) > kMaxBatchBytes) max_bytes = kMaxBatchBytes;
  json batch_input = batcher.contains("BatchInput") ? paths::payload(batcher["BatchInput"], scope, "BatchInput") : json();
  json batches = json::array();
  json current = json::array();
  size_t bytes = 0;
  auto flush = [&] {
    if (current.empty()) return;
    json b = {{"Items", std::move(current)}};
    if (!batch_input.is_null()) b["BatchInput"] = batch_input;
    batches.push_back(std::move(b));
    current = json::array();
    bytes = 0;
  };
  for (const auto& item : items) {
    size_t size = item.dump().size();
    if (!current.empty() && ((max_items > 0 && static_cast<int64_t>(current.size()) >= max_items) ||
                             bytes + size > static_cast<size_t>(max_bytes)))
      flush();
    current.push_back(item);
    bytes += size;
  }
  flush();
  return batches;
}

void StepFunctionsService::save_map_run(const MapRun& r) {
  if (persistent_) store_.put("maprun", r.doc["mapRunArn"], r.doc);
}

void StepFunctionsService::run_distributed_map(const FramePtr& f, const std::string& name, const json& st, json input,
                                               json items, OutcomeFn done) {
  Execution& e = *f->exec;
  json ctx = e.context;
  paths::Scope scope{input, ctx, f->variables};
  json inputs = json::array();
  // A redrive or a restart of the execution continues the map run it had started.
  MapRunPtr run;
  if (!f->cp->map_run.empty())
    if (auto it = map_runs_.find(f->cp->map_run); it != map_runs_.end()) run = it->second;
  const bool continuing = run != nullptr;
  if (!run) run = std::make_shared<MapRun>();
  try {
    for (size_t i = 0; i < items.size(); ++i) {
      if (!st.contains("ItemSelector")) {
        inputs.push_back(items[i]);
        continue;
      }
      json c = ctx;
      c["Map"] = {{"Item", {{"Index", i}, {"Value", items[i]}}}};
      if (f->uses_jsonata(st)) {
        json states = {{"input", input}, {"context", c}};
        inputs.push_back(jsonata::evaluate_template(st["ItemSelector"], jsonata::Bindings{states, f->variables, env_.clock}));
      } else {
        inputs.push_back(paths::payload(st["ItemSelector"], paths::Scope{input, c, f->variables}, "ItemSelector"));
      }
    }
    if (st.contains("ItemBatcher")) inputs = make_batches(st["ItemBatcher"], inputs, scope);
    auto number = [&](const char* field, double fallback) {
      if (st.contains(field) && jsonata::is_expression(st[field])) {
        json states = {{"input", input}, {"context", ctx}};
        auto kind = std::string_view(field) == "ToleratedFailurePercentage" ? jsonata::Limit::Percentage : jsonata::Limit::NonNegative;
        return jsonata::limit(st, field, kind, jsonata::Bindings{states, f->variables, env_.clock}, fallback);
      }
      if (st.contains(field) && st[field].is_number()) return st[field].get<double>();
      std::string pf = std::string(field) + "Path";
      if (!st.contains(pf)) return fallback;
      auto v = paths::resolve(st[pf], scope);
      if (!v || !v->is_number() || v->get<double>() < 0)
        throw StatesError{"States.Runtime", "Invalid path '" + st[pf].get<std::string>() + "': The value must be a non-negative number"};
      return v->get<double>();
    };
    if (!continuing) {  // a continued run keeps its limits (UpdateMapRun may have changed them)
      run->max_concurrency = static_cast<size_t>(number("MaxConcurrency", 0));
      run->tolerated_pct = number("ToleratedFailurePercentage", -1);
      run->tolerated_count = static_cast<int64_t>(number("ToleratedFailureCount", -1));
    }
  } catch (const StatesError& err) {
    return done(Outcome::failure(err.error, err.cause));
  }
  const std::string arn = continuing ? run->doc["mapRunArn"].get<std::string>() : "";
  if (!continuing) {
    std::string sm_name = state_machine_name(e.doc.value("stateMachineArn", ""));
    std::string label = st.value("Label", name);
    std::string new_arn =
        "arn:aws:states:" + e.region + ":" + e.account + ":mapRun:" + sm_name + "/" + label + ":" + ids::uuid4();
    run->doc = {{"mapRunArn", new_arn},
                {"executionArn", e.arn},
                {"status", "RUNNING"},
                {"startDate", now_s()},
                {"maxConcurrency", run->max_concurrency},
                {"toleratedFailurePercentage", std::max(run->tolerated_pct, 0.0)},
                {"toleratedFailureCount", std::max<int64_t>(run->tolerated_count, 0)},
                {"itemCounts", zero_counts(static_cast<int64_t>(items.size()))},
                {"executionCounts", zero_counts(static_cast<int64_t>(inputs.size()))},
                {"redriveCount", 0},
                {"_stateMachineArn", "arn:aws:states:" + e.region + ":" + e.account + ":stateMachine:" + sm_name + "/" + label}};
    map_runs_[new_arn] = run;
    save_map_run(*run);
    f->cp->map_run = new_arn;
    save(e);  // the checkpoint names the run: a redrive or a restart continues it
    add_event(f, "MapStateStarted", {{"length", items.size()}}, "mapStateStartedEventDetails");
    add_event(f, "MapRunStarted", {{"mapRunArn", new_arn}}, "mapRunStartedEventDetails");
  } else if (!f->state_restarted) {
    // Redriven: the same map run, its unsuccessful children run again.
    constexpr int64_t kMaxMapRunRedrives = 1000;
    int64_t count = run->doc.value("redriveCount", int64_t{0});
    if (count >= kMaxMapRunRedrives)
      return done(Outcome::failure("States.Runtime", "The Map Run has been redriven the maximum number of times (1000)"));
    run->doc["redriveCount"] = count + 1;
    run->doc["redriveDate"] = now_s();
    run->doc["status"] = "RUNNING";
    run->doc.erase("stopDate");
    save_map_run(*run);
    add_event(f, "MapStateStarted", {{"length", items.size()}}, "mapStateStartedEventDetails");
    add_event(f, "MapRunRedriven", {{"mapRunArn", arn}, {"redriveCount", count + 1}}, "mapRunRedrivenEventDetails");
  }
  e.map_runs.push_back(run);
  run_map_children(f, st, inputs.get<std::vector<json>>(), run, continuing, [this, f, &st, input, run, done](Outcome o) {
    run->doc["stopDate"] = now_s();
    run->relaunch = nullptr;
    if (!o.ok) {
      run->doc["status"] = "FAILED";
      save_map_run(*run);
      add_event(f, "MapRunFailed", {{"error", o.error}, {"cause", o.cause}}, "mapRunFailedEventDetails");
      add_event(f, "MapStateFailed", nullptr, nullptr);
      return done(std::move(o));
    }
    run->doc["status"] = "SUCCEEDED";
    save_map_run(*run);
    add_event(f, "MapRunSucceeded", nullptr, nullptr);
    std::vector<json> records = o.output.get<std::vector<json>>();
    if (st.contains("ResultWriter")) {
      return write_results(f, st, input, run, std::move(records), [this, f, done](Outcome w) {
        add_event(f, w.ok ? "MapStateSucceeded" : "MapStateFailed", nullptr, nullptr);
        done(std::move(w));
      });
    }
    Outcome r;
    r.output = json::array();
    for (auto& rec : records)
      r.output.push_back(rec.value("Status", "") == "SUCCEEDED" ? rec["Output"]
                                                               : json{{"Error", rec["Error"]}, {"Cause", rec["Cause"]}});
    add_event(f, "MapStateSucceeded", nullptr, nullptr);
    done(std::move(r));
  });
}

void StepFunctionsService::write_results(const FramePtr& f, const json& st, const json& scope_input, const MapRunPtr& run,
                                         std::vector<json> records, OutcomeFn done) {
  const json& writer = st["ResultWriter"];
  // WriterConfig: the children's outputs alone (COMPACT), flattened (FLATTEN) or with their
  // execution's details (NONE, the default), as a JSON array or JSON lines; without a Resource
  // the results are the state's output and nothing is written.
  const json config = writer.contains("WriterConfig") && writer["WriterConfig"].is_object() ? writer["WriterConfig"] : json::object();
  const std::string transformation = config.value("Transformation", "NONE");
  const bool lines = config.value("OutputType", "JSON") == "JSONL";
  const bool to_s3 = writer.contains("Resource");
  json succeeded = json::array(), failed = json::array(), shaped = json::array();
  double stop = run->doc.value("stopDate", now_s());
  for (const auto& rec : records) {  // the child executions (map_children.cpp)
    bool ok = rec.value("Status", "") == "SUCCEEDED";
    json r = {{"ExecutionArn", rec.value("ExecutionArn", "")},
              {"Input", rec["Input"].dump()},
              {"InputDetails", {{"Included", true}}},
              {"Name", rec.value("Name", "")},
              {"RedriveCount", rec.value("RedriveCount", 0)},
              {"RedriveStatus", ok ? "NOT_REDRIVABLE" : "REDRIVABLE"},
              {"StartDate", iso(rec.value("StartDate", stop))},
              {"StateMachineArn", rec.value("StateMachineArn", "")},
              {"Status", rec.value("Status", "FAILED")},
              {"StopDate", iso(rec.value("StopDate", stop))}};
    if (ok) {
      r["Output"] = rec["Output"].dump();
      r["OutputDetails"] = {{"Included", true}};
      r["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven";
    } else {
      r["Error"] = rec.value("Error", "");
      r["Cause"] = rec.value("Cause", "");
    }
    // A failed child's record stays whole whatever the transformation.
    json& list = ok ? succeeded : failed;
    if (!ok || transformation == "NONE") {
      list.push_back(r);
      shaped.push_back(std::move(r));
    } else if (transformation == "FLATTEN" && rec["Output"].is_array()) {
      for (const auto& v : rec["Output"]) {
        list.push_back(v);
        shaped.push_back(v);
      }
    } else {
      list.push_back(rec["Output"]);
      shaped.push_back(rec["Output"]);
    }
  }
  if (!to_s3) {
    Outcome o;
    o.output = std::move(shaped);
    return done(std::move(o));
  }
  json ctx = f->exec->context;
  json params;
  try {
    if (f->uses_jsonata(st)) {
      json states = {{"input", scope_input}, {"context", ctx}};
      params = writer.contains("Arguments") ? jsonata::evaluate_template(writer["Arguments"], jsonata::Bindings{states, f->variables, env_.clock})
                                            : json::object();
    } else {
      params = writer.contains("Parameters")
                   ? paths::payload(writer["Parameters"], paths::Scope{scope_input, ctx, f->variables}, "Parameters")
                   : json::object();
    }
    if (!params.is_object()) throw StatesError{"States.ResultWriterFailed", "The ResultWriter's parameters must be an object"};
  } catch (const StatesError& e) {
    return done(Outcome::failure(e.error, e.cause));
  }
  std::string bucket = params.value("Bucket", "");
  std::string prefix = params.value("Prefix", "");
  if (bucket.empty()) return done(Outcome::failure("States.ResultWriterFailed", "The ResultWriter needs a Bucket"));
  const std::string run_arn = run->doc["mapRunArn"];
  std::string run_id = run_arn.substr(run_arn.rfind(':') + 1);
  std::string dir = (prefix.empty() || prefix.back() == '/' ? prefix : prefix + "/") + run_id + "/";
  auto body_of = [lines](const json& list) {
    if (!lines) return list.dump();
    std::string out;
    for (const auto& v : list) out += v.dump() + "\n";
    return out;
  };
  struct File {
    std::string key, body, kind;
  };
  auto files = std::make_shared<std::vector<File>>();
  json manifest = {{"DestinationBucket", bucket}, {"MapRunArn", run_arn},
                   {"ResultFiles", {{"FAILED", json::array()}, {"PENDING", json::array()}, {"SUCCEEDED", json::array()}}}};
  if (!succeeded.empty()) files->push_back({dir + "SUCCEEDED_0.json", body_of(succeeded), "SUCCEEDED"});
  if (!failed.empty()) files->push_back({dir + "FAILED_0.json", body_of(failed), "FAILED"});
  for (const auto& file : *files)
    manifest["ResultFiles"][file.kind].push_back({{"Key", file.key}, {"Size", file.body.size()}});
  std::string manifest_key = dir + "manifest.json";
  files->push_back({manifest_key, manifest.dump(), ""});
  int64_t written = static_cast<int64_t>(records.size());
  json output = {{"MapRunArn", run_arn}, {"ResultWriterDetails", {{"Bucket", bucket}, {"Key", manifest_key}}}};
  // One PutObject after the other; the manifest last.
  auto put = std::make_shared<std::function<void(size_t)>>();
  std::weak_ptr<std::function<void(size_t)>> weak_put = put;
  *put = [this, f, files, bucket, run, written, output, done, weak_put](size_t i) {
    if (i == files->size()) {
      const json& items = run->doc["itemCounts"];
      run->doc["itemCounts"]["resultsWritten"] = items.value("succeeded", int64_t{0}) + items.value("failed", int64_t{0});
      run->doc["executionCounts"]["resultsWritten"] = written;
      save_map_run(*run);
      Outcome o;
      o.output = output;
      return done(std::move(o));
    }
    const File& file = (*files)[i];
    auto body = std::make_shared<Payload>(Payload::of_bytes(file.body));
    auto self = weak_put.lock();
    call(*f->exec, "s3", "PutObject", {{"Bucket", bucket}, {"Key", file.key}, {"ContentType", "application/json"}},
         [this, f, i, done, self](Result r) {
           std::lock_guard lock(mu_);
           if (f->stopped()) return;
           if (r.is_error())
             return done(Outcome::failure("States.ResultWriterFailed", r.error->code + ": " + r.error->message));
           (*self)(i + 1);
         },
         body);
  };
  (*put)(0);
}

Result StepFunctionsService::describe_map_run(const RequestContext&, json& in) {
  const std::string& arn = required(in, "mapRunArn");
  if (arn.rfind("arn:aws:states:", 0) != 0 || arn.find(":mapRun:") == std::string::npos) throw errors::invalid_arn(arn);
  auto it = map_runs_.find(arn);
  if (it == map_runs_.end()) throw errors::resource_not_found("Resource not found: '" + arn + "'");
  json d = public_doc(it->second->doc);
  for (const char* k : {"itemCounts", "executionCounts"}) {
    json& c = d[k];
    int64_t unsuccessful = c["failed"].get<int64_t>() + c["timedOut"].get<int64_t>() + c["aborted"].get<int64_t>();
    c["pending"] = c["total"].get<int64_t>() - c["running"].get<int64_t>() - c["succeeded"].get<int64_t>() - unsuccessful;
    if (d["status"] != "RUNNING") c["pending"] = 0;
    // The unsuccessful children a redrive of the parent would run again.
    c["pendingRedrive"] = d["status"] == "FAILED" || d["status"] == "ABORTED" ? unsuccessful : 0;
    c["failuresNotRedrivable"] = 0;
  }
  return Result::ok(d);
}

Result StepFunctionsService::list_map_runs(const RequestContext&, json& in) {
  const std::string& arn = required(in, "executionArn");
  if (arn.rfind("arn:aws:states:", 0) != 0 || arn.find(":execution:") == std::string::npos) throw errors::invalid_arn(arn);
  if (!find_execution(arn)) throw errors::execution_does_not_exist(arn);
  std::vector<json> all;
  for (const auto& [rarn, r] : map_runs_)
    if (r->doc.value("executionArn", "") == arn) all.push_back(run_listing(r->doc));
  std::sort(all.begin(), all.end(), [](const json& a, const json& b) { return a["startDate"] > b["startDate"]; });
  return Result::ok(list_page(all, in, "mapRuns"));
}

Result StepFunctionsService::update_map_run(const RequestContext&, json& in) {
  const std::string& arn = required(in, "mapRunArn");
  if (arn.rfind("arn:aws:states:", 0) != 0 || arn.find(":mapRun:") == std::string::npos) throw errors::invalid_arn(arn);
  auto it = map_runs_.find(arn);
  if (it == map_runs_.end()) throw errors::resource_not_found("Resource not found: '" + arn + "'");
  if (!in.contains("maxConcurrency") && !in.contains("toleratedFailurePercentage") && !in.contains("toleratedFailureCount"))
    throw errors::validation("Must specify at least one of maxConcurrency, toleratedFailurePercentage, or toleratedFailureCount");
  MapRun& r = *it->second;
  if (in.contains("maxConcurrency")) {
    if (!in["maxConcurrency"].is_number_integer() || in["maxConcurrency"].get<int64_t>() < 0)
      throw errors::validation("1 validation error detected: Value at 'maxConcurrency' failed to satisfy constraint: "
                               "Member must have value greater than or equal to 0");
    r.max_concurrency = in["maxConcurrency"].get<size_t>();
    r.doc["maxConcurrency"] = r.max_concurrency;
  }
  if (in.contains("toleratedFailurePercentage")) {
    if (!in["toleratedFailurePercentage"].is_number() || in["toleratedFailurePercentage"].get<double>() < 0 ||
        in["toleratedFailurePercentage"].get<double>() > 100)
      throw errors::validation("1 validation error detected: Value at 'toleratedFailurePercentage' failed to satisfy "
                               "constraint: Member must have value between 0 and 100");
    r.tolerated_pct = in["toleratedFailurePercentage"].get<double>();
    r.doc["toleratedFailurePercentage"] = r.tolerated_pct;
  }
  if (in.contains("toleratedFailureCount")) {
    if (!in["toleratedFailureCount"].is_number_integer() || in["toleratedFailureCount"].get<int64_t>() < 0)
      throw errors::validation("1 validation error detected: Value at 'toleratedFailureCount' failed to satisfy "
                               "constraint: Member must have value greater than or equal to 0");
    r.tolerated_count = in["toleratedFailureCount"].get<int64_t>();
    r.doc["toleratedFailureCount"] = r.tolerated_count;
  }
  save_map_run(r);
  if (r.relaunch) post(std::chrono::milliseconds(0), [this, run = it->second] {
    std::lock_guard lock(mu_);
    if (run->relaunch) run->relaunch();
  });
  return Result::ok();
}

}  // namespace awan::stepfunctions
